"""Self-scores of a point scheme: each maximum and the points a report claims for it (（8分，自评得分8.5分）),
with the shape of the heading numbering it stands under; read in the words of patterns/lexicon/scores.yaml.
What the checks add up (checks/scores.py) and the workbook's 自评得分 sheet lists."""
from __future__ import annotations

import functools
from dataclasses import dataclass
from decimal import Decimal

from .. import data


@dataclass(frozen=True)
class Score:
    nstart: int             # from its heading's numbering (3.校园安全（8分，自评得分8.5分) when there is one
    nend: int
    max: Decimal
    got: Decimal
    level: str              # the shape of its heading's numbering (cn_paren, num, letter:B …), "" unknown


@functools.lru_cache(maxsize=1)
def lexicon() -> dict:
    lx = data.load("lexicon/scores.yaml")
    return {k: data.compile(lx[k]) for k in ("cue", "pair", "marker", "listed", "total", "score", "deducted")} | {
        "window": int(lx["marker_window"])}


def read(text: str) -> tuple:
    """Every (maximum, claimed) pair in the normalized text, in order."""
    lx = lexicon()
    if not lx["cue"].search(text):
        return ()
    out = []
    for m in lx["pair"].finditer(text):
        level, start = _level(text, m.start())
        out.append(Score(start, m.end(), Decimal(m.group("max")), Decimal(m.group("got")), level))
    return tuple(out)


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
