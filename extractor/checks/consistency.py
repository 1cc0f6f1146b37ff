"""A report against itself, only where the text states how its numbers are related (and nothing when unsure):

- share: a percent against the counts it is computed from, when both are named as the rate's own terms (the
  rule's `terms`, by catalog indicator) or when it is stated right after a part of a total (其中…，占…%);
- parts: parts introduced as parts of their total (其中, 包括, （…）), of its category and measure word, added up;
  a list broken off (等) or mixing categories says nothing, and a shortfall counts only where the parts are
  all there is (公办 and 民办; every level the total names);
- repeated: one quantity stated twice: the same metric, level, period and part, or the same words.

Each finding quotes the figures (`places`, with their roles) and the words that tie them (`because`).
"""
from __future__ import annotations

import functools
from re import escape
from dataclasses import dataclass
from decimal import Decimal
from typing import Optional

from ..text import grid, metrics
from ..text.indicators import STANDARD_RULES
from ..text.layout import Positions
from .findings import Finding, dec, finding, fmt, last_place, msg, place_of, squeeze, written_number, written_scale
from .plausible import point_slip
from .table_changes import check_table_changes
from .table_totals import check_table_totals
from .view import DocView, after_last, is_baseline, period_year, rx, words

_SEPARATORS = frozenset("，,、；;：:（(）)。！？!?\n")
SHARE_SPAN = 2                   # a rate its counts put more than twice or half off was read from other counts
SHARE_SLACK = Decimal("0.05")     # percentage points beyond a stated share's rounding (a share the parts make)


def _label(view: DocView, f, floor: int) -> str:
    """What a count counts: the words from the last separator (not before `floor`) to its number, and the
    words right after it (3所小学)."""
    text, p = view.text, view.npos[id(f)]
    return text[after_last(text, _SEPARATORS, max(floor, p - 30), p):p] + _tail(view, f)


def _total_label(view: DocView, t) -> str:
    """What a total counts: its whole clause, lists included (公办幼儿园、小学、中学共计10所)."""
    return view.clause_before(view.npos[id(t)]) + _tail(view, t)


def _tail(view: DocView, f) -> str:
    """The words right after a count's number, up to a separator or another number (3所公办幼儿园2024年…)."""
    key = ("tail", id(f))
    got = view.memo.get(key)
    if got is None:
        got = view.memo[key] = _tail_pattern().match(view.text, view.nend[id(f)]).group()
    return got


@functools.lru_cache(maxsize=1)
def _tail_pattern():
    """Up to a separator, another number, or the word that joins the next part (1所和特殊教育学校1所)."""
    return rx(r"(?:(?!" + words()["parts"]["closed_by"] + r")[^\d，,、；;：:（(）)。！？!?\n]){0,12}")


# ---------------- share ----------------

def check_share(rule, view: DocView) -> list[Finding]:
    out = []
    terms = rule.get("terms") or {}
    rated = [f for f in view.by_kind.get("percent", ()) if f.unit == "%"]
    rated += [f for f in view.by_kind.get("ratio", ()) if f.metric_id in terms]
    for p in sorted(rated, key=lambda f: f.start):
        if p.scope or is_baseline(p) or view.earlier(p) or _aimed(view, p):
            continue                # 比上年的88.3%: last year's rate is not this year's counts'; 城区…占比: a part's
        t = terms.get(p.metric_id) if p.metric_id else _named_term(p, terms)
        found = _by_terms(view, p, t, terms) if t else None
        found = found or (_after_part(view, p) or _of_whole(view, p) if p.kind == "percent" else None)
        if found is not None:
            fd = _share_finding(rule, view, p, *found)
            if fd is not None:
                out.append(fd)
    return out


def _aimed(view: DocView, p) -> bool:
    """A rate aimed at (力争到2025年底…达到55%, or under 下一步打算): no count of the report's gives it."""
    return bool(rx(words()["plan_heading"]).search(p.heading or "")
                or rx(words()["aimed"]).search(view.text, view.sentence_bounds(p)[0], view.npos[id(p)]))


def _named_term(p, terms: dict) -> Optional[dict]:
    """The terms of an unlinked rate that its own words name (交流轮岗占比10.2%: 交流轮岗 / 符合交流条件的教师)."""
    return next((t for t in terms.values() if t.get("indicator") and rx(t["indicator"]).search(p.indicator)), None)


