"""A growth rate against the two years' amounts it is the growth of (…1286.47亿元，比上年增长6.72% with 1231.05亿元
of the year before stated elsewhere). Unsure means silent: either year's amount stated more than one way, or not
at all; a part's figure or a part of a year; amounts too far apart to be one measure (万元 against 元)."""
from __future__ import annotations

from decimal import Decimal
from typing import Optional

from .findings import Finding, dec, finding, fmt, last_place, msg, place_of, squeeze
from .view import DocView, is_baseline, period_year, rx, words

SPAN = 2            # two years' amounts differ by less than this factor; more is a misread scale
SLACK = Decimal("0.05")     # percentage points beyond the rounding of the stated rate


def check_growth(rule, view: DocView) -> list[Finding]:
    out = _by_metric(rule, view)
    judged = {(fd.start, fd.end) for fd in out}
    return out + [fd for fd in _in_its_sentence(rule, view) if (fd.start, fd.end) not in judged]


def _in_its_sentence(rule, view: DocView) -> list[Finding]:
    """招生4126人，比上年的3860人增长8.9%: a rate right after the two amounts it is the growth of, in its sentence, whatever
    they measure; nothing when any is approximate or the words between say anything else."""
    facts, text, out = view.result.facts, view.text, []
    for i in range(2, len(facts)):
        a, b, f = facts[i - 2], facts[i - 1], facts[i]
        if f.kind != "percent" or f.unit != "%" or not is_baseline(b) or a.kind not in ("count", "money") \
                or (a.kind, a.unit) != (b.kind, b.unit) or a.approx or b.approx or f.approx or f.scope or a.scope:
            continue
        if not rx(words()["growth_baseline"]).fullmatch(text, view.nend[id(a)], view.npos[id(b)]):
            continue
        said = rx(words()["growth_word"]).fullmatch(text, view.nend[id(b)], view.npos[id(f)])
        now, before, rate = dec(a.value), dec(b.value), dec(f.value)
        if said is None or not now or not before or rate is None or not 1 / SPAN <= now / before <= SPAN:
            continue
        stated = -rate if said.group("down") else rate
        out.append(_judged(rule, view, f, stated, (a, now), (b, before), "growth_in_sentence", {}))
    return out


def _judged(rule, view: DocView, f, stated: Decimal, now: tuple, before: tuple, key: str, params: dict) -> Finding:
    """The stated growth against the one the two amounts give ((fact, value) each), within the rounding of the
    stated rate; the message `key` with `params` beside the figures."""
    (a_fact, a), (b_fact, b) = now, before
    computed = (a - b) / b * 100
    ok = abs(computed - stated) <= last_place(stated) / 2 + SLACK
    years = params or {}            # each year beside its amount, in the message's order (stored as it was)
    said = msg(key, indicator=squeeze(f.indicator), raw=squeeze(f.raw),
               **({"period": years["period"]} if years else {}), now=squeeze(a_fact.raw),
               **({"before_period": years["before_period"]} if years else {}), before=squeeze(b_fact.raw),
               computed=fmt(computed.quantize(Decimal("0.01"))), verdict=msg("parts_consistent" if ok else "growth_differs"))
    return finding(view.doc, rule["id"], "pass" if ok else "inconsistent", rule["severity"], said, section=f.section,
                   item=f.item, indicator=f.indicator, value=stated, values=[a, b],
                   threshold=None if ok else computed.quantize(Decimal("0.01")), raw=f.raw, start=f.start, end=f.end,
                   page=f.page, places=[place_of(f, "growth"), place_of(a_fact, "amount"), place_of(b_fact, "year_before")])


def _by_metric(rule, view: DocView) -> list[Finding]:
    out = []
    for f in view.by_metric.get(rule["growth"], ()):
        year = period_year(f.period)
        if f.scope or f.subject or not year or view.part_of_year(f) or _listed(view, rule["growth"], f):
            continue                # 幼儿园、小学…分别增长2.1%、3.4%: each level's growth, not the area's
        now, before = _amount(view, rule["of"], year, f), _amount(view, rule["of"], year - 1, f)
        if now is None or before is None:
            continue
        a, b = dec(now.value), dec(before.value)
        if not a or not b or not 1 / SPAN <= a / b <= SPAN:
            continue
        stated = dec(f.metric_value if f.metric_value is not None else f.value)
        if stated is None:
            continue
        out.append(_judged(rule, view, f, stated, (now, a), (before, b), "growth",
                           {"period": year, "before_period": year - 1}))
    return out


def _listed(view: DocView, metric: str, f) -> bool:
    """Its sentence states growths of the metric with other values too: a list whose members' owners the words may
    not tell apart (…增长5.20%；按在校学生人数平均的…，幼儿园、小学…分别增长2.1%、3.4%)."""
    s = view.sent(f)
    return len({dec(g.value) for g in view.by_metric.get(metric, ()) if view.sent(g) == s}) > 1


def _amount(view: DocView, metric: str, year: int, f) -> Optional[object]:
    """The one amount of the metric for that year, the area's own at f's level (a baseline counts: 比上年的…亿元);
    None where there is none or it is stated as different values."""
    found = [g for g in view.result.facts if g.metric_id == metric and period_year(g.period) == year
             and not g.scope and g.metric_level == f.metric_level and not view.part_of_year(g)
             and (year != period_year(f.period) or not is_baseline(g))]
    found = [g for g in found if not g.approx] or found        # 约1287亿元 beside 1286.54亿元: the exact one
    values = {dec(g.value) for g in found}
    return found[0] if len(values) == 1 else None


CHECKS = {"growth": check_growth}
