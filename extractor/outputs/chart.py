"""Charts of key indicators across districts, as SVG geometry that a template draws (templates/_chart.html).

Geometry only: each chart is a list of SVG elements as (tag, attributes, text, tooltip), drawn by the template, which
escapes every value; nothing here writes markup. Hand-made rather than a charting library because the layout rules
needed are few and fixed, and nothing is added to install or run:
- up to `distribution_above` districts: one row per district, sorted by value, a dot at its value on a shared axis,
  the number in its own column on the right;
- above that: a histogram of the values, with the failing districts listed under it, each with its value and a link.
Each district is drawn once (a duplicate submission is not a district of its own), labelled by district and year.
The axis is clipped to the indicator's plausible range: a value outside it (a rate of 400%) is listed as such,
never drawn, so one slip does not squash every other district into a corner.
Text never shares space with other text: names sit in a left column as wide as the longest name (cut with … past a
limit, the full name in a tooltip), numbers in a right column, the standard's label in a band above the plot, tick
labels and the axis title in bands below.
"""
from __future__ import annotations

import math

from .. import data
from ..i18n import t

FONT = 12
ROW = 20                   # row pitch for dot rows, well over the font's height
PLOT_W = 420
VALUE_W = 64
NAME_MAX = 210             # px: longer district names are cut with …
TOP = 46                   # title band (y 16) and the standard's label band (y 36)
HIST_H = 170


def text_width(s: str, size: int = FONT) -> float:
    """A generous estimate of rendered width: CJK glyphs are square, Latin ones about 0.62 em."""
    return sum(size * (1.05 if ord(ch) > 0x2E80 else 0.62) for ch in s)


def _cut(s: str, limit: float) -> str:
    if text_width(s) <= limit:
        return s
    while s and text_width(s + "…") > limit:
        s = s[:-1]
    return s + "…"


def _fmt(v: float) -> str:
    return f"{v:.2f}".rstrip("0").rstrip(".") if abs(v) < 10 else f"{v:.1f}".rstrip("0").rstrip(".")


def nice_ticks(lo: float, hi: float, n: int = 5) -> list:
    """Round tick values covering [lo, hi] (1, 2, 2.5 or 5 times a power of ten apart)."""
    span = max(hi - lo, 1e-9)
    raw = span / n
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    start = math.floor(lo / step) * step
    ticks, v = [], start
    while v <= hi + step * 1e-6:
        ticks.append(round(v, 10))
        v += step
    if ticks[-1] < hi:
        ticks.append(round(ticks[-1] + step, 10))
    return ticks


def _domain(values, standard, zero: bool = True):
    """The axis range: from 0 for dot rows (lengths compare honestly), from the data for a histogram."""
    vals = list(values) + ([standard] if standard is not None else [])
    lo = min(0.0, min(vals)) if zero else min(vals)
    hi = max(vals) if vals else 1.0
    ticks = nice_ticks(lo, hi if hi > lo else lo + 1)
    return ticks[0], ticks[-1], ticks


def _el(tag, text="", tip="", **attrs):
    """One SVG element: its tag, attributes (trailing _ dropped: class_), text and tooltip. Numbers are rounded."""
    pairs = [(k.rstrip("_").replace("_", "-"), f"{v:.1f}" if isinstance(v, float) else v) for k, v in attrs.items()]
    return (tag, pairs, text, tip)


def _axis(x0, y, scale, ticks, title) -> list:
    parts = [_el("line", class_="axis", x1=x0, x2=x0 + PLOT_W, y1=y, y2=y)]
    for v in ticks:
        x = scale(v)
        parts.append(_el("line", class_="tick", x1=x, x2=x, y1=y, y2=y + 4))
        parts.append(_el("text", _fmt(v), class_="tick-label", x=x, y=y + 17, text_anchor="middle"))
    parts.append(_el("text", title, class_="axis-title", x=x0 + PLOT_W / 2, y=y + 36, text_anchor="middle"))
    return parts


def _standard(x, y_top, y_bottom, x0, label) -> list:
    """The standard as a dashed line across the plot, its label in the band above, kept inside the plot."""
    w = text_width(label)
    anchor, tx = "middle", x
    if x - w / 2 < x0:
        anchor, tx = "start", max(x0, x - 4)
    elif x + w / 2 > x0 + PLOT_W + VALUE_W:
        anchor, tx = "end", x + 4
    return [_el("line", class_="std", x1=x, x2=x, y1=y_top, y2=y_bottom),
            _el("text", label, class_="std-label", x=tx, y=y_top - 8, text_anchor=anchor)]


def _labels(s):
    unit = s["unit"]
    axis = t("site.axis", title=s["title"], unit=unit) if unit else s["title"]
    std = None
    if s["standard"] is not None:
        std = t("site.standard_line", op=t(f"op.{s['op']}") if s["op"] else "", value=_fmt(s["standard"]), unit=unit)
    return axis, std