def _share_finding(rule, view: DocView, p, part, whole, ties) -> Optional[Finding]:
    """The stated rate against the one its counts give: a percent (part / whole), or a ratio 1:N (N = whole / part,
    幼儿 per 专任教师)."""
    if _another_year(view, p, part, whole):
        return None
    a, b = dec(part.value), dec(whole.value)
    if p.kind == "ratio":
        one, _, n = str(p.value).partition(":")
        stated, tol = dec(n), Decimal(0)
        if not a or b is None or stated is None or dec(one) != 1:
            return None
        computed, shown_stated = b / a, stated
    else:
        stated = dec(p.raw.rstrip("%％ ").replace("，", ",").replace(",", "")) or dec(p.value)
        tol = Decimal(str(rule.get("tolerance", 0.01)))
        if not b or a is None or stated is None or a > b:
            return None
        computed, shown_stated = a / b * 100, dec(p.value)
    if not shown_stated or not 1 / SHARE_SPAN <= computed / shown_stated <= SHARE_SPAN:
        return None                 # 1:15 against 9.87万 in all schools over 418 kindergarten teachers: other counts
    slack = last_place(stated) / 2 + tol
    # a bound stated (达到在编教师的75%以上): the counts must reach it, not equal it
    ok = {"more": computed >= shown_stated - slack, "less": computed <= shown_stated + slack}.get(
        p.approx, abs(computed - shown_stated) <= slack)
    shown = computed.quantize(Decimal("0.01"))
    verdict = "consistent" if ok else "inconsistent"
    key = f"ratio_{verdict}" if p.kind == "ratio" else f"share_{verdict}"
    said = msg(key, indicator=squeeze(p.indicator), raw=squeeze(p.raw), part=squeeze(part.raw),
               total=squeeze(whole.raw), computed=fmt(shown), tie={"each": [t["raw"] for t in ties]})
    return finding(view.doc, rule["id"], "pass" if ok else "inconsistent", rule["severity"], said,
                   section=p.section, item=p.item, indicator=p.indicator, value=p.value,
                   values=[a, b, dec(p.value) if p.kind == "percent" else p.value],
                   threshold=None if ok else shown, raw=p.raw, start=p.start, end=p.end, page=p.page,
                   places=[place_of(x, "part") for x in getattr(part, "facts", (part,))]
                   + [place_of(whole, "whole"), place_of(p, "share")], because=ties)


@dataclass(frozen=True)
class _Summed:
    """The counts a rate's part adds up (公办园在园幼儿 + 普惠性民办园在园幼儿 of 普惠性幼儿园覆盖率), as one part."""
    facts: tuple

    @property
    def value(self):
        return sum((dec(f.value) for f in self.facts), Decimal(0))

    @property
    def raw(self) -> str:
        return "（" + "+".join(f.raw for f in self.facts) + "）"

    @property
    def unit(self) -> str:
        return self.facts[0].unit

    @property
    def period(self) -> str:
        return self.facts[0].period


def _another_year(view: DocView, p, *counts) -> bool:
    """The rate is an earlier year's (…93.77%（2023年为91.86%）: the same rate stated in its sentence for a later year
    or for none, the report's own) and the counts are not of that year: they give the other rate, not this one."""
    year = period_year(p.period)
    if not year or all(period_year(c.period) == year for c in counts):
        return False
    s = view.sent(p)
    return any(g is not p and g.metric_id == p.metric_id and view.sent(g) == s
               and (not g.period or period_year(g.period) > year) for g in view.by_metric.get(p.metric_id, ()))


def _kind_of(label: str, whole: str, terms: dict) -> bool:
    """A count named as some rate's part (普惠性幼儿园在园幼儿) that the whole's own words (在园幼儿) are not: a kind of
    the whole, never the whole."""
    return any(rx(t["part"]).search(label) and not rx(t["part"]).search(whole) for t in terms.values())


def _by_terms(view: DocView, p, t: dict, terms: dict) -> Optional[tuple]:
    """公办园在园幼儿占比 = 公办园在园幼儿 / 在园幼儿总数: the nearest counts before the percent, in its
    paragraph, named by the rate's own terms (the whole's words not the part's, and no part's figure)."""
    part = whole = None
    summed = {}
    for c in _in_paragraph(view, t.get("kind", "count"), view.para(p)):    # counts, or amounts (工资收入 of the pay ratio)
        if c.start >= p.start and not _in_its_aside(view, p, c):
            continue                # …or in the aside right after it: 巩固率为96.8%（…毕业生4437人，…入学时的4620人…）
        if c.scope == "other" or (p.period and c.period and c.period != p.period and not t.get("any_period")):
            continue                # (初中三年巩固率: this year's 初三 over the 初一 of two years before)
        label = _label_of(view, c)
        if rx(t["part"]).search(label):
            part = c
        elif (w := rx(t["whole"]).search(label)) and not c.scope and not _kind_of(label, w.group(), terms):
            whole = c       # the government's own (not 民办园's), and all of it (not 普惠性幼儿园在园幼儿)
        summed.update((k, c) for k, pat in enumerate(t.get("sum_of", ())) if rx(pat).search(label))
    if part is None and summed and len(summed) == len(t["sum_of"]) and len({id(c) for c in summed.values()}) == len(summed):
        part = _Summed(tuple(sorted(summed.values(), key=lambda c: c.start)))     # 4382人 + 2833人
        if len({c.unit for c in part.facts}) > 1:
            return None
    if part is None and whole is None and not t.get("sum_of"):
        part = _elsewhere(view, p, t, terms, "part")     # both stated in the part on enrolment, the rate later
    elif part is None and whole is None:
        part, whole = _summed_elsewhere(view, p, t, terms)     # 在园幼儿9850人，其中公办园5318人、普惠性民办园3506人
    if part is not None and whole is None:
        whole = _elsewhere(view, p, t, terms, "whole")
    if part is None or whole is None or part.unit != whole.unit:
        return None
    named = list(zip(part.facts, t["sum_of"])) if isinstance(part, _Summed) else [(part, t["part"])]
    ties = [w for w in [_words_before(view, x, pat) for x, pat in named] + [_words_before(view, whole, t["whole"])] if w]
    return part, whole, ties


