"""Segment normalized text: the heading tree first, then its mapping onto an evaluation scheme.

A region runs from one heading to the next and carries the heading path, the
scheme section and item it belongs to, and (for the attach stage) the year its
headings name.
"""
from __future__ import annotations

import bisect
import functools
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Optional

from .. import data
from . import numerals
from .schemes import Scheme, builtin


@dataclass(frozen=True)
class Heading:
    style: str
    number: Optional[int]
    title: str
    nstart: int          # line start in normalized text
    nend: int            # end of the title
    code: str = ""       # a coded level's code as printed (A1, B2): the scheme's own name for the part


@dataclass(frozen=True)
class Region:
    nstart: int
    nend: int
    section: Optional[int]
    item: Optional[int]
    path: tuple          # heading titles, outermost first
    free_path: tuple = ()  # the titles among them that are the report's own, not the scheme's


@dataclass(frozen=True)
class Segmentation:
    headings: tuple
    regions: tuple
    scheme_id: Optional[str]     # None when the report follows no scheme known
    _starts: tuple = field(default=(), repr=False)
    scheme: Optional[Scheme] = None   # the scheme it follows
    why: str = ""                # how that was told: given (--scheme), cited, declared, headings, printed
    asked: Optional[Scheme] = None    # the scheme a user asked for (--scheme), followed or not

    def region_at(self, npos: int) -> Region:
        i = bisect.bisect_right(self._starts, npos) - 1
        return self.regions[max(i, 0)]


@functools.lru_cache(maxsize=1)
def _heading_spec():
    spec = data.load("lexicon/headings.yaml")
    styles = [(m["style"], data.compile(m["pattern"])) for m in spec["markers"]]
    return styles, set(spec["title_end"]), spec["max_title_len"]


_DIGITS = data.compile(r"\d+")
_CN = data.compile(data.load("lexicon/headings.yaml")["cn_number"])
_CODE_END = " \t、.．:："
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"


def _marker_number(style: str, marker: str) -> Optional[int]:
    if style == "circled":
        return _CIRCLED.index(marker[0]) + 1
    digits = _DIGITS.findall(marker)         # the last: 2.3.2 is the second under 2.3
    if digits:
        return int(digits[-1])
    runs = _CN.findall(marker)                # the last run: 一级指标二 is the second, 第三部分 the third
    try:
        return numerals.loose(runs[-1]) if runs else None
    except ValueError:                        # 十十、: no number (it was an error that stopped the file)
        return None


def find_headings(text: str, hints: dict | None = None) -> list[Heading]:
    """Lines that open with a heading marker; `hints` adds lines the file styled as headings
    ({line start: level}, e.g. Word's 标题 2 without a marker)."""
    styles, title_end, max_len = _heading_spec()
    out = []
    pos = 0
    hints = hints or {}
    for line in text.split("\n"):
        start = pos
        pos += len(line) + 1
        if start in hints and line.strip() and not any(pat.match(line) for _, pat in styles):
            cut = next((i for i, c in enumerate(line) if c in title_end), len(line))
            if 0 < cut <= max_len:
                out.append(Heading(f"styled{hints[start]}", None, line[:cut].strip(), start, start + cut))
            continue
        for style, pat in styles:
            m = pat.match(line)
            if not m:
                continue
            rest = line[m.end():]
            cut = next((i for i, c in enumerate(rest) if c in title_end), len(rest))
            title = rest[:cut].strip()
            if title and len(title) <= max_len:
                code = m.group().strip(_CODE_END) if style == "coded" else ""
                out.append(Heading(f"coded_{code[0]}" if code else style, _marker_number(style, m.group()), title,
                                   start, start + m.end() + cut, code))
            break
    return out


def _matches(title: str, entry: dict) -> bool:
    return any(k in title for k in entry.get("keywords", []) or [entry["title"]])


_SHAPE = data.compile(data.load("lexicon/headings.yaml")["declared_shape"])


def _declared_shape(text: str):
    m = _SHAPE.search(text[:3000])
    if not m:
        return None
    try:
        n = int(m.group(1)) if m.group(1).isdigit() else numerals.loose(m.group(1))
    except ValueError:
        return None
    return n, (int(m.group(2)) if m.group(2) else None)


def _levels(headings) -> dict:
    """Depth of each style: Word heading styles by their number, outermost; then marker styles in the
    order they first appear (一、 before （一） before 1.)."""
    keys = {}
    for h in headings:
        if h.style not in keys:
            keys[h.style] = (0, int(h.style[6:])) if h.style.startswith("styled") else (1, len(keys))
    return {style: rank for rank, style in enumerate(sorted(keys, key=keys.get))}


