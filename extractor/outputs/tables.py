"""The output tables as pandas DataFrames with stable columns and dtypes (patterns/tables.yaml).

documents, facts, entities, findings, metrics (one row per report × standard indicator): written together as an Excel workbook, a Parquet
folder or an embedded DuckDB file, and read back with the same types.
"""
from __future__ import annotations

import functools
import json
from pathlib import Path

from .. import data

TABLES = ("documents", "facts", "entities", "findings", "metrics")


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
        if dtype == "string" and isinstance(s.dtype, pd.StringDtype):      # str or missing already: no per-value call
            df[col] = s.astype("string").fillna("")
        elif dtype == "string":
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
        d["places"] = json.dumps(f.places, ensure_ascii=False) if f.places else ""
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
    from ..checks.standards import metric_rows
    doc_row = describe(result, scheme, len(e_rows) if entities else None)
    return {"documents": [doc_row],
            "facts": fact_rows(result.facts), "entities": e_rows,
            "findings": finding_rows(check(result, ruleset, scheme)),
            "metrics": metric_rows(result.facts, doc_row)}


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

class _ZhSheets(dict):
    """Sheet names of a --zh workbook, from the catalog (sheets.documents …)."""

    def __missing__(self, name):
        from .. import i18n
        return i18n.t(f"sheets.{name}", "zh")


ZH_SHEETS = _ZhSheets()


# Columns of exact decimal text that become numeric cells in Excel where that keeps them exact.
NUMERIC_TEXT = {"facts": {"value"}, "findings": {"value", "threshold"}}
# Code columns shown to people in their words: column → catalog section.
WORDS = {"documents": {"input_kind": "input_kind"}, "facts": {"kind": "kind", "approx": "approx"},
         "entities": {"label": "entity"}, "findings": {"status": "status", "severity": "severity"}}
SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2, "info": 3}
STATUS_ORDER = {"fail": 0, "inconsistent": 1, "admitted": 2, "missing": 3, "not-applicable": 4, "pass": 5}


def rule_titles(ruleset, lang: str | None = None) -> dict:
    """Rule id → title: the ruleset's, and the catalog's for the findings made across a folder's reports
    (cross-year, duplicate submissions), which no ruleset holds."""
    from .. import i18n
    prefix = "rule_titles."
    titles = {k[len(prefix):]: v for k, v in i18n.catalog(lang or i18n.lang()).items() if k.startswith(prefix)}
    titles.update({r["id"]: r["title"] for r in (ruleset.rules if ruleset else ())})
    return titles


def for_people(name: str, df, ruleset=None, lang: str = "zh"):
    """Codes in words (pass → 达标), rule titles beside rule ids, findings by severity."""
    from .. import i18n
    df = df.copy()
    if name == "findings":
        order = df["severity"].map(lambda v: SEVERITY_ORDER.get(v, 9)) * 10 + df["status"].map(
            lambda v: STATUS_ORDER.get(v, 9))
        df = df.iloc[order.argsort(kind="stable")].reset_index(drop=True)
        titles = rule_titles(ruleset, lang)
        df.insert(df.columns.get_loc("rule") + 1, "rule_title", df["rule"].map(lambda r: titles.get(r, "")))
        df["places"] = df["places"].map(lambda v: places_text(v, lang))
    for col, section in WORDS.get(name, {}).items():
        df[col] = df[col].map(lambda v: i18n.word(section, v, lang))
    return df


def place_label(place: dict, lang=None) -> str:
    """One place of a finding's evidence in words: 第3页“2394万元”, or its words alone where there are no pages."""
    from .. import i18n
    if place.get("page"):
        return i18n.t("msg.place", lang, page=place["page"], raw=place["raw"])
    return i18n.t("msg.place_nopage", lang, raw=place["raw"])


def places_text(places_json: str, lang: str = "zh") -> str:
    """Every place a finding's evidence stands, in words: 第3页“2394万元”，第7页“2400万元”."""
    from .. import i18n
    if not places_json:
        return ""
    return i18n.t("msg.list_sep", lang).join(place_label(p, lang) for p in json.loads(places_json))


def from_people(name: str, df):
    """The codes back from a Chinese sheet (read_excel of a --zh workbook)."""
    from .. import i18n
    for col, section in WORDS.get(name, {}).items():
        back = {v: k.split(".", 1)[1] for k, v in i18n.catalog("zh").items() if k.startswith(section + ".")}
        if col in df:
            df[col] = df[col].map(lambda v: back.get(v, v))
    return df


def excel_sheet(name: str, df, zh: bool = False, ruleset=None):
    """(sheet name, frame, numeric columns) for excel.write_workbook; zh: Chinese headers and values."""
    from .. import i18n
    numeric = set(NUMERIC_TEXT.get(name, ()))
    if zh:
        heads = {c[0]: c[2] for c in schema()[name]}
        heads["rule_title"] = i18n.t("columns.rule_title", "zh")
        df = for_people(name, df, ruleset).rename(columns=heads)
        numeric = {heads[c] for c in numeric}
        name = ZH_SHEETS[name]
    return name, df, numeric