def _in_its_aside(view: DocView, p, c) -> bool:
    """c stands in the brackets that open right after the rate p (96.8%（2024届初中毕业生4437人…）)."""
    text, at = view.text, view.nend[id(p)]
    if text[at:at + 1] not in ("（", "("):
        return False
    close = min((i for i in (text.find("）", at), text.find(")", at)) if i >= 0), default=-1)
    return at < view.npos[id(c)] < close


def _in_paragraph(view: DocView, kind: str, para: int) -> list:
    """The facts of a kind in one paragraph, in order: grouped once per report, for every rate that asks."""
    key = ("by_para", kind)
    groups = view.memo.get(key)
    if groups is None:
        groups = view.memo[key] = {}
        for c in view.by_kind.get(kind, ()):
            groups.setdefault(view.para(c), []).append(c)
    return groups.get(para, [])


def _label_of(view: DocView, c) -> str:
    """A count's words as the terms read them: whose, what, and the words before its number that are its own."""
    key = ("label", id(c))
    got = view.memo.get(key)
    if got is None:
        got = view.memo[key] = f"{c.subject} {c.indicator} {_own_words(view, c)}"
    return got


def _summed_elsewhere(view: DocView, p, t: dict, terms: dict) -> tuple:
    """The whole stated before the rate's paragraph and, after it in its sentence, one count for each of the kinds the
    part adds up: (part, whole), or (None, None)."""
    whole = _elsewhere(view, p, t, terms, "whole")
    if whole is None:
        return None, None
    found = {}
    for c in view.by_kind.get(t.get("kind", "count"), ()):
        if c.start > whole.start and view.sent(c) == view.sent(whole) and c.unit == whole.unit:
            for k, pat in enumerate(t["sum_of"]):
                if rx(pat).search(_label_of(view, c)):
                    found.setdefault(k, c)
    if len(found) != len(t["sum_of"]) or len({id(c) for c in found.values()}) != len(found):
        return None, None
    return _Summed(tuple(sorted(found.values(), key=lambda c: c.start))), whole


def _elsewhere(view: DocView, p, t: dict, terms: dict, role: str):
    """A term stated before the rate's paragraph (全市在园幼儿8064人 in the part on enrolment, the ratio in the part on
    teachers): the area's own count of it, named so by its own words, stated as one value only; else None."""
    found = []
    for c in view.by_kind.get(t.get("kind", "count"), ()):
        if c.start >= p.start:
            break
        if c.scope == "other" or c.subject or (p.period and c.period and c.period != p.period):
            continue
        if role == "part" and rx(t["part"]).search(c.indicator or ""):
            found.append(c)         # its part is the term's own word (公办园在园幼儿), not a part of the area
        elif role == "whole" and not c.scope and rx(t["whole"]).search(c.indicator or "") \
                and not rx(words()["share_whole_not"]).search(_sentence_before(view, c)):
            found.append(c)         # not 公办园和普惠性民办园共59所，在园幼儿8728人: those kinds' children
    return found[0] if found and len({dec(c.value) for c in found}) == 1 else None


def _sentence_before(view: DocView, f) -> str:
    """The words of its sentence before a count, from the last ； on (…非普惠性民办园4所；在园幼儿9850人: a statement of
    its own after the kindergartens' kinds)."""
    s0, p = view.sentence_bounds(f)[0], view.npos[id(f)]
    return view.text[after_last(view.text, "；;", s0, p):p]


def _own_words(view: DocView, f) -> str:
    """The words before a count that are its own: in a list of figures (其中公办园在园幼儿2903人、非普惠性民办园在园
    幼儿525人) only those after the figure before it."""
    clause = view.clause_before(view.npos[id(f)])
    head, sep, own = clause.rpartition("\u3001")
    return own if sep and rx(r"\d").search(head) else clause


def _words_before(view: DocView, f, pattern: str) -> Optional[dict]:
    """Where the words of a term stand before a count's number, in its clause: the evidence of the tie."""
    p = view.npos[id(f)]
    clause = view.clause_before(p)
    found = None
    for m in rx(pattern).finditer(clause):
        found = m
    if found is None:
        return None
    start = p - len(clause)
    return view.evidence(start + found.start(), start + found.end())


def _after_part(view: DocView, p) -> Optional[tuple]:
    """全县教师500人，其中女教师300人，占60%: a share stated right after the one part of a total."""
    text, pp = view.text, view.npos[id(p)]
    facts = view.result.facts
    i = view.order[id(p)]
    if i < 2:
        return None
    part, total = facts[i - 1], facts[i - 2]
    if part.kind != "count" or total.kind != "count" or part.unit != total.unit:
        return None
    between = text[view.nend[id(part)]:pp]
    if not rx(words()["share_of_part"]).match(between):
        return None
    tie = _tie_after(view, total)
    if tie is None or tie[1] > view.npos[id(part)]:
        return None
    s = view.nend[id(part)] + (len(between) - len(between.lstrip("，, ")))
    return part, total, [view.evidence(*tie), view.evidence(s, pp)]


