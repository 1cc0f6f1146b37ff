"""The indicator of a fact: what it measures, from the phrase before the number or the noun after its measure word.

Phrases are cut at verbs and prepositions (patterns/lexicon/indicators.yaml). `Indicators.of` returns the
indicator and the name of the rule that gave it, and keeps the indicator state of the sentence
(培训教师120人，占比95% takes its base from the fact before).
"""
from __future__ import annotations

import functools

import regex

from .. import data
from ..records import Span
from . import grid
from .layout import Layout, Positions
from .subjects import event_end, level_before, level_in_phrase, level_re, levelled, without_level

# Compiled once: the shapes of the text around a phrase.
_HAN, _TWO_HAN, _HAN_RUN, _NOT_HAN = (regex.compile(p) for p in (r"\p{Han}", r"\p{Han}{2}", r"\p{Han}+", r"\P{Han}"))
_ASIDE = regex.compile(r"[（(][^（）()]*[)）]")          # a finished aside: 幼儿园（7所…）
_TITLE_MARKS = regex.compile(r"[《》]")


@functools.lru_cache(maxsize=1)
def lexicon() -> dict:
    lex = dict(data.load("lexicon/indicators.yaml"))
    lex["_stop_re"] = regex.compile(data.alternation(lex["stoppers"]))
    lex["_noun_stop_re"] = regex.compile(data.alternation(lex["noun_stoppers"]))
    lex["_exceptions"] = set(lex["stopper_exceptions"])
    lex["_comparison"] = regex.compile(lex["comparison"])
    lex["_respectively"] = regex.compile(lex["respectively"])
    lex["_list_heads"] = regex.compile(lex["list_heads"])
    lex["_purpose"] = regex.compile(lex["purpose_after_money"])
    lex["_purpose_head"] = regex.compile(lex["purpose_head"])
    lex["_known"] = sorted((k for k in lex["known"] if len(k) >= 5), key=len, reverse=True)
    lex["_trim_left"] = sorted(lex["trim_left"], key=len, reverse=True)
    lex["_trim_right"] = sorted(lex["trim_right"], key=len, reverse=True)
    lex["_qualifiers"] = sorted(lex["threshold_words"], key=len, reverse=True)
    lex["_measured_of"] = sorted(lex["generic_rates"] + lex["generic_changes"], key=len, reverse=True)
    return lex


