"""Attach to each span what it measures (indicator), when (period) and about whom (subject).

Everything here reads normalized text around the span: the clause, the sentence,
the paragraph and the heading it stands under. Word lists are in patterns/lexicon/.
"""
from __future__ import annotations

import bisect
import functools
from dataclasses import dataclass
from typing import Optional

import regex

from .. import data
from .extract import expand, _placeholders, _protect
from ..records import Span
from .metadata import YEAR
from .segment import Segmentation

_SENT_END = set("。！？!?")
_CLAUSE_END = set("，,；;：:")
_OPEN, _CLOSE = "“《（(「『【", "”》）)」』】"


@dataclass(frozen=True)
class Layout:
    """Paragraph, sentence and clause boundaries of the normalized text (quote-aware)."""
    paragraphs: tuple
    sentences: tuple
    clauses: tuple

    @staticmethod
    def of(text: str) -> "Layout":
        paras, sents, clauses = [], [], []
        p0 = s0 = c0 = 0
        depth = 0
        for i, ch in enumerate(text):
            if ch in _OPEN:
                depth += 1
            elif ch in _CLOSE:
                depth = max(0, depth - 1)
            end_para = ch == "\n"
            end_sent = end_para or (ch in _SENT_END and depth == 0)
            end_clause = end_sent or (ch in _CLAUSE_END and depth == 0)
            if end_para:
                depth = 0
            if end_clause:
                clauses.append((c0, i + 1)); c0 = i + 1
            if end_sent:
                sents.append((s0, i + 1)); s0 = i + 1
            if end_para:
                paras.append((p0, i + 1)); p0 = i + 1
        n = len(text)
        for lst, start in ((clauses, c0), (sents, s0), (paras, p0)):
            if start < n:
                lst.append((start, n))
        return Layout(tuple(paras), tuple(sents), tuple(clauses))

    @functools.cached_property
    def _starts(self) -> dict:
        return {w: [b[0] for b in getattr(self, w)] for w in ("paragraphs", "sentences", "clauses")}

    def index(self, which: str, pos: int) -> int:
        return max(bisect.bisect_right(self._starts[which], pos) - 1, 0)


@dataclass(frozen=True)
class PeriodMention:
    start: int
    end: int
    period: str
    name: str


@functools.lru_cache(maxsize=1)
def _period_spec():
    spec = data.load("lexicon/periods.yaml")
    ph = _placeholders()
    exprs = [(e["name"], regex.compile(expand(e["pattern"], ph), regex.V1), e["period"]) for e in spec["expressions"]]
    return (exprs, regex.compile(spec["not_after"]), regex.compile(spec["topic_followers"]),
            regex.compile(spec["carry_breakers"]), regex.compile(spec["enumeration"]),
            regex.compile(spec["month_frame_before"]))


_CN_Q = {"一": "1", "二": "2", "三": "3", "四": "4"}


def find_periods(text: str, report_year: Optional[int], perf_year: Optional[int]) -> list[PeriodMention]:
    exprs, not_after, *_ = _period_spec()
    protected = [(m.start(), m.end()) for m in _protect().finditer(text)]
    found = []
    for name, pat, template in exprs:
        for m in pat.finditer(text):
            if any(ps <= m.start() < pe for ps, pe in protected):
                continue
            if not_after.search(text[max(0, m.start() - 3):m.start()]):
                continue
            found.append((m.start(), m.end(), name, m, template))
    found.sort(key=lambda f: (-(f[1] - f[0]), f[0]))
    taken, out = [], []
    for s, e, name, m, template in found:
        if any(ts < e and s < te for ts, te in taken):
            continue
        g = m.groupdict()
        if "{ctx}" in template:
            before = [int(y.group()) for y in YEAR.finditer(text, max(0, s - 60), s)]
            ctx = before[-1] if before else report_year
            if ctx is None:
                continue
            template = template.replace("{ctx}", str(ctx))
        if "{perf}" in template:
            if perf_year is None:
                continue
            template = template.replace("{perf}", str(perf_year))
        period = template.format(y=g.get("y"), y2=g.get("y2"),
                                 q=_CN_Q.get(g.get("q") or "", g.get("q")),
                                 h={"上": "1", "下": "2"}.get(g.get("h") or "", ""),
                                 m=f"{int(g['m']):02d}" if g.get("m") else "")
        taken.append((s, e))
        out.append(PeriodMention(s, e, period, name))
    out.sort(key=lambda p: p.start)
    return out


