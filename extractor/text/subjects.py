"""The subject of a fact: a named school, a school level before the value, a group, or the actor of a dated event.

Entities come from the NER stage (computed once per report by the pipeline). Rules are named; `Subjects.of`
returns the subject and the rule that gave it. Word lists are in patterns/lexicon/entities.yaml.
"""
from __future__ import annotations

import bisect
import functools
from decimal import Decimal
from dataclasses import dataclass

import regex

from .. import data
from ..records import Span
from . import grid
from .layout import Layout, Positions

# The subject rules that name a part of the whole (中班96.2% after 小班班额达标率100%): its figure is no area's value.
PART_RULES = ("sibling_group",)
# Only these are split by school level (中学为0.561); 小学9所 counts schools, it is not about them.
_LEVELLED_KINDS = ("number", "percent", "ratio", "money")
_KINDS = {"SCHOOL": "school", "BODY": "body", "GROUP": "group"}
# A body this close after a date (in characters) is the actor of the dated event.
ACTOR_GAP = 3
# How far before a value a school level is looked for (中学为0.561, 初中按每生每年960元).
LEVEL_WINDOW = 12
_TWO_HAN = data.compile(r"\p{Han}{2}")
_HAN_RUN = data.compile(r"\p{Han}+")
# How many characters may stand before the group an earlier clause names (幼儿园小班…: 3).
SIBLING_LEAD = 4
_LIST_MARK = "\u3001"          # the enumeration comma between the items of a list


def respectively() -> object:
    """The words that open a list of values each of its own name (分别为, 依次为)."""
    return lexicon()["_respectively"]


def respective_list(text: str, span_starts: Positions, c0: int, pos: int, end: int) -> tuple:
    """(the last 分别… before pos in its clause, the values listed right after it up to end, joined by 、和及与 alone);
    (match or None, []) where no such list follows. Shared by the indicator and the subject of a list's member."""
    lex = lexicon()
    m = None
    for m in lex["_respectively"].finditer(text, c0, pos):
        pass
    if m is None:
        return None, []
    listed = [sp for sp in span_starts.within(m.end(), end, closed=True) if not _in_aside(text, m.end(), sp.nstart)]
    # 0.386（2023年为0.412）和0.463（2023年为0.448）: last year's figures in asides are no members of the list
    gaps = [_ASIDE.sub("", text[a.nend:b.nstart]) for a, b in zip(listed, listed[1:])]
    if not listed or text[m.end():listed[0].nstart].strip() or any(g not in lex["_list_joiners"] for g in gaps):
        return m, []
    return m, listed


_ASIDE = data.compile(r"^[（(][^（）()]*[)）]")


_LIST_GOES_ON = frozenset("、，,；;")


def _in_aside(text: str, start: int, pos: int) -> bool:
    """pos stands inside brackets opened after start."""
    span = text[start:pos]
    return span.count("（") + span.count("(") > span.count("）") + span.count(")")


def list_goes_on(text: str, start: int, end: int, joiner) -> bool:
    """The levels at start:end are only some of a list's items (在园幼儿和小学、初中…特殊教育学校在校生): an item
    joined before or after them counts too, so the levels' order is not the values' order."""
    return bool(joiner.fullmatch(text, end, end + 1)) or (start > 0 and bool(joiner.fullmatch(text, start - 1, start)))


def sibling_group(text: str, layout: Layout, span_starts: Positions, span: Span, c0: int, pos: int) -> tuple[str, str]:
    """(group, measure) for a number whose clause names only a group before it (中班96.2%) where an earlier clause of
    the sentence opens with a group of its kind and the words after it, before that clause's number, name a measure
    (小班|班额达标率|100%); ("", "") otherwise. The measure is returned as written (its link words untrimmed)."""
    m = lexicon()["_sibling_group"].fullmatch(text, c0, pos)
    if not m:
        return "", ""
    name = m.group("name")
    s0 = layout.sentences[layout.index("sentences", c0)][0]
    for q0, q1 in reversed(layout.clauses[layout.index("clauses", s0):layout.index("clauses", c0)]):
        first = span_starts.within(q0, q1)
        if not first or (first[0].kind, first[0].unit) != (span.kind, span.unit):
            continue
        head = lexicon()["_lead_words"].sub("", text[q0:first[0].nstart].strip())   # 全县男生…
        n = len(name)
        for k in range(SIBLING_LEAD + 1):       # 幼儿园|小班|班额达标率: a qualifier may stand before the group
            if (len(head) > k + n + 1 and head[k:k + n] != name and head[k + n - 1] == name[-1]
                    and _HAN_RUN.fullmatch(head, 0, k + n) and _TWO_HAN.match(head, k + n)):
                return name, head[:k] + head[k + n:]
    return "", ""


@dataclass(frozen=True)
class Entity:
    kind: str      # school | body | group
    name: str
    start: int
    end: int
    own: bool = False


