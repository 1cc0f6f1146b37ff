"""The output tables as pandas DataFrames with stable columns and dtypes (patterns/tables.yaml).

documents, facts, entities, findings: written together as an Excel workbook, a Parquet
folder or an embedded DuckDB file, and read back with the same types.
"""
from __future__ import annotations

import functools
import json
from pathlib import Path

from .. import data

TABLES = ("documents", "facts", "entities", "findings")


@functools.lru_cache(maxsize=1)
def schema() -> dict:
    """table → [(column, dtype, chinese header, meaning)]"""
    spec = data.load("tables.yaml")
    return {t: [tuple(c) for c in spec[t]] for t in TABLES}


def columns(table: str) -> list[str]:
    return [c[0] for c in schema()[table]]


def typed(df, table: str):
    """Coerce a frame to the table's dtypes. Text columns hold "" rather than nulls, so every
    format (Excel has no null text) gives back exactly what was written."""
    import pandas as pd
    df = df.reindex(columns=columns(table))
    for col, dtype, *_ in schema()[table]:
        s = df[col]
        if dtype == "string":
            df[col] = s.map(lambda v: "" if v is None or (isinstance(v, float) and v != v) or v is pd.NA else str(v)) \
                       .astype("string")
        else:
            df[col] = pd.to_numeric(s.replace("", None), errors="coerce").astype(dtype)
    return df.reset_index(drop=True)


def _frame(rows: list[dict], table: str):
    import pandas as pd
    return typed(pd.DataFrame(rows, columns=columns(table)), table)


def _value_text(v):
    from decimal import Decimal
    if v is None:
        return ""
    if isinstance(v, Decimal):
        return format(v.normalize(), "f")
    return str(v)


def fact_rows(facts) -> list[dict]:
    rows = []
    for f in facts:
        d = f.to_dict()
        d["value"] = _value_text(f.value)
        rows.append(d)
    return rows


def finding_rows(findings) -> list[dict]:
    rows = []
    for f in findings:
        d = f.to_dict()
        d["value"] = _value_text(f.value)
        d["threshold"] = _value_text(f.threshold)
        d["values"] = json.dumps(d["values"], ensure_ascii=False)
        rows.append(d)
    return rows


def facts_frame(facts):
    return _frame(fact_rows(facts), "facts")


def findings_frame(findings):
    return _frame(finding_rows(findings), "findings")


def entities_frame(rows):
    return _frame(rows, "entities")


def documents_frame(rows):
    return _frame(rows, "documents")


def rows_for(result, scheme=None, ruleset=None, entities: bool = True) -> dict:
    """Plain rows of all four tables for one processed report (picklable, for worker processes)."""
    from ..text.metadata import describe
    from ..checks.rules import check, load_rules
    ruleset = ruleset if ruleset is not None else load_rules()
    e_rows = []
    if entities:
        from ..text.ner import entity_rows
        e_rows = entity_rows(result)
    return {"documents": [describe(result, scheme, len(e_rows) if entities else None)],
            "facts": fact_rows(result.facts), "entities": e_rows,
            "findings": finding_rows(check(result, ruleset, scheme))}


def frames(rows: dict) -> dict:
    return {name: _frame(rows.get(name, []), name) for name in TABLES}


def build(results, scheme=None, ruleset=None, entities: bool = True) -> dict:
    """All four tables for processed reports."""
    merged = {name: [] for name in TABLES}
    for r in results:
        for name, rs in rows_for(r, scheme, ruleset, entities).items():
            merged[name] += rs
    return frames(merged)


# ---------------- formats ----------------

ZH_SHEETS = {"documents": "文档", "facts": "数据", "entities": "实体", "findings": "核查结果"}


def to_excel(tables: dict, path, zh: bool = False):
    import pandas as pd
    with pd.ExcelWriter(path, engine="openpyxl") as xw:
        for name in TABLES:
            df = tables[name]
            if zh:
                df = df.rename(columns={c[0]: c[2] for c in schema()[name]})
            df.to_excel(xw, sheet_name=ZH_SHEETS[name] if zh else name, index=False)


