"""Segment normalized text: the heading tree first, then its mapping onto an evaluation scheme.

A region runs from one heading to the next and carries the heading path, the
scheme section and item it belongs to, and (for the attach stage) the year its
headings name.
"""
from __future__ import annotations

import bisect
import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import cn2an
import regex
import yaml

from .. import data
from ..errors import InputError
from ..i18n import said


@dataclass(frozen=True)
class Heading:
    style: str
    number: Optional[int]
    title: str
    nstart: int          # line start in normalized text
    nend: int            # end of the title


@dataclass(frozen=True)
class Region:
    nstart: int
    nend: int
    section: Optional[int]
    item: Optional[int]
    path: tuple          # heading titles, outermost first
    free_path: tuple = ()  # the titles among them that are the report's own, not the scheme's


@dataclass(frozen=True)
class Scheme:
    id: str
    name: str
    shape: dict
    sections: tuple      # of dicts
    min_sections: int
    min_items: int
    governments: tuple = ()   # the levels of government the scheme evaluates (empty: any)

    @functools.cached_property
    def item_section(self) -> dict:
        return {it["number"]: s["number"] for s in self.sections for it in s.get("items", [])}


@dataclass(frozen=True)
class Segmentation:
    headings: tuple
    regions: tuple
    scheme_id: Optional[str]     # None when the report does not follow the scheme
    _starts: tuple = field(default=(), repr=False)

    def region_at(self, npos: int) -> Region:
        i = bisect.bisect_right(self._starts, npos) - 1
        return self.regions[max(i, 0)]


def load_scheme(path=None) -> Scheme:
    """The default scheme, or a user's file (--scheme)."""
    if path is None:
        spec = data.load("schemes/hegang-county-2024.yaml")
        where = "patterns/schemes/hegang-county-2024.yaml"
    else:
        where = str(path)
        try:
            spec = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        except FileNotFoundError as e:
            raise InputError("missing", path, said("errors.scheme_missing")) from e
        except yaml.YAMLError as e:
            mark = getattr(e, "problem_mark", None)
            detail = str(getattr(e, "problem", None) or e)
            raise InputError("invalid-config", path, said("errors.yaml_line", line=mark.line + 1, detail=detail) if mark
                             else said("errors.yaml", detail=detail)) from e
    try:
        sections = tuple(spec["sections"])
        for s in sections:
            int(s["number"]), s["title"]
            for it in s.get("items", []):
                int(it["number"]), it["title"]
        return Scheme(id=str(spec.get("id", Path(where).stem)), name=str(spec.get("name", "")),
                      shape=dict(spec.get("shape") or {}), sections=sections,
                      min_sections=int(spec.get("min_sections_matched", 3)),
                      min_items=int(spec.get("min_items_matched", 4)),
                      governments=tuple(spec.get("governments") or ()))
    except (KeyError, TypeError, ValueError) as e:
        raise InputError("invalid-config", where, said("errors.scheme_bad", detail=str(e))) from e


@functools.lru_cache(maxsize=1)
def _heading_spec():
    spec = data.load("lexicon/headings.yaml")
    styles = [(m["style"], regex.compile(m["pattern"])) for m in spec["markers"]]
    return styles, set(spec["title_end"]), spec["max_title_len"]


_DIGITS = regex.compile(r"\d+")
_CN = regex.compile(data.load("lexicon/headings.yaml")["cn_number"])
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"


def _marker_number(style: str, marker: str) -> Optional[int]:
    if style == "circled":
        return _CIRCLED.index(marker[0]) + 1
    m = _DIGITS.search(marker)
    if m:
        return int(m.group())
    m = _CN.search(marker)
    return int(cn2an.cn2an(m.group(), "smart")) if m else None


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
                out.append(Heading(style, _marker_number(style, m.group()), title, start, start + m.end() + cut))
            break
    return out


def _matches(title: str, entry: dict) -> bool:
    return any(k in title for k in entry.get("keywords", []) or [entry["title"]])


_SHAPE = regex.compile(data.load("lexicon/headings.yaml")["declared_shape"])


def _declared_shape(text: str):
    m = _SHAPE.search(text[:3000])
    if not m:
        return None
    try:
        n = int(m.group(1)) if m.group(1).isdigit() else int(cn2an.cn2an(m.group(1), "smart"))
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


def segment(text: str, scheme: Optional[Scheme], hints: dict | None = None) -> Segmentation:
    headings = find_headings(text, hints)
    level = _levels(headings)
    mapping = _map_to_scheme(text, headings, scheme, level) if scheme else [(None, None, False)] * len(headings)
    follows = scheme is not None and any(m[2] for m in mapping)

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
    return Segmentation(tuple(headings), tuple(regions), scheme.id if follows else None,
                        tuple(r.nstart for r in regions))


def _map_to_scheme(text: str, headings: list[Heading], scheme: Scheme, level: dict):
    """(section, item, matched) for each heading; all None when the report follows another scheme."""
    none = [(None, None, False)] * len(headings)
    shape = _declared_shape(text)
    want = scheme.shape.get("sections")
    if shape and want and shape[0] != want:
        return none
    declared = bool(shape and shape[0] == want and (shape[1] in (None, scheme.shape.get("items"))))

    item_index = {}
    for s in scheme.sections:
        for it in s.get("items", []):
            item_index[it["number"]] = (s["number"], it)

    out = []
    section = item = None
    section_level = None
    top_style = headings[0].style if headings else None
    sections_seen, items_seen = set(), set()
    for h in headings:
        hit = None
        for num, (sec, it) in item_index.items():
            if _matches(h.title, it):
                hit = (sec, num)
                break
        if hit is None and h.style not in ("num_dot", "num_paren", "circled"):
            for s in scheme.sections:
                if _matches(h.title, s):
                    hit = (s["number"], None)
                    break
        if hit is None and section is not None and h.style == "num_dot" and h.number in item_index \
                and item_index[h.number][0] == section:
            hit = (section, h.number)      # numbered as the scheme numbers it, title reworded
        if hit is not None:
            if hit[1] is None:
                section_level = level[h.style]
            section, item = hit
            sections_seen.add(section)
            if item:
                items_seen.add(item)
        elif h.style == top_style or (section_level is not None and level[h.style] <= section_level) \
                or h.style in ("cn_dun", "cn_paren") and section is None:
            section = item = None            # a top-level part outside the scheme (成效, 问题 …)
        out.append((section, item, hit is not None))

    if not declared and len(sections_seen) < scheme.min_sections and len(items_seen) < scheme.min_items:
        return none
    return out