def _of_whole(view: DocView, p) -> Optional[tuple]:
    """公办园在园幼儿2860人，占全县在园幼儿6150人的51.5%: part, 占 the whole, 的 the share."""
    facts, i = view.result.facts, view.order[id(p)]
    if i < 2:
        return None
    part, whole = facts[i - 2], facts[i - 1]
    if part.kind != "count" or whole.kind != "count" or part.unit != whole.unit:
        return None
    lx = words()["share_of_whole"]
    text = view.text
    before = text[view.nend[id(part)]:view.npos[id(whole)]]
    after = text[view.nend[id(whole)]:view.npos[id(p)]]
    if not rx(lx["before"]).match(before) or not rx(lx["after"]).match(after):
        return None
    s = view.nend[id(part)] + before.index(before.lstrip("，, ")[0])
    return part, whole, [view.evidence(s, s + 1), view.evidence(view.nend[id(whole)], view.npos[id(p)])]


def _tie_after(view: DocView, t) -> Optional[tuple]:
    """(start, end) of the tie word (其中 …, or the opening parenthesis) right after a total, in normalized text."""
    tie, window = _tie_spec()
    text, te = view.text, view.nend[id(t)]
    j = te
    for ch in text[te:te + 8]:
        if ch.isdigit() or ch in _SEPARATORS:
            break
        j += 1
    if j < len(text) and text[j] in "(（":
        return j, j + 1
    m = tie.search(text, te, min(len(text), j + window))
    if m is None:                   # 136人，已全部劝返复学，其中…: a clause on all of it, then its parts
        said = rx(words()["parts"]["tie_after_clause"]).match(text, te)
        m = tie.match(text, said.end()) if said else None
    if m is None or "\n" in text[te:m.start()]:
        return None                 # a table's last cell, then a paragraph opening with 其中: not its total
    return m.start(), m.end()


@functools.lru_cache(maxsize=1)
def _tie_spec() -> tuple:
    lx = words()["parts"]
    return rx(lx["tie"]), int(lx["tie_window"])


# ---------------- parts ----------------

def check_parts(rule, view: DocView) -> list[Finding]:
    totals = sorted(view.by_kind.get("count", []) + view.by_kind.get("money", []), key=lambda f: view.npos[id(f)])
    by_pos = None
    out = []
    for t in totals:
        tie = _tie_after(view, t)
        if tie is None or t.scope == "other":
            continue
        if by_pos is None:
            by_pos = Positions([f for f in view.result.facts if f.kind != "date"], key=lambda f: view.npos[id(f)])
        items = by_pos.within(tie[1], _list_end(view, tie))
        parts = _parts_of(view, t, items, tie)
        if len(parts) < 2:
            continue
        fd = _judge_parts(rule, view, t, parts, tie)
        if fd is not None:
            out.append(fd)
    return out + check_table_totals(rule, view)


def _list_end(view: DocView, tie) -> int:
    """The parts stand in the parentheses, or in the rest of the sentence of the tie word."""
    text = view.text
    if text[tie[0]] in "(（":
        close = text.find(")" if text[tie[0]] == "(" else "）", tie[1])
        return close if close >= 0 else tie[1]
    end = view.layout.sentences[view.layout.index("sentences", tie[0])][1]
    semi = [i for i in (text.find(c, tie[1], end) for c in "；;") if i >= 0]
    return min(semi, default=end)       # …其中小学24所、初中10所；普通高中2所: the list ends with its clause


def _parts_of(view: DocView, t, items, tie) -> list:
    """The parts listed after the tie word, (fact, label) each: the counts of the total's measure word (区属学校69所，
    在校学生119802人: the schools are not parts of the pupils), up to one of another category (在园幼儿 after
    在校生) or a clause that starts another statement (另有…)."""
    lx = words()["parts"]
    total_label = _total_label(view, t)
    total_cat = _category(total_label, t.unit)
    members = next((ms for total, units, ms in _wholes() if t.unit in units and total.search(total_label)), None)
    parts, floor = [], tie[1]
    for f in items:
        label = _label(view, f, floor)
        floor = view.nend[id(f)]
        if members and parts and not any(m.search(label) for m in members):
            break                   # 义务教育阶段在校生…，其中小学…、初中…，普通高中在校生…: past the members, another statement
        if f.scope == "other" or rx(lx["new_statement"]).match(label.lstrip()) or (f.period and f.period != t.period):
            break                   # …；2022年全区教育经费总投入12.05亿元: another year's statement begins
        if f.kind != t.kind or f.unit != t.unit or rx(lx["included"]).match(label.lstrip("、，,；; ")) \
                or _in_aside(view.text, tie[1], view.npos[id(f)]):
            continue                # 初中21所、含九年一贯制学校5所; 公办园29所（含中心园14所、村级园6所）: held in the one before
        cat = _category(label, f.unit)
        if cat and total_cat and cat != total_cat:
            break
        parts.append((f, label))
    return parts