def segment(text: str, scheme: Optional[Scheme] = None, hints: dict | None = None, government: str = "") -> Segmentation:
    """The heading tree and its regions, each mapped onto the scheme the report follows: the one a user gave
    (`scheme`), else the one the report's own text picks (choose) among those for its `government` (县, 省 …)."""
    headings = find_headings(text, hints)
    level = _levels(headings)
    followed, why, mapping = choose(text, headings, level, scheme, government)
    follows = followed is not None

    regions = [Region(0, headings[0].nstart if headings else len(text), None, None, ())]
    section_headings = {id(h) for h, m in zip(headings, mapping) if m[2] and m[1] is None}

    def mapping_is_section(h):
        return id(h) in section_headings

    stack: list[tuple] = []
    for i, h in enumerate(headings):
        while stack and level[stack[-1][0].style] >= level[h.style]:
            stack.pop()
        sec, item, matched = mapping[i]
        stack.append((h, matched))
        end = headings[i + 1].nstart if i + 1 < len(headings) else len(text)
        # A scheme section heading starts afresh: what stands above it in the layout is not its frame.
        cut = max((k for k, (x, in_scheme) in enumerate(stack)
                   if in_scheme and mapping_is_section(x)), default=-1)
        regions.append(Region(h.nstart, end, sec, item, tuple(x.title for x, _ in stack),
                              tuple(x.title for x, in_scheme in stack[cut + 1:] if not in_scheme)))
    regions = [r for r in regions if r.nend > r.nstart or r.nstart == 0]
    return Segmentation(tuple(headings), tuple(regions), followed.id if follows else None,
                        tuple(r.nstart for r in regions), followed, why if follows else "", scheme)


def choose(text: str, headings: list, level: dict, asked: Optional[Scheme], gov: str = "") -> tuple:
    """(scheme, why, mapping): the scheme a user asked for where the report follows it; else a built-in scheme
    the report cites in its opening (or whose shape it declares) and whose headings it uses; else the one whose
    sections and items its headings match, both enough; else the scheme its own headings print (points or
    codes); else none. A report is never forced into a scheme it does not follow."""
    none = [(None, None, False)] * len(headings)
    if asked is not None:
        mapping = _map_to_scheme(text, headings, asked, level, True)      # asked for: as good as cited
        return (asked, "given", mapping) if mapping else (None, "", none)
    cited = sorted((s for s in builtin() if _cited(s, text) is not None), key=lambda s: _cited(s, text))
    for s in cited:                       # the one named first: a report's title names its own
        mapping = _map_to_scheme(text, headings, s, level, True)
        if mapping:
            return s, "cited", mapping
    fits = []
    for s in builtin():
        if s in cited or (gov and s.governments and gov not in s.governments):
            continue        # a county's report that declares six parts follows no province's scheme it does not cite
        mapping = _map_to_scheme(text, headings, s, level, False)
        if mapping:
            fits.append((sum(1 for m in mapping if m[2]), s, mapping))
    if fits:
        _, s, mapping = max(fits, key=lambda f: f[0])
        return s, ("declared" if _declares(text, s) else "headings"), mapping
    own = _own(headings, level)
    return own if own is not None else (None, "", none)


def _opening(text: str) -> str:
    return text[:_lex()["opening_chars"]]


def _cited(scheme: Scheme, text: str) -> Optional[int]:
    """Where the report first names the scheme in its opening (按照《…评价方案》, its 文号); None if it does not."""
    head = _opening(text)
    found = [m.start() for p in scheme.cite_patterns for m in [p.search(head)] if m]
    return min(found) if found else None


def _declares(text: str, scheme: Scheme) -> bool:
    shape = _declared_shape(text)
    want = scheme.shape.get("sections")
    return bool(shape and want and shape[0] == want and shape[1] in (None, scheme.shape.get("items")))


@functools.lru_cache(maxsize=1)
def _lex() -> dict:
    spec = data.load("lexicon/headings.yaml")
    return {"points": data.compile(spec["points"]), "outside": data.compile(spec["outside_parts"]),
            "opening_chars": int(spec["opening_chars"]), "fit_share": float(spec["fit_share"]),
            "own_min_parts": int(spec["own_min_parts"]), "frame": data.compile(spec["frame_parts"]),
            "container": data.compile(spec["container_parts"])}


def _item_index(scheme: Scheme) -> dict:
    return {it["number"]: (s["number"], it) for s in scheme.sections for it in s.get("items", [])}


