"""A change in percentage points against the two rates it is the change of, stated right before it in its sentence
(普惠性幼儿园覆盖率由2023年的90.6%提高到92.1%，提高1.8个百分点). Unsure means silent: the two rates of other
measures, not side by side, or a change that some rounding of the figures gives."""
from __future__ import annotations

from decimal import Decimal
from typing import Optional

from .findings import Finding, dec, finding, fmt, last_place, msg, place_of, squeeze
from .view import DocView, is_baseline, rx, words


def check_points(rule, view: DocView) -> list[Finding]:
    out = []
    facts = view.result.facts
    for f in view.by_kind.get("percent", ()):
        if f.unit != words()["points_unit"]:
            continue
        i = view.order[id(f)]
        fd = _judged(rule, view, f, facts[i - 2], facts[i - 1]) if i >= 2 else None
        if fd is not None:
            out.append(fd)
    return out


def _judged(rule, view: DocView, f, first, last) -> Optional[Finding]:
    """The baseline and the new rate right before f in its sentence, in either order (由90.6%提高到92.1%; 为94.6%，
    比2022年（91.2%）), both rates of one measure."""
    if not all(g.kind == "percent" and g.unit == "%" and view.sent(g) == view.sent(f) for g in (first, last)):
        return None
    a, b = (first, last) if is_baseline(first) else (last, first)
    if not is_baseline(a) or is_baseline(b) or (a.metric_id or a.indicator) != (b.metric_id or b.indicator) \
            or a.approx or b.approx:
        return None
    if not rx(words()["points_between"]).fullmatch(view.text, view.nend[id(last)], view.npos[id(f)]):
        return None                 # …92.1%，提高1.8个百分点: nothing but the direction word between
    va, vb, stated = dec(a.value), dec(b.value), dec(f.value)
    if va is None or vb is None or stated is None:
        return None
    want = abs(vb - va)
    ok = abs(want - stated) <= sum((last_place(x) for x in (va, vb, stated)), Decimal(0)) / 2
    said = msg("points", indicator=squeeze(b.indicator), before=squeeze(a.raw), after=squeeze(b.raw),
               raw=squeeze(f.raw), want=fmt(want), verdict=msg("parts_consistent" if ok else "points_differ"))
    return finding(view.doc, rule["id"], "pass" if ok else "inconsistent", rule["severity"], said,
                   section=f.section, item=f.item, indicator=f.indicator, value=stated, values=[va, vb],
                   threshold=want, raw=f.raw, start=f.start, end=f.end, page=f.page,
                   places=[place_of(a, "earlier"), place_of(b, "later"), place_of(f, "change")])


CHECKS = {"points": check_points}