def _in_aside(text: str, start: int, pos: int) -> bool:
    """pos stands inside brackets opened after start (an aside on the part before it)."""
    span = text[start:pos]
    return span.count("（") + span.count("(") > span.count("）") + span.count(")")


@functools.lru_cache(maxsize=None)
def _category_patterns() -> tuple:
    return tuple((name, rx(p)) for name, p in words()["parts"]["categories"].items())


def _category(label: str, unit: str) -> str:
    """The category nearest the number among the label's words (学生, 幼儿, 教职工, 班级, 集团)."""
    best, at = "", -1
    for name, pat in _category_patterns():
        for m in pat.finditer(label):
            if m.end() > at:
                best, at = name, m.end()
    return best


def _judge_parts(rule, view: DocView, t, parts, tie) -> Optional[Finding]:
    lx = words()["parts"]
    if any(rx(lx["cut_off"]).search(_tail(view, f)) for f, _ in parts):
        return None                                   # 小学28所、初中12所等: the list is broken off
    total = sum((dec(f.value) * _each(view, f) for f, _ in parts), Decimal(0))
    tv = dec(t.value)
    if abs(total - tv) <= sum((_rounded(f) for f in [t] + [p for p, _ in parts]), Decimal(0)) / 2:
        verdict = "parts_consistent"              # 5.83亿元 against 4.96 + 0.52 + 0.35: each rounded to its decimals
    elif t.approx or any(f.approx for f, _ in parts) or _share_told(view, parts[-1][0]) \
            or _share_of_parts(view, t, parts[-1][0], total):
        return None
    else:
        basis = _basis(_total_label(view, t), [label for _, label in parts], t.unit)
        if rx(lx["rest"]).match(parts[-1][1].lstrip("，,、；; ")):
            basis = "complete"                    # …、其他教育经费0.27亿元: the last part is the rest, so all of it
        elif _named_in_total(view, t, [label for _, label in parts]) and not _more_after(view, t, parts[-1][0]):
            basis = "complete"                    # 新建、改扩建公办幼儿园1286所，其中新建472所、改扩建796所
        elif _every_subdivision(view, [label for _, label in parts]) and not _more_after(view, t, parts[-1][0]):
            basis = "complete"                    # 其中鹭湖区1350个、…岱阳县450个: each unit the report says it has
        elif rx(lx["tie_complete"]).fullmatch(view.text[tie[0]:tie[1]]):
            if _listed_before(view, t) or _more_after(view, t, parts[-1][0]):
                return None                       # 招聘教师30名、补充合同制教师25名，分别为…33名、…22名: of both
            basis = "complete"                    # 新增学位12600个，分别为小学学位5400个、…: every part named
        elif not basis and rx(words()["parts"]["all_of_it"]).search(view.text, view.nend[id(t)], tie[0]) \
                and not _more_after(view, t, parts[-1][0]):
            basis = "complete"                    # 136人，已全部劝返复学，其中…98人、…21人、…15人: the ways all went
        elif basis == "distinct" and _closed_list_of_kinds(view, t, parts) and not _more_after(view, t, parts[-1][0]):
            basis = "complete"                    # 各级各类学校86所，其中幼儿园41所、小学27所…和特殊教育学校1所
        if total > tv and basis:
            verdict = "parts_more"
        elif total < tv and basis == "complete":
            verdict = "parts_fewer"
        else:
            return None                               # parts that may overlap, or may not be all there is
    ties = [view.evidence(*tie)]
    said = msg("parts", indicator=squeeze(t.indicator), raw=squeeze(t.raw),
               tie="" if view.text[tie[0]] in "(（" else msg("parts_tie", word=ties[0]["raw"]),
               parts={"each": [squeeze(_shown_label(view, f, label)) for f, label in parts]},
               **_as_written(t, total), verdict=msg(verdict))
    return finding(view.doc, rule["id"], "pass" if verdict == "parts_consistent" else "inconsistent", rule["severity"],
                   said, section=t.section, item=t.item, indicator=t.indicator, value=t.value,
                   values=[dec(f.value) for f, _ in parts], threshold=total, raw=t.raw, start=t.start, end=t.end,
                   page=t.page, places=[place_of(t, "total")] + [place_of(f, "part") for f, _ in parts], because=ties)


def _share_told(view: DocView, last) -> bool:
    """The parts' share of the total is told right after the last of them (两项合计占比98.3%)."""
    end = view.nend[id(last)] + len(_tail(view, last))
    return bool(rx(words()["parts"]["parts_share"]).match(view.text, end, end + 16))