class Indicators:
    """One report's indicator rules; call `of` on the spans in text order."""

    def __init__(self, text: str, layout: Layout, spans, periods):
        self.text, self.layout, self.spans, self.periods = text, layout, spans, periods
        self.prev_ind, self.prev_base, self.prev_sent = "", "", -1
        self._span_starts = Positions(spans, key=lambda sp: sp.nstart)
        self._span_ends = Positions(spans, key=lambda sp: sp.nend)
        self._period_starts = Positions(periods, key=lambda p: p.start)
        self._period_ends = Positions(periods, key=lambda p: p.end)

    def of(self, span: Span) -> tuple[str, str]:
        si = self.layout.index("sentences", span.nstart)
        indicator, rule = self._indicator(span, si == self.prev_sent)
        if span.kind != "date":
            self.prev_ind, self.prev_sent = indicator, si
            if not any(indicator.endswith(w) for w in lexicon()["generic_changes"]):
                self.prev_base = indicator
        return indicator, rule

    def _indicator(self, span: Span, same_sentence: bool) -> tuple[str, str]:
        text, lay, lex = self.text, self.layout, lexicon()
        ci = lay.index("clauses", span.nstart)
        c0, c1 = lay.clauses[ci]
        win = lex["windows"]
        prev_ind, prev_base = self.prev_ind, self.prev_base
        if span.kind == "date":
            return self._date_indicator(span, c1)
        cell = grid.cell_at(text, span.nstart)
        if cell is not None:                # a table's cell: its row label and column say what it measures
            return (grid.indicator(cell, level_in_phrase()),
                    "table_standard" if grid.is_standard(cell) else "table_cell")
        if span.kind == "count" and span.unit in lex["self_counted"]:
            return span.unit, "self_counted"
        if span.kind == "count" and span.unit in lex["noun_after_units"]:
            noun = _noun_after(text, span.nend, c1, lex)
            if noun:
                return noun, "noun_after_measure"
        if span.kind == "money":
            purpose = self._purpose(span, c0, c1)
            if purpose:
                return purpose, "purpose_after_amount"
        threshold = _threshold_of(text, span.nend, c1, lex)
        if threshold:
            return threshold, "threshold_of_noun_after"
        rule = "respectively"
        phrase = self._respectively(span, c0)
        if not phrase:
            rule, phrase = "phrase_before", _phrase_before(text, c0, span.nstart, self._period_ends, self._span_ends, lex)
        if levelled(span) and level_before(text, span.nstart):
            phrase = level_re().sub("", phrase)
            if (not phrase or len(phrase) < 2) and same_sentence and prev_ind:
                return without_level(prev_ind), "level_takes_previous"     # 初中为0.38 after 小学…系数为0.42
            if not phrase or len(phrase) < 2:
                return self._previous_clause_phrase(span, ci), "level_takes_clause_before"  # 每百名学生拥有…教师数：小学4.6人
        share = lex["share_word"]
        if share in phrase[1:] and not phrase.endswith(tuple(lex["share_keep"])):
            head = phrase.split(share)[0].rstrip(lex["share_head_strip"])
            if len(head) >= 2:
                rule, phrase = "share", head + lex["share_suffix"]
        if len(phrase) < 2 or phrase in lex["stoppers"]:
            rest = self._rest_of_clause(span, c1)
            if rest:
                return rest, "rest_of_clause"
            if same_sentence and prev_ind:      # 2022年教育支出5000万元，2023年为5500万元
                return prev_ind, "clause_continues_previous"
        if phrase in lex["generic_rates"] or (phrase.endswith(tuple(lex["generic_rates"])) and len(phrase) <= 3):
            base = (prev_ind if same_sentence and prev_ind else "") or self._previous_clause_phrase(span, ci)
            if base and len(base) <= win["base"]:
                return base + phrase, "generic_rate_base"
        if span.kind == "percent" and phrase in lex["generic_changes"] and same_sentence and prev_base:
            return prev_base + phrase, "generic_change_base"
        return phrase, rule

    def _previous_clause_phrase(self, span: Span, ci: int) -> str:
        """The phrase that ends the clause before, when it is in the same sentence (校医或保健教师，配备率…)."""
        lay = self.layout
        if ci == 0 or lay.clauses[ci - 1][1] <= lay.sentences[lay.index("sentences", span.nstart)][0]:
            return ""
        q0, q1 = lay.clauses[ci - 1]
        return _phrase_before(self.text, q0, q1 - 1, self._period_ends, self._span_ends, lexicon())

    def _respectively(self, span: Span, c0: int) -> str:
        """城镇、农村居民人均可支配收入分别为6.8万元、3.6万元: the i-th number takes the i-th name."""
        text, lex = self.text, lexicon()
        m = None
        for m in lex["_respectively"].finditer(text, c0, span.nstart):
            pass
        if m is None:
            return ""
        listed = self._span_starts.within(m.end(), span.nstart, closed=True)
        between = [text[a.nend:b.nstart] for a, b in zip(listed, listed[1:])]
        if any(g not in lex["list_joiners"] for g in between) or text[m.end():listed[0].nstart].strip():
            return ""
        names = _trim(text[_after_spans(self._span_ends, c0, m.start()):m.start()], lex).split("、")
        if len(names) < 2:
            return ""
        cap = lex["windows"]["phrase"]
        last = _tail_phrase(names[-1], lex, cap)
        heads = [_tail_phrase(n, lex, cap) for n in names[:-1]]
        k = len(listed) - 1
        if k >= len(names):
            return ""
        if k == len(names) - 1:
            return last
        return heads[k] + _shared_part(last, heads, lex)

    def _purpose(self, span: Span, c0: int, c1: int) -> str:
        """What an amount paid for, named after it (1.1万元维修大陆南小学校门前的路灯 → 维修路灯), where the phrase
        before it names nothing of its own."""
        text, lex = self.text, lexicon()
        lead = text[_after_spans(self._span_ends, c0, span.nstart):span.nstart].strip()
        if lead and not lead.endswith(tuple(lex["purpose_lead"])) and text[span.nstart - 1] != lex["list_joiners"][0]:
            return ""
        m = lex["_purpose"].match(text, span.nend, c1)
        if not m:
            return ""
        obj = m.group("object")
        for w in lex["purpose_tail"]:
            obj = obj.removesuffix(w)
        head = lex["_purpose_head"].sub("", obj)
        return m.group("verb") + head if len(head) >= 2 else ""

    def _rest_of_clause(self, span: Span, c1: int) -> str:
        """What the rest of the clause does or names, after any further number (每两周…1课时进行心理健康教育辅导)."""
        lex = lexicon()
        # a span that ends by c1 starts by c1
        start = max([sp.nend for sp in self._span_starts.within(span.nend, c1, closed=True) if sp.nend <= c1]
                    + [span.nend])
        tail = _trim(_tail_phrase(_trim(self.text[start:c1], lex), lex, lex["windows"]["rest_of_clause"]), lex)
        return tail if _HAN.search(tail) else ""     # the tail after a verb can open with an adverb

    def _date_indicator(self, span: Span, c1: int) -> tuple[str, str]:
        text, lex = self.text, lexicon()
        win = lex["windows"]
        line_start = text.rfind("\n", 0, span.nstart) + 1
        line_end = text.find("\n", span.nend)
        line_end = len(text) if line_end < 0 else line_end
        rest = text[span.nend:line_end].strip()
        if not text[line_start:span.nstart].strip() and len(rest) <= win["signoff_rest"]:
            return (rest or lex["signoff"]), "date_on_own_line"     # a date on a line of its own: the sign-off
        end = event_end(text, self.layout, span, c1)
        start = span.nend
        later = self._span_starts.within(span.nend, end)
        if later and "、" in text[span.nend:later[0].nstart] and _TWO_HAN.search(text[later[-1].nend:end]):
            start = later[-1].nend           # the event is named after the last count (四个学科…反馈会)
        elif later:
            end = later[0].nstart
        chunk = text[start:end]
        for p in self._period_starts.within(start, end):
            chunk = chunk.replace(text[p.start:p.end], "")
        chunk = chunk.rstrip("，,；;。：: ")
        tail = _tail_phrase(chunk, lex, win["rest_of_clause"])
        de = lex["modifier"]
        if len(tail) > win["event_name"] and de in tail[:-2]:
            tail = tail[tail.rindex(de, 0, len(tail) - 2) + 1:]
        return tail, "date_event"