def _hit(h: Heading, scheme: Scheme, items: dict, section) -> Optional[tuple]:
    """(section, item or None) the heading names: an item by its words or its printed code, a section by its
    words (never a low-level numbered line), an item by its number under its section (title reworded)."""
    for num, (sec, it) in items.items():
        if _matches(h.title, it) or (h.code and str(it.get("code", "")) == h.code):
            return sec, num
    if h.style not in ("num_dot", "num_paren", "circled"):
        for s in scheme.sections:
            if _matches(h.title, s) or (h.code and str(s.get("code", "")) == h.code):
                return s["number"], None
    if section is not None and h.style == "num_dot":
        for num, (sec, it) in items.items():
            if sec == section and it.get("printed", num) == h.number:
                return section, num
    return None


def _map_to_scheme(text: str, headings: list[Heading], scheme: Scheme, level: dict, cited: bool):
    """(section, item, matched) for each heading, or [] when the report does not follow the scheme: one that
    names it (cites it, declares its shape) must use enough of its sections or items; one that does not, enough
    of both. A shape the report declares otherwise (8个方面32项) rules the scheme out unless the report cites it."""
    shape = _declared_shape(text)
    want = scheme.shape.get("sections")
    if not cited and shape and want and shape[0] != want:
        return []
    declared = _declares(text, scheme)
    out = _walk(headings, scheme, level)
    if scheme.report_sections:
        out = _as_grouped(headings, out, level)
    sections_seen = {m[0] for m in out if m[2]}
    items_seen = {m[1] for m in out if m[2] and m[1]}
    if declared:
        return out
    if not cited and scheme.cites_needed:
        return []
    # Unnamed, a scheme is followed only where most of its parts are: its topics are every scheme's topics.
    share = 0 if cited else _lex()["fit_share"]
    enough = (len(sections_seen) >= max(scheme.min_sections, share * len(scheme.sections)),
              len(items_seen) >= max(scheme.min_items, share * len(scheme.item_section)))
    return out if (any(enough) if cited else all(enough)) else []


def _walk(headings: list[Heading], scheme: Scheme, level: dict) -> list:
    """(section, item, matched) for each heading against the scheme: a heading that names a part opens it; a part
    outside the scheme at its level (成效, 问题) closes it; a part on problems or plans holds none of the scheme's
    parts (its 2.教师待遇偏低 names a problem, not item 2)."""
    items = _item_index(scheme)
    outside = _lex()["outside"]
    out = []
    section = item = None
    section_level = item_level = closed_at = duty_level = None
    top_style = headings[0].style if headings else None
    for h in headings:
        lv = level[h.style]
        if closed_at is not None and lv <= closed_at:
            closed_at = None
        hit = None if closed_at is not None else _hit(h, scheme, items, section)
        if hit is not None and scheme.report_sections:
            if hit[1] is not None and h.number and (section is None or lv == duty_level):
                duty_level, hit = lv, (h.number, hit[1])    # a duty no part groups (二、重点职责履行情况 → （一）…
                                                             # （十五）): a part of its own, numbered as printed
            else:
                hit = (h.number if hit[1] is None and h.number else section if hit[1] is not None else hit[0], hit[1])
        if hit is not None:
            if hit[1] is None:
                section_level = lv
            else:
                item_level = lv
            section, item = hit
        elif h.style == top_style or (section_level is not None and lv <= section_level) \
                or h.style in ("cn_dun", "cn_paren") and section is None:
            section = item = None            # a top-level part outside the scheme (成效, 问题 …)
        elif item_level is not None and lv <= item_level:
            item = None                      # a sibling of an item that names none (（三）主要措施)
        if hit is None and closed_at is None and outside.search(h.title):
            section, item, closed_at = None, None, lv
        out.append((section, item, hit is not None))
    return out


def _as_grouped(headings: list[Heading], walked: list, level: dict) -> list:
    """A scheme whose sections are the report's own grouping: every numbered part beside the parts that name a
    section (under the same heading) is a section as printed, though its words name none (一、坚持党对教育工作的
    全面领导); the parts outside the duties (问题, 打算) stay none."""
    outside = _lex()["outside"]
    parent = _parents(headings, level)
    named = [(level[h.style], parent[i]) for i, (h, m) in enumerate(zip(headings, walked)) if m[2] and m[1] is None and h.number]
    if not named:
        return walked
    at = Counter(lv for lv, _ in named).most_common(1)[0][0]
    parents = {p for lv, p in named if lv == at}
    out, section = [], None
    for i, (h, w) in enumerate(zip(headings, walked)):
        lv = level[h.style]
        if lv == at:
            grouped = parent[i] in parents and h.number and not outside.search(h.title)
            section = h.number if grouped else None
        elif lv < at:
            section = None
        out.append(w if section is None else (section, w[1] if lv > at else None, w[2]))
    return out