def _share_of_parts(view: DocView, t, last, total: Decimal) -> bool:
    """The sentence goes on to a share that the parts make of the total (…就读的比例为93.1%, 3391 of 3642): the
    report itself counts them as some of it, not all."""
    if not dec(t.value):
        return False
    share = total / dec(t.value) * 100
    end = view.layout.sentences[view.layout.index("sentences", view.npos[id(last)])][1]
    return any(f.kind == "percent" and view.npos[id(last)] < view.npos[id(f)] < end
               and abs(dec(f.value) - share) <= last_place(dec(f.value)) / 2 + SHARE_SLACK
               for f in view.by_kind.get("percent", ()))


def _shown_label(view: DocView, f, label: str) -> str:
    """A part as the message lists it: its words and its number (小学9所, 公办1040人, 3所小学), the words after
    the number only up to the name of what it counts."""
    tail = _tail(view, f)
    label = rx("^" + words()["parts"]["closed_by"]).sub("", label)     # 和特殊教育学校: listed after the 、 it stands for
    if not tail:
        return f"{label[-10:]}{f.raw}"
    before = label[:len(label) - len(tail)]
    head = tail[:8]
    ends = [m.end() for _, _, members in _partitions() for pat in members for m in pat.finditer(head)]
    ends += [m.end() for _, pat in _category_patterns() for m in pat.finditer(head)]
    return f"{before[-10:]}{f.raw}{tail[:max(ends)] if ends else ''}"


@functools.lru_cache(maxsize=None)
def _partitions() -> tuple:
    return tuple((p["name"], bool(p.get("complete")), tuple(rx(m) for m in p["members"]))
                 for p in words()["parts"]["partitions"])


@functools.lru_cache(maxsize=None)
def _wholes() -> tuple:
    """(total's words, units, members): a total that names these words, in these units, is all of its members."""
    return tuple((rx(w["total"]), frozenset(w["units"]), tuple(rx(m) for m in w["members"]))
                 for w in words()["parts"]["wholes"])


def _basis(total_label: str, labels: list, unit: str = "") -> str:
    """'complete' when the parts name distinct members of one set and all of it (公办, 民办; or every member the
    total names, or that its words stand for: 义务教育阶段在校生 are 小学 and 初中 pupils), 'distinct' when they name
    distinct members only (小学, 初中: never more than the total), '' when the parts may overlap (农村学校, 寄宿制学校)."""
    best = ""
    for total, units, members in _wholes():
        if unit in units and total.search(total_label) and len(labels) == len(members) \
                and all(sum(1 for pat in members if pat.search(label)) == 1 for label in labels) \
                and {k for label in labels for k, pat in enumerate(members) if pat.search(label)} == set(range(len(members))):
            return "complete"
    for _, complete, members in _partitions():
        named = []
        for label in labels:
            hit = [k for k, pat in enumerate(members) if (m := pat.search(label)) and not _qualified(label, m.start())]
            if len(hit) != 1:
                break
            named.append(hit[0])
        else:
            if len(set(named)) != len(named):
                continue
            in_total = {k for k, pat in enumerate(members) if pat.search(total_label)}
            if (complete and len(named) == len(members)) or (len(in_total) >= 2 and in_total == set(named)):
                return "complete"
            best = "distinct"
    return best


def _listed_before(view: DocView, t) -> bool:
    """The total is the last of a list of counts in its clause (教师30名、…25名): what follows it may share out them all."""
    i = view.order[id(t)]
    if i == 0:
        return False
    prev = view.result.facts[i - 1]
    between = view.text[view.nend[id(prev)]:view.npos[id(t)]]
    return prev.unit == t.unit and "\u3001" in between and not any(c in between for c in "，,；;。")


def _closed_list_of_kinds(view: DocView, t, parts) -> bool:
    """A total of every kind (各级各类学校) whose parts, distinct kinds and enough of them, close with 和 (…和特殊教育学校
    1所): the list says it is all of it."""
    lx = words()["parts"]
    return (len(parts) >= lx["all_kinds_min"] and bool(rx(lx["all_kinds"]).search(_total_label(view, t)))
            and bool(rx(lx["closed_by"]).match(parts[-1][1].lstrip("，,、；; "))))


def _more_after(view: DocView, t, last) -> bool:
    """A count of the total's kind after the parts in their sentence (…，另有县直学校2所): more of it than they hold."""
    end = view.layout.sentences[view.layout.index("sentences", view.npos[id(last)])][1]
    return any(view.npos[id(last)] < view.npos[id(f)] < end and f.unit == t.unit for f in view.by_kind.get(t.kind, ()))


def _named_in_total(view: DocView, t, labels: list) -> bool:
    """The total's own words list the parts, each once, joined as a list (新建、改扩建公办幼儿园…，其中新建…、改扩建…)."""
    named = [label.strip("，,、；; ") for label in labels]
    if len(named) < 2 or not all(named) or len(set(named)) < len(named):
        return False
    joined = words()["parts"]["list_joiner"].join(escape(n) for n in named)
    return bool(rx(joined).search(view.clause_before(view.npos[id(t)])))


