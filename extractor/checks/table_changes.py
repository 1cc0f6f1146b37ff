"""A table's change column (增减) against its row's two years: 2023年 − 2022年; a column of rates of change (增长率（%）,
增幅) against the growth the years' figures give. Unsure means silent: a row without two years' figures, a cell that
is no signed number, a rate that some reading of the row gives (from the year before, across the table's years, or
in points for a row of percentages), within the rounding of every figure."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Optional

from .findings import Finding, finding, fmt, last_place, msg, place, squeeze
from .table_totals import rows_of_tables
from .view import DocView, rx, words

SLACK = Decimal("0.05")     # percentage points beyond the rounding of the stated rate and of the figures
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
    rate = [c for c in row if rx(lx["rate_column"]).fullmatch(c.cell.column.strip()) and c not in change]
    years = sorted((c for c in row if c.cell.year and c not in change + rate
                    and _number(view.text[c.cell.start:c.cell.end]) is not None), key=lambda c: c.cell.year)
    if len(change) + len(rate) != 1 or len(years) < 2 or len({c.cell.year for c in years}) != len(years):
        return None
    if change and "%" in view.text[change[0].cell.start:change[0].cell.end] \
            and "%" not in view.text[years[-1].cell.start:years[-1].cell.end] \
            and (years[-1].fact is None or years[-1].fact.kind != "percent"):
        rate, change = change, []   # 74826 | 78612 | +5.06%: a rate of change of the amounts, not their difference
    figures = [_number(view.text[c.cell.start:c.cell.end]) for c in (change or rate) + years]
    if any(x is None for x in figures):
        return None
    stated, values = figures[0], figures[1:]
    judged = _difference(stated, values) if change else _rate(stated, values)
    if judged is None:
        return None
    ok, want = judged
    before, after = years[-2], years[-1]
    cell = (change or rate)[0]
    said = msg("table_change" if change else "table_rate", label=squeeze(row[0].label), before=before.cell.year,
               after=after.cell.year, want=fmt(want), raw=squeeze(view.text[cell.cell.start:cell.cell.end]),
               verdict=msg("parts_consistent" if ok else ("table_change_differs" if change else "table_rate_differs")))
    # a cell is its figure's place, a fact or not (a bare 3862 under 2021年 in a table without units)
    ev, early = (view.evidence(c.cell.start, c.cell.end) for c in (after, before))
    reg = view.result.seg.region_at(after.cell.start)
    return finding(view.doc, rule["id"], "pass" if ok else "inconsistent", rule["severity"], said,
                   section=reg.section, item=reg.item, indicator=after.fact.indicator if after.fact else squeeze(row[0].label),
                   value=stated, values=values[-2:], threshold=want, **ev,
                   places=[place(early["raw"], early["start"], early["end"], early["page"], "earlier"),
                           place(ev["raw"], ev["start"], ev["end"], ev["page"], "later")])


def _difference(stated: Decimal, values: list) -> tuple:
    a, b = values[-2:]
    want = b - a
    slack = sum((_step(x) for x in (stated, a, b)), Decimal(0)) / 2
    return abs(want - stated) <= slack, want


def _rate(stated: Decimal, values: list) -> Optional[tuple]:
    """Whether some reading of the row gives the stated rate, and the growth from the year before."""
    a, b = values[-2:]
    if a <= 0 or b <= 0:
        return None
    spans = [_growth(a, b)] + ([_growth(values[0], b)] if len(values) > 2 and values[0] > 0 else [])
    spans.append((b - a - (_step(a) + _step(b)) / 2, b - a + (_step(a) + _step(b)) / 2))    # points, for a rate's row
    tol = last_place(stated) / 2 + SLACK
    ok = any(lo - tol <= stated <= hi + tol for lo, hi in spans)
    return ok, ((b - a) / a * 100).quantize(Decimal("0.01"))


def _growth(a: Decimal, b: Decimal) -> tuple:
    """The growth from a to b in percent, as the least and most that the figures' rounding allows."""
    ha, hb = _step(a) / 2, _step(b) / 2
    return (b - hb) / (a + ha) * 100 - 100, (b + hb) / (a - ha) * 100 - 100


def _number(cell: str) -> Optional[Decimal]:
    s = cell.strip().translate(_SIGNS).rstrip("%")
    try:
        return Decimal(s)
    except InvalidOperation:
        return None


def _step(d: Decimal) -> Decimal:
    exp = d.as_tuple().exponent
    return Decimal(1).scaleb(exp) if exp < 0 else Decimal(0)
