"""Self-scores of a point scheme add up (one of the consistency checks): a score claimed above its item's
maximum; a section's score against the sum of the items under it (the items whose maxima add up to the
section's maximum, numbered one level below it); a total against the scores listed before it. Read by text/scores.py
(patterns/lexicon/scores.yaml).
"""
from __future__ import annotations

from decimal import Decimal
from typing import Optional

from ..text import scores as text_scores
from ..text.scores import Score
from .findings import Finding, dec, finding, fmt, msg, place, squeeze
from .table_totals import rows_of_tables
from .view import DocView


def check_scores(rule, view: DocView) -> list[Finding]:
    scores = list(view.result.scores)
    if not scores and not _lex()["cue"].search(view.text):
        return []
    out = [_above(rule, view, s) for s in scores if s.got > s.max]
    out += [fd for s in scores if s.table < 0 and s.got <= s.max for fd in [_deducted(rule, view, s)] if fd is not None]
    out += [fd for i in range(len(scores)) for fd in [_section(rule, view, scores, i)] if fd is not None]
    out += _totals(rule, view) or _grand_total(rule, view, scores)
    out += _tables(rule, view)
    return out


def _lex():
    return text_scores.lexicon()


def _above(rule, view: DocView, s: Score) -> Finding:
    ev = view.evidence(s.nstart, s.nend)
    said = msg("scores_above_max", said=squeeze(ev["raw"]), max=fmt(s.max), got=fmt(s.got))
    return _finding(rule, view, "inconsistent", said, s, ev, values=[s.max, s.got], threshold=s.max)


def _deducted(rule, view: DocView, s: Score) -> Optional[Finding]:
    """（6分，自评5分，扣0.5分：…）: the points taken off, in the item's brackets, against its maximum and self-score."""
    lx, text = _lex(), view.text
    close = [i for i in (text.find("）", s.nend, s.nend + lx["deducted_window"]),
                         text.find(")", s.nend, s.nend + lx["deducted_window"])) if i >= 0]
    if not close or text.find("\n", s.nend, min(close)) >= 0:
        return None
    found = list(lx["deduction"].finditer(text, s.nend, min(close)))
    if any(text[:m.start()].rstrip()[-1:] not in lx["deduction_after"] for m in found):
        return None                 # 每发现一处扣0.5分: a rule of the scheme, not the points taken off
    offs = [dec(m.group("off")) for m in found]
    off = sum(offs, Decimal(0))
    if not offs or s.max - off == s.got:
        return None                 # no points taken off told, or they agree: the section and total checks say the rest
    ev = view.evidence(s.nstart, min(close) + 1)
    said = msg("scores_deducted", said=squeeze(ev["raw"]), max=fmt(s.max), off=fmt(off), got=fmt(s.got),
               want=fmt(s.max - off))
    return _finding(rule, view, "inconsistent", said, s, ev, values=[s.max, *offs], threshold=s.max - off)


def _section(rule, view: DocView, scores, i) -> Optional[Finding]:
    """The items after a section's score, numbered one level below it, whose maxima add up to its maximum."""
    head = scores[i]
    if not head.level:
        return None
    items, total_max = [], Decimal(0)
    for s in scores[i + 1:]:
        if s.table != head.table:
            break                   # a table's rows add up among themselves, the text's headings among themselves
        if items and _deeper(s.level, items[0].level):
            continue                # A3's B7, B8, B9 with their C items between them
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


def _deeper(level: str, than: str) -> bool:
    """A level below another: a lettered one by its letter (letter:C under letter:B), the numberings by the order
    Chinese documents nest them (一、 > （一） > 1. > （1）: a （1） item's scores under a 1. item)."""
    a, b = level.partition(":"), than.partition(":")
    if a[0] == b[0] == "letter":
        return a[2] > b[2]
    return a[0] in _NESTING and b[0] in _NESTING and _NESTING.index(a[0]) > _NESTING.index(b[0])


_NESTING = ("cn", "cn_paren", "num", "num_paren")


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


