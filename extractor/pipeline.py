"""One report in, its facts out: ingest → normalize → segment → extract → attach."""
from __future__ import annotations

import bisect
from collections import Counter
from dataclasses import dataclass, replace
from typing import Optional

import regex

from . import attach as attach_mod
from . import extract, normalize, segment
from .ingest import check_is_report, read
from .records import Fact, Source


@dataclass(frozen=True)
class Result:
    source: Source
    norm: normalize.NormText
    seg: segment.Segmentation
    facts: tuple
    report_year: Optional[int]
    perf_year: Optional[int]
    level_char: str


_YMD = regex.compile(r"((?:19|20)\d{2})年\d{1,2}月\d{1,2}日")
_ISSUER = regex.compile(r"\p{Han}{1,12}?([区县市省旗州])人民政府")


def report_year(text: str) -> Optional[int]:
    """The year the report was written: its sign-off date, else the latest year in its title."""
    tail = list(_YMD.finditer(text[-600:]))
    if tail:
        return int(tail[-1].group(1))
    head = [int(y) for y in attach_mod.YEAR.findall(text[:400])]
    return max(head) if head else None


def performance_year(text: str) -> Optional[int]:
    """The year whose performance the report covers, when its title names exactly one."""
    for line in text[:800].split("\n"):
        if "报告" in line or "履行教育职责" in line:
            years = set(attach_mod.YEAR.findall(line))
            if "《" in line:
                continue
            return int(years.pop()) if len(years) == 1 else None
    return None


def level_char(text: str) -> str:
    """区 / 县 / 市 / 省: the level of the reporting government, from its name or how it calls itself."""
    m = _ISSUER.search(text[:600])
    if m:
        return m.group(1)
    counts = Counter(regex.findall(r"(?:我|全)([区县市省])", text))
    return counts.most_common(1)[0][0] if counts else ""


_PLACE = regex.compile(r"(\p{Han}{2,4}?[省市])?(\p{Han}{2,4}?[区县旗])?人民政府")


def places(text: str) -> tuple:
    """Names the reporting government uses for itself (鹤岗市, 兴安区, 兴安), from its issuer line."""
    out = []
    for m in _PLACE.finditer(text[:800]):
        for g in m.groups():
            if g:
                out += [g, g[:-1]] if len(g) > 2 else [g]
    return tuple(dict.fromkeys(out))


def _resolve_year(value: str, text: str, s0: int, s1: int, pos: int, fallback: Optional[int]) -> str:
    if "????" not in value:
        return value
    years = [(abs(m.start() - pos), m.group()) for m in attach_mod.YEAR.finditer(text, s0, s1)]
    year = min(years)[1] if years else (str(fallback) if fallback else None)
    return value.replace("????", year) if year else value.replace("????", "-")


def process_source(src: Source, scheme=None) -> Result:
    norm = normalize.normalize(src.text)
    text = norm.text
    hints = {}
    for offset, level in src.heading_hints:      # the file's own heading styles, moved to normalized offsets
        hints[bisect.bisect_left(norm.omap, offset)] = level
    seg = segment.segment(text, scheme, hints)
    spans = extract.find_spans(text)
    ry, py, lc = report_year(text), performance_year(text), level_char(text)
    att = attach_mod.Attacher(text, seg, spans, ry, py, lc, places(text))
    facts = []
    prev_ind, prev_base, prev_sent = "", "", -1
    generic_changes = set(attach_mod._ind_lex()["generic_changes"])
    for sp in spans:
        start, end = norm.to_original(sp.nstart, sp.nend)
        s_i = att.layout.index("sentences", sp.nstart)
        s0, s1 = att.layout.sentences[s_i]
        value = sp.value
        if sp.kind == "date":
            value = _resolve_year(value, text, s0, s1, sp.nstart, ry)
        same = s_i == prev_sent
        indicator = att.indicator(sp, prev_ind, prev_base, same)
        region = seg.region_at(sp.nstart)
        o0, o1 = norm.to_original(s0, s1)
        facts.append(Fact(
            doc=src.doc, kind=sp.kind, value=value, unit=sp.unit, approx=sp.approx,
            section=region.section, item=region.item, indicator=indicator,
            period=att.period(sp), subject=att.subject(sp),
            raw=src.text[start:end], start=start, end=end,
            heading=" > ".join(region.path), sentence=src.text[o0:o1].strip(),
            page=src.page_of(start)))
        if sp.kind != "date":
            prev_ind, prev_sent = indicator, s_i
            if not any(indicator.endswith(w) for w in generic_changes):
                prev_base = indicator
    return Result(src, norm, seg, tuple(facts), ry, py, lc)


def process_path(path, scheme=None, ocr: str = "auto", doc: Optional[str] = None) -> Result:
    src = read(path, ocr=ocr)
    check_is_report(path, src.text)
    if doc and doc != src.doc:
        src = replace(src, doc=doc)
    return process_source(src, scheme)