def dots(s, pts) -> dict:
    """One row per district, sorted by value (largest first)."""
    pts = sorted(pts, key=lambda p: (-p["value"], p["name"]))
    names = [_cut(p["name"], NAME_MAX) for p in pts]
    x0 = min(NAME_MAX, max([text_width(n) for n in names] + [40])) + 12
    lo, hi, ticks = _domain([p["value"] for p in pts], s["standard"])

    def scale(v):
        return x0 + (v - lo) / (hi - lo) * PLOT_W

    h = TOP + ROW * len(pts) + 6
    axis_title, std_label = _labels(s)
    parts = [_el("text", s["title"], class_="chart-title", x=0, y=16)]
    for i, (p, short) in enumerate(zip(pts, names)):
        y = TOP + ROW * i + ROW / 2
        parts.append(_el("text", short, p["name"], class_="name", x=x0 - 8, y=y + 4, text_anchor="end"))
        parts.append(_el("line", class_="guide", x1=x0, x2=scale(p["value"]), y1=y, y2=y))
        parts.append(_el("circle", "", f"{p['name']}: {p['exact']}", class_=f"mark {p['status']}", cx=scale(p["value"]),
                         cy=y, r="5"))
        parts.append(_el("text", p["exact"], class_=f"value {p['status']}", x=x0 + PLOT_W + 10, y=y + 4))
    if std_label:
        parts += _standard(scale(s["standard"]), TOP - 4, h, x0, std_label)
    parts += _axis(x0, h, scale, ticks, axis_title)
    return {"width": round(x0 + PLOT_W + VALUE_W), "height": round(h + 44), "elements": parts, "note": ""}


def histogram(s, pts) -> dict:
    """The distribution: districts per value range."""
    values = [p["value"] for p in pts]
    x0 = 56
    lo, hi, ticks = _domain(values, s["standard"], zero=False)
    bins = 20
    width = (hi - lo) / bins
    counts, fails = [0] * bins, [0] * bins
    for p in pts:
        k = min(bins - 1, int((p["value"] - lo) / width))
        counts[k] += 1
        fails[k] += p["status"] == "fail"

    def scale(v):
        return x0 + (v - lo) / (hi - lo) * PLOT_W

    yticks = nice_ticks(0, max(counts) or 1, 3)
    bottom = TOP + HIST_H
    axis_title, std_label = _labels(s)
    parts = [_el("text", s["title"], class_="chart-title", x=0, y=16)]
    for c in yticks:
        y = bottom - c / yticks[-1] * HIST_H
        parts.append(_el("line", class_="grid", x1=x0, x2=x0 + PLOT_W, y1=y, y2=y))
        if c:                           # 0 sits on the value axis, where its tick labels are
            parts.append(_el("text", str(int(c)), class_="tick-label", x=x0 - 8, y=y + 4, text_anchor="end"))
    bw = PLOT_W / bins
    for k, c in enumerate(counts):
        if c:
            bh = c / yticks[-1] * HIST_H
            status = "fail" if fails[k] == c else ("pass" if not fails[k] else "mixed")
            parts.append(_el("rect", "", f"{_fmt(lo + k * width)}–{_fmt(lo + (k + 1) * width)}: {c}",
                             class_=f"mark {status}", x=x0 + k * bw + 1, y=bottom - bh, width=bw - 2, height=bh))
    if std_label:
        parts += _standard(scale(s["standard"]), TOP - 4, bottom, x0, std_label)
    parts += _axis(x0, bottom, scale, ticks, axis_title)
    return {"width": round(x0 + PLOT_W + VALUE_W), "height": round(bottom + 44), "elements": parts,
            "note": t("site.distribution", n=len(values))}


def chart(s) -> dict | None:
    """A key indicator's chart: s holds id, title, unit, op, standard, plausible (lo, hi) and points, each a dict of
    name, value, exact (as written), status and url. None when no report states it."""
    lo, hi = s.get("plausible") or (-math.inf, math.inf)
    drawn = [p for p in s["points"] if lo <= p["value"] <= hi]
    outliers = [p for p in s["points"] if not lo <= p["value"] <= hi]
    if not s["points"]:
        return None
    above = data.load("verdicts.yaml")["distribution_above"]
    got = (histogram(s, drawn) if len(drawn) > above else dots(s, drawn)) if drawn else \
        {"width": 0, "height": 0, "elements": [], "note": ""}
    failing = sorted((p for p in drawn if p["status"] == "fail"), key=lambda p: p["name"]) if len(drawn) > above else []
    return {**got, "id": s["id"], "title": s["title"], "font": FONT, "failing": failing,
            "outliers": sorted(outliers, key=lambda p: p["name"])}
