"""A table's total row against its other rows: in a column of counts or amounts, 合计 is the sum of the rows
above or below it. Unsure means silent: a column of rates or averages, a row that may be a subtotal (小计, 其中),
a cell that is no number, or rows that do not all have the column say nothing.
"""
from __future__ import annotations

import bisect
from decimal import Decimal
from typing import Optional

import regex

from ..text import grid
from .findings import Finding, dec, finding, fmt, msg, place_of, squeeze, written_number, written_scale
from .view import DocView, rx, words

ADDITIVE_KINDS = ("count", "money")
_NEWLINE = regex.compile("\n")


def check_table_totals(rule, view: DocView) -> list[Finding]:
    out = []
    for rows in rows_of_tables(view):
        lx = words()["parts"]
        total = [r for r in rows if rx(lx["table_total"]).fullmatch(r[0].label.replace(" ", ""))]
        # a group's subtotal (义务教育 | 小计) adds up rows the total adds up too: left out; any other row of a kind of
        # another (其中…, 含…) leaves the table unsure
        rows = [r for r in rows if not rx(lx["table_group_subtotal"]).fullmatch(r[0].label.replace(" ", ""))]
        if len(total) != 1 or any(rx(lx["table_subtotal"]).search(r[0].label) for r in rows) or _nested(rows):
            continue
        others = [r for r in rows if r is not total[0]]
        for col in range(len(total[0])):
            fd = _column(rule, view, total[0], others, col)
            if fd is not None:
                out.append(fd)
    return out


def rows_of_tables(view: DocView) -> list[list[list]]:
    """Each table's data rows, each row its cells' (cell, fact) pairs in order; a table is a run of lines of cells.
    Made once per report: the totals and the change columns both read them."""
    got = view.memo.get("tables")
    if got is None:
        got = view.memo["tables"] = _rows_of_tables(view)
    return got


def _rows_of_tables(view: DocView) -> list[list[list]]:
    text = view.text
    cells = grid.cells(text)
    if not cells:
        return []
    facts = sorted((view.npos[id(f)], i, f) for i, f in enumerate(view.result.facts) if f.kind != "date")
    starts = [p for p, _, _ in facts]
    line_starts = [0] + [m.end() for m in _NEWLINE.finditer(text)]
    lines: dict = {}
    for c in cells:
        k = bisect.bisect_left(starts, c.start)
        f = facts[k][2] if k < len(facts) and facts[k][0] < c.end else None
        lines.setdefault(bisect.bisect_right(line_starts, c.start) - 1, []).append(_Cell(c, f))
    tables, last = [], None
    for n in sorted(lines):
        if last is None or n != last + 1:
            tables.append([])
        tables[-1].append(lines[n])
        last = n
    return [t for t in tables if len(t) >= 3]


def _nested(rows: list) -> bool:
    """A row named within another's name (幼儿园, 普惠性幼儿园): a kind of another row, counted twice in a sum."""
    labels = [r[0].label.strip() for r in rows if r[0].label.strip()]
    return any(a != b and a in b for a in labels for b in labels)


class _Cell:
    __slots__ = ("cell", "fact", "label")

    def __init__(self, cell, fact):
        self.cell, self.fact, self.label = cell, fact, cell.label


def _column(rule, view: DocView, total: list, others: list, col: int) -> Optional[Finding]:
    """The col-th cell of the total row against the same cell of every other row, where all are additive facts of
    one unit and the column says no rate or average."""
    if any(len(r) != len(total) for r in others):
        return None
    t = total[col].fact
    parts = [r[col].fact for r in others]
    if t is None or any(p is None for p in parts) or not _additive(t, parts, total[col].cell):
        return None
    want = sum((dec(p.value) for p in parts), Decimal(0))
    tv = dec(t.value)
    if abs(want - tv) <= _slack(t, parts):
        verdict = "parts_consistent"
    elif t.approx or any(p.approx for p in parts):
        return None
    else:
        verdict = "table_total_differs"
    shown, unit = _as_written(t, want, total[col].cell.unit)
    raw = squeeze(t.raw)
    said = msg("table_total", column=squeeze(total[col].cell.column or t.indicator), raw=raw + ("" if unit in raw else unit),
               n=len(parts), total=shown, unit=unit, verdict=msg(verdict))
    return finding(view.doc, rule["id"], "pass" if verdict == "parts_consistent" else "inconsistent", rule["severity"],
                   said, section=t.section, item=t.item, indicator=t.indicator, value=t.value,
                   values=[dec(p.value) for p in parts], threshold=want, raw=t.raw, start=t.start, end=t.end,
                   page=t.page, places=[place_of(t, "total")] + [place_of(p, "part") for p in parts])


def _as_written(t, amount: Decimal, cell_unit: str) -> tuple:
    """A sum in the scale its cells are written in (199.12 of a column in 万人, not 1991200人)."""
    scaled = written_scale(t, amount)
    if scaled is None or not cell_unit:
        return fmt(amount), t.unit
    return fmt(scaled[0]), cell_unit


def _additive(t, parts: list, cell) -> bool:
    lx = words()["parts"]
    if t.kind not in ADDITIVE_KINDS or any(p.kind != t.kind or p.unit != t.unit for p in parts):
        return False
    said = f"{cell.column} {t.indicator}"
    return not rx(lx["table_not_additive"]).search(said)


def _slack(t, parts: list) -> Decimal:
    """Half a step of the stated precision for each rounded figure (万元 to one decimal place)."""
    steps = [_step(f) for f in [t, *parts]]
    return sum(steps, Decimal(0)) / 2


def _step(f) -> Decimal:
    d = dec(f.value)
    raw = written_number(f.raw)
    n = dec(raw.group(1)) if raw else None
    if d is None or not n:
        return Decimal(0)
    exp = n.as_tuple().exponent
    return Decimal(1).scaleb(exp if exp < 0 else 0) * (d / n) if exp < 0 else Decimal(0)
