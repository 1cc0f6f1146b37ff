"""Self-scores of a point scheme: each maximum and the points a report claims for it (（8分，自评得分8.5分）),
with the shape of the heading numbering it stands under; read in the words of patterns/lexicon/scores.yaml.
What the checks add up (checks/scores.py) and the workbook's 自评得分 sheet lists."""
from __future__ import annotations

import functools
from dataclasses import dataclass
from decimal import Decimal

from .. import data
from . import grid


@dataclass(frozen=True)
class Score:
    nstart: int             # from its heading's numbering (3.校园安全（8分，自评得分8.5分) when there is one
    nend: int
    max: Decimal
    got: Decimal
    level: str              # the shape of its heading's numbering (cn_paren, num, letter:B …), "" unknown
    table: int = -1         # where the table it is a row of starts; -1 for a score in the text


@functools.lru_cache(maxsize=1)
def lexicon() -> dict:
    lx = data.load("lexicon/scores.yaml")
    return {k: data.compile(lx[k]) for k in ("cue", "pair", "line_pair", "marker", "listed", "total", "score",
                                             "deducted", "deduction", "table_max", "table_got", "table_total",
                                             "no_bonus")} | {"full_marks": Decimal(str(lx["full_marks"])),
        "window": int(lx["marker_window"]), "table_max_points": Decimal(str(lx["table_max_points"])),
        "deducted_window": int(lx["deducted_window"]), "deduction_after": frozenset(lx["deduction_after"])}


def read(text: str) -> tuple:
    """Every (maximum, claimed) pair in the normalized text, in order."""
    lx = lexicon()
    if not lx["cue"].search(text):
        return ()
    out = []
    for m in lx["pair"].finditer(text):
        level, start = _level(text, m.start())
        out.append(Score(start, m.end(), Decimal(m.group("max")), Decimal(m.group("got")), level))
    paired = [(s.nstart, s.nend) for s in out]
    for m in lx["line_pair"].finditer(text):
        if any(m.start() <= a < m.end() for a, _ in paired):
            continue                # the line holds a pair of its own (（8分，自评得分8.5分）)
        level, start = _level(text, m.start("max"))
        head_end = min(i for i in (text.find("）", m.end("max")), text.find(")", m.end("max")), m.end()) if i >= 0)
        # its heading stands for it (C20 教师培训与交流轮岗（2分）), not the paragraph to its self-score
        out.append(Score(start, head_end + 1, Decimal(m.group("max")), Decimal(m.group("got")), level))
    taken = {s.nstart for s in out}
    out += [s for s in _table_rows(text) if s.nstart not in taken]
    return tuple(sorted(out, key=lambda s: s.nstart))


def _table_rows(text: str) -> list:
    """The rows of a score table (四、教师队伍建设  15  14.9 / B8 学前教育  8  7.8): a numbered item's label and two
    numbers, its maximum and its self-score; a table is read where three rows or more are so."""
    lx = lexicon()
    rows: dict = {}
    for c in grid.cells(text):
        rows.setdefault(text.rfind("\n", 0, c.start) + 1, []).append(c)
    found, table, last = [], -1, -2
    for line, cells in sorted(rows.items()):
        numbers = [grid.number_cell(text, c) for c in cells]
        numbers = [n for n in numbers if n is not None and not n[2]]
        label = cells[0].label.strip()
        marker = lx["marker"].match(label)
        if len(numbers) != 2 or marker is None:
            continue
        top, got = (Decimal(text[a:b].replace(",", "")) for a, b, _ in numbers)
        if top <= 0 or top > lx["table_max_points"]:
            continue
        name = marker.lastgroup
        level = f"letter:{marker.group('letter')}" if name == "letter" else name
        head_end = line + len(text[line:cells[0].start].rstrip())     # its label stands for it, as a heading does
        if text.count("\n", last, line) > 1 or last < 0:
            table = line                # rows not on consecutive lines: another table
        last = line
        found.append(Score(line, head_end, top, got, level, table))
    return found if len(found) >= 3 else []


def _level(text: str, pos: int) -> tuple:
    """(shape, start) of the last heading number before a maximum, within its line: （二） and 1. are two
    levels; ("", pos) when there is none."""
    line_start = text.rfind("\n", 0, pos) + 1
    lx = lexicon()
    found = None
    for m in lx["marker"].finditer(text, max(line_start, pos - lx["window"]), pos):
        found = m
    if found is None:
        return "", pos
    name = found.lastgroup
    return (f"letter:{found.group('letter')}" if name == "letter" else name), found.start()
