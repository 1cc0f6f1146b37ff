"""The output tables as pandas DataFrames with stable columns and dtypes (patterns/tables.yaml).

documents, facts, entities, findings, metrics (one row per report × standard indicator): written together as an Excel workbook, a Parquet
folder or an embedded DuckDB file, and read back with the same types.
"""
from __future__ import annotations

import functools
import json
from pathlib import Path

from .. import data
from ..i18n import said

TABLES = ("documents", "facts", "entities", "findings", "metrics", "scores")


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


def number(text):
    """A value's text as a number for queries (85.71, 23940000); None for dates, ratios and ranges."""
    try:
        return float(text) if text not in ("", None) else None
    except (TypeError, ValueError):
        return None


def fact_rows(facts) -> list[dict]:
    rows = []
    for f in facts:
        d = f.to_dict()
        d["value"] = _value_text(f.value)
        d["number"] = number(d["value"]) if f.kind not in ("date", "ratio") else None
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
        params = d.pop("params", None)
        d["message_key"] = d.pop("key", "")
        d["message_params"] = json.dumps(params, ensure_ascii=False, default=str) if params else ""
        d["because"] = json.dumps(d["because"], ensure_ascii=False) if d.get("because") else ""
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


def rows(assessed) -> dict:
    """Plain rows of the five tables for one assessed report (checks.report.Assessed): formatting only."""
    a = assessed.analysis
    return {"documents": [assessed.document], "facts": fact_rows(a.result.facts), "entities": list(a.entities),
            "findings": finding_rows(assessed.findings),
            "metrics": [{**m, "number": number(m["value"])} for m in assessed.metrics],
            "scores": _score_rows(a.result)}


def _score_rows(result) -> list[dict]:
    from ..pipeline import score_rows       # the pipeline (and the text stages) only when rows are built
    return score_rows(result)


def frames(rows: dict) -> dict:
    return {name: _frame(rows.get(name, []), name) for name in TABLES}


def build(assessed) -> dict:
    """All five tables for assessed reports."""
    merged = {name: [] for name in TABLES}
    for a in assessed:
        for name, rs in rows(a).items():
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
        heads.update({c: i18n.t(f"columns.{c}", "zh") for c in DECISION_COLUMNS if c in df})       # i32
        df = for_people(name, df, ruleset).rename(columns=heads)
        numeric = {heads[c] for c in numeric}
        name = ZH_SHEETS[name]
    return name, df, numeric


def summary_frame(tables: dict, ruleset, lang: str = "zh"):
    """汇总: one row per report with its verdict, what was checked, and the standards it failed (as checks decided)."""
    import pandas as pd
    from .. import i18n
    from ..checks.verdict import ORDER, from_row
    titles = rule_titles(ruleset, lang)
    docs = tables["documents"]
    names = district_names(docs)
    rows = []
    for d in docs.itertuples(index=False):
        v = from_row(d)
        rows.append({
            "doc": d.doc, "district": names[d.doc], "issuer": d.issuer, "year": d.performance_year,
            "verdict": i18n.word("verdict", v.verdict, lang),
            "checked": f"{v.standards_checked}/{v.standards_total}", "fails": v.standards_failed,
            "inconsistent": v.inconsistent, "missing": v.missing_items, "problems": v.problems,
            "unread_pages": v.unread_pages, "facts": d.n_facts,
            "failed_titles": i18n.t("msg.list_sep", lang).join(titles.get(r, r) for r in v.failed_rules),
            "_order": ORDER.get(v.verdict, 9)})
    cols = ["doc", "district", "issuer", "year", "verdict", "checked", "fails", "inconsistent", "missing",
            "problems", "unread_pages", "facts", "failed_titles", "_order"]
    df = pd.DataFrame(rows, columns=cols)
    df = df.sort_values(["_order", "fails", "inconsistent"], ascending=[True, False, False], kind="stable")
    heads = {c[0]: c[2] for c in schema()["documents"]}
    heads.update({k: i18n.t(f"columns.{k}", lang) for k in ("district", "verdict", "checked", "fails",
                                                             "inconsistent", "missing", "failed_titles", "year",
                                                             "facts", "problems")})
    return df.drop(columns="_order").rename(columns=heads).reset_index(drop=True)


def district_names(docs) -> dict:
    """doc → its district as people read it (ids.labels), told apart by id where two reports share one."""
    from .. import i18n
    from ..ids import labels
    return labels(docs.to_dict("records"), i18n.t("site.name_with_id"))


# i32: the columns the inspectors' decisions add to the findings sheet (outputs/decisions.findings_for_sheet)
DECISION_COLUMNS = ("verified", "verified_note", "original_value")


