"""Turn positioned lines (from a PDF's text layer, OCR or a table) into report text.

Shared by the PDF and OCR readers: running headers, footers and page numbers are
dropped, lines broken by the page width are joined into paragraphs (no space between
CJK characters, nothing inserted inside a number), and tables become sentences that
carry their row and column headers.
"""
from __future__ import annotations

import functools
import re
from collections import Counter
from dataclasses import dataclass

import regex

from .. import data


MAX_PAGES = 2000        # pages a file may have (a city's compilation of county reports is a few hundred)


@dataclass(frozen=True)
class Line:
    text: str
    x0: float
    x1: float
    top: float          # distance from the top of the page; grows downward
    table: bool = False  # a table row, already a sentence: never joined to its neighbours


PAGE_NUMBER = regex.compile(data.load("lexicon/readers.yaml")["page_number"])
_DIGITS = re.compile(r"\d+")

# Geometry of a page, in PDF points or in character widths (cw) of the page's body text.
EDGE_LINES = 2                # lines at the top and the bottom of a page where running heads and page numbers stand
FURNITURE_MIN_PAGES = 3       # a line repeated at the edge counts as furniture only in documents this long
BODY_LINE_MIN_CHARS = 8       # shorter lines say nothing about the page's margins
ASCII_CELL = 0.55             # an ASCII character is about half as wide as a Han character
SAME_ROW_TOLERANCE = 2.0      # pieces whose tops differ by less than this are on one visual row
SAME_ROW_OVERLAP = 1          # and may overlap horizontally by this much
INDENT_CW = 1.2               # a line starting this far right of the left margin is indented (a new paragraph)
FULL_LINE_CW = 1.6            # a line ending this close to the right margin is full (its paragraph goes on)
PARAGRAPH_GAP_STEPS = 1.6     # a gap above a line wider than this many usual line steps starts a paragraph
DOUBLED_MIN_CHARS = 4         # fake bold ('鹤鹤岗岗') is recognised from this length


def _furniture_key(text: str) -> str:
    return _DIGITS.sub("#", re.sub(r"\s+", "", text))