class Attacher:
    """Holds one document's context; `attach(span)` returns (indicator, period, subject)."""

    def __init__(self, text: str, seg: Segmentation, spans: list[Span], report_year, perf_year, level_char,
                 places=()):
        self.text = text
        self.seg = seg
        self.layout = Layout.of(text)
        self.report_year = report_year
        self.places = tuple(p for p in places if p)
        frame = _period_spec()[5]
        self.periods = [p for p in find_periods(text, report_year, perf_year)
                        if p.name != "year_month" or frame.search(self._clause_head(p.start))]
        self.spans = spans
        self.entities = find_entities(text, level_char, self.places)
        self._entity_starts = [e.start for e in self.entities]

    def _event_end(self, span: Span, c1: int) -> int:
        """Where the event a date stands for ends: its clause, or the next one when the date
        stands alone in its clause (2023年11月9日，市教育局召开了…); never past the paragraph."""
        text = self.text
        if regex.search(r"\p{Han}{2}", text[span.nend:c1]) or "\n" in text[span.nend:c1] or c1 >= len(text):
            return c1
        return self.layout.clauses[self.layout.index("clauses", c1)][1]

    def _previous_clause_phrase(self, span: Span, ci: int) -> str:
        """The phrase that ends the clause before, when it is in the same sentence (校医或保健教师，配备率…)."""
        lay = self.layout
        if ci == 0 or lay.clauses[ci - 1][1] <= lay.sentences[lay.index("sentences", span.nstart)][0]:
            return ""
        q0, q1 = lay.clauses[ci - 1]
        return _phrase_before(self.text, q0, q1 - 1, self.periods, self.spans, _ind_lex())

    def _entities_between(self, a: int, b: int) -> list:
        i = bisect.bisect_left(self._entity_starts, a)
        j = bisect.bisect_left(self._entity_starts, b)
        return self.entities[i:j]

    def _clause_head(self, pos: int) -> str:
        c0, _ = self.layout.clauses[self.layout.index("clauses", pos)]
        return self.text[c0:pos]

    # ---------- period ----------
    def period(self, span: Span) -> str:
        if span.kind == "date":
            return ""
        lay = self.layout
        si = lay.index("sentences", span.nstart)
        s0, s1 = lay.sentences[si]
        ci = lay.index("clauses", span.nstart)
        c0, c1 = lay.clauses[ci]
        in_sent = [p for p in self.periods if s0 <= p.start < s1 and not _inside(p, span)]
        before = [p for p in in_sent if p.end <= span.nstart]
        if before:
            return before[-1].period
        after = [p for p in in_sent if p.start >= span.nend and p.start < c1 and p.name != "year_month"]
        if after:
            return after[0].period
        carried = self._carried(si, span.nstart)
        if carried:
            return carried
        return self._heading_period(span.nstart)

    def _carried(self, si: int, pos: int) -> str:
        """A period that frames the paragraph's first sentences (2023年，… / 2023年兴安区…)."""
        _, _, topic_followers, breakers, enumeration, _ = _period_spec()
        lay = self.layout
        p0, _ = lay.paragraphs[lay.index("paragraphs", pos)]
        j = si
        while j > 0 and lay.sentences[j - 1][0] >= p0:
            j -= 1
            s0, s1 = lay.sentences[j]
            sent_periods = [p for p in self.periods if s0 <= p.start < s1]
            if not sent_periods:
                continue
            first = sent_periods[0]
            lead = regex.sub(r"^(?:截至|截止|至|到)", "", self.text[s0:first.start])
            if first.name in ("year_month", "year", "year_quarter", "year_half") and len(lead) <= 2 \
                    and not regex.search(r"\p{Han}{2}", lead) and self._frames_scope(first.end):
                # every sentence after the frame, up to ours, must stay in it
                for k in range(j + 1, si + 1):
                    t0, t1 = lay.sentences[k]
                    sent = self.text[t0:t1]
                    if breakers.search(sent) or enumeration.search(sent):
                        return ""
                return first.period
            return ""
        return ""

    def _frames_scope(self, pos: int) -> bool:
        """After a year: a comma, or the place or scope the year frames (2023年兴安区…, 2018年，全省…)."""
        follow = self.text[pos:pos + 8]
        return bool(_period_spec()[2].search(follow)) or follow.startswith(self.places)

    def _heading_period(self, pos: int) -> str:
        region = self.seg.region_at(pos)
        for title in reversed(region.free_path):     # the innermost heading that names a year decides
            years = set(YEAR.findall(title))
            if years:
                return years.pop() if len(years) == 1 else ""
        return ""

    # ---------- subject ----------
    def subject(self, span: Span) -> str:
        lay = self.layout
        c0, c1 = lay.clauses[lay.index("clauses", span.nstart)]
        s0, _ = lay.sentences[lay.index("sentences", span.nstart)]
        text = self.text
        if span.kind == "date":
            # The actor of the dated event: the first body in the rest of the clause, or the next clause.
            end = self._event_end(span, c1)
            ents = [e for e in self._entities_between(span.nend, end) if span.nend <= e.start < end]
            if ents and ents[0].kind == "body" and ents[0].start - span.nend <= 3:
                return "" if ents[0].own else ents[0].name
            return ""
        near = self._entities_between(s0, c1)
        lev = _level_before(text, span.nstart) if _levelled(span) else ""
        if lev:
            return lev
        if span.kind == "number":
            # 小学校际间综合差异系数为0.42: a coefficient names its level inside the phrase
            levels = {m.group(1) or m.group(2) for m in _LEVEL_IN.finditer(text, c0, span.nstart)}
            if len(levels) == 1:
                return levels.pop()
        ents = [e for e in near if not e.own and e.kind in ("school", "group")]
        # Another number between a name and this one takes the name for itself.
        prev_end = max([sp.nend for sp in self.spans if c0 <= sp.nend <= span.nstart] + [c0])
        next_start = min([sp.nstart for sp in self.spans if sp.nstart >= span.nend] + [c1])
        before = [e for e in ents if prev_end <= e.start and e.end <= span.nstart]
        if before:
            return before[-1].name
        before = [e for e in ents if c0 <= e.start and e.end <= span.nstart and e.kind == "school"
                  and not any(e.end <= sp.nstart < span.nstart for sp in self.spans)]
        if before:
            return before[-1].name
        after = [e for e in ents if span.nend <= e.start < next_start and e.kind == "school"]
        if after:
            return after[0].name
        earlier = [e for e in ents if s0 <= e.start and e.end <= c0]
        groups = [e for e in earlier if e.kind == "group"]
        if groups:
            return groups[-1].name
        # The latest clause of the sentence that opens with a school names what the sentence is about.
        clause_starts = {c[0] for c in lay.clauses}
        topic = [e for e in earlier if e.kind == "school" and e.start in clause_starts]
        if topic:
            return topic[-1].name
        return ""

    # ---------- indicator ----------
    def indicator(self, span: Span, prev_ind: str, prev_base: str, same_sentence: bool) -> str:
        text = self.text
        lay = self.layout
        ci = lay.index("clauses", span.nstart)
        c0, c1 = lay.clauses[ci]
        if span.kind == "date":
            return self._date_indicator(span, c1)
        lex = _ind_lex()
        if span.kind == "count" and span.unit in lex["self_counted"]:
            return span.unit
        if span.kind == "count" and span.unit in _MEASURE_WORDS:
            noun = _noun_after(text, span.nend, c1, lex)
            if noun:
                return noun
        phrase = self._respectively(span, c0) or _phrase_before(text, c0, span.nstart, self.periods, self.spans, lex)
        if _levelled(span) and _level_before(text, span.nstart):
            phrase = _level_re().sub("", phrase)
            if (not phrase or len(phrase) < 2) and same_sentence and prev_ind:
                return prev_ind
            if not phrase or len(phrase) < 2:
                return self._previous_clause_phrase(span, ci)    # 每百名学生拥有…教师数：小学4.6人
        if "占" in phrase[1:] and not phrase.endswith(("占比", "占有")):
            head = phrase.split("占")[0].rstrip("数")
            if len(head) >= 2:
                phrase = head + "占比"
        if len(phrase) < 2 or phrase in lex["stoppers"]:
            rest = self._rest_of_clause(span, c1)
            if rest:
                return rest
        if phrase in lex["generic_rates"] or (phrase.endswith(tuple(lex["generic_rates"])) and len(phrase) <= 3):
            base = (prev_ind if same_sentence and prev_ind else "") or self._previous_clause_phrase(span, ci)
            if base and len(base) <= 16:
                return base + phrase
        if span.kind == "percent" and phrase in lex["generic_changes"] and same_sentence and prev_base:
            return prev_base + phrase
        return phrase

    def _respectively(self, span: Span, c0: int) -> str:
        """城镇、农村居民人均可支配收入分别为6.8万元、3.6万元: the i-th number takes the i-th name."""
        text = self.text
        m = None
        for m in _RESPECTIVELY.finditer(text, c0, span.nstart):
            pass
        if m is None:
            return ""
        listed = [sp for sp in self.spans if m.end() <= sp.nstart <= span.nstart]
        between = [text[a.nend:b.nstart] for a, b in zip(listed, listed[1:])]
        if any(g not in ("、", "和", "及", "与", "，") for g in between) or text[m.end():listed[0].nstart].strip():
            return ""
        lex = _ind_lex()
        start = max([sp.nend for sp in self.spans if c0 <= sp.nend <= m.start()] + [c0])
        names = _trim(text[start:m.start()], lex).split("、")
        if len(names) < 2:
            return ""
        last = _tail_phrase(names[-1], lex, 20)
        heads = [_tail_phrase(n, lex, 20) for n in names[:-1]]
        k = len(listed) - 1
        if k >= len(names):
            return ""
        if k == len(names) - 1:
            return last
        shared = last[max(len(h) for h in heads):] if len(last) > max(len(h) for h in heads) else ""
        return heads[k] + shared

    def _rest_of_clause(self, span: Span, c1: int) -> str:
        """What the rest of the clause does or names, after any further number (每两周…1课时进行心理健康教育辅导)."""
        start = max([sp.nend for sp in self.spans if span.nend <= sp.nstart and sp.nend <= c1] + [span.nend])
        chunk = self.text[start:c1]
        return _tail_phrase(_trim(chunk, _ind_lex()), _ind_lex(), 14)

    def _date_indicator(self, span: Span, c1: int) -> str:
        text = self.text
        line_start = text.rfind("\n", 0, span.nstart) + 1
        line_end = text.find("\n", span.nend)
        line_end = len(text) if line_end < 0 else line_end
        rest = text[span.nend:line_end].strip()
        if not text[line_start:span.nstart].strip() and len(rest) <= 4:
            return rest or "落款日期"     # a date on a line of its own: the sign-off
        end = self._event_end(span, c1)
        start = span.nend
        later = [sp for sp in self.spans if span.nend <= sp.nstart < end]
        if later and "、" in text[span.nend:later[0].nstart] and regex.search(r"\p{Han}{2}", text[later[-1].nend:end]):
            start = later[-1].nend           # the event is named after the last count (四个学科…反馈会)
        elif later:
            end = later[0].nstart
        chunk = text[start:end]
        for p in self.periods:
            if start <= p.start < end:
                chunk = chunk.replace(text[p.start:p.end], "")
        chunk = chunk.rstrip("，,；;。：: ")
        tail = _tail_phrase(chunk, _ind_lex(), 14)
        if len(tail) > 8 and "的" in tail[:-2]:
            tail = tail[tail.rindex("的", 0, len(tail) - 2) + 1:]
        return tail