def read_excel(path) -> dict:
    import pandas as pd
    out = {}
    sheets = pd.read_excel(path, sheet_name=None, dtype=str, keep_default_na=False)
    for name in TABLES:
        zh_cols = {c[2]: c[0] for c in schema()[name]}
        df = sheets.get(name)
        if df is None:
            df = sheets[ZH_SHEETS[name]].rename(columns=zh_cols)
        out[name] = typed(df, name)
    return out


def to_parquet_dir(tables: dict, folder):
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for name in TABLES:
        tables[name].to_parquet(folder / f"{name}.parquet", index=False)


def read_parquet_dir(folder) -> dict:
    import pandas as pd
    return {name: typed(pd.read_parquet(Path(folder) / f"{name}.parquet"), name) for name in TABLES}


def duckdb_type(dtype: str) -> str:
    return {"string": "VARCHAR", "Int64": "BIGINT"}[dtype]


def create_duckdb_tables(con, extra: dict | None = None):
    for name in TABLES:
        cols = ", ".join(f'"{c}" {duckdb_type(t)}' for c, t, *_ in schema()[name])
        con.execute(f'CREATE TABLE IF NOT EXISTS {name} ({cols})')
    for name, ddl in (extra or {}).items():
        con.execute(f"CREATE TABLE IF NOT EXISTS {name} ({ddl})")


def insert_frame(con, name: str, df):
    """Append a table's frame to its DuckDB table, column by column name."""
    if len(df):
        cols = ", ".join(f'"{c}"' for c in columns(name))
        con.register("incoming", df)
        con.execute(f"INSERT INTO {name} ({cols}) SELECT {cols} FROM incoming")
        con.unregister("incoming")


def to_duckdb(tables: dict, path, replace_docs: bool = True):
    """Write into an embedded DuckDB file; rows of the same documents are replaced, never duplicated."""
    import duckdb
    con = duckdb.connect(str(path))
    try:
        con.execute("BEGIN")
        create_duckdb_tables(con)
        tables = _keep_others(con, tables)
        docs = list(tables["documents"]["doc"])
        for name in TABLES:
            df = tables[name]
            if replace_docs and docs:
                con.execute(f"DELETE FROM {name} WHERE doc IN (SELECT * FROM UNNEST(?))", [docs])
            insert_frame(con, name, df)
        con.execute("COMMIT")
    finally:
        con.close()


def _keep_others(con, tables: dict) -> dict:
    """A report from another path whose id is already in the database keeps both: the newcomer takes
    its path as id (B/自评报告.md → B-自评报告). The same path replaces its rows, under whatever id."""
    from ..ids import candidates, path_id
    held = dict(con.execute("SELECT doc, path FROM documents").fetchall())
    docs = tables["documents"]
    taken = set(held) | set(docs["doc"])
    ren = {}
    for doc, path in zip(docs["doc"], docs["path"]):
        if doc in held and held[doc] != path:
            mine = [d for d, p in held.items() if p == path]          # the id this path got before
            new = mine[0] if mine else next(c for c in candidates(path, path_id(path)) if c not in taken)
            ren[doc] = new
            taken.add(new)
    gone = [d for d, p in held.items() if p in set(docs["path"]) and d not in set(docs["doc"]) | set(ren.values())]
    for name in TABLES if gone else ():
        con.execute(f"DELETE FROM {name} WHERE doc IN (SELECT * FROM UNNEST(?))", [gone])
    if not ren:
        return tables
    return {name: df.assign(doc=df["doc"].replace(ren)) for name, df in tables.items()}


def read_duckdb(path) -> dict:
    import duckdb
    con = duckdb.connect(str(path), read_only=True)
    try:
        return {name: typed(con.execute(f"SELECT * FROM {name} ORDER BY rowid").df(), name) for name in TABLES}
    finally:
        con.close()
