"""A report as the checks read it: its facts placed back in the normalized text, with its paragraphs and
sentences, the government it is from, and the evidence of a span as it stands in the original."""
from __future__ import annotations

import bisect
from collections import Counter
import functools

import regex

from .. import data
from ..text import scope
from ..text.indicators import BASELINE_RULES
from .findings import squeeze


CLAUSE_END = frozenset("，,；;。！？!?\n")


def after_last(text: str, chars, lo: int, hi: int) -> int:
    """The position after the last of these characters in text[lo:hi], else lo (one reverse search, in C)."""
    m = _last_of(frozenset(chars)).search(text, lo, hi)
    return m.end() if m else lo


@functools.lru_cache(maxsize=None)
def _last_of(chars: frozenset):
    return regex.compile("(?r)[" + regex.escape("".join(sorted(chars))) + "]")


@functools.lru_cache(maxsize=None)
def rx(pattern: str):
    """Compiled once: regex.search looks its cache up on every call, which is most of checking's time."""
    return regex.compile(pattern)


def is_baseline(f) -> bool:
    """An earlier value the sentence compares with (上年为…, 比上年的…, 由上年的…): linked, never judged."""
    return f.fired.get("indicator") in BASELINE_RULES


def period_year(period) -> int:
    """The year a period begins in (2022, 2024Q1, 2024-07); 0 for none or an open span (2020/..)."""
    p = str(period or "")
    return int(p[:4]) if len(p) >= 4 and p[:4].isdigit() and "/" not in p else 0


def words() -> dict:
    return data.load("lexicon/checks.yaml")



class DocView:
    """Facts placed back in the normalized text, with its paragraphs and sentences."""

    def __init__(self, result, ruleset=None, scheme=None):
        self.result = result
        self.ruleset = ruleset
        self.scheme = scheme
        self.text = result.norm.text
        self.layout = result.layout
        omap, find = result.norm.omap, bisect.bisect_left
        self.npos, self.nend = npos, nend = {}, {}
        for f in result.facts:
            npos[id(f)] = find(omap, f.start)
            nend[id(f)] = find(omap, f.end - 1) + 1
        self.standards = []          # the standards' findings, once checked: what the claims are read against
        self.echoes = []             # a value stated again, checked once: its later statements
        self._clauses = {}           # (npos, window) -> clause_before: every family asks for the same clauses
        self._earlier = {}           # id(fact) -> earlier(fact)
        self._sents = {}             # id(fact) -> its sentence's index
        self._paras = {}             # id(fact) -> its paragraph's index
        self.memo = {}               # (what, id(fact)), or what -> what a family reads more than once

    @functools.cached_property
    def doc(self) -> str:
        return self.result.source.doc

    @functools.cached_property
    def claimed(self) -> frozenset:
        """Catalog ids the rules name: facts linked to these are found by metric, not by another rule's text."""
        return self.ruleset.metrics if self.ruleset is not None else frozenset()

    @functools.cached_property
    def order(self) -> dict:
        """A fact's place among the report's facts, by its id."""
        return {id(f): i for i, f in enumerate(self.result.facts)}

    @functools.cached_property
    def by_kind(self) -> dict:
        out = {}
        for f in self.result.facts:
            out.setdefault(f.kind, []).append(f)
        return out

    @functools.cached_property
    def by_metric(self) -> dict:
        """The statements of each catalog indicator's value, without its baselines (由上年的45%提高到52%: the
        standard judges 52%, last year's 45% is history)."""
        out = {}
        for f in self.result.facts:
            if f.metric_id and not is_baseline(f):
                out.setdefault(f.metric_id, []).append(f)
        return out

    def clause_before(self, npos: int, window: int = 40) -> str:
        """The words from the last clause break before npos (at most `window` characters)."""
        key = (npos, window)
        got = self._clauses.get(key)
        if got is None:
            got = self._clauses[key] = self.text[after_last(self.text, CLAUSE_END, max(0, npos - window), npos):npos]
        return got

    @functools.cached_property
    def government(self) -> str:
        """省 / 市 / 县 / 区: the level of the reporting government."""
        return government(self.result)

    @functools.cached_property
    def year(self):
        return self.result.perf_year or self.result.report_year

    @functools.cached_property
    def latest_year(self):
        """The year the report's figures speak of: the year it reports on, else the latest its figures are dated (a
        title without a year; the date it was written is often the next year's)."""
        if self.result.perf_year:
            return int(self.result.perf_year)
        years = Counter(y for f in self.result.facts for y in [period_year(f.period)] if y)
        return max(years, key=lambda y: (years[y], y)) if years else None     # plans name next year: the most

    def earlier(self, f) -> bool:
        """A figure of a year before the report's (2022年…占比为47.6%, 上年我区…为76.9%): history beside its own."""
        got = self._earlier.get(id(f))
        if got is None:
            got = self._earlier[id(f)] = self._earlier_of(f)
        return got

    def _earlier_of(self, f) -> bool:
        y = period_year(f.period)
        if y and self.latest_year and y < self.latest_year:
            return True
        return bool(rx(words()["earlier"]).match(f.indicator))

    def earlier_words(self, said: str) -> bool:
        """The words date what follows to a year before the report's (2023年尚有… in a report on 2024)."""
        years = [int(y) for y in rx(words()["year_named"]).findall(said)]
        return bool(years and self.latest_year and max(years) < self.latest_year)

    def sentence_bounds_at(self, npos: int) -> tuple:
        return self.layout.sentences[self.layout.index("sentences", npos)]

    def para(self, f):
        got = self._paras.get(id(f))
        if got is None:
            got = self._paras[id(f)] = self.layout.index("paragraphs", self.npos[id(f)])
        return got

    def sent(self, f):
        got = self._sents.get(id(f))
        if got is None:
            got = self._sents[id(f)] = self.layout.index("sentences", self.npos[id(f)])
        return got

    def part_of_year(self, f) -> str:
        """The part of a year the sentence dates the figure to (2024年1—6月, 第一季度) before its number, squeezed;
        "" for a whole year: a half year's amount is never the year's."""
        m = rx(words()["partial_year"]).search(self.text, self.sentence_bounds(f)[0], self.npos[id(f)])
        return squeeze(m.group()) if m else ""

    def sentence_bounds(self, f) -> tuple:
        return self.layout.sentences[self.sent(f)]

    def evidence(self, n0: int, n1: int) -> dict:
        """A span of the normalized text as it stands in the original: raw, start, end, page."""
        o0, o1 = self.result.norm.to_original(n0, n1)
        src = self.result.source
        return dict(raw=src.text[o0:o1], start=o0, end=o1, page=src.page_of(o0))

    def sentence_span(self, npos: int) -> tuple:
        s0, s1 = self.layout.sentences[self.layout.index("sentences", npos)]
        while s0 < s1 and self.text[s0] in " \n\t#":
            s0 += 1
        while s1 > s0 and self.text[s1 - 1] in " \n\t":
            s1 -= 1
        return s0, s1


def government(result) -> str:
    """省 / 市 / 县 / 区: the level of the reporting government; a report citing the scheme for provinces is a
    province's whatever its name (天津市)."""
    return scope.government(result.norm.text, result.level_char)