# Only these are split by school level (中学为0.561); 小学9所 counts schools, it is not about them.
_LEVELLED_KINDS = ("number", "percent", "ratio", "money")

_LEVEL_IN = regex.compile(r"(?<![中小])(小学|初中|高中)|(?<![中小初高])(中学)(?!生)")
_RESPECTIVELY = regex.compile(r"分别(?:为|是|达到?|有)?")

_MEASURE_WORDS = {"所", "个", "名", "家", "间", "位", "张", "项", "件", "套", "条", "份", "节", "场", "支", "批",
                  "类", "门", "台", "辆", "处", "座", "方面", "次"}


@functools.lru_cache(maxsize=1)
def _ind_lex():
    lex = dict(data.load("lexicon/indicators.yaml"))
    lex["_stop_re"] = regex.compile(data.alternation(lex["stoppers"]))
    lex["_exceptions"] = set(lex["stopper_exceptions"])
    lex["_comparison"] = regex.compile(lex["comparison"])
    lex["_known"] = sorted((k for k in lex["known"] if len(k) >= 5), key=len, reverse=True)
    return lex


def _stopper_hits(chunk: str, lex) -> list[tuple[int, int]]:
    """(start, end) of stoppers in chunk, skipping characters that belong to a longer word (在校)."""
    hits = []
    exc = lex["_exceptions"]
    for m in lex["_stop_re"].finditer(chunk):
        i = m.start()
        if m.end() - i == 1 and (chunk[max(0, i - 1):i + 1] in exc or chunk[i:i + 2] in exc
                                 or chunk[max(0, i - 2):i + 1] in exc or chunk[i:i + 3] in exc):
            continue
        hits.append((i, m.end()))
    return hits


