"""Plain records passed from stage to stage. Offsets always index the original text."""
from __future__ import annotations

import bisect
import operator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Optional

# The output contract (FACTS.md) plus provenance; order is the column order of every table.
FACT_FIELDS = (
    "doc", "kind", "value", "unit", "approx", "section", "item", "indicator",
    "period", "subject", "raw", "start", "end", "heading", "sentence", "page",
    "metric", "metric_id",
)


PAGED_KINDS = ("pdf", "ocr", "ofd")     # inputs whose text has pages; text, docx, doc, wps have none


@dataclass(frozen=True)
class Source:
    """A report as read from disk: its text and where its pages start."""
    path: str
    doc: str
    text: str
    input_kind: str = "text"          # text | pdf | ocr | docx | doc | wps | rtf | ofd
    encoding: str = "utf-8"
    page_starts: tuple = ()            # offsets into text where pages 2, 3 … begin (empty: no pages)
    sha256: str = ""
    heading_hints: tuple = ()          # (offset, level) of lines the file itself marks as headings (Word styles)
    warnings: tuple = ()               # what was read only in part, each a cause after 'path: ' (pages 3, 7 unreadable)

    def page_of(self, offset: int) -> Optional[int]:
        if self.input_kind not in PAGED_KINDS:
            return None      # no pages in plain text or Word
        return bisect.bisect_right(self.page_starts, offset) + 1     # page_starts ascend


@dataclass(frozen=True)
class Content:
    """What a reader found in a file; ingest alone turns it into a Source."""
    text: str
    input_kind: str                    # text | pdf | ocr | docx | doc | wps | rtf | ofd
    encoding: str = ""
    page_starts: tuple = ()
    heading_hints: tuple = ()
    warnings: tuple = ()


@dataclass(frozen=True)
class Span:
    """A match found in normalized text, carried with its original offsets."""
    kind: str
    value: object            # Decimal | str
    unit: str
    approx: str
    nstart: int              # offsets in normalized text
    nend: int
    rule: str = ""


@dataclass
class Fact:
    doc: str
    kind: str
    value: object
    unit: str
    approx: str
    section: Optional[int]
    item: Optional[int]
    indicator: str
    period: str
    subject: str
    raw: str
    start: int
    end: int
    heading: str = ""
    sentence: str = ""
    page: Optional[int] = None
    # The rule that gave each field ({"indicator": "noun_after_measure", …}): for debugging, not a column.
    fired: dict = field(default_factory=dict, compare=False, repr=False)
    metric: str = ""                   # the catalog title (patterns/indicators) the number is the value of
    metric_id: str = ""
    metric_level: str = ""             # the school level the metric is stated for (not an output column)
    # Not output columns either: the metric's value where it is not the fact's (a fall said in words, 下降1.7%: the
    # fact keeps 1.7, the growth metric is -1.7), and (id, level) of further catalog entries the same number is the
    # value of (a predicate shared by a list: 毛入园率、普惠性幼儿园覆盖率均达到90%).
    metric_value: object = None
    metric_also: tuple = ()
    # Whose figure it is (text/scope.py; not a column): "" the reporting government's own, "part" a part of its
    # area or schools (城区, 民办园, one school), "other" another government's or a standard quoted (全省).
    scope: str = ""
    scope_word: str = ""               # the words that said so (城区, 全省)

    def to_dict(self) -> dict:
        """The output fields read directly (plain values all): asdict deep-copied `fired` and the rest of each fact."""
        d = dict(zip(FACT_FIELDS, _FACT_VALUES(self)))
        d["value"] = plain_value(self.value)
        return d


_FACT_VALUES = operator.attrgetter(*FACT_FIELDS)         # a fact's output fields, in one call


def plain_value(v):
    """Decimal → int when whole, else float from its exact text (85.71 stays 85.71)."""
    if isinstance(v, Decimal):
        if v == v.to_integral_value():
            return int(v)
        return float(str(v.normalize()))
    return v
