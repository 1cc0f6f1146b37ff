"""Self-scores of a point scheme add up (one of the consistency checks): a score claimed above its item's
maximum; a section's score against the sum of the items under it (the items whose maxima add up to the
section's maximum, numbered one level below it); a total against the scores listed before it. Read in the
words (patterns/lexicon/checks.yaml `scores`), as the rectification counts are.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from decimal import Decimal
from typing import Optional

from .findings import Finding, dec, finding, fmt, msg, place, squeeze
from .view import DocView, rx, words


@dataclass(frozen=True)
class Score:
    nstart: int             # from its heading's numbering (3.校园安全（8分，自评得分8.5分) when there is one
    nend: int
    max: Decimal
    got: Decimal
    level: str              # the shape of its heading's numbering (cn_paren, num, letter:B …), "" unknown


def check_scores(rule, view: DocView) -> list[Finding]:
    if not _lex()["cue"].search(view.text):
        return []
    scores = _scores(view)
    out = [_above(rule, view, s) for s in scores if s.got > s.max]
    out += [fd for i in range(len(scores)) for fd in [_section(rule, view, scores, i)] if fd is not None]
    out += _totals(rule, view)
    return out


@functools.lru_cache(maxsize=1)
def _lex():
    lx = words()["scores"]
    return {k: rx(lx[k]) for k in ("cue", "pair", "marker", "listed", "total", "score", "deducted")} | {
        "window": int(lx["marker_window"])}


def _scores(view: DocView) -> list[Score]:
    lx = _lex()
    out = []
    for m in lx["pair"].finditer(view.text):
        level, start = _level(view, m.start())
        out.append(Score(start, m.end(), dec(m.group("max")), dec(m.group("got")), level))
    return out


def _level(view: DocView, pos: int) -> tuple:
    """(shape, start) of the last heading number before a maximum, within its line: （二） and 1. are two
    levels; ("", pos) when there is none."""
    line_start = view.text.rfind("\n", 0, pos) + 1
    lx = _lex()
    found = None
    for m in lx["marker"].finditer(view.text, max(line_start, pos - lx["window"]), pos):
        found = m
    if found is None:
        return "", pos
    name = found.lastgroup
    return (f"letter:{found.group('letter')}" if name == "letter" else name), found.start()


def _above(rule, view: DocView, s: Score) -> Finding:
    ev = view.evidence(s.nstart, s.nend)
    said = msg("scores_above_max", said=squeeze(ev["raw"]), max=fmt(s.max), got=fmt(s.got))
    return _finding(rule, view, "inconsistent", said, s, ev, values=[s.max, s.got], threshold=s.max)


def _section(rule, view: DocView, scores, i) -> Optional[Finding]:
    """The items after a section's score, numbered one level below it, whose maxima add up to its maximum."""
    head = scores[i]
    if not head.level:
        return None
    items, total_max = [], Decimal(0)
    for s in scores[i + 1:]:
        if not s.level or s.level == head.level or (items and s.level != items[0].level):
            break
        items.append(s)
        total_max += s.max
        if total_max >= head.max:
            break
    if len(items) < 2 or total_max != head.max:
        return None
    got = sum((s.got for s in items), Decimal(0))
    ok = got == head.got
    ev = view.evidence(head.nstart, head.nend)
    said = msg("scores_section", said=squeeze(ev["raw"]), n=len(items), max=fmt(total_max), sum=fmt(got),
               verdict=msg("parts_consistent" if ok else "scores_differ"))
    places = [place(ev["raw"], ev["start"], ev["end"], ev["page"], "section")]
    for s in items:
        e = view.evidence(s.nstart, s.nend)
        places.append(place(e["raw"], e["start"], e["end"], e["page"], "item"))
    return _finding(rule, view, "pass" if ok else "inconsistent", said, head, ev,
                    values=[s.got for s in items], threshold=got, places=places)


def _totals(rule, view: DocView) -> list[Finding]:
    """各部分自评得分分别为24分、27.5分…，另申请加分2分，自评总分为96分: the scores listed add up to the total."""
    lx = _lex()
    out = []
    for m in lx["total"].finditer(view.text):
        s0, _ = view.sentence_span(m.start())
        listed = None
        for lm in lx["listed"].finditer(view.text, s0, m.start()):
            listed = lm
        if listed is None or lx["deducted"].search(view.text, listed.end(), m.start()):
            continue
        parts = [dec(x.group("n")) for x in lx["score"].finditer(view.text, listed.end(), m.start())]
        if len(parts) < 3:
            continue
        got, total = sum(parts, Decimal(0)), dec(m.group("total"))
        ok = got == total
        ev = view.evidence(m.start(), m.end())
        said = msg("scores_total", said=squeeze(ev["raw"]), n=len(parts), sum=fmt(got),
                   verdict=msg("parts_consistent" if ok else "scores_differ"))
        tie = view.evidence(listed.start(), listed.end())
        out.append(finding(view.doc, rule["id"], "pass" if ok else "inconsistent", rule["severity"], said,
                           section=view.result.seg.region_at(m.start()).section,
                           item=view.result.seg.region_at(m.start()).item, value=total, values=parts, threshold=got,
                           because=[tie], **ev))
    return out


def _finding(rule, view: DocView, status, said, s: Score, ev, **kw) -> Finding:
    reg = view.result.seg.region_at(s.nstart)
    return finding(view.doc, rule["id"], status, rule["severity"], said, section=reg.section, item=reg.item,
                   value=s.got, **ev, **kw)


CHECKS = {"scores": check_scores}
