"""Values no real report could give (a gross enrolment rate of 400%, a coefficient of 10): a slip of the report or of
its reading, said as a `low` inconsistency so an inspector checks the original. The ranges are the indicator
catalog's (`plausible`, by unit or per entry), wide on purpose."""
from __future__ import annotations

from decimal import Decimal

from ..text import metrics
from ..text.indicators import CARRIED_RULES
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
        if f.fired.get("indicator") in CARRIED_RULES:
            continue                # what it measures was carried over from the words before it: unsure whose value
        if _its_value_beside(view, f, low_high):
            continue                # 骨干教师129人，每百名学生拥有1.65人: the count, then the indicator's value
        if _stated_with_its_point(view, f, value, low_high):
            continue                # 巩固率987% and elsewhere 98.7%: a scan lost the point, the report says which
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


def _stated_with_its_point(view: DocView, f, value, low_high) -> bool:
    """Another statement of the same indicator gives a plausible value of the same digits (987% and 98.7%)."""
    return any(g is not f and g.metric_id == f.metric_id and (v := dec(g.value)) is not None
               and low_high[0] <= v <= low_high[1] and same_digits(v, value) for g in view.by_metric.get(f.metric_id, ()))


def same_digits(a, b) -> bool:
    """Two values written with the same digits, their points apart (987 and 98.7): one a slip of the other's point."""
    return a != b and _digits(a) == _digits(b)


def _digits(d) -> str:
    return fmt(d).replace(".", "").lstrip("0-")


def point_slip(metric_id: str, values) -> bool:
    """Statements of one indicator whose values differ only where a point stands, one of them implausible: a scan's
    slip the other statement corrects, no two values the report gives."""
    low_high = plausible(metric_id)
    if low_high is None or not all(isinstance(v, Decimal) for v in values):
        return False
    return (len({_digits(v) for v in values}) == 1
            and any(not low_high[0] <= v <= low_high[1] for v in values))


def plausible(metric_id: str):
    """(low, high) of a catalog indicator's plausible values, or None where the catalog sets none."""
    e = metrics.load_catalog().get(metric_id) if metric_id else None
    return e.plausible if e is not None else None


CHECKS = {"plausible": check_plausible}