def _shared_part(last: str, heads: list, lex) -> str:
    """What the items of a list share, from its last item: after the level it opens with (普通高中|生均公用经费),
    else after as many characters as the longest item before it (农村|居民人均可支配收入)."""
    m = lex["_list_heads"].match(last)
    cut = m.end() if m else max(len(h) for h in heads)
    return last[cut:] if len(last) > cut else ""


def _stopper_hits(chunk: str, lex, stop_re=None) -> list[tuple[int, int]]:
    """(start, end) of stoppers in chunk, skipping characters that belong to a longer word (在校)."""
    hits = []
    exc = lex["_exceptions"]
    for m in (stop_re or lex["_stop_re"]).finditer(chunk):
        i = m.start()
        if m.end() - i == 1 and (chunk[max(0, i - 1):i + 1] in exc or chunk[i:i + 2] in exc
                                 or chunk[max(0, i - 2):i + 1] in exc or chunk[i:i + 3] in exc):
            continue
        hits.append((i, m.end()))
    return hits


def _noun_after(text: str, pos: int, end: int, lex) -> str:
    m = _HAN_RUN.match(text, pos, end)
    if not m:
        return ""
    noun = m.group()
    hits = _stopper_hits(noun, lex, lex["_noun_stop_re"])
    if hits and hits[0][0] == 0:
        return ""
    if hits:
        noun = noun[:hits[0][0]]
    return noun[:lex["windows"]["noun"]] if len(noun) >= 2 else ""


def _after_spans(span_ends: Positions, c0: int, pos: int, passes=None) -> int:
    """Where the words before pos begin: after the last number of the clause from c0 that ends by pos, but
    for numbers that `passes` says belong to those words (a threshold: 45岁以下教师占比)."""
    return max([sp.nend for sp in span_ends.within(c0, pos, closed=True)
                if sp.nstart < pos and not (passes and passes(sp))] + [c0])


def _qualifier_at(text: str, pos: int, lex) -> str:
    """以下, 以上 … right after a number: the number is a threshold of the words after it (45岁以下教师)."""
    return next((w for w in lex["_qualifiers"] if text.startswith(w, pos)), "")


