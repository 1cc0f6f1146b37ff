"""Standard indicators side by side: district × period per metric, and trends across a county's years.

Reads the `metrics` table (one row per report × metric × level × period) of a batch database or of
reports just processed. The trends across years are checks' (extractor/checks/crossyear.py).
"""
from __future__ import annotations

from pathlib import Path

from ..checks.crossyear import RULE, district as _district, period_of as _period
from ..text.metrics import load_catalog


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
            row = _district(r) + (f" · {r['level']}" if r["level"] and r["level"] != _only_level(mid) else "")
            cells.setdefault((row, _period(r)), r["value"])
        rows = list(dict.fromkeys(k[0] for k in cells))
        cols = sorted({k[1] for k in cells})
        table = pd.DataFrame([[cells.get((r, c), "") for c in cols] for r in rows], index=rows, columns=cols)
        out[mid] = (g["metric"].iloc[0], table)
    return out


def _only_level(mid) -> str:
    e = load_catalog().get(mid)
    return e.levels[0] if e and len(e.levels) == 1 else ""


def render(tables: dict) -> str:
    """Plain text, one block per metric."""
    blocks = []
    for mid, (title, t) in tables.items():
        head = "\t".join(["", *t.columns])
        lines = ["\t".join([str(i), *(str(v) for v in row)]) for i, row in zip(t.index, t.values)]
        blocks.append("\n".join([f"{title} [{mid}]", head, *lines]))
    return "\n\n".join(blocks)


def to_excel(tables: dict, findings, path):
    """One sheet per metric (named by its id) and a sheet of cross-year findings."""
    import pandas as pd
    from .tables import findings_frame
    with pd.ExcelWriter(path, engine="openpyxl") as xw:
        for mid, (title, t) in tables.items():
            t.rename_axis(title).to_excel(xw, sheet_name=mid[:31])
        findings_frame(findings).to_excel(xw, sheet_name=RULE, index=False)