@functools.lru_cache(maxsize=1)
def lexicon() -> dict:
    spec = dict(data.load("lexicon/entities.yaml"))
    rate = data.load("lexicon/indicators.yaml")     # 小学每生每年720元: a rate may stand between level and number
    spec["_level_re"] = data.compile(f"({spec['levels']}){spec['level_link']}"
                                      f"(?:(?:{rate['per_unit']})(?:{rate['per_unit_verb']})?)?$")
    spec["_level_in"] = data.compile(spec["level_in_phrase"])
    spec["_level_per_student"] = data.compile(spec["level_per_student"])
    spec["_own_suffix"] = data.alternation(spec["own_body_suffixes"])
    spec["_respectively"] = data.compile(rate["respectively"])
    spec["_level_list"] = data.compile(f"(?:{rate['level_list']})(?:{rate['level_joiner']}(?:{rate['level_list']}))+")
    spec["_level_split"] = data.compile(rate["level_joiner"])
    spec["_list_joiners"] = frozenset(rate["list_joiners"])
    spec["_sibling_group"] = data.compile(spec["sibling_group"])
    spec["_lead_words"] = data.compile(f"^(?:{data.alternation(rate['trim_left'])})+")
    return spec


def entities_of(recognized, level_char: str = "") -> list[Entity]:
    """Schools, bodies and groups among the recognized entities, marking the reporting government's own
    bodies (区教育局 in a 区 report)."""
    lex = lexicon()
    own_re = data.compile(f"(?:{lex['own_prefix']})?{regex.escape(level_char)}(?:{lex['_own_suffix']})?") \
        if level_char else None
    out = []
    for e in recognized:
        kind = _KINDS.get(e.label)
        if kind is None:
            continue
        own = kind == "body" and own_re is not None and own_re.fullmatch(e.name) is not None
        out.append(Entity(kind, e.name, e.start, e.end, own))
    return out


def levelled(span: Span) -> bool:
    """Values a school level can qualify: coefficients, rates, money, and per-student areas or ratios;
    not counts of schools (其中小学9所 counts schools, it is not about them)."""
    if span.kind in _LEVELLED_KINDS:
        return True
    lex = lexicon()
    return span.kind == "count" and (span.unit in lex["levelled_count_units"] or
                                     (span.unit in lex["levelled_per_head_units"]
                                      and isinstance(span.value, Decimal) and span.value != span.value.to_integral_value()))


def level_before(text: str, pos: int) -> str:
    m = lexicon()["_level_re"].search(text[max(0, pos - LEVEL_WINDOW):pos])
    return m.group(1) if m else ""


def level_re():
    return lexicon()["_level_re"]


def level_in_phrase():
    """The school level named inside a phrase (小学综合差异系数): group 1 or 2."""
    return lexicon()["_level_in"]


def without_level(phrase: str) -> str:
    """The phrase without the school level inside it (小学综合差异系数 → 综合差异系数), or as it is."""
    return lexicon()["_level_in"].sub("", phrase) or phrase


def event_end(text: str, layout: Layout, span: Span, c1: int) -> int:
    """Where the event a date stands for ends: its clause, or the next one when the date
    stands alone in its clause (2023年11月9日，市教育局召开了…); never past the paragraph."""
    if _TWO_HAN.search(text, span.nend, c1) or "\n" in text[span.nend:c1] or c1 >= len(text):
        return c1
    return layout.clauses[layout.index("clauses", c1)][1]