def summary_frame(tables: dict, ruleset, lang: str = "zh"):
    """汇总: one row per report with its verdict, what was checked, and the standards it failed."""
    import pandas as pd
    from .. import i18n
    from . import verdicts
    titles = rule_titles(ruleset, lang)
    docs, findings = tables["documents"], tables["findings"]
    by_doc = rules_and_statuses(findings)
    names = district_names(docs)
    rows = []
    for _, d in docs.iterrows():
        v = verdicts.of(by_doc.get(d["doc"], {"rule": [], "status": []}), ruleset)
        rows.append({
            "doc": d["doc"], "district": names[d["doc"]], "issuer": d["issuer"], "year": d["performance_year"],
            "verdict": i18n.word("verdict", v.verdict, lang), "checked": f"{v.checked}/{v.total}",
            "fails": v.fails, "inconsistent": v.inconsistent, "missing": v.missing, "facts": d["n_facts"],
            "failed_titles": i18n.t("msg.list_sep", lang).join(titles.get(r, r) for r in v.failed_rules),
            "_order": verdicts.ORDER[v.verdict]})
    df = pd.DataFrame(rows, columns=["doc", "district", "issuer", "year", "verdict", "checked", "fails",
                                     "inconsistent", "missing", "facts", "failed_titles", "_order"])
    df = df.sort_values(["_order", "fails", "inconsistent"], ascending=[True, False, False], kind="stable")
    heads = {c[0]: c[2] for c in schema()["documents"]}
    heads.update({k: i18n.t(f"columns.{k}", lang) for k in ("district", "verdict", "checked", "fails",
                                                             "inconsistent", "missing", "failed_titles", "year",
                                                             "facts")})
    return df.drop(columns="_order").rename(columns=heads).reset_index(drop=True)


def rules_and_statuses(findings) -> dict:
    """doc → {"rule": [...], "status": [...]}, what verdicts.of reads: lists, not a frame per report (slow)."""
    out = {}
    for doc, rule, status in zip(findings["doc"].tolist(), findings["rule"].tolist(), findings["status"].tolist()):
        d = out.setdefault(doc, {"rule": [], "status": []})
        d["rule"].append(rule)
        d["status"].append(status)
    return out


def district_names(docs) -> dict:
    """A report's place for people: county, else issuer, else the document id; the id where two share one."""
    names = {d["doc"]: (d["county"] or d["issuer"] or d["doc"]) for _, d in docs.iterrows()}
    seen = {}
    for n in names.values():
        seen[n] = seen.get(n, 0) + 1
    from .. import i18n
    return {doc: (n if seen[n] == 1 else i18n.t("site.name_with_id", name=n, doc=doc)) for doc, n in names.items()}


def people_workbook(tables: dict, path, ruleset, errors=None, submissions=None, warnings=None):
    """The workbook for inspectors: 汇总 first, then the four tables in Chinese, then unreadable files, what each
    county sent, and the files read only in part (warnings: path, doc, code, message)."""
    from .. import i18n
    from .excel import write_workbook
    sheets = [(i18n.t("sheets.summary", "zh"), summary_frame(tables, ruleset), set())]
    sheets += [excel_sheet(name, tables[name], zh=True, ruleset=ruleset) for name in TABLES]
    if errors is not None:
        errors = errors.copy()
        errors["kind"] = errors["kind"].map(lambda v: i18n.word("error_kind", v, "zh"))
        errors["cause"] = errors["cause"].map(lambda v: i18n.cause(v, "zh"))
        errors.columns = i18n.catalog("zh")["sheets.error_columns"][:len(errors.columns)]
        sheets.append((i18n.t("sheets.errors", "zh"), errors, set()))
    if submissions is not None:          # what each county sent and withdrew, for the record
        submissions = submissions.copy()
        submissions.columns = i18n.catalog("zh")["sheets.submission_columns"][:len(submissions.columns)]
        sheets.append((i18n.t("sheets.submissions", "zh"), submissions, set()))
    if warnings is not None:
        warnings = warnings.copy()
        warnings["message"] = warnings["message"].map(lambda v: i18n.cause(v, "zh"))
        warnings.columns = i18n.catalog("zh")["sheets.warning_columns"][:len(warnings.columns)]
        sheets.append((i18n.t("sheets.warnings", "zh"), warnings, set()))
    write_workbook(path, sheets)


def to_excel(tables: dict, path, zh: bool = False, ruleset=None):
    if zh:
        from ..checks.rules import load_rules
        people_workbook(tables, path, ruleset or load_rules())
        return
    from .excel import write_workbook
    write_workbook(path, [excel_sheet(name, tables[name]) for name in TABLES])


def read_excel(path) -> dict:
    import pandas as pd
    out = {}
    sheets = pd.read_excel(path, sheet_name=None, dtype=str, keep_default_na=False)
    for name in TABLES:
        zh_cols = {c[2]: c[0] for c in schema()[name]}
        df = sheets.get(name)
        if df is None:
            df = from_people(name, sheets[ZH_SHEETS[name]].rename(columns=zh_cols))
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