def _inside(p: PeriodMention, span: Span) -> bool:
    return p.start < span.nend and span.nstart < p.end


@functools.lru_cache(maxsize=1)
def _level_re():
    spec = data.load("lexicon/entities.yaml")
    return regex.compile(f"({spec['levels']}){spec['level_link']}$")


def _levelled(span: Span) -> bool:
    """Values a school level can qualify: coefficients, rates, money, and per-student areas or ratios;
    not counts of schools (其中小学9所 counts schools, it is not about them)."""
    if span.kind in _LEVELLED_KINDS:
        return True
    return span.kind == "count" and (span.unit in ("平方米", "间") or
                                     (span.unit in ("人", "名") and span.value != span.value.to_integral_value()))


def _level_before(text: str, pos: int) -> str:
    m = _level_re().search(text[max(0, pos - 6):pos])
    return m.group(1) if m else ""


def _noun_after(text: str, pos: int, end: int, lex) -> str:
    m = regex.match(r"[\p{Han}]+", text[pos:end])
    if not m:
        return ""
    noun = m.group()
    hits = _stopper_hits(noun, {**lex, "_stop_re": _noun_stop_re()})
    if hits and hits[0][0] == 0:
        return ""
    if hits:
        noun = noun[:hits[0][0]]
    return noun[:6] if len(noun) >= 2 else ""


