"""What a report says about itself, in words: shortfalls it admits, problems found against problems fixed,
and items it says do not apply (read by checks/statements.py and the completeness check). The words are data
(patterns/lexicon/checks.yaml); offsets are in the normalized text, the caller maps them back to the original.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, replace
from typing import Optional

import regex

from .. import data
from ..text import numerals


@functools.lru_cache(maxsize=1)
def _lex() -> dict:
    lex = data.load("lexicon/checks.yaml")
    adm, rect = lex["admission"], dict(lex["rectification"])
    for k in ("pair", "all_fixed", "split_found", "split_fixed", "split_left"):
        rect[k] = rect[k].replace("{count}", rect["count"])
    return {
        "not_applicable": regex.compile(lex["not_applicable"]),
        "phrases": regex.compile("|".join(adm["phrases"])),
        "phrase_each": tuple(regex.compile(p) for p in adm["phrases"]),
        "remedy": regex.compile(adm["remedy"]),
        "resolved": regex.compile(adm["resolved"]),
        "feedback": regex.compile(adm["feedback"]),
        "feedback_action": regex.compile(adm["feedback_action"]),
        "unfinished": regex.compile(adm["unfinished"]),
        "problem_heading": regex.compile(adm["problem_heading"]),
        "remedy_heading": regex.compile(adm["remedy_heading"]),
        "heading_marker": regex.compile(adm["heading_marker"]),
        "pair": regex.compile(rect["pair"]),
        "all_fixed": regex.compile(rect["all_fixed"]),
        "found": regex.compile(rect["found"]),
        "reason": regex.compile(rect["reason"]),
        "open_ones": regex.compile(rect["open_ones"]),
        **{k: regex.compile(rect[k]) for k in ("split_found", "split_fixed", "split_left")},
        "split_window": int(rect["split_window"]), "split_word": rect["split_word"], "count": regex.compile(rect["count"]),
    }


_CLAUSE_SEP = "，,；;：:。！？!?\n"


def not_applicable(text: str) -> Optional[regex.Match]:
    """The first statement that the item does not apply (辖区内没有职业教育学校)."""
    return _lex()["not_applicable"].search(text)


def admits(sentence: str) -> Optional[regex.Match]:
    """The phrase by which a sentence, read alone, admits a shortfall; None when it admits nothing.
    A shortfall that is the object of an action earlier in its clause (针对…问题), a sentence that says
    it is solved (已整改), and one on fixing what an evaluation fed back admit nothing."""
    lx = _lex()
    if lx["resolved"].search(sentence) or _rectifies_feedback(sentence):
        return None
    for m in lx["phrases"].finditer(sentence):
        clause_start = max(sentence.rfind(c, 0, m.start()) for c in _CLAUSE_SEP) + 1
        if not lx["remedy"].search(sentence, clause_start, m.start()):
            return m
    return None


def _rectifies_feedback(sentence: str) -> bool:
    lx = _lex()
    return bool(lx["feedback"].search(sentence) and lx["feedback_action"].search(sentence)
                and not lx["unfinished"].search(sentence))


def admission_starts(text: str):
    """Where a shortfall phrase may stand in the whole text: only the sentences holding one need `admits`. Each
    pattern searched alone and overlapping, so every start of the alternation's matches is among them (more is
    harmless: `admits` reads each sentence whole), at about half the alternation's scan."""
    return (m.start() for p in _lex()["phrase_each"] for m in p.finditer(text, overlapped=True))


@functools.lru_cache(maxsize=4096)
def is_problem_section(path: tuple) -> bool:
    """The innermost heading about problems or measures is about problems only (（一）存在问题)."""
    lx = _lex()
    for title in reversed(path):
        problem, remedy = lx["problem_heading"].search(title), lx["remedy_heading"].search(title)
        if problem or remedy:
            return bool(problem) and not remedy
    return False


def is_problem_heading(line: str) -> bool:
    """The line is only the heading of a problems section (（一）存在问题), not one of its points."""
    title = _lex()["heading_marker"].sub("", line).strip("\u3002\uff1a: ")
    return bool(_lex()["problem_heading"].fullmatch(title))


@functools.lru_cache(maxsize=4096)
def is_section_title(title: str) -> bool:
    """A heading naming a section about problems or measures (存在问题及整改措施), not a point of it."""
    lx = _lex()
    return bool(lx["problem_heading"].search(title) or lx["remedy_heading"].search(title)) and len(title) <= 12


@dataclass(frozen=True)
class Rectification:
    nstart: int            # the found…fixed span, normalized offsets
    nend: int
    what: str              # 排查出建筑安全隐患
    found: int
    fixed: int
    unit: str
    reason: str            # the rest of the sentence when it says why the remainder is open
    left: Optional[int] = None     # the count the report says is left (其余3项), where it says one apart


