"""One report in, its facts out: ingest → normalize → segment → extract → attach → metrics."""
from __future__ import annotations

import bisect
from dataclasses import dataclass, replace
from typing import Optional

from .text import attach as attach_mod
from .text import extract, metadata, metrics, normalize, segment
from .readers.ingest import check_is_report, read
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


def _resolve_year(value: str, text: str, s0: int, s1: int, pos: int, fallback: Optional[int]) -> str:
    if "????" not in value:
        return value
    years = [(abs(m.start() - pos), m.group()) for m in metadata.YEAR.finditer(text, s0, s1)]
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
    ry, py, lc = metadata.report_year(text), metadata.performance_year(text), metadata.level_char(text)
    att = attach_mod.Attacher(text, seg, spans, ry, py, lc, metadata.places(text))
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
    facts = metrics.link(facts, norm)          # each fact's standard indicator, where the catalog has one
    return Result(src, norm, seg, tuple(facts), ry, py, lc)


def process_path(path, scheme=None, ocr: str = "auto", doc: Optional[str] = None) -> Result:
    src = read(path, ocr=ocr)
    check_is_report(path, src.text)
    if doc and doc != src.doc:
        src = replace(src, doc=doc)
    return process_source(src, scheme)
