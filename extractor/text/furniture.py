"""Page furniture in text that came as text (a PDF's text saved by another tool): the page numbers and running
heads at the edges of its pages (pages parted by form feeds), a page number in dashes anywhere (— 3 —), and line
numbers printed in the margin. Each is an edit (start, end, "") that normalize applies with its offset map.
"""
from __future__ import annotations

import functools
from collections import Counter

from .. import data
from ..readers.lines import PAGE_NUMBER, furniture_key, repeated

PAGE_BREAK = "\f"


@functools.lru_cache(maxsize=1)
def _spec() -> dict:
    spec = data.load("normalize.yaml")["furniture"]
    return {"dashed": data.compile(spec["dashed_page_number"]), "margin": data.compile(spec["margin_number"]),
            "margin_share": float(spec["margin_share"]), "margin_run": int(spec["margin_run"])}


def edits(text: str) -> list[tuple[int, int, str]]:
    """Every piece of furniture as an edit, in text order, none overlapping."""
    lines = _lines(text)
    gone = _edge_furniture(text, lines) | _dashed(text, lines)
    out = [(s, e + 1 if e < len(text) else e, "") for i, (s, e) in enumerate(lines) if i in gone]
    margin = _margin_numbers(text, [ln for i, ln in enumerate(lines) if i not in gone])
    return sorted(out + margin)


def _lines(text: str) -> list[tuple[int, int]]:
    """(start, end) of each line, its newline excluded."""
    out, pos = [], 0
    for line in text.split("\n"):
        out.append((pos, pos + len(line)))
        pos += len(line) + 1
    return out


def _pages(text: str, lines: list) -> list[list[int]]:
    """The indexes of each page's lines that carry text (a form feed opens a page)."""
    pages: list[list[int]] = [[]]
    for i, (s, e) in enumerate(lines):
        line = text[s:e]
        if PAGE_BREAK in line:
            pages.append([])
            line = line.split(PAGE_BREAK)[-1]
        if line.strip():
            pages[-1].append(i)
    return [p for p in pages if p]


def _edge_furniture(text: str, lines: list) -> set[int]:
    """A page's first or last line that is a page number, or that stands at the edge of many pages (a running
    head), as the PDF reader judges them (readers/lines.py): only in text with pages, where an edge is known."""
    if PAGE_BREAK not in text:
        return set()
    pages = _pages(text, lines)
    edges = [(p[0], p[-1]) for p in pages]
    said = {i: text[s:e].replace(PAGE_BREAK, "").strip() for edge in edges for i in edge for s, e in [lines[i]]}
    at_edges = repeated(Counter(k for edge in edges for k in {furniture_key(said[i]) for i in edge}), len(pages))
    return {i for i, t in said.items() if furniture_key(t) in at_edges or PAGE_NUMBER.match(t)}


def _dashed(text: str, lines: list) -> set[int]:
    """A line that is only a page number in dashes (— 3 —): never a figure, wherever it stands."""
    pattern = _spec()["dashed"]
    return {i for i, (s, e) in enumerate(lines) if pattern.fullmatch(text, s, e)}


def _margin_numbers(text: str, lines: list) -> list[tuple[int, int, str]]:
    """Line numbers in the margin: where most lines that carry text open with a number one more than the line
    before's (or 1, on a new page), in runs, those numbers and the spaces after them go. A table whose rows are
    numbered 1, 2, 3 is too few of a report's lines to pass."""
    spec = _spec()
    found = []
    for s, e in lines:
        if text[s:e].strip(" \f\r"):
            m = spec["margin"].match(text, s, e)
            found.append((int(m.group(1)), m.start(), m.end()) if m else None)
    counted, run = [], []
    for f in found + [None]:
        if f is not None and (not run or f[0] in (run[-1][0] + 1, 1)):
            run.append(f)
            continue
        if len(run) >= spec["margin_run"]:
            counted += run
        run = [f] if f is not None else []
    if not found or len(counted) < spec["margin_share"] * len(found):
        return []
    return [(start, end, "") for _, start, end in counted]