def rectifications(text: str, layout) -> list[Rectification]:
    """N found, M fixed, in one paragraph; the reason is the tail of the sentence after the last pair."""
    lx = _lex()
    out = []
    for p0, p1 in layout.paragraphs:
        if text.find(lx["split_word"], p0, p1) < 0 or not lx["count"].search(text, p0, p1):
            continue            # every pattern names 整改 and reads a count: one look each
        hits = []
        for pat in ("pair", "all_fixed"):
            for m in lx[pat].finditer(text, p0, p1):
                if any(h.start() <= m.start() < h.end() for h in hits):
                    continue
                hits.append(m)
        for m in sorted(hits, key=lambda h: h.start()):
            clause_start = max(text.rfind(c, p0, m.start()) for c in "，,；;。") + 1
            clause_start = max(clause_start, p0)
            what = text[clause_start:m.start()].strip()
            before = text[max(p0, m.start() - 60):m.start()]
            if not lx["found"].search(before) and not lx["found"].match(text, m.end("unit")):
                continue            # what was found named before its count, or right after it (17个问题中已完成整改13个)
            n = _count(m.group("n"))
            fixed = _count(m.group("m")) if "m" in m.groupdict() and m.group("m") else n
            if n is None or fixed is None:
                continue
            out.append(Rectification(clause_start if what else m.start(), m.end(), what, n, fixed,
                                     m.group("unit"), _reason(text, m.end(), layout, lx),
                                     _left_after(text, m, layout, lx) if fixed < n else None))
        if not hits:
            out += _split_account(text, p0, p1, layout, lx)
    # A reason told once after several pairs of a sentence (…；消防安全隐患7项，已整改1项，学校无力整改隐患已上报…)
    # belongs to all of them.
    by_sent = {}
    for r in out:
        by_sent.setdefault(_sentence_of(r.nstart, layout), []).append(r)
    fixed_up = []
    for rs in by_sent.values():
        reason = next((r.reason for r in reversed(rs) if r.reason), "")
        fixed_up += [replace(r, reason=r.reason or reason) for r in rs]
    return sorted(fixed_up, key=lambda r: r.nstart)


def _split_account(text: str, p0: int, p1: int, layout, lx) -> list:
    """反馈问题共9项…。…已整改到位7项，其余3项正在推进: found, fixed and left told apart in one paragraph (one account)."""
    found = lx["split_found"].search(text, p0, p1)
    if found is None:
        return []
    fixed = lx["split_fixed"].search(text, found.end(), min(p1, found.end() + lx["split_window"]))
    if fixed is None:
        return []
    # the count found nearest before the fixed one (扣0.5分：1个问题尚未完成整改）…反馈的6个问题…已完成整改5个)
    found = [m for m in lx["split_found"].finditer(text, found.start(), fixed.start())][-1]
    if fixed.group("unit") != found.group("unit"):
        return []
    i = _sentence_of(fixed.start(), layout)
    # every count left the sentence tells (基本完成1个，持续推进2个): they add up
    lefts = list(lx["split_left"].finditer(text, fixed.end(), layout.sentences[i][1])) if i >= 0 else []
    if not lefts or any(m.group("unit") != found.group("unit") for m in lefts):
        return []
    end = lefts[-1].end()
    clause_start = max(max(text.rfind(c, p0, found.start()) for c in "，,；;。") + 1, p0)
    counts = [_count(found.group("n")), _count(fixed.group("m"))] + [_count(m.group("k")) for m in lefts]
    if None in counts:
        return []
    return [Rectification(clause_start, end, text[clause_start:found.start("n")].strip(), counts[0], counts[1],
                          found.group("unit"), _reason(text, end, layout, lx), sum(counts[2:]))]


def _left_after(text: str, m, layout, lx) -> Optional[int]:
    """The count left that the pair's own sentence states next (…已整改到位11个、正在整改2个): None where it states
    none, or one in another unit."""
    i = _sentence_of(m.end(), layout)
    if i < 0:
        return None
    lefts = [x for x in lx["split_left"].finditer(text, m.end(), layout.sentences[i][1]) if x.group("unit") == m.group("unit")]
    counts = [_count(x.group("k")) for x in lefts]       # every count left it tells (基本完成整改2个，需持续推进1个)
    return sum(counts) if counts and None not in counts else None


def _count(words: str) -> Optional[int]:
    """A count as written, in digits or in a Chinese numeral (十四); None for a numeral not written the regular way."""
    if words.isdigit():
        return int(words)
    try:
        return int(numerals.read(words))
    except ValueError:
        return None


def _sentence_of(pos, layout) -> int:
    """The sentence holding pos, -1 when pos falls between sentences (the layout's bisect)."""
    i = layout.index("sentences", pos)
    s0, s1 = layout.sentences[i] if layout.sentences else (0, 0)
    return i if s0 <= pos < s1 else -1


def _reason(text, end, layout, lx) -> str:
    i = _sentence_of(end, layout)
    if i < 0:
        return ""
    tail = text[end:layout.sentences[i][1]].strip("，,；;。 \n")
    # Only the tail after the last pair of the sentence is a reason; a following pair is not.
    if lx["pair"].search(tail) or lx["all_fixed"].search(tail):
        tail = ""
    if lx["reason"].search(tail):
        return tail
    # … or the next sentence, where it speaks of the ones left (未整改的3项…已纳入2024年维修计划)
    if i + 1 < len(layout.sentences):
        nxt = text[slice(*layout.sentences[i + 1])].strip("，,；;。 \n")
        if lx["open_ones"].match(nxt) and lx["reason"].search(nxt):
            return nxt
    return ""