def people_workbook(tables: dict, path, ruleset, errors=None, submissions=None, warnings=None, decided=None):
    """The workbook for inspectors: 汇总 first, then the four tables in Chinese, then unreadable files, what each
    county sent, and the files read only in part (warnings: path, doc, code, message). decided (outputs.decisions):
    verdicts after the inspectors' decisions, a 核实结论 column, and a 核实记录 sheet."""
    from .. import i18n
    from .excel import write_workbook
    if decided is not None:              # verdicts after the inspectors' decisions, decided by checks
        tables = {**tables, "documents": decided.verdict_tables(tables)["documents"]}
    summary = summary_frame(tables, ruleset)
    if decided is not None:
        summary = decided.summary(summary)
        tables = {**tables, "findings": decided.findings_sheet()}
    sheets = [(i18n.t("sheets.summary", "zh"), summary, set())]
    sheets += [excel_sheet(name, tables[name], zh=True, ruleset=ruleset) for name in TABLES]
    if decided is not None:
        sheets.append((i18n.t("sheets.decisions", "zh"), decided.record(rule_titles(ruleset, "zh")), set()))
    if errors is not None:
        errors = _shown(errors, "cause")
        errors["kind"] = errors["kind"].map(lambda v: i18n.word("error_kind", v, "zh"))
        errors.columns = i18n.catalog("zh")["sheets.error_columns"][:len(errors.columns)]
        sheets.append((i18n.t("sheets.errors", "zh"), errors, set()))
    if submissions is not None:          # what each county sent and withdrew, for the record
        submissions = submissions.copy()
        submissions.columns = i18n.catalog("zh")["sheets.submission_columns"][:len(submissions.columns)]
        sheets.append((i18n.t("sheets.submissions", "zh"), submissions, set()))
    if warnings is not None:
        warnings = _shown(warnings, "message")
        warnings.columns = i18n.catalog("zh")["sheets.warning_columns"][:len(warnings.columns)]
        sheets.append((i18n.t("sheets.warnings", "zh"), warnings, set()))
    write_workbook(path, sheets)


def _shown(df, column: str):
    """A table of stored messages with `column` in Chinese, rendered from each row's key and parameters."""
    from .. import i18n
    df = df.copy()
    if "message_key" in df:
        df[column] = [i18n.shown(k, p, v, "zh") for k, p, v in zip(df["message_key"], df["message_params"], df[column])]
        df = df.drop(columns=["message_key", "message_params"])
    return df


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
    return {"string": "VARCHAR", "Int64": "BIGINT", "Float64": "DOUBLE"}[dtype]


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


_ARROW_TYPES = {"string": "string", "Int64": "int64", "Float64": "float64"}


def _plain_columns(rows: list[dict], table: str):
    """The rows as columns of the table's types, when every value is one `typed` turns into the same thing without
    pandas: text that is a str (or nothing: ""), a count that is an int, a number that is an int or float (nothing,
    "" or NaN: null). None when any value is of another kind: the caller goes through pandas then."""
    out = {}
    for col, dtype, *_ in schema()[table]:
        vals = [r.get(col) for r in rows]
        if dtype == "string":
            if not all(v is None or type(v) is str for v in vals):
                return None
            out[col] = ["" if v is None else v for v in vals]
            continue
        ok = (int,) if dtype == "Int64" else (int, float)
        col_vals = []
        for v in vals:
            if v is None or (type(v) is str and v == ""):
                col_vals.append(None)
            elif type(v) in ok:
                col_vals.append(None if v != v else v)
            else:
                return None
        out[col] = col_vals
    return out


def insert_rows(con, name: str, rows: list[dict]):
    """Append plain rows to a DuckDB table: what insert_frame(frames(...)) stores, built without pandas where the
    values allow (an Arrow table of the table's types), else through the frame."""
    if not rows:
        return
    plain = _plain_columns(rows, name)
    if plain is None:
        insert_frame(con, name, _frame(rows, name))
        return
    import pyarrow as pa
    cols = columns(name)
    arrow = pa.table({c: pa.array(plain[c], type=getattr(pa, _ARROW_TYPES[t])()) for c, t, *_ in schema()[name]})
    quoted = ", ".join(f'"{c}"' for c in cols)
    con.register("incoming", arrow)
    con.execute(f"INSERT INTO {name} ({quoted}) SELECT {quoted} FROM incoming")
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
    """Ids decided by ids.keep_both against what the database holds; rows of a replaced path's old ids go."""
    from ..ids import keep_both
    held = dict(con.execute("SELECT doc, path FROM documents").fetchall())
    docs = tables["documents"]
    ren, gone = keep_both(held, zip(docs["doc"], docs["path"]))
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


def read_source(source) -> dict:
    """The tables of a batch output folder (its selfeval.duckdb, with the report texts), a .duckdb file, an .xlsx
    workbook or a Parquet folder, and `texts` (doc → text; empty where the source has none)."""
    from ..errors import InputError
    p = Path(source)
    if p.is_dir() and (p / "selfeval.duckdb").is_file():
        p = p / "selfeval.duckdb"
    if p.suffix.lower() == ".duckdb" and p.is_file():
        return _read_database(p)
    if p.suffix.lower() == ".xlsx" and p.is_file():
        out = read_excel(p)
    elif p.is_dir() and (p / "documents.parquet").is_file():
        out = read_parquet_dir(p)
    elif not p.exists():
        raise InputError("missing", p, said("errors.no_such"))
    else:
        raise InputError("unsupported", p, said("errors.not_tables"))
    out["texts"] = {}
    return out


def _read_database(p: Path) -> dict:
    import duckdb
    from ..errors import InputError
    try:
        con = duckdb.connect(str(p), read_only=True)
    except duckdb.Error as e:
        raise InputError("corrupt", p, said("errors.not_database", detail=str(e).splitlines()[0])) from e
    try:
        have = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        missing = [t for t in TABLES if t not in have]
        if missing:
            raise InputError("corrupt", p, said("errors.database_tables", tables=", ".join(missing)))
        out = {t: typed(con.execute(f"SELECT * FROM {t} ORDER BY rowid").df(), t) for t in TABLES}
        out["texts"] = dict(con.execute("SELECT doc, text FROM texts").fetchall()) if "texts" in have else {}
        if "errors" in have:
            out["errors"] = con.execute("SELECT path, kind FROM errors WHERE kind <> 'unsupported'").df()
    finally:
        con.close()
    return out
