"""Charts of key indicators across districts, as static SVG written by hand.

Hand-written rather than a charting library because the layout rules needed here are few
and fixed, the SVG stays reusable (Excel, a memo), and nothing is added to install or run:
- up to `distribution_above` reports: one row per district, sorted by value, a dot at its
  value on a shared axis, the number in its own column on the right;
- above that: a histogram of the values, with the failing districts listed under it.
Text never shares space with other text: names sit in a left column as wide as the longest
name (cut with … past a limit, the full name in a tooltip), numbers in a right column, the
standard's label in a band above the plot, tick labels and the axis title in bands below.
"""
from __future__ import annotations

import html
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


def _e(s) -> str:
    return html.escape("" if s is None else str(s))


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


def _axis(x0, y, scale, ticks, title) -> list:
    parts = [f"<line class=\"axis\" x1=\"{x0}\" x2=\"{x0 + PLOT_W}\" y1=\"{y}\" y2=\"{y}\"/>"]
    for v in ticks:
        x = scale(v)
        parts.append(f"<line class=\"tick\" x1=\"{x:.1f}\" x2=\"{x:.1f}\" y1=\"{y}\" y2=\"{y + 4}\"/>")
        parts.append(f"<text class=\"tick-label\" x=\"{x:.1f}\" y=\"{y + 17}\" text-anchor=\"middle\">{_e(_fmt(v))}</text>")
    parts.append(f"<text class=\"axis-title\" x=\"{x0 + PLOT_W / 2:.1f}\" y=\"{y + 36}\" text-anchor=\"middle\">{_e(title)}</text>")
    return parts


def _standard(x, y_top, y_bottom, x0, label) -> list:
    """The standard as a dashed line across the plot, its label in the band above, kept inside the plot."""
    w = text_width(label)
    anchor, tx = "middle", x
    if x - w / 2 < x0:
        anchor, tx = "start", max(x0, x - 4)
    elif x + w / 2 > x0 + PLOT_W + VALUE_W:
        anchor, tx = "end", x + 4
    return [f"<line class=\"std\" x1=\"{x:.1f}\" x2=\"{x:.1f}\" y1=\"{y_top}\" y2=\"{y_bottom}\"/>",
            f"<text class=\"std-label\" x=\"{tx:.1f}\" y=\"{y_top - 8}\" text-anchor=\"{anchor}\">{_e(label)}</text>"]


def _labels(s):
    unit = s["unit"]
    axis = t("site.axis", title=s["title"], unit=unit) if unit else s["title"]
    std = None
    if s["standard"] is not None:
        std = t("site.standard_line", op=t(f"op.{s['op']}") if s["op"] else "", value=_fmt(s["standard"]), unit=unit)
    return axis, std


def dots(s) -> str:
    """One row per district, sorted by value (largest first)."""
    pts = sorted(s["points"], key=lambda p: (-p[1], p[0]))
    names = [_cut(p[0], NAME_MAX) for p in pts]
    name_w = min(NAME_MAX, max([text_width(n) for n in names] + [40])) + 12
    x0 = name_w
    lo, hi, ticks = _domain([p[1] for p in pts], s["standard"])

    def scale(v):
        return x0 + (v - lo) / (hi - lo) * PLOT_W

    h = TOP + ROW * len(pts) + 6
    axis_title, std_label = _labels(s)
    parts = [f"<text class=\"chart-title\" x=\"0\" y=\"16\">{_e(s['title'])}</text>"]
    for i, ((name, v, status, exact), short) in enumerate(zip(pts, names)):
        y = TOP + ROW * i + ROW / 2
        parts.append(f"<text class=\"name\" x=\"{x0 - 8}\" y=\"{y + 4:.1f}\" text-anchor=\"end\">{_e(short)}"
                     f"<title>{_e(name)}</title></text>")
        parts.append(f"<line class=\"guide\" x1=\"{x0}\" x2=\"{scale(v):.1f}\" y1=\"{y:.1f}\" y2=\"{y:.1f}\"/>")
        parts.append(f"<circle class=\"mark {status}\" cx=\"{scale(v):.1f}\" cy=\"{y:.1f}\" r=\"5\">"
                     f"<title>{_e(name)}: {_e(exact)}</title></circle>")
        parts.append(f"<text class=\"value {status}\" x=\"{x0 + PLOT_W + 10}\" y=\"{y + 4:.1f}\">{_e(exact)}</text>")
    if std_label:
        parts += _standard(scale(s["standard"]), TOP - 4, h, x0, std_label)
    parts += _axis(x0, h, scale, ticks, axis_title)
    return _svg(s, parts, x0 + PLOT_W + VALUE_W, h + 44)