def _grand_total(rule, view: DocView, scores) -> list[Finding]:
    """自评总得分为98.5分（无申请加分项目） against the scores of the parts (the shallowest numbering of the text's headings)
    whose maxima make the scheme's full marks: the first statement of the total only, and only where its sentence says
    there are no bonus points (a bonus or a deduction stated anywhere else, or none stated, leaves it unsure)."""
    lx = _lex()
    m = lx["total"].search(view.text)
    heads = [s for s in scores if s.table < 0 and s.level]
    if m is None or not heads:
        return []
    s0, s1 = view.sentence_span(m.start())
    sentence = view.text[s0:s1]
    if lx["listed"].search(sentence) or not lx["no_bonus"].search(sentence):
        return []                   # unsure unless the report says no points stand beside its parts' (无申请加分项目)
    top = min((s.level for s in heads), key=_depth)
    parts = [s for s in heads if s.level == top]
    if len(parts) < 3 or sum((s.max for s in parts), Decimal(0)) != lx["full_marks"]:
        return []
    got, total = sum((s.got for s in parts), Decimal(0)), dec(m.group("total"))
    ok = got == total
    ev = view.evidence(m.start(), m.end())
    said = msg("scores_parts_total", said=squeeze(ev["raw"]), n=len(parts), max=fmt(lx["full_marks"]), sum=fmt(got),
               verdict=msg("parts_consistent" if ok else "scores_differ"))
    reg = view.result.seg.region_at(m.start())
    return [finding(view.doc, rule["id"], "pass" if ok else "inconsistent", rule["severity"], said, section=reg.section,
                    item=reg.item, value=total, values=[s.got for s in parts], threshold=got, **ev)]


def _depth(level: str) -> tuple:
    """How deep a numbering nests: 一、 before （一） before 1. before （1）; lettered ones by their letter."""
    kind, _, letter = level.partition(":")
    return (_NESTING.index(kind), "") if kind in _NESTING else (len(_NESTING), letter)


def _tables(rule, view: DocView) -> list[Finding]:
    """A score table's total row against its items' rows: the self-scores add up where the maxima do."""
    out = []
    for rows in rows_of_tables(view):
        total = [r for r in rows if _lex()["table_total"].fullmatch(r[0].label.replace(" ", ""))]
        if len(total) != 1:
            continue
        pairs = [_scored(r) for r in rows]
        if any(p is None for p in pairs):
            continue                # a row without both (a bonus, a section's own row): unsure
        k = rows.index(total[0])
        (tmax, tgot, tcell), items = pairs[k], pairs[:k] + pairs[k + 1:]
        if len(items) < 2 or sum((m for m, _, _ in items), Decimal(0)) != tmax:
            continue
        got = sum((g for _, g, _ in items), Decimal(0))
        ok = got == tgot
        said = msg("scores_table", label=squeeze(total[0][0].label), total=fmt(tgot), n=len(items), max=fmt(tmax),
                   sum=fmt(got), verdict=msg("parts_consistent" if ok else "scores_differ"))
        ev = view.evidence(tcell.cell.start, tcell.cell.end)
        reg = view.result.seg.region_at(tcell.cell.start)
        out.append(finding(view.doc, rule["id"], "pass" if ok else "inconsistent", rule["severity"], said,
                           section=reg.section, item=reg.item, value=tgot, values=[g for _, g, _ in items],
                           threshold=got, **ev))
    return out


def _scored(row) -> Optional[tuple]:
    """(maximum, self-score, the self-score's cell) of a table's row, or None where it lacks either."""
    lx = _lex()
    got = [c for c in row if lx["table_got"].fullmatch(c.cell.column.strip())]
    top = [c for c in row if lx["table_max"].fullmatch(c.cell.column.strip())]
    if len(got) != 1 or len(top) != 1 or got[0].fact is None or top[0].fact is None:
        return None
    m, g = dec(top[0].fact.value), dec(got[0].fact.value)
    return (m, g, got[0]) if m is not None and g is not None else None


def _finding(rule, view: DocView, status, said, s: Score, ev, **kw) -> Finding:
    reg = view.result.seg.region_at(s.nstart)
    return finding(view.doc, rule["id"], status, rule["severity"], said, section=reg.section, item=reg.item,
                   value=s.got, **ev, **kw)


CHECKS = {"scores": check_scores}
