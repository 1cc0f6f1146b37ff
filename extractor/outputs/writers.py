"""Write facts as JSON lines, CSV (UTF-8 with BOM for Excel), XLSX or Parquet, chosen by extension."""
from __future__ import annotations

import json
import sys
from pathlib import Path

from ..errors import InputError
from ..i18n import said

FORMATS = {".jsonl", ".csv", ".xlsx", ".parquet", ".duckdb", "/"}
ALL_TABLES = {".xlsx", ".duckdb", "/"}      # these hold documents, facts, entities and findings
FINDING_FORMATS = {".jsonl", ".csv", ".xlsx"}


def kind_of(path: Path) -> str:
    """.jsonl .csv .xlsx .parquet .duckdb, or "/" for a Parquet folder (no suffix, or an existing folder)."""
    p = Path(path)
    if p.is_dir() or str(path).endswith("/") or not p.suffix:
        return "/"
    return p.suffix.lower()


def check_output(path: Path, formats=FORMATS):
    if kind_of(path) not in formats:
        raise InputError("invalid-output", path, said("errors.out_format", suffix=path.suffix,
                                                          formats=", ".join(sorted(formats))))
    if kind_of(path) != "/" and path.parent and not path.parent.exists():
        raise InputError("invalid-output", path, said("errors.out_folder"))


def _write_jsonl(records, path=None):
    """One JSON object per line, to stdout or a file."""
    out = sys.stdout if path is None else open(path, "w", encoding="utf-8")
    encode = json.JSONEncoder(ensure_ascii=False).encode      # what json.dumps(x, ensure_ascii=False) makes anew each call
    try:
        for r in records:
            out.write(encode(r.to_dict()) + "\n")
        out.flush()
    finally:
        if path is not None:
            out.close()


def write_tables(tables: dict, path, zh: bool = False):
    from . import tables as t
    k = kind_of(path)
    if k == ".xlsx":
        t.to_excel(tables, path, zh=zh)
    elif k == ".duckdb":
        t.to_duckdb(tables, path)
    else:
        t.to_parquet_dir(tables, path)


def write_facts(facts, path=None, zh: bool = False):
    if path is None or Path(path).suffix.lower() == ".jsonl":
        _write_jsonl(facts, path)
        return
    path = Path(path)
    suffix = path.suffix.lower()
    from .tables import facts_frame
    df = facts_frame(facts)
    if zh:
        from .tables import excel_sheet
        df = excel_sheet("facts", df, zh=True)[1]
    if suffix == ".csv":
        from .excel import csv_safe
        csv_safe(df).to_csv(path, index=False, encoding="utf-8-sig")
    elif suffix == ".parquet":
        df.to_parquet(path, index=False)


def write_findings(findings, path=None, zh: bool = False, ruleset=None):
    """zh: Chinese headers, values and rule titles, sorted by severity (for inspectors)."""
    if path is None or Path(path).suffix.lower() == ".jsonl":
        _write_jsonl(findings, path)
        return
    from .tables import excel_sheet, findings_frame
    name, df, numeric = excel_sheet("findings", findings_frame(findings), zh=zh, ruleset=ruleset)
    if Path(path).suffix.lower() == ".csv":
        from .excel import csv_safe
        csv_safe(df).to_csv(path, index=False, encoding="utf-8-sig")
    else:
        from .excel import write_workbook
        write_workbook(path, [(name, df, numeric)])