def histogram(s) -> str:
    """The distribution: districts per value range; the failing ones are listed under the chart."""
    values = [p[1] for p in s["points"]]
    x0 = 56
    lo, hi, ticks = _domain(values, s["standard"], zero=False)
    bins = 20
    width = (hi - lo) / bins
    counts = [0] * bins
    fails = [0] * bins
    for _, v, status, _ in s["points"]:
        k = min(bins - 1, int((v - lo) / width))
        counts[k] += 1
        fails[k] += status == "fail"

    def scale(v):
        return x0 + (v - lo) / (hi - lo) * PLOT_W

    top = max(counts) or 1
    yticks = nice_ticks(0, top, 3)
    bottom = TOP + HIST_H
    axis_title, std_label = _labels(s)
    parts = [f"<text class=\"chart-title\" x=\"0\" y=\"16\">{_e(s['title'])}</text>"]
    for c in yticks:
        y = bottom - c / yticks[-1] * HIST_H
        parts.append(f"<line class=\"grid\" x1=\"{x0}\" x2=\"{x0 + PLOT_W}\" y1=\"{y:.1f}\" y2=\"{y:.1f}\"/>")
        if c:                           # 0 sits on the value axis, where its tick labels are
            parts.append(f"<text class=\"tick-label\" x=\"{x0 - 8}\" y=\"{y + 4:.1f}\" text-anchor=\"end\">{int(c)}</text>")
    bw = PLOT_W / bins
    for k, c in enumerate(counts):
        if not c:
            continue
        bh = c / yticks[-1] * HIST_H
        status = "fail" if fails[k] == c else ("pass" if not fails[k] else "mixed")
        parts.append(f"<rect class=\"mark {status}\" x=\"{x0 + k * bw + 1:.1f}\" y=\"{bottom - bh:.1f}\" "
                     f"width=\"{bw - 2:.1f}\" height=\"{bh:.1f}\"><title>{_e(_fmt(lo + k * width))}–"
                     f"{_e(_fmt(lo + (k + 1) * width))}: {c}</title></rect>")
    if std_label:
        parts += _standard(scale(s["standard"]), TOP - 4, bottom, x0, std_label)
    parts += _axis(x0, bottom, scale, ticks, axis_title)
    svg = _svg(s, parts, x0 + PLOT_W + VALUE_W, bottom + 44)
    failing = sorted(p[0] for p in s["points"] if p[2] == "fail")
    listed = (f"<p class=\"small failing\">{_e(t('site.failing', n=len(failing)))}{_e(t('msg.list_sep').join(failing))}</p>"
              if failing else "")
    return svg + f"<p class=\"small\">{_e(t('site.distribution', n=len(values)))}</p>" + listed


def _svg(s, parts, w, h) -> str:
    return (f"<svg class=\"chart\" data-rule=\"{_e(s['id'])}\" width=\"{w:.0f}\" height=\"{h:.0f}\" "
            f"viewBox=\"0 0 {w:.0f} {h:.0f}\" role=\"img\" aria-label=\"{_e(s['title'])}\" "
            f"font-size=\"{FONT}\">{''.join(parts)}</svg>")


def charts(series) -> str:
    """Every key indicator some report states, each its own chart."""
    above = data.load("verdicts.yaml")["distribution_above"]
    out = []
    for s in series:
        if not s["points"]:
            continue
        out.append(f"<figure class=\"chart-box\">{histogram(s) if len(s['points']) > above else dots(s)}</figure>")
    return f"<div id=\"indicator-chart\">{''.join(out)}</div>"