def _every_subdivision(view: DocView, labels: list) -> bool:
    """The parts name, one each, every unit the report says the area is divided into (鹭州市辖鹭湖区、新澜区2个区和
    望川县…4个县 in its opening): all of it."""
    units = view.memo.get("subdivisions")
    if units is None:
        lx = words()["parts"]
        m = rx(lx["subdivided"]).search(view.text[:lx["subdivided_within"]])
        chunks = [rx(lx["subdivision_count"]).sub("", c) for c in rx(lx["subdivision_split"]).split(m.group("units"))] \
            if m else []
        units = view.memo["subdivisions"] = tuple(c for c in chunks if rx(lx["subdivision"]).fullmatch(c))
    named = [label.strip("，,、；; ") for label in labels]
    return len(units) >= 2 and sorted(named) == sorted(units)


def _qualified(label: str, at: int) -> bool:
    """The member is qualified by words before it (在政府购买学位服务的民办学校就读): some of that member, not all."""
    return words()["parts"]["qualifier"] in label[:at]


def _each(view: DocView, f) -> int:
    """含电大、教师进修学校、素质教育学校、特殊学校各1所: 各 multiplies by the names listed."""
    text, pos = view.text, view.npos[id(f)]
    if text[max(0, pos - 1):pos] != words()["parts"]["each"]:
        return 1
    start = max(text.rfind(c, 0, pos) for c in "，,；;。（(")
    return text[start + 1:pos].count("、") + 1


# ---------------- repeated ----------------

def check_repeated(rule, view: DocView) -> list[Finding]:
    """One quantity stated in two sentences: by its metric (and level, period, part), or, unlinked, by the same
    words before its number; a statement about its own item (本项满分10分, 自评得分9分) is never compared."""
    coarse = {}
    for f in view.result.facts:
        key = _quantity(view, f, whole=False)
        if key is not None:
            coarse.setdefault(key, []).append(f)
    # The words before the number (of an unlinked figure) and the searches of `_own` matter only where a quantity
    # is stated more than once; the groups keep the order of their first statement that is kept.
    groups = {}
    for key, fs in coarse.items():
        if len(fs) >= 2:
            for f in fs:
                within = (view.part_of_year(f),)
                groups.setdefault(key + within + (_before(view, f),) if key[0] == "words" else key + within,
                                  []).append(f)
    stated = [fs for fs in ([f for f in fs if _own(view, f, k)] for k, fs in groups.items() if len(fs) >= 2)
              if len(fs) >= 2]
    stated.sort(key=lambda fs: view.order[id(fs[0])])
    out = []
    for fs in stated:
        if len({view.sent(f) for f in fs}) < 2 or len({_row(view, f) for f in fs} - {""}) > 1:
            continue            # ...or the cells of two rows of a table (小学, 初中, 合计): each row's own figure
        values = [f.value if isinstance(f.value, str) else dec(f.value) for f in fs]     # text: 1:15, 3/6
        same = len(set(values)) == 1
        if not same and (any(f.approx for f in fs) or _within_rounding(fs) or point_slip(fs[0].metric_id, values)):
            continue
        f0 = fs[0]
        said = msg("repeated", indicator=squeeze(f0.metric or f0.indicator),
                   period=msg("repeated_period", period=f0.period) if f0.period else "", n=len(fs),
                   raws={"each": [_where(f) for f in fs]}, verdict=msg("repeated_consistent" if same else
                                                                       "repeated_inconsistent"))
        out.append(finding(view.doc, rule["id"], "pass" if same else "inconsistent", rule["severity"], said,
                           section=f0.section, item=f0.item, indicator=f0.indicator, value=f0.value, values=values,
                           raw=f0.raw, start=f0.start, end=f0.end, page=f0.page,
                           places=[place_of(f, "statement") for f in fs], because=_naming(view, fs)))
    return out


def _held_by(view: DocView, f) -> bool:
    """The sentence names, before the figure, the schools it counts (X共41所，在园幼儿…): their figure, unless they
    are the whole area's (全县共有幼儿园48所)."""
    s0 = view.sentence_bounds(f)[0]
    head = view.text[s0:view.npos[id(f)]]
    m = rx(words()["held_by"]).search(head)
    return bool(m) and not rx(words()["whole"]).fullmatch(m.group("holder"))


def _quantity(view: DocView, f, whole: bool = True) -> Optional[tuple]:
    """What makes two statements one quantity; None for a fact that cannot be told apart from others. `whole`
    False gives the key after the cheap tests only, and an unlinked figure's without the words before its number
    (`_before`): the caller adds them and asks `_own`, where a quantity is stated twice."""
    if f.kind == "date" or f.scope == "other" or f.fired.get("indicator") in STANDARD_RULES or is_baseline(f):
        return None                 # a standard held to (未达到50%的要求), a baseline (比上年的1336.9亿元): not this value
    if f.unit == words()["score_unit"]:
        return None                 # a score or a deduction (扣0.5分): each item's own
    if f.metric_id:
        key = ("metric", f.metric_id, f.metric_level, f.period, f.scope_word)
    else:
        ind = squeeze(f.indicator)
        if len(ind) < 4:
            return None             # 每百名学生拥有 names a measure, not what
        # unlinked, named by its own words only: the same words in two sections are two actions' results
        key = ("words", f.kind, f.unit, ind, f.period, f.subject, f.scope_word, f.section, _heading_level(f.heading))
        if not whole:
            return key
        key += (view.part_of_year(f), _before(view, f))
    return key if not whole or _own(view, f, key) else None


