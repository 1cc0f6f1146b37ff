"""Normalize OCR and conversion noise, keeping a map from every character back to the original.

The rewrites themselves are data (patterns/normalize.yaml); this module only applies them.
"""
from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass

import regex

from .. import data
from . import furniture


@dataclass(frozen=True)
class NormText:
    original: str
    text: str
    omap: tuple          # omap[i] = index in original of text[i]

    def to_original(self, nstart: int, nend: int) -> tuple[int, int]:
        """Original [start, end) covering normalized [nstart, nend)."""
        if nend <= nstart:
            o = self.omap[nstart] if nstart < len(self.omap) else len(self.original)
            return o, o
        return self.omap[nstart], self.omap[nend - 1] + 1


def _apply(text: str, omap: list, pattern, repl) -> tuple[str, list]:
    return _replace(text, omap, ((m.start(), m.end(), repl(m) if callable(repl) else repl) for m in pattern.finditer(text)))


def _replace(text: str, omap: list, edits) -> tuple[str, list]:
    """Each (start, end, new) of edits (in text order, not overlapping) applied, the map kept (no edits: the same
    text and map, not copies)."""
    edits = iter(edits)
    first = next(edits, None)
    if first is None:
        return text, omap
    out, omap_out, pos = [], [], 0
    for start, end, new in itertools.chain((first,), edits):
        out.append(text[pos:start])
        omap_out.extend(omap[pos:start])
        old_len = end - start
        if len(new) == old_len:
            omap_out.extend(omap[start:end])
        else:
            # Shorter or longer: new characters stand for the start of what they replace.
            omap_out.extend(omap[start + min(i, old_len - 1)] for i in range(len(new)))
        out.append(new)
        pos = end
    out.append(text[pos:])
    omap_out.extend(omap[pos:])
    return "".join(out), omap_out


@functools.lru_cache(maxsize=1)
def _compiled():
    spec = data.load("normalize.yaml")
    table = str.maketrans(spec["translate"])
    # one character for one, none made into another that is replaced: each replaced in turn where it occurs (str.replace
    # finds a character in C; str.translate looks every character of a Chinese text up in the table)
    pairs = tuple(spec["translate"].items())
    if not all(len(a) == 1 and len(b) == 1 for a, b in pairs) or {b for _, b in pairs} & {a for a, _ in pairs}:
        pairs = None
    rewrites = [(r["name"], data.compile(r["pattern"], regex.M), r["replace"]) for r in spec["rewrites"]]
    rows = dict(spec["table_rows"], gap=data.compile(spec["table_rows"]["gap"]),
                value_cell=data.compile(spec["table_rows"]["value_cell"]),
                glued_row=data.compile(spec["table_rows"]["glued_row"]),
                wide_run=data.compile(spec["table_rows"]["wide_run"]),
                wide_single=data.compile(spec["table_rows"]["wide_single"]))
    pipes = {k: data.compile(v) for k, v in spec["pipe_tables"].items()}
    return (table, pairs), rewrites, spec["join_lines"], rows, pipes


@functools.lru_cache(maxsize=1)
def heading_marker():
    spec = data.load("lexicon/headings.yaml")
    return data.compile("^(?:" + "|".join(m["pattern"] for m in spec["markers"]) + ")")


def normalize(original: str) -> NormText:
    (table, pairs), rewrites, join, rows, pipes = _compiled()
    text, omap = _wide_gaps(original, list(range(len(original))), rows)
    text = text.translate(table) if pairs is None else _translate(text, pairs)   # one for one: the map stays
    text, omap = _tab_cells(text, omap, rows)
    text, omap = _replace(text, omap, furniture.edits(text))
    text, omap = _pipe_cells(text, omap, pipes)
    text, omap = _table_cells(text, omap, rows)
    for _name, pattern, repl in rewrites:
        text, omap = _apply(text, omap, pattern, repl)
    text, omap = _join_lines(text, omap, join)
    return NormText(original=original, text=text, omap=tuple(omap))


def _translate(text: str, pairs) -> str:
    for a, b in pairs:
        if a in text:
            text = text.replace(a, b)
    return text


_BREAK = data.compile(r"\n(?:\s*\n)*")
_CUT_DECIMAL = data.compile(r"\d\.$")


def _pipe_cells(text: str, omap: list, spec) -> tuple[str, list]:
    """A markdown table (| 指标 | 小学 | 初中 |) as a table written as text: its rule line (|---|---|) gone, its
    pipes runs of spaces between cells, which _table_cells then reads as any other."""
    if "|" not in text:
        return text, omap
    text, omap = _apply(text, omap, spec["rule"], "")
    edits = []
    for row in spec["row"].finditer(text):
        pipes = list(spec["pipe"].finditer(text, row.start(), row.end()))
        for m, after in zip(pipes, pipes[1:] + [None]):
            gap = _PIPE_GAP if 0 < m.start() - row.start() and m.end() < row.end() else ""
            # an empty cell (| | 2.学校党建 |, | 合计 | | 100 |) keeps its place, so each cell stays under its header
            empty = after is not None and after.start() == m.end()
            edits.append((m.start(), m.end(), gap + _EMPTY_CELL if empty else gap))
    return _replace(text, omap, edits) if edits else (text, omap)