def strip_furniture(pages: list[list[Line]]) -> list[list[Line]]:
    """Drop page numbers and lines repeated at the top or bottom of many pages."""
    edge = Counter()
    for lines in pages:
        seen = set()
        for ln in lines[:EDGE_LINES] + lines[-EDGE_LINES:]:
            k = _furniture_key(ln.text)
            if k and k not in seen:
                edge[k] += 1
                seen.add(k)
    repeated = {k for k, n in edge.items() if len(pages) >= FURNITURE_MIN_PAGES and n >= max(2, len(pages) // 2)}
    out = []
    for lines in pages:
        keep = []
        for i, ln in enumerate(lines):
            at_edge = i < EDGE_LINES or i >= len(lines) - EDGE_LINES
            t = ln.text.strip()
            if at_edge and not ln.table and (PAGE_NUMBER.match(t) or _furniture_key(t) in repeated):
                continue
            keep.append(ln)
        out.append(keep)
    return out


def undouble(text: str) -> str:
    """Fake bold draws each glyph twice: '鹤鹤岗岗市市' → '鹤岗市'."""
    if len(text) >= DOUBLED_MIN_CHARS and len(text) % 2 == 0 and all(text[i] == text[i + 1] for i in range(0, len(text), 2)):
        return text[::2]
    return text


def _metrics(lines: list[Line]):
    body = [ln for ln in lines if not ln.table and len(ln.text) >= BODY_LINE_MIN_CHARS]
    if not body:
        return None
    left = min(ln.x0 for ln in body)
    right = max(ln.x1 for ln in body)
    widths = sorted((ln.x1 - ln.x0) / max(1, _cells(ln.text)) for ln in body)
    return left, right, widths[len(widths) // 2]


def _cells(text: str) -> float:
    return sum(ASCII_CELL if ord(c) < 128 else 1.0 for c in text)


# Heading markers are segment's (patterns/lexicon/headings.yaml): a line that starts with one is never joined
# to the line before it, and a line that is only a marker is joined to the next.
_MARKERS = "|".join(f"(?:{m['pattern']})" for m in data.load("lexicon/headings.yaml")["markers"])
_MARKER_ONLY = regex.compile(f"^(?:{_MARKERS})$")
_HEADING = regex.compile(f"^(?:{_MARKERS})")


def same_row(lines: list[Line]) -> list[Line]:
    """Pieces of one visual line that the PDF's text layer split at a wide gap (justified '1.   标题')."""
    out: list[Line] = []
    for ln in lines:
        if out and not ln.table and not out[-1].table and abs(ln.top - out[-1].top) < SAME_ROW_TOLERANCE \
                and ln.x0 >= out[-1].x1 - SAME_ROW_OVERLAP:
            prev = out[-1]
            out[-1] = Line(text=prev.text + " " + ln.text.strip(), x0=prev.x0, x1=ln.x1, top=prev.top)
        else:
            out.append(ln)
    return out


@functools.lru_cache(maxsize=1)
def _join_spec():
    spec = data.load("normalize.yaml")["join_lines"]
    return tuple(spec["title_endings"]), spec["addressee_max_len"]


def _keeps_own_line(prev: str, t: str) -> bool:
    """An addressee line (市政府教育督导委员会办公室：) or what follows a title stays on its own line."""
    titles, addressee_max = _join_spec()
    return (t.endswith(("：", ":")) and len(t) <= addressee_max) or prev.endswith(titles)


def assemble(pages: list[list[Line]]) -> tuple[str, tuple]:
    """Page texts joined into one text; returns (text, offsets where pages 2, 3 … start)."""
    parts, starts = [], []
    prev_full = False
    prev_text = ""
    length = 0
    pages = [same_row(lines) for lines in pages]
    for p, lines in enumerate(pages):
        m = _metrics(lines)
        steps = sorted(b.top - a.top for a, b in zip(lines, lines[1:]) if b.top > a.top)
        step = steps[len(steps) // 2] if steps else 0.0
        page_text = []
        for i, ln in enumerate(lines):
            t = ln.text.strip()
            if not t:
                continue
            if m:
                left, right, cw = m
                indented = ln.x0 > left + INDENT_CW * cw
                full = ln.x1 >= right - FULL_LINE_CW * cw
            else:
                indented, full = True, False
            # A wider gap above a line starts a paragraph, as block-style documents separate them.
            gap = i > 0 and step > 0 and ln.top - lines[i - 1].top > PARAGRAPH_GAP_STEPS * step
            cont = prev_full and not indented and not gap and not ln.table and not _HEADING.match(t) \
                and not _keeps_own_line(prev_text, t)
            if _MARKER_ONLY.match(prev_text) and not ln.table:
                cont = True          # '1.' wrapped onto a line of its own: its title follows
            if page_text or parts:
                sep = "" if cont else "\n"
            else:
                sep = ""
            page_text.append(sep + t)
            prev_full = full and not ln.table
            prev_text = t
        chunk = "".join(page_text)
        if p > 0:
            starts.append(length)
        parts.append(chunk)
        length += len(chunk)
    return "".join(parts), tuple(starts)


# ---------- tables ----------

_UNIT_IN_HEADER = regex.compile(r"^(.*?)[（(]\s*([^（）()]{1,4})\s*[)）]$")
_PERIODISH = regex.compile(data.load("lexicon/readers.yaml")["period_header"])
_BARE_NUMBER = regex.compile(r"^[\d,，.]+$")


def table_sentences(rows: list[list[str]]) -> list[str]:
    """One sentence per row: each cell is said with its row and column headers.

    [指标, 2023年] / [学前三年毛入园率, 97.40%] → 2023年学前三年毛入园率97.40%。
    [学校, 在校生（人）] / [红旗一校, 800] → 红旗一校在校生800人。
    """
    rows = [[re.sub(r"\s+", "", c or "") for c in r] for r in rows if any((c or "").strip() for c in r)]
    if len(rows) < 2 or len(rows[0]) < 2:
        return ["；".join(c for c in r if c) + "。" for r in rows]
    header = rows[0]
    out = []
    for row in rows[1:]:
        name, name_unit = _split_unit(row[0])
        parts = []
        for h, cell in zip(header[1:], row[1:]):
            if not cell:
                continue
            col, col_unit = _split_unit(h)
            unit = col_unit or name_unit
            if unit and _BARE_NUMBER.match(cell):
                cell = cell + unit
            parts.append(f"{col}{name}{cell}" if _PERIODISH.match(col) else f"{name}{col}{cell}")
        if parts:
            out.append("；".join(parts) + "。")
    return out


def _split_unit(h: str) -> tuple[str, str]:
    m = _UNIT_IN_HEADER.match(h)
    return (m.group(1), m.group(2)) if m else (h, "")