@functools.lru_cache(maxsize=1024)
def _heading_level(heading: str) -> str:
    """The school level the innermost heading naming one names ((一)小学资源配置情况 > …): 14个测算单位中 under 小学 and
    7个测算单位中 under 初中 are two quantities."""
    for title in reversed((heading or "").split(" > ")):
        level = metrics.any_level(title)
        if level:
            return level
    return ""


def _before(view: DocView, f) -> str:
    """The words of the clause before the number, without spaces and digits."""
    return _SPACES_DIGITS.sub("", view.clause_before(view.npos[id(f)]))


_SPACES_DIGITS = rx(r"[\s\d]+")


def _named_member(view: DocView, f) -> bool:
    """A list of measures each by its own name (学前三年毛入园率、九年义务教育巩固率、高中阶段毛入学率分别…): every
    member links a metric of its own, so the member is known; not a list of levels of one measure."""
    if f.fired.get("indicator") != "respectively" or not f.metric_id:
        return False
    s = view.sent(f)
    members = [g for g in view.result.facts if view.sent(g) == s and g.fired.get("indicator") == "respectively"]
    return all(g.metric_id for g in members) and len({g.metric_id for g in members}) == len(members)


def _own(view: DocView, f, key: tuple) -> bool:
    """The tests of `_quantity` that search the text: the statement is this year's, the area's, not a list's member
    and, unlinked, not a measure's name, a standard or an item's own."""
    w = words()
    if view.earlier(f):
        return False                # last year's (上年…76.9%)
    if rx(w["plan_heading"]).search(f.heading or "") and _row(view, f) == "":
        return False                # a part on plans: 新增公办学位540个 is next year's aim (a table there is an annex's)
    if _held_by(view, f):
        return False                # 普惠性幼儿园共41所，在园幼儿8180人: the count of those schools, not the area's
    if rx(w["list_values"]).search(view.clause_before(view.npos[id(f)])) and not _named_member(view, f):
        return False                # the i-th of a list (分别为, 依次为): its words name the list, not the member
    if key[0] != "words":
        return True
    ind, before = key[3], key[9]
    if rx(w["repeated_not"]).search(ind) or rx(w["action_result"]).search(ind):
        return False                # 每百名学生拥有 names a measure, not what; 《办法》规定的4.2人 is a standard;
                                    # 新增学位 is the result of the action it follows, each its own
    # 本项满分10分, 自评得分9分: each item's own, never one quantity (checks/scores.py)
    return not (rx(w["local"]).search(ind) or rx(w["local"]).search(before))


def _row(view: DocView, f) -> str:
    """A table cell's row label (小学, 初中, 合计): each row's figure is its own, whatever the column says."""
    cell = grid.cell_at(view.text, view.npos[id(f)])
    return cell.label if cell is not None else ""


def _naming(view: DocView, fs) -> list:
    """The words before each statement's number that name the quantity (第一季度教育支出, 学前三年毛入园率为)."""
    out = []
    for f in fs:
        p = view.npos[id(f)]
        clause = view.clause_before(p)
        lead = len(clause) - len(clause.lstrip())
        if clause.strip():
            out.append(view.evidence(p - len(clause) + lead, p))
    return out


def _within_rounding(fs) -> bool:
    """2394万元 and 0.24亿元: the same amount, one rounded more than the other."""
    vals = [dec(f.value) for f in fs]
    if any(v is None for v in vals):
        return False
    steps = [_step(f, v) for f, v in zip(fs, vals)]
    coarse = max(steps)
    return max(vals) - min(vals) <= coarse / 2


def _as_written(t, amount: Decimal) -> dict:
    """An amount in the unit its total is written in (5.75亿元 beside 5.83亿元, not 575000000元)."""
    scaled = written_scale(t, amount)
    if scaled is None or not scaled[1]:
        return {"total": fmt(amount), "unit": t.unit}
    return {"total": fmt(scaled[0]), "unit": scaled[1]}


def _rounded(f) -> Decimal:
    """The rounding step of an amount written in decimals or in 万/亿 (0.52亿元, 2394万元); 0 for a whole count as
    written (46所): a count is exact."""
    v = dec(f.value)
    step = _step(f, v) if v is not None else Decimal(0)
    return step if step != 1 else Decimal(0)


def _step(f, v: Decimal) -> Decimal:
    """The rounding step of a statement, in its value's unit: 0.24亿元 → 1000000."""
    digits = written_number(f.raw)
    n = dec(digits.group(1)) if digits else None
    if not n:
        return Decimal(0)
    return last_place(n) * (v / n)


def _where(f) -> str:
    """A statement for the message: its words, and its page when the report has pages (2400万元（第7页）)."""
    raw = squeeze(f.raw)
    return msg("repeated_at", raw=raw, page=f.page) if f.page else raw


CHECKS = {"share": check_share, "parts": check_parts, "change": check_table_changes, "repeated": check_repeated}