_PIPE_GAP = "  "            # two spaces: a gap between two cells (normalize.yaml table_rows)
_EMPTY_CELL = "\u2014"      # a dash, as tables write a cell with nothing to say: a word, no value

def _wide_gaps(text: str, omap: list, spec) -> tuple[str, list]:
    """A row of a table aligned with ideographic spaces (１　　学前三年毛入园率　　≥８５％　　９５．２％) may part two
    cells with one (序号　评估指标): there, in a line with runs of them between its cells, one is a gap too."""
    if "\u3000" not in text:
        return text, omap
    edits, pos = [], 0
    for line in text.split("\n"):
        if len(spec["wide_run"].findall(line.strip())) >= spec["min_gaps"]:
            edits += [(pos + m.start(), pos + m.end(), m.group() * 2) for m in spec["wide_single"].finditer(line)]
        pos += len(line) + 1
    return _replace(text, omap, edits) if edits else (text, omap)


def _tab_cells(text: str, omap: list, spec) -> tuple[str, list]:
    """Tabs (a Word table saved as text: 指标\t2022年\t2023年): in a line with as many as a row's gaps, each run of
    them a gap between cells, which _table_cells then reads as any other; elsewhere each tab one space."""
    if "\t" not in text:
        return text, omap
    edits, pos = [], 0
    for line in text.split("\n"):
        if line.count("\t") >= spec["min_gaps"]:
            edits += [(pos + m.start(), pos + m.end(), _PIPE_GAP) for m in _TAB_RUN.finditer(line)]
        else:
            edits += [(pos + i, pos + i + 1, " ") for i, c in enumerate(line) if c == "\t"]
        pos += len(line) + 1
    return _replace(text, omap, edits)


_TAB_RUN = data.compile(r" *\t[ \t]*")


def _table_cells(text: str, omap: list, spec) -> tuple[str, list]:
    """The runs of spaces between the cells of a table written as text, each one tab (normalize.yaml table_rows)."""
    lines = text.split("\n")
    row = [len(spec["gap"].findall(ln)) >= spec["min_gaps"] or bool(spec["glued_row"].fullmatch(ln.strip()))
           for ln in lines]
    starts = [0]
    for ln in lines:
        starts.append(starts[-1] + len(ln) + 1)
    edits, i = [], 0
    while i < len(lines):
        j = i
        while j < len(lines) and row[j]:
            j += 1
        if j - i >= spec["min_rows"] and any(spec["value_cell"].search(lines[k].strip()) for k in range(i, j)):
            edits += [(starts[k] + m.start(), starts[k] + m.end(), _CELL_GAP)
                      for k in range(i, j) for m in spec["gap"].finditer(lines[k])]
        i = j + 1
    return _replace(text, omap, edits) if edits else (text, omap)
_CELL_GAP = "\t"            # a table row's cells, parted by the rewrite of normalize.yaml


def _join_lines(text: str, omap: list, spec) -> tuple[str, list]:
    """Remove line breaks that cut a sentence (page ends, justified PDF lines, OCR lines)."""
    terminal = set(spec["terminal"])
    min_len = spec["min_prev_len"]
    addressee_max = spec["addressee_max_len"]
    titles = tuple(spec["title_endings"])
    lead_ins = tuple(spec["lead_in_endings"])
    marker = heading_marker()

    def repl(m):
        line_start = text.rfind("\n", 0, m.start()) + 1
        prev = text[line_start:m.start()]
        nxt_end = text.find("\n", m.end())
        nxt = text[m.end(): nxt_end if nxt_end >= 0 else len(text)]
        if not prev or not nxt or prev[-1] in terminal or _CELL_GAP in prev or _CELL_GAP in nxt:
            return m.group()          # a sentence ends, or a table row (its cells parted by tabs) stands alone
        if _CUT_DECIMAL.search(prev) and nxt[0].isdigit():
            return ""                 # 0. | 27、0.30: a number cut at its point, not a heading 27、
        if len(prev) < min_len or marker.match(nxt):
            return m.group()
        if marker.match(prev) and not any(c in prev for c in "。；"):
            return m.group()      # a heading line, not a sentence cut short
        if nxt[-1:] in ("：", ":") and len(nxt) <= addressee_max and not nxt.endswith(lead_ins) and "。" not in nxt:
            return m.group()
        if prev.endswith(titles) or not text[:line_start].strip():
            return m.group()      # the document's title
        return ""

    return _apply(text, omap, _BREAK, repl)