class Subjects:
    """One report's entities; `of(span)` gives (subject, rule)."""

    def __init__(self, text: str, layout: Layout, spans, entities: list[Entity]):
        self.text, self.layout, self.spans = text, layout, spans
        self.entities = entities
        self._starts = [e.start for e in entities]
        self._span_starts = Positions(spans, key=lambda sp: sp.nstart)
        self._span_ends = Positions(spans, key=lambda sp: sp.nend)
        self._clause_starts = None

    def _between(self, a: int, b: int) -> list:
        i = bisect.bisect_left(self._starts, a)
        j = bisect.bisect_left(self._starts, b)
        return self.entities[i:j]

    def _respective_level(self, span: Span, c0: int, c1: int) -> str:
        """小学、初中校际间综合差异系数分别为0.386、0.314: the i-th value of the list is the i-th level's, where the
        levels and the values are as many."""
        lex, text = lexicon(), self.text
        m, listed = respective_list(text, self._span_starts, c0, span.nstart, c1)
        levels = None
        for levels in lex["_level_list"].finditer(text, c0, m.start()) if listed else ():
            pass
        if levels is not None and list_goes_on(text, levels.start(), levels.end(), lex["_level_split"]):
            return ""
        if levels is None and listed:
            levels = self._levels_of_earlier_list(c0)
        if levels is None:
            return ""
        items = lex["_level_split"].split(levels.group())
        return items[listed.index(span)] if len(listed) == len(items) and span in listed else ""

    def _levels_of_earlier_list(self, c0: int):
        """小学、初中生均…面积分别为5.2平方米、6.4平方米，生均体育运动场馆面积分别为8.1平方米、11.3平方米: a list with no
        levels of its own, after one of the sentence's that has them, is of the same levels (the caller counts)."""
        lex, text = lexicon(), self.text
        s0 = self.layout.sentences[self.layout.index("sentences", c0)][0]
        levels = None
        for levels in lex["_level_list"].finditer(text, s0, c0):
            pass
        if levels is None or not lex["_respectively"].search(text, levels.end(), c0):
            return None
        return levels

    def of(self, span: Span) -> tuple[str, str]:
        lay, text = self.layout, self.text
        c0, c1 = lay.clauses[lay.index("clauses", span.nstart)]
        s0, _ = lay.sentences[lay.index("sentences", span.nstart)]
        if span.kind == "date":
            # The actor of the dated event: the first body in the rest of the clause, or the next clause.
            end = event_end(text, lay, span, c1)
            ents = [e for e in self._between(span.nend, end) if span.nend <= e.start < end]
            if ents and ents[0].kind == "body" and ents[0].start - span.nend <= ACTOR_GAP:
                return ("", "own_body") if ents[0].own else (ents[0].name, "event_actor")
            return "", "none"
        cell = grid.cell_at(text, span.nstart)
        if cell is not None:                # a table's cell: the school its row names, or the level its column or label names
            if grid.holds(cell):
                who = grid.holder(cell)
                return (who, "table_row") if who else ("", "none")
            m = lexicon()["_level_in"].search(cell.column) or lexicon()["_level_in"].match(cell.label)
            return (m.group(1) or m.group(2), "table_level") if m else ("", "none")
        near = self._between(s0, c1)
        lev = level_before(text, span.nstart) if levelled(span) else ""
        if lev:
            return lev, "level_before"
        lev = self._respective_level(span, c0, c1)
        if lev:
            return lev, "level_respectively"
        if span.kind == "number":
            # 小学校际间综合差异系数为0.42: a coefficient names its level inside the phrase
            levels = {m.group(1) or m.group(2) for m in lexicon()["_level_in"].finditer(text, c0, span.nstart)}
            if len(levels) == 1:
                return levels.pop(), "level_in_phrase"
        if levelled(span) or span.kind == "count":
            # 小学生均教学及辅助用房面积为5.2平方米: a per-student measure names its level before 生均 (not the last
            # item of a list, 小学、初中、普通高中生均…, whose level is that item's alone)
            # …; a list's item that names its own level after the number before it is that level's (小学生均…720元、
            # 初中生均…820元), one that names none continues the level before (…5.12平方米、生均体育运动场馆面积8.4平方米)
            lo = max([sp.nend for sp in self._span_ends.within(c0, span.nstart)] + [c0])
            for start in ((lo, c0) if text[lo:lo + 1] in _LIST_GOES_ON and lo > c0 else (c0,)):
                levels = {m.group(1) or m.group(2) for m in lexicon()["_level_per_student"].finditer(text, start, span.nstart)
                          if _LIST_MARK not in text[start:m.start()].lstrip(_LIST_MARK)}
                if levels:
                    break
            if len(levels) == 1:
                return levels.pop(), "level_per_student"
        group, _ = sibling_group(text, lay, self._span_starts, span, c0, span.nstart)
        if group:
            return group, "sibling_group"        # 中班96.2% after 小班班额达标率100%
        ents = [e for e in near if not e.own and e.kind in ("school", "group")]
        # Another number between a name and this one takes the name for itself.
        prev_end = max([sp.nend for sp in self._span_ends.within(c0, span.nstart, closed=True)] + [c0])
        next_start = min([sp.nstart for sp in self._span_starts.within(span.nend, c1, closed=True)] + [c1])
        before = [e for e in ents if prev_end <= e.start and e.end <= span.nstart]
        if before:
            return before[-1].name, "name_before"
        before = [e for e in ents if c0 <= e.start and e.end <= span.nstart and e.kind == "school"
                  and not self._span_starts.within(e.end, span.nstart)]
        if before:
            return before[-1].name, "school_in_clause"
        after = [e for e in ents if span.nend <= e.start < next_start and e.kind == "school"]
        if after:
            return after[0].name, "school_after"
        earlier = [e for e in ents if s0 <= e.start and e.end <= c0]
        groups = [e for e in earlier if e.kind == "group"]
        if groups:
            return groups[-1].name, "group_in_sentence"
        # The latest clause of the sentence that opens with a school names what the sentence is about.
        if self._clause_starts is None:
            self._clause_starts = {c[0] for c in lay.clauses}
        clause_starts = self._clause_starts
        topic = [e for e in earlier if e.kind == "school" and e.start in clause_starts]
        if topic:
            return topic[-1].name, "sentence_topic"
        return "", "none"
