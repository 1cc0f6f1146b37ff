"""The period of a fact: a time expression in its sentence, a year framing its paragraph, or its heading's year.

Rules are named; `Periods.of` returns the period and the rule that gave it. Expressions and word lists are
in patterns/lexicon/periods.yaml; a year as reports write it is metadata.YEAR.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, replace
from typing import Optional

import regex

from .. import data
from ..records import Span
from . import grid
from .extract import cn_digits, expand, placeholders, protected
from .layout import Layout, Positions, longest_match_wins
from .metadata import YEAR

# Kinds of mention that can frame the sentences after them (2023年，… / 2024年第一季度，…).
_FRAMING = ("year_month", "year", "year_quarter", "year_half")
_TWO_HAN = data.compile(r"\p{Han}{2}")


@dataclass(frozen=True)
class PeriodMention:
    start: int
    end: int
    period: str
    name: str


@functools.lru_cache(maxsize=1)
def lexicon() -> dict:
    spec = dict(data.load("lexicon/periods.yaml"))
    ph = {**placeholders(), "year_cn": spec["year_cn"]}
    spec["_exprs"] = [(e["name"], data.compile(expand(e["pattern"], ph), regex.V1), e["period"])
                      for e in spec["expressions"]]
    for key in ("not_after", "topic_followers", "carry_breakers", "enumeration", "month_frame_before", "frame_lead"):
        spec["_" + key] = data.compile(spec[key])
    spec["_baseline"] = data.compile(expand(spec["baseline"], ph), regex.V1)
    spec["_change"] = data.compile(spec["change"])
    for key in ("respectively", "year_joiner", "listed_number"):
        spec["_" + key] = data.compile(spec[key])
    spec["_bound_before"], spec["_bound_after"] = (data.compile(spec["baseline_bound"][k]) for k in ("before", "after"))
    return spec


def find_periods(text: str, report_year: Optional[int], perf_year: Optional[int]) -> list[PeriodMention]:
    lex = lexicon()
    guarded = protected(text)
    window = lex["context_year_window"]
    found = []
    for name, pat, template in lex["_exprs"]:
        for m in pat.finditer(text):
            if guarded.holds(m.start()):
                continue
            if lex["_not_after"].search(text[max(0, m.start() - 3):m.start()]):
                continue
            found.append((m.start(), m.end(), name, m, template))

    def build(f):
        s, e, name, m, template = f
        g = m.groupdict()
        if "{ctx}" in template:
            before = [int(y.group()) for y in YEAR.finditer(text, max(0, s - window), s)]
            ctx = before[-1] if before else report_year
            if ctx is None:
                return None
            template = template.replace("{ctx}", str(ctx))
        if "{perf}" in template:
            if perf_year is None:
                return None
            template = template.replace("{perf}", str(perf_year))
        period = template.format(y=_digits(g.get("y")), y2=_digits(g.get("y2")),
                                 q=lex["quarter_numbers"].get(g.get("q") or "", g.get("q")),
                                 h=lex["half_numbers"].get(g.get("h") or "", ""),
                                 m=f"{int(g['m']):02d}" if g.get("m") else "")
        return PeriodMention(s, e, period, name)

    return longest_match_wins(found, span=lambda f: (f[0], f[1]), build=build)


def _digits(year: Optional[str]) -> Optional[str]:
    """二〇一〇 → 2010; a year in digits as it is."""
    return year if not year or year.isdigit() else str(cn_digits(year))


class Periods:
    """One report's time expressions; `of(span)` gives (period, rule)."""

    def __init__(self, text: str, seg, layout: Layout, report_year, perf_year, places=()):
        self.text, self.seg, self.layout, self.perf_year = text, seg, layout, perf_year
        self.places = tuple(p for p in places if p)
        frame = lexicon()["_month_frame_before"]
        # A year-month dates an event unless it opens its clause or follows 截至.
        self.mentions = [p for p in find_periods(text, report_year, perf_year)
                         if p.name != "year_month" or frame.search(self._clause_head(p.start))]
        self._by_start = Positions(self.mentions, key=lambda p: p.start)

    def _clause_head(self, pos: int) -> str:
        c0, _ = self.layout.clauses[self.layout.index("clauses", pos)]
        return self.text[c0:pos]

    def of(self, span: Span) -> tuple[str, str]:
        if span.kind == "date":
            return "", "date_is_event"
        cell = grid.cell_at(self.text, span.nstart)
        if cell is not None:                # a table's cell: the year of its column or of the table's title
            return cell.year, ("table_year" if cell.year else "none")
        lay = self.layout
        si = lay.index("sentences", span.nstart)
        s0, s1 = lay.sentences[si]
        _, c1 = lay.clauses[lay.index("clauses", span.nstart)]
        in_sent = [p for p in self._by_start.within(s0, s1) if not _inside(p, span)]
        baseline = lexicon()["_baseline"].search(self.text, max(s0, span.nstart - 16), span.nstart)
        if baseline is not None:
            return self._baseline_period(baseline, span), "baseline_year"
        before = [p for p in in_sent if p.end <= span.nstart and not self._bound(p) and not self._aside(p, s0, span.nstart)]
        listed = self._respective_year(before, s0, c1, span)
        if listed:
            return listed, "respective_year"
        later = self._later_year(before, span)
        if later:
            return later, "change_later_year"
        if before:
            return before[-1].period, "before_in_sentence"
        after = [p for p in in_sent if p.start >= span.nend and p.start < c1 and p.name != "year_month"
                 and self.text[p.start - 1:p.start] not in ("（", "(")]    # 14530元（2022年为14862元）: an aside's year
        if after:
            return after[0].period, "after_in_clause"
        carried = self._carried(si, span.nstart)
        if carried:
            return carried, "paragraph_frame"
        heading = self._heading_period(span.nstart)
        return heading, ("heading_year" if heading else "none")

    def _baseline_period(self, m, span: Span) -> str:
        """The year a figure of comparison is of: the one written, or the year before the sentence's own."""
        if m.group("y"):
            return _digits(m.group("y"))
        own = self.of(replace(span, nstart=m.start(), nend=m.start()))[0] or str(self.perf_year or "")
        return str(int(own) - 1) if own.isdigit() else ""       # the year the report is on, where none is said

    def _respective_year(self, before: list, s0: int, c1: int, span: Span) -> str:
        """2023年、2024年、2025年…分别为6.12亿元、6.38亿元、6.51亿元: the k-th figure after 分别 is the k-th year listed
        before it; "" unless the years stand together as a list and the figures of the clause are as many."""
        lex = lexicon()
        m = None
        for m in lex["_respectively"].finditer(self.text, s0, span.nstart):
            pass
        if m is None:
            return ""
        k = len(lex["_listed_number"].findall(self.text, m.end(), span.nstart))
        listed = len(lex["_listed_number"].findall(self.text, m.end(), c1))
        spans = [p for p in before if p.end <= m.start()]
        first, _, last = spans[-1].period.partition("/") if spans else ("", "", "")
        if first.isdigit() and last.isdigit() and int(last) - int(first) + 1 == listed > 1:
            return str(int(first) + k)  # 二〇二一年至二〇二三年…分别为A、B和C: one figure a year of the range
        years = [p for p in before if p.name == "year" and p.end <= m.start()]
        run = years[-1:]                # the years joined one to the next, back from the last before 分别
        for p in reversed(years[:-1]):
            if not lex["_year_joiner"].fullmatch(self.text, p.end, run[0].start):
                break
            run.insert(0, p)
        return run[k].period if len(run) > 1 and listed == len(run) else ""

    def _later_year(self, before: list, span: Span) -> str:
        """The later of two years before a change in the figure's clause (…2022年为37915万元，同比增长1.92%)."""
        years = {p.period for p in before if p.name == "year"}
        if len(years) < 2:
            return ""
        c0, _ = self.layout.clauses[self.layout.index("clauses", span.nstart)]
        if before[-1].start >= c0:
            return ""                   # 2023年提高到98.4%: the clause names its own year
        return max(years) if lexicon()["_change"].search(self.text, c0, span.nstart) else ""

    def _aside(self, p: PeriodMention, s0: int, pos: int) -> bool:
        """p stands in brackets closed before pos (…112640元（2022年为108410元），同期…113820元): the aside's year is
        the aside's, not the sentence's."""
        text = self.text
        opened = max(text.rfind("（", s0, p.start), text.rfind("(", s0, p.start))
        if opened < 0 or any(c in text[opened:p.start] for c in "）)"):
            return False
        return any(c in text[p.end:pos] for c in "）)")

    def _bound(self, p: PeriodMention) -> bool:
        """由2021年的68所: the year dates the figure after its 的, not the sentence's later ones."""
        lex = lexicon()
        return bool(lex["_bound_after"].match(self.text, p.end) and lex["_bound_before"].search(self.text, max(0, p.start - 1), p.start))

    def _carried(self, si: int, pos: int) -> str:
        """A period that frames the paragraph's first sentences (2023年，… / 2023年兴安区…)."""
        lex = lexicon()
        lay = self.layout
        p0, _ = lay.paragraphs[lay.index("paragraphs", pos)]
        j = si
        while j > 0 and lay.sentences[j - 1][0] >= p0:
            j -= 1
            s0, s1 = lay.sentences[j]
            sent_periods = self._by_start.within(s0, s1)
            if not sent_periods:
                continue
            first = sent_periods[0]
            lead = lex["_frame_lead"].sub("", self.text[s0:first.start])
            if first.name in _FRAMING and len(lead) <= 2 \
                    and not _TWO_HAN.search(lead) and self._frames_scope(first.end):
                # every sentence after the frame, up to ours, must stay in it
                for k in range(j + 1, si + 1):
                    t0, t1 = lay.sentences[k]
                    sent = self.text[t0:t1]
                    if lex["_carry_breakers"].search(sent) or lex["_enumeration"].search(sent):
                        return ""
                return first.period
            return ""
        return ""

    def _frames_scope(self, pos: int) -> bool:
        """After a year: a comma, or the place or scope the year frames (2023年兴安区…, 2018年，全省…)."""
        follow = self.text[pos:pos + 8]
        return bool(lexicon()["_topic_followers"].search(follow)) or follow.startswith(self.places)

    def _heading_period(self, pos: int) -> str:
        region = self.seg.region_at(pos)
        for title in reversed(region.free_path):     # the innermost heading that names a year decides
            years = set(YEAR.findall(title))
            if years:
                return years.pop() if len(years) == 1 else ""
        return ""


def _inside(p: PeriodMention, span: Span) -> bool:
    return p.start < span.nend and span.nstart < p.end
