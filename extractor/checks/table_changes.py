"""A table's change column (增减) against its row's two years: 2023年 − 2022年. Unsure means silent: a column of
rates of change (增长率, 增幅), a row without two years' figures, a cell that is no signed number."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Optional

from .findings import Finding, finding, fmt, msg, place_of, squeeze
from .table_totals import rows_of_tables
from .view import DocView, rx, words

_SIGNS = str.maketrans({"＋": "+", "－": "-", "−": "-", "—": "-", ",": None, " ": None, "\uff0c": None})


def check_table_changes(rule, view: DocView) -> list[Finding]:
    out = []
    for rows in rows_of_tables(view):
        for row in rows:
            fd = _row(rule, view, row)
            if fd is not None:
                out.append(fd)
    return out


def _row(rule, view: DocView, row: list) -> Optional[Finding]:
    lx = words()["table_change"]
    change = [c for c in row if rx(lx["column"]).fullmatch(c.cell.column.strip())]
    years = sorted((c for c in row if c.cell.year and c.fact is not None and c not in change), key=lambda c: c.cell.year)
    if len(change) != 1 or len(years) < 2 or len({c.cell.year for c in years}) != len(years):
        return None
    before, after = years[-2], years[-1]
    if "%" in view.text[change[0].cell.start:change[0].cell.end] and after.fact.kind != "percent":
        return None                 # 74826 | 78612 | +5.06%: a rate of change of the amounts, not their difference
    stated, a, b = (_number(view.text[c.cell.start:c.cell.end]) for c in (change[0], before, after))
    if stated is None or a is None or b is None:
        return None
    want = b - a
    slack = sum((_step(x) for x in (stated, a, b)), Decimal(0)) / 2
    ok = abs(want - stated) <= slack
    said = msg("table_change", label=squeeze(row[0].label), before=before.cell.year, after=after.cell.year,
               want=fmt(want), raw=squeeze(view.text[change[0].cell.start:change[0].cell.end]),
               verdict=msg("parts_consistent" if ok else "table_change_differs"))
    f = after.fact
    return finding(view.doc, rule["id"], "pass" if ok else "inconsistent", rule["severity"], said,
                   section=f.section, item=f.item, indicator=f.indicator, value=stated, values=[a, b],
                   threshold=want, raw=f.raw, start=f.start, end=f.end, page=f.page,
                   places=[place_of(before.fact, "earlier"), place_of(f, "later")])


def _number(cell: str) -> Optional[Decimal]:
    s = cell.strip().translate(_SIGNS).rstrip("%")
    try:
        return Decimal(s)
    except InvalidOperation:
        return None


def _step(d: Decimal) -> Decimal:
    exp = d.as_tuple().exponent
    return Decimal(1).scaleb(exp) if exp < 0 else Decimal(0)