@functools.lru_cache(maxsize=1)
def _noun_stop_re():
    return regex.compile(data.alternation(_ind_lex()["noun_stoppers"]))


def _phrase_before(text: str, c0: int, pos: int, periods, spans, lex) -> str:
    start = c0
    # Nothing before an earlier number or period in the clause belongs to this one.
    for sp in spans:
        if c0 <= sp.nend <= pos and sp.nstart < pos:
            start = max(start, sp.nend)
    for p in periods:
        if c0 <= p.end <= pos:
            start = max(start, p.end)
    chunk = text[start:pos]
    chunk = regex.sub(r"[（(][^（）()]*[)）]", "", chunk)           # finished asides: 幼儿园（7所…）
    head, _, tail = chunk.rpartition("（") if "（" in chunk else chunk.rpartition("(")
    if _ and len(regex.sub(r"\P{Han}", "", tail)) < 2:
        chunk = head                                               # 公务员平均工资水平（8.4万元: the words before
    elif _:
        chunk = tail                                               # (公办园 29 所: the words inside
    chunk = regex.split(r"[《》]", chunk)[-1]
    chunk = lex["_comparison"].sub("", chunk)
    chunk = _trim(chunk, lex)
    phrase = _tail_phrase(chunk, lex, 20)
    for k in lex["_known"]:
        i = phrase.find(k)
        if i == 0:
            break
        if i > 0 and len(phrase) > len(k) + 4:
            return phrase[i:]
    parts = phrase.split("的")
    if len(phrase) > 12 and len(parts) >= 3:
        phrase = "的".join(parts[-2:])      # the last modifier and its noun: 民办学校就读的比例
    return phrase


def _trim(chunk: str, lex) -> str:
    chunk = chunk.strip("，,；;：:、。 ")
    changed = True
    while changed and chunk:
        changed = False
        for w in sorted(lex["trim_right"], key=len, reverse=True):
            if chunk.endswith(w) and len(chunk) > len(w):
                chunk, changed = chunk[:-len(w)], True
                break
        for w in sorted(lex["trim_left"], key=len, reverse=True):
            if chunk.startswith(w) and len(chunk) > len(w):
                chunk, changed = chunk[len(w):], True
                break
    return chunk.strip("，,；;：:、 ")


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


# ---------- entities: subjects come from the NER stage's recognizer ----------

@dataclass(frozen=True)
class Entity:
    kind: str      # school | body | group
    name: str
    start: int
    end: int
    own: bool = False


_KINDS = {"SCHOOL": "school", "BODY": "body", "GROUP": "group"}


def find_entities(text: str, level_char: str = "", places=()) -> list[Entity]:
    """Schools, bodies and groups, marking the reporting government's own bodies (区教育局 in a 区 report)."""
    from .ner import recognize
    own_re = regex.compile(f"(?:{level_char}|我{level_char})(?:委|政府|人民政府|教育局|委教育工作领导小组|教育总支|政府办)?") \
        if level_char else None
    out = []
    for e in recognize(text, places):      # the same call the entity table makes, so computed once
        kind = _KINDS.get(e.label)
        if kind is None:
            continue
        own = kind == "body" and own_re is not None and own_re.fullmatch(e.name) is not None
        out.append(Entity(kind, e.name, e.start, e.end, own))
    return out
