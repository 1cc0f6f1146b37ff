"""One report in, its facts out: readers → normalize → segment → extract → periods, subjects, indicators → metrics
→ scope."""
from __future__ import annotations

import bisect
from dataclasses import dataclass, replace
from typing import Optional

from .text import compilation, extract, metadata, metrics, ner, normalize, scope, segment
from .text.indicators import Indicators
from .text.layout import Layout
from .text.periods import Periods
from .text.subjects import Subjects, entities_of
from .readers.ingest import check_is_report, read
from .records import Fact, Source


@dataclass(frozen=True)
class Result:
    source: Source
    norm: normalize.NormText
    seg: segment.Segmentation
    facts: tuple
    document: metadata.Document      # title, issuer, years, level and places: one definition, in metadata
    layout: Layout
    entities: tuple                  # ner.Entity, offsets in normalized text: computed once, for subjects and the table
    part: Optional[compilation.Part] = None   # one report of a file that holds several; offsets stay the file's

    @property
    def text(self) -> str:
        """The text of this report: the whole file's, or its part of it."""
        return self.source.text[self.part.start:self.part.end] if self.part else self.source.text

    def alone(self) -> "Result":
        """This report without the rest of its file: the text outside its part blank, offsets and pages still
        the file's. What a batch stores and sends of each part, so that a file of N reports is not N copies
        of the whole file's text (each part's stored result grows with the part, not with the file)."""
        if self.part is None:
            return self
        whole, p = self.source.text, self.part
        text = " " * p.start + whole[p.start:p.end] + " " * (len(whole) - p.end)
        return replace(self, source=replace(self.source, text=text), norm=replace(self.norm, original=text))

    @property
    def report_year(self) -> Optional[int]:
        return self.document.report_year

    @property
    def perf_year(self) -> Optional[int]:
        return self.document.performance_year

    @property
    def level_char(self) -> str:
        return self.document.level_char

    @property
    def places(self) -> tuple:
        return self.document.places


def _resolve_year(value: str, text: str, s0: int, s1: int, pos: int, fallback: Optional[int]) -> str:
    if "????" not in value:
        return value
    years = [(abs(m.start() - pos), m.group()) for m in metadata.YEAR.finditer(text, s0, s1)]
    year = min(years)[1] if years else (str(fallback) if fallback else None)
    return value.replace("????", year) if year else value.replace("????", "-")


def _normalize(src: Source, part: Optional[compilation.Part]) -> normalize.NormText:
    """The normalized text of the report; for a part, mapped back to offsets in the whole file's text."""
    if part is None:
        return normalize.normalize(src.text)
    norm = normalize.normalize(src.text[part.start:part.end])
    return normalize.NormText(src.text, norm.text, tuple(o + part.start for o in norm.omap))


def process_source(src: Source, scheme=None, context: Optional[dict] = None,
                   part: Optional[compilation.Part] = None) -> Result:
    """`context` fixes what is otherwise read from the report (report_year, performance_year, level_char,
    places), as Duckling fixes a reference time: the attach corpora use it. `part`: read only that report
    of a compilation, with the offsets and pages of the file."""
    norm = _normalize(src, part)
    text = norm.text
    hints = {}
    for offset, level in src.heading_hints:      # the file's own heading styles, moved to normalized offsets
        if part is None or part.start <= offset < part.end:
            hints[bisect.bisect_left(norm.omap, offset)] = level
    seg = segment.segment(text, scheme, hints)
    spans = extract.find_spans(text)
    layout = Layout.of(text)
    doc = metadata.document(text)
    if context:
        doc = replace(doc, **{k: tuple(v) if k == "places" else v for k, v in context.items()})
    ry, py, lc, places = doc.report_year, doc.performance_year, doc.level_char, doc.places
    entities = ner.recognize(text, places)
    periods = Periods(text, seg, layout, ry, py, places)
    subjects = Subjects(text, layout, spans, entities_of(entities, lc))
    indicators = Indicators(text, layout, spans, periods.mentions)
    facts = []
    for sp in spans:
        start, end = norm.to_original(sp.nstart, sp.nend)
        s0, s1 = layout.sentences[layout.index("sentences", sp.nstart)]
        value = sp.value
        if sp.kind == "date":
            value = _resolve_year(value, text, s0, s1, sp.nstart, ry)
        indicator, ind_rule = indicators.of(sp)
        period, per_rule = periods.of(sp)
        subject, sub_rule = subjects.of(sp)
        region = seg.region_at(sp.nstart)
        o0, o1 = norm.to_original(s0, s1)
        facts.append(Fact(
            doc=src.doc, kind=sp.kind, value=value, unit=sp.unit, approx=sp.approx,
            section=region.section, item=region.item, indicator=indicator, period=period, subject=subject,
            raw=src.text[start:end], start=start, end=end,
            heading=" > ".join(region.path), sentence=src.text[o0:o1].strip(),
            page=src.page_of(start),
            fired={"extract": sp.rule, "indicator": ind_rule, "period": per_rule, "subject": sub_rule}))
    facts = metrics.link(facts, norm)          # each fact's standard indicator, where the catalog has one
    facts = scope.mark(facts, norm, lc)        # whose figure each is: the government's own, a part's, another's
    return Result(src, norm, seg, tuple(facts), doc, layout, entities, part)


def _read(path, ocr: str, doc: Optional[str]) -> Source:
    src = read(path, ocr=ocr)
    check_is_report(path, src.text)
    return replace(src, doc=doc) if doc and doc != src.doc else src


def process_path(path, scheme=None, ocr: str = "auto", doc: Optional[str] = None) -> Result:
    """The file as one report, whatever it holds."""
    return process_source(_read(path, ocr, doc), scheme)


def process_file(path, scheme=None, ocr: str = "auto", doc: Optional[str] = None) -> list[Result]:
    """One result per report the file holds: a compilation gives one per part, under ids doc#1, doc#2 …
    (the callers give parts their own ids), each with its own metadata and the file's offsets and pages."""
    src = _read(path, ocr, doc)
    parts = compilation.split(src.text)
    if not parts:
        return [process_source(src, scheme)]
    return [process_source(replace(src, doc=part_doc(src.doc, p)), scheme, part=p) for p in parts]


def part_doc(doc: str, part: compilation.Part) -> str:
    """The provisional id of a part: the file's id and the part's number."""
    return f"{doc}#{part.index}"
