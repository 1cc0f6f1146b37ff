"""Whose figure each fact is: the reporting government's own (scope ""), a part of its area or of its schools
("part": 城区, 农村, 民办园, one school …), or another government's or a standard quoted ("other": 全省 in a
county's report). A stage after metrics: the words of the catalog indicator a fact is linked to are not read
(公办园在园幼儿占比 is the county's figure). The words are data (patterns/lexicon/scope.yaml).
"""
from __future__ import annotations

import bisect
import functools
from dataclasses import replace

from .. import data
from . import grid, metrics

_CLAUSE_END = set("，,；;。！？!?\n")
_SENTENCE_END = set("；;。！？!?\n")


@functools.lru_cache(maxsize=1)
def _lex() -> dict:
    spec = data.load("lexicon/scope.yaml")
    levels = data.load("lexicon/levels.yaml")
    return {"part": data.compile(spec["part"]),
            "other": tuple((data.compile(p), lv) for p, lv in spec["other"].items()),
            "window": int(spec["window"]), "province": data.compile(spec["province"]),
            "respectively": data.compile(spec["respectively"]), "breakdown": data.compile(spec["breakdown"]),
            "sub_unit": data.compile(spec["sub_unit"]), "each_of": data.compile(spec["each_of"]),
            "continues": data.compile(spec["continues"]),
            "lower_unit": {lv: data.compile(pat) for lv, pat in spec["lower_unit"].items()},
            "province_char": spec["province_char"], "level_of": dict(spec["level_of"]), "school": data.compile(levels["school"]),
            "level_words": tuple(data.compile(p) for p in levels["levels"].values())}


def government(text: str, level_char: str) -> str:
    """省 / 市 / 县 / 区: the level of the reporting government; a report citing the scheme for provinces is a
    province's whatever its name (天津市)."""
    lx = _lex()
    return lx["province_char"] if lx["province"].search(text[:2000]) else level_of(level_char)


def level_of(level_char: str) -> str:
    """县 for 旗, 市 for 州 and 盟: the level standards and schemes bind by; the others as they are."""
    return _lex()["level_of"].get(level_char, level_char)


def mark(facts, norm, level_char: str, catalog=None, schools=()) -> tuple:
    """The facts with `scope` and `scope_word` set where the words say whose figure it is; a school the clause
    names (`schools`: ner's, offsets in normalized text) makes it that school's (其中某某小学每百名学生拥有…0.9人)."""
    lx = _lex()
    gov = government(norm.text, level_char)
    cat = catalog or metrics.load_catalog()
    text, omap = norm.text, norm.omap
    schools = sorted(schools, key=lambda e: e.start)          # as ner gives them: in text order
    school_starts = [e.start for e in schools]
    out = []
    for f in facts:
        if f.kind == "date":
            out.append(f)
            continue
        p = bisect.bisect_left(omap, f.start)
        clause = _clause_before(text, p, lx["window"])
        listed = lx["respectively"].search(clause)
        if listed:          # 两校…，面积分别仅为8.9平方米和9.1平方米: the list's holders, back to the sentence's start;
            # a list of figures alone (毛入园率92.3%、覆盖率78.6%) holds its members in its own clause
            clause = _clause_before(text, p, 3 * lx["window"], _SENTENCE_END if lx["each_of"].match(listed.group())
                                    else None)
        words = f"{f.subject} {clause}"
        entry = cat.get(f.metric_id) if f.metric_id else None
        if entry is not None:
            for ph in entry.phrasings:
                words = ph.sub(" ", words)
        scope, word = of_words(words, gov, f.subject)
        cell = grid.cell_at(text, p) if not scope else None
        if cell is not None and cell.column:
            scope, word = of_words(cell.column, gov)        # 指标 | 2024年 | 2024年全国: the country's column
        if not scope and gov in lx["lower_unit"]:
            m = lx["lower_unit"][gov].match(clause.lstrip())
            scope, word = ("part", m.group("unit")) if m else ("", "")
        if not scope:
            named = [e.name for e in schools[bisect.bisect_left(school_starts, p - len(clause)):
                                             bisect.bisect_right(school_starts, p)] if e.end <= p]
            scope, word = ("part", named[-1]) if named else _breakdown(text, p)
        if not scope and out and out[-1].scope and lx["continues"].match(clause.lstrip()) \
                and not any(c in text[bisect.bisect_left(omap, out[-1].end - 1):p] for c in _SENTENCE_END):
            scope, word = out[-1].scope, out[-1].scope_word      # …市本级…12.37亿元，比上年增长5.09%: the same holder's
        out.append(replace(f, scope=scope, scope_word=word) if scope else f)
    return tuple(out)


def _breakdown(text: str, pos: int) -> tuple:
    """("part", words) where the figure's sentence opens a breakdown (从区域看，…) or with a unit of the area and a
    reason (石门镇因…，…为83.1%): a part's figure."""
    lx = _lex()
    sentence = _clause_before(text, pos, 3 * lx["window"], _SENTENCE_END)
    m = lx["breakdown"].search(sentence)
    if m:
        return "part", m.group().lstrip("，,")
    m = lx["sub_unit"].search(sentence.lstrip())
    return ("part", m.group("unit")) if m else ("", "")      # 石门镇 of 石门镇因…: the unit, not its reason


def of_words(words: str, gov: str, subject: str = "") -> tuple:
    """(scope, word) of a figure introduced by these words, in a report of the government `gov`."""
    lx = _lex()
    for pat, level in lx["other"]:
        m = pat.search(words)
        if m and (not level or level != gov):
            return "other", m.group()
    m = lx["part"].search(words)
    if m:
        return "part", m.group()
    if subject and lx["school"].search(subject) and not any(w.fullmatch(subject) for w in lx["level_words"]):
        return "part", subject              # one school's figure
    return "", ""


def _clause_before(text: str, pos: int, window: int, ends=None) -> str:
    """The text before pos back to the last of `ends` (not included), at most `window` characters."""
    ends = _CLAUSE_END if ends is None else ends
    lo = max(pos - window, 0)
    return text[max(max(text.rfind(c, lo, pos) for c in ends) + 1, lo):pos]