def _parents(headings: list[Heading], level: dict) -> list:
    """For each heading, the index of the nearest heading above it in the layout (-1 for none)."""
    out, stack = [], []
    for i, h in enumerate(headings):
        while stack and level[headings[stack[-1]].style] >= level[h.style]:
            stack.pop()
        out.append(stack[-1] if stack else -1)
        stack.append(i)
    return out


def _container_parts(numbered: list, tops: list, level: dict, lex: dict) -> list:
    """The parts of a top-level part that holds the duties (二、履行教育职责情况 → （一）…（七）), where it holds at
    least own_min_parts of them: they, not the report's top-level parts, are its sections. [] for none."""
    parent = _parents(numbered, level)
    top_ids = {id(t) for t in tops}
    for i, h in enumerate(numbered):
        if id(h) not in top_ids or not lex["container"].search(h.title):
            continue
        kids = [k for j, k in enumerate(numbered) if parent[j] == i]
        nearest = min((level[k.style] for k in kids), default=None)
        kids = [k for k in kids if level[k.style] == nearest]
        if len(kids) >= lex["own_min_parts"]:
            return kids
    return []


def _top_level(numbered: list, marked: set, level: dict) -> int:
    """The level of a report's sections: the outermost that carries points or codes in three headings or more
    (A1 under 二、自评情况), else its outermost numbered level."""
    counts: dict = {}
    for h in numbered:
        if id(h) in marked:
            counts[level[h.style]] = counts.get(level[h.style], 0) + 1
    printed = [lv for lv, n in counts.items() if n >= _lex()["own_min_parts"]]
    return min(printed) if printed else min(level[h.style] for h in numbered)


def _word_numbered(headings: list[Heading], level: dict) -> list[Heading]:
    """Headings as Word shows them: a part styled as a heading (标题 1) carries the number Word draws beside it
    and the text lacks, its place among its siblings."""
    out, counts = [], {}
    for h in headings:
        lv = level[h.style]
        counts = {k: n for k, n in counts.items() if k <= lv}
        counts[lv] = counts.get(lv, 0) + 1
        out.append(replace(h, number=counts[lv]) if h.number is None and h.style.startswith("styled") else h)
    return out


def _duty_numbers(tops: list[Heading], lex: dict) -> dict:
    """id(part) -> its section: the number it prints, less the frames printed before it in its run of numbers
    (一、基本情况 二、党的领导 → 1); none for frames and for the parts outside the duties. A run restarts where
    the numbers do not go up (parts nested in one style)."""
    out, prev, frames = {}, 0, 0
    for h in tops:
        if h.number <= prev:
            frames = 0
        prev = h.number
        if lex["frame"].search(h.title):
            frames += 1
        elif not lex["outside"].search(h.title):
            out[id(h)] = h.number - frames
    return out


def _own(headings: list[Heading], level: dict) -> Optional[tuple]:
    """The report's own parts as its sections, where it follows no scheme known: each top-level part by the
    number it prints (一、 → 1), none for the parts outside the duties (存在的问题, 下一步打算, 自评结论); the items
    under a part are those that carry their points or codes (1.组织领导（10分）, B2 依法治教). A report whose parts
    carry points or codes prints its scheme ("printed"); one whose parts do not keeps its own ("own")."""
    lex = _lex()
    headings = _word_numbered(headings, level)
    numbered = [h for h in headings if h.number is not None]
    if not numbered:
        return None
    marked = {id(h) for h in numbered if h.code or lex["points"].search(h.title)}
    top = _top_level(numbered, marked, level)
    tops = [h for h in numbered if level[h.style] == top]
    inner = _container_parts(numbered, tops, level, lex)
    if inner:
        tops, top = inner, level[inner[0].style]
    number = _duty_numbers(tops, lex)
    if len(number) < lex["own_min_parts"]:
        return None                     # two parts (基本情况, 自评情况) are a frame, not the duties' sections
    out, sections = [], []
    section = item = None
    for h in headings:
        lv = level[h.style]
        if lv <= top:
            section, item = number.get(id(h)), None
            if section is not None:
                sections.append({"number": section, "title": h.title, "code": h.code or section, "items": []})
        elif section is not None and lv == top + 1 and id(h) in marked:
            item = h.number
            sections[-1]["items"].append({"number": item, "title": h.title, "code": h.code or item})
        out.append((section, item if section is not None else None, section is not None and (lv == top or item == h.number)))
    printed = any(id(h) in marked for h in tops)
    scheme = Scheme(id="printed" if printed else "own", name="", shape={}, sections=tuple(sections),
                    min_sections=0, min_items=0, printed=True)
    return scheme, scheme.id, out
