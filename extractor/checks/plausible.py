"""Values no real report could give (a gross enrolment rate of 400%, a coefficient of 10): a slip of the report or of
its reading, said as a `low` inconsistency so an inspector checks the original. The ranges are the indicator
catalog's (`plausible`, by unit or per entry), wide on purpose."""
from __future__ import annotations

from ..text import metrics
from .findings import Finding, dec, finding, fmt, msg, place_of, squeeze
from .view import DocView


def check_plausible(rule, view: DocView) -> list[Finding]:
    out = []
    for f in view.result.facts:
        low_high = plausible(f.metric_id)
        if low_high is None:
            continue
        value = dec(f.value if getattr(f, "metric_value", None) is None else f.metric_value)
        if value is None or low_high[0] <= value <= low_high[1]:
            continue
        if _its_value_beside(view, f, low_high):
            continue                # 骨干教师129人，每百名学生拥有1.65人: the count, then the indicator's value
        lo, hi = low_high
        out.append(finding(f.doc, rule["id"], "inconsistent", rule["severity"],
                           msg("implausible", metric=f.metric, raw=squeeze(f.raw), low=fmt(lo), high=fmt(hi)),
                           section=f.section, item=f.item, indicator=f.indicator, value=value, threshold=hi,
                           raw=f.raw, start=f.start, end=f.end, page=f.page, places=[place_of(f)]))
    return out


def _its_value_beside(view: DocView, f, low_high) -> bool:
    """The sentence goes on to a plausible value in the same unit (骨干教师129人，每百名学生拥有1.65人): the odd one
    is what the indicator is computed from, not its value."""
    return any(g is not f and g.sentence == f.sentence and g.unit == f.unit and g.start > f.start
               and dec(g.value) is not None and low_high[0] <= dec(g.value) <= low_high[1]
               for g in view.by_kind.get(f.kind, ()))


def plausible(metric_id: str):
    """(low, high) of a catalog indicator's plausible values, or None where the catalog sets none."""
    e = metrics.load_catalog().get(metric_id) if metric_id else None
    return e.plausible if e is not None else None


CHECKS = {"plausible": check_plausible}