def _threshold_of(text: str, pos: int, end: int, lex) -> str:
    """The people or things a threshold number marks off (45岁以下教师占比 → 教师), without the share or
    change measured of them; empty when no noun follows the qualifier."""
    word = _qualifier_at(text, pos, lex)
    if not word:
        return ""
    noun = _noun_after(text, pos + len(word), end, lex)
    for suffix in lex["_measured_of"]:
        if noun.endswith(suffix) and len(noun) > len(suffix) + 1:
            return noun[:-len(suffix)]
    return noun


def _phrase_before(text: str, c0: int, pos: int, period_ends: Positions, span_ends: Positions, lex) -> str:
    """`period_ends` and `span_ends`: the report's period mentions and spans by where they end."""
    # Nothing before an earlier number or period in the clause belongs to this one, but a threshold
    # does (45岁以下教师占比60% → 45岁以下教师占比).
    start = _after_spans(span_ends, c0, pos, lambda sp: _qualifier_at(text, sp.nend, lex))
    for p in period_ends.within(c0, pos, closed=True):
        start = max(start, p.end)
    chunk = text[start:pos]
    chunk = _ASIDE.sub("", chunk)           # finished asides: 幼儿园（7所…）
    head, _, tail = chunk.rpartition("（") if "（" in chunk else chunk.rpartition("(")
    if _ and len(_NOT_HAN.sub("", tail)) < 2:
        chunk = head                                               # 公务员平均工资水平（8.4万元: the words before
    elif _:
        chunk = tail                                               # (公办园 29 所: the words inside
    chunk = _TITLE_MARKS.split(chunk)[-1]
    chunk = _inside_open_quote(chunk)
    chunk = lex["_comparison"].sub("", chunk)
    chunk = _trim(chunk, lex)
    phrase = _tail_phrase(chunk, lex, lex["windows"]["phrase"])
    for k in lex["_known"]:
        i = phrase.find(k)
        if i == 0:
            break
        if i > 0 and len(phrase) > len(k) + 4:
            return phrase[i:]
    de = lex["modifier"]
    parts = phrase.split(de)
    if len(phrase) > lex["windows"]["long_phrase"] and len(parts) >= 3:
        phrase = de.join(parts[-2:])      # the last modifier and its noun: 民办学校就读的比例
    return phrase


QUOTES = {"“": "”", "「": "」", "『": "』", "‘": "’"}


def _inside_open_quote(chunk: str) -> str:
    """A number inside a quotation (“每天锻炼2小时”) is measured by the quoted words alone; a quotation closed
    before the number (“双减”作业时长) stays part of its phrase."""
    for i in range(len(chunk) - 1, -1, -1):
        close = QUOTES.get(chunk[i])
        if close is not None:
            return chunk if close in chunk[i + 1:] else chunk[i + 1:]
    return chunk


def _trim(chunk: str, lex) -> str:
    chunk = chunk.strip("，,；;：:、。 ")
    changed = True
    while changed and chunk:
        changed = False
        for w in lex["_trim_right"]:
            if chunk.endswith(w) and len(chunk) > len(w) and not _ends_in_word(chunk, w, lex):
                chunk, changed = chunk[:-len(w)], True
                break
        for w in lex["_trim_left"]:
            if chunk.startswith(w) and len(chunk) > len(w):
                chunk, changed = chunk[len(w):], True
                break
    return chunk.strip("，,；;：:、 ")


def _ends_in_word(chunk: str, w: str, lex) -> bool:
    """Whether the word w that ends chunk is the end of a longer word (均 of 年均, 人均, 生均): then it stays."""
    return any(len(x) > len(w) and x.endswith(w) and chunk.endswith(x) for x in lex["_exceptions"])


def _tail_phrase(chunk: str, lex, cap: int) -> str:
    """The words after the last stopper; when that is too short, the stopper phrase itself (已整改)."""
    chunk = chunk.strip("，,；;：:、。 ")
    if not chunk:
        return ""
    hits = [h for h in _stopper_hits(chunk, lex) if h[1] < len(chunk)]
    tail = chunk[hits[-1][1]:].strip("，,；;：:、。 ") if hits else chunk
    if len(tail) < 2:
        tail = chunk
    return tail[-cap:]
