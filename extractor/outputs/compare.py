"""Standard indicators side by side: district × period per metric, and trends across a county's years.

Reads the `metrics` table (one row per report × metric × level × period) of a batch database or of
reports just processed. The trends across years are checks' (extractor/checks/crossyear.py).
"""
from __future__ import annotations

from pathlib import Path

from ..checks.crossyear import period_of as _period
from ..ids import district
from ..pipeline import metric_levels


def read_metrics(path):
    """The metrics table of a batch output folder (selfeval.duckdb inside) or of a .duckdb file."""
    from .tables import read_duckdb
    p = Path(path)
    db = p / "selfeval.duckdb" if p.is_dir() else p
    return read_duckdb(db)["metrics"]


def comparison(df, metric: str | None = None) -> dict:
    """metric id → (title, DataFrame: rows district [· level], columns periods, cells the value); first report wins."""
    import pandas as pd
    out = {}
    if metric:
        df = df[df["metric_id"] == metric]
    for mid, g in df.groupby("metric_id", sort=False):
        cells = {}
        for _, r in g.iterrows():
            row = district(r) + (f" · {r['level']}" if r["level"] and r["level"] != _only_level(mid) else "")
            cells.setdefault((row, _period(r)), r["value"])
        rows = list(dict.fromkeys(k[0] for k in cells))
        cols = sorted({k[1] for k in cells})
        table = pd.DataFrame([[cells.get((r, c), "") for c in cols] for r in rows], index=rows, columns=cols)
        out[mid] = (g["metric"].iloc[0], table)
    return out


def _only_level(mid) -> str:
    levels = metric_levels(mid)
    return levels[0] if len(levels) == 1 else ""


def render(tables: dict) -> str:
    """Plain text, one block per metric."""
    blocks = []
    for mid, (title, t) in tables.items():
        head = "\t".join(["", *t.columns])
        lines = ["\t".join([str(i), *(str(v) for v in row)]) for i, row in zip(t.index, t.values)]
        blocks.append("\n".join([f"{title} [{mid}]", head, *lines]))
    return "\n\n".join(blocks)


def to_excel(tables: dict, findings, path, ruleset=None):
    """One sheet per metric, named by its title (its id in a column), values as numbers; then the cross-year
    findings in the inspectors' words. Written by the one workbook writer (excel.write_workbook), like every other."""
    from .. import i18n
    from .excel import write_workbook
    from .tables import excel_sheet, findings_frame
    sheets, taken = [], set()
    for mid, (title, t) in tables.items():
        cols = [c or i18n.t("compare.no_year", "zh") for c in t.columns]
        df = t.set_axis(cols, axis=1)
        df.insert(0, i18n.t("compare.district", "zh"), list(t.index))
        df.insert(1, i18n.t("compare.metric_id", "zh"), mid)
        sheets.append((_sheet_name(title, taken), df.reset_index(drop=True), set(cols)))
    name, df, numeric = excel_sheet("findings", findings_frame(findings), zh=True, ruleset=ruleset)
    sheets.append((_sheet_name(i18n.t("compare.findings_sheet", "zh"), taken), df, numeric))
    write_workbook(path, sheets)


def _sheet_name(title: str, taken: set) -> str:
    """Excel allows 31 characters and none of []:*?/\\ in a sheet's name; names are unique regardless of case."""
    from ..paths import safe_name
    return safe_name(title.replace("[", "(").replace("]", ")"), taken, limit=28)
