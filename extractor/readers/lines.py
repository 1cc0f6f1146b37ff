"""Turn positioned lines (from a PDF's text layer, OCR or a table) into report text.

Shared by the PDF, OCR and OFD readers: running headers, footers and page numbers are
dropped, a page set in two columns is read column by column, lines broken by the column
width are joined into paragraphs (no space between CJK characters, nothing inserted inside
a number), and tables become sentences that carry their row and column headers, a table
that runs onto the next page read as one.
"""
from __future__ import annotations

import functools
import re
from collections import Counter
from dataclasses import dataclass, replace


from .. import data


MAX_PAGES = 2000        # pages a file may have (a city's compilation of county reports is a few hundred)


@dataclass(frozen=True)
class Line:
    """A line, or a piece of one: the readers split a visual line at a wide gap (a column gutter, or
    '1.   标题' set justified), and give the pieces of one line the same `top`."""
    text: str
    x0: float
    x1: float
    top: float          # distance from the top of the page (one anchor per reader); grows downward
    table: bool = False  # a table row, already a sentence (or a whole table, in `cells`): never joined to its neighbours
    column: int = 0     # 1 or 2 on a page read in two columns; 0 for one column and what spans both
    cells: tuple = ()   # a table's rows of cells (None for a cell merged into the one above), said by `say_tables`


PAGE_NUMBER = data.compile(data.load("lexicon/readers.yaml")["page_number"])
_DIGITS = re.compile(r"\d+")

# Geometry of a page, in PDF points or in character widths (cw) of the page's body text.
EDGE_LINES = 2                # lines at the top and the bottom of a page where running heads and page numbers stand
FURNITURE_MIN_PAGES = 3       # a line repeated at the edge counts as furniture only in documents this long
BODY_LINE_MIN_CHARS = 8       # shorter lines say nothing about the page's margins
RIGHT_MARGIN_LINES = 3        # lines that end at the right margin
ASCII_CELL = 0.55             # an ASCII character is about half as wide as a Han character
SAME_ROW_TOLERANCE = 2.0      # pieces whose tops differ by less than this are on one visual row
SAME_ROW_OVERLAP = 1          # and may overlap horizontally by this much
INDENT_CW = 1.2               # a line starting this far right of the left margin is indented (a new paragraph)
FULL_LINE_CW = 1.6            # a line ending this close to the right margin is full (its paragraph goes on)
PARAGRAPH_GAP_STEPS = 1.6     # a gap above a line wider than this many usual line steps starts a paragraph
PIECE_GAP = 1.2               # a gap wider than this many type heights cuts a line in pieces (a gutter is wider)
DOUBLED_MIN_CHARS = 4         # fake bold ('鹤鹤岗岗') is recognised from this length


def furniture_key(text: str) -> str:
    """A line as furniture is compared: without spaces, its numbers any number (第3页 and 第4页 are one line)."""
    return _DIGITS.sub("#", re.sub(r"\s+", "", text))


def repeated(count: Counter, pages: int) -> set:
    """The keys at the edge of enough pages to be furniture (a running head), in a document long enough to tell."""
    return {k for k, n in count.items() if pages >= FURNITURE_MIN_PAGES and n >= max(2, pages // 2)}


def _edge(lines: list[Line]) -> set[int]:
    """Indexes of the lines on the page's EDGE_LINES top and bottom rows, by position (a generator may
    draw its header and footer first or last)."""
    tops = sorted({round(ln.top / SAME_ROW_TOLERANCE) for ln in lines if not ln.table})
    edge = set(tops[:EDGE_LINES] + tops[-EDGE_LINES:])
    return {i for i, ln in enumerate(lines) if not ln.table and round(ln.top / SAME_ROW_TOLERANCE) in edge}


def strip_furniture(pages: list[list[Line]]) -> list[list[Line]]:
    """Drop page numbers and lines repeated at the top or bottom of many pages: whole rows ('兴安区 第3页
    共13页') and pieces of a row (the county at the left, the page number at the right)."""
    edges = [_edge(lines) for lines in pages]
    count = Counter()
    for lines, edge in zip(pages, edges):
        count.update(k for k in {furniture_key(lines[i].text) for i in edge} | _row_keys(lines, edge) if k)
    at_edges = repeated(count, len(pages))
    out = []
    for lines, edge in zip(pages, edges):
        rows = _row_keys(lines, edge, by_line=True)
        out.append([ln for i, ln in enumerate(lines) if i not in edge or not _is_furniture(ln.text, rows[i], at_edges)])
    return out


def _row_keys(lines: list[Line], edge: set, by_line: bool = False):
    """The furniture key of each edge row, its pieces joined left to right (per line index with by_line)."""
    rows: dict = {}
    for i in sorted(edge, key=lambda i: lines[i].x0):
        rows.setdefault(round(lines[i].top / SAME_ROW_TOLERANCE), []).append(i)
    keys = {r: furniture_key("".join(lines[i].text for i in idx)) for r, idx in rows.items()}
    if by_line:
        return {i: (keys[r], "".join(lines[j].text for j in idx).strip()) for r, idx in rows.items() for i in idx}
    return set(keys.values())


def _is_furniture(text: str, row: tuple, at_edges: set) -> bool:
    row_key, row_text = row
    t = text.strip()
    return bool(PAGE_NUMBER.match(t) or PAGE_NUMBER.match(row_text) or furniture_key(t) in at_edges
                or row_key in at_edges)


def cut(words: list[tuple[float, float, float]]) -> list[tuple[int, int]]:
    """Ranges [i, j) of a line's words (x0, x1, type height), left to right, that stand together: a gap
    wider than PIECE_GAP heights between two words cuts the line there."""
    out, start = [], 0
    for k in range(1, len(words)):
        if words[k][0] - words[k - 1][1] > PIECE_GAP * max(words[k][2], words[k - 1][2]):
            out.append((start, k))
            start = k
    return out + [(start, len(words))] if words else []


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
    widths = sorted((ln.x1 - ln.x0) / max(1, _cells(ln.text)) for ln in body)
    cw = widths[len(widths) // 2]
    # The right margin: where full lines end, several of them; a line or two that overran it (a generator
    # that fits text by an estimate) do not move it.
    ends = sorted((ln.x1 for ln in body), reverse=True)
    support = min(RIGHT_MARGIN_LINES, len(ends))
    right = next((x for x in ends if sum(abs(e - x) <= cw / 2 for e in ends) >= support), ends[0])
    return left, right, cw


def _cells(text: str) -> float:
    return sum(ASCII_CELL if ord(c) < 128 else 1.0 for c in text)


# Heading markers are segment's (patterns/lexicon/headings.yaml): a line that starts with one is never joined
# to the line before it, and a line that is only a marker is joined to the next.
_MARKERS = "|".join(f"(?:{m['pattern']})" for m in data.load("lexicon/headings.yaml")["markers"])
_MARKER_ONLY = data.compile(f"^(?:{_MARKERS})$")
_HEADING = data.compile(f"^(?:{_MARKERS})")


def same_row(lines: list[Line]) -> list[Line]:
    """Pieces of one visual line that the PDF's text layer split at a wide gap (justified '1.   标题')."""
    out: list[Line] = []
    for ln in lines:
        if out and not ln.table and not out[-1].table and abs(ln.top - out[-1].top) < SAME_ROW_TOLERANCE \
                and ln.x0 >= out[-1].x1 - SAME_ROW_OVERLAP and ln.column == out[-1].column:
            prev = out[-1]
            out[-1] = replace(prev, text=prev.text + " " + ln.text.strip(), x1=ln.x1)
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


def page_text(pages: list[list[Line]]) -> tuple[str, tuple]:
    """The report text of pages of positioned lines (see `assemble`): furniture dropped, columns and tables read."""
    return assemble(say_tables([reading_order(lines) for lines in strip_furniture(pages)]))


# ---------- two columns ----------

GUTTER_MIN_CW = 1.0           # a gutter is at least this wide
GUTTER_MIN_LINES = 4          # and has at least this many lines on each side
GUTTER_LONG_SHARE = 0.5       # most of which are long (a table's label and number columns are not)
GUTTER_SPAN_SHARE = 0.25      # at most this share of the lines may cross it (a title, a table across the page)
GUTTER_OVERLAP = 0.5          # the two columns stand side by side over this share of the shorter one


def reading_order(lines: list[Line]) -> list[Line]:
    """A page set in two columns, read as it is read: what spans both columns in its place, and between
    such lines the left column top to bottom, then the right. Any other page stays as it came."""
    g = _gutter(lines)
    if g is None:
        return lines
    g0, g1 = g
    side = [0 if ln.x0 < g1 and ln.x1 > g0 else (1 if ln.x1 <= g1 else 2) for ln in lines]
    tagged = sorted((replace(ln, column=c) for ln, c in zip(lines, side)), key=lambda ln: ln.top)
    out: list[Line] = []
    band: list[Line] = []
    for ln in tagged + [None]:
        if ln is None or ln.column == 0:
            out += _in_rows([b for b in band if b.column == 1]) + _in_rows([b for b in band if b.column == 2])
            band = []
            if ln is not None:
                out.append(ln)
        else:
            band.append(ln)
    return out


def _in_rows(lines: list[Line]) -> list[Line]:
    """Lines of one column top to bottom, the pieces of a row left to right."""
    rows: list[list[Line]] = []
    for ln in sorted(lines, key=lambda ln: ln.top):
        if rows and abs(ln.top - rows[-1][0].top) < SAME_ROW_TOLERANCE:
            rows[-1].append(ln)
        else:
            rows.append([ln])
    return [ln for row in rows for ln in sorted(row, key=lambda ln: ln.x0)]


def _gutter(lines: list[Line]):
    """(x0, x1) of the empty band down the middle of a two-column page, or None."""
    text = [ln for ln in lines if not ln.table and ln.text.strip()]
    m = _metrics(text)
    if len(text) < 2 * GUTTER_MIN_LINES or not m:
        return None
    cw = m[2]
    left = min(ln.x0 for ln in text)
    cover = [0] * (int(max(ln.x1 for ln in text) - left) + 2)        # lines over each unit of x
    for ln in lines:
        cover[min(len(cover) - 1, max(0, int(ln.x0 - left)))] += 1
        cover[min(len(cover) - 1, max(0, int(ln.x1 - left) + 1))] -= 1
    for i in range(1, len(cover)):
        cover[i] += cover[i - 1]
    lo, hi = len(cover) // 4, 3 * len(cover) // 4     # a gutter stands in the middle half
    least = min(cover[lo:hi])
    runs, start = [], None
    for i in range(lo, hi + 1):
        if i < hi and cover[i] == least:
            start = i if start is None else start
        elif start is not None:
            runs.append((i - start, start, i))
            start = None
    width, a, b = max(runs)
    g0, g1 = left + a, left + b
    if width < GUTTER_MIN_CW * cw or least > GUTTER_SPAN_SHARE * len(text):
        return None
    sides = [[ln for ln in text if ln.x1 <= g1], [ln for ln in text if ln.x0 >= g0]]
    for col in sides:
        if len(col) < GUTTER_MIN_LINES or sum(len(ln.text) >= BODY_LINE_MIN_CHARS for ln in col) < GUTTER_LONG_SHARE * len(col):
            return None
    (a0, a1), (b0, b1) = [(min(ln.top for ln in c), max(ln.top for ln in c)) for c in sides]
    if min(a1, b1) - max(a0, b0) < GUTTER_OVERLAP * min(a1 - a0, b1 - b0):
        return None
    return g0, g1


def assemble(pages: list[list[Line]]) -> tuple[str, tuple]:
    """Page texts joined into one text; returns (text, offsets where pages 2, 3 … start)."""
    parts, starts = [], []
    prev_full = False
    prev_text = ""
    length = 0
    pages = [same_row(lines) for lines in pages]
    for p, lines in enumerate(pages):
        metrics = {c: _metrics([ln for ln in lines if ln.column == c]) for c in {ln.column for ln in lines}}
        steps = sorted(b.top - a.top for a, b in zip(lines, lines[1:]) if b.top > a.top)
        step = steps[len(steps) // 2] if steps else 0.0
        page_text = []
        for i, ln in enumerate(lines):
            t = ln.text.strip()
            if not t:
                continue
            m = metrics[ln.column]
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

_UNIT_IN_HEADER = data.compile(r"^(.*?)[（(]\s*([^（）()]{1,4})\s*[)）]$")
_PERIODISH = data.compile(data.load("lexicon/readers.yaml")["period_header"])
_BARE_NUMBER = data.compile(r"^[\d,，.]+$")


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


TABLE_ROW_STEP = 0.01         # rows of one table keep their order below its top
TABLE_SAME_EXTENT = 0.8       # a table on the next page continues this one if they overlap this much across


@dataclass
class _Table:
    page: int
    at: int                   # index among the page's lines
    header: list
    rows: list


def say_tables(pages: list[list[Line]]) -> list[list[Line]]:
    """Each table (a line with `cells`) replaced by one sentence line per row. A table that ends a page
    and one that starts the next with as many columns, as wide, are one table: the second takes the
    first's header (dropped where it is drawn again), a row label merged down over the break, and the
    part of a row that the break cut off."""
    tables: dict = {}
    last = None
    for p, lines in enumerate(pages):
        for i, ln in enumerate(lines):
            if not ln.cells:
                continue
            rows = _clean(ln.cells)
            if not rows:
                continue
            first = all(not x.text.strip() and not x.cells for x in lines[:i])
            if first and last is not None and _continues(pages[last.page][last.at], ln, last):
                tables[p, i] = _Table(p, i, last.header, _continued(last, rows))
            else:
                tables[p, i] = _Table(p, i, rows[0], _fill_down(rows[1:]))
        last = _last_table(pages[p], p, tables)
    return [_said(lines, p, tables) for p, lines in enumerate(pages)]


def _clean(cells) -> list[list]:
    """Rows without white space in their cells (None kept: a merged cell), blank rows dropped."""
    rows = [[None if c is None else re.sub(r"\s+", "", c) for c in r] for r in cells]
    return [r for r in rows if any(r)]


def _fill_down(rows: list[list], label=None) -> list[list]:
    """A row label merged over several rows (None below its first row) given to each of them."""
    out = []
    for r in rows:
        if r and r[0] is None and label:
            r = [label] + r[1:]
        label = r[0] if r and r[0] else label
        out.append(r)
    return out


def _last_table(lines: list[Line], p: int, tables: dict):
    """The table that ends the page (nothing but blank lines after it), or None."""
    for i in range(len(lines) - 1, -1, -1):
        if (p, i) in tables:
            return tables[p, i]
        if lines[i].text.strip() or lines[i].cells:
            return None
    return None


def _continues(before: Line, ln: Line, table: _Table) -> bool:
    width = max(len(r) for r in _clean(ln.cells))
    overlap = min(before.x1, ln.x1) - max(before.x0, ln.x0)
    return width == len(table.header) and overlap >= TABLE_SAME_EXTENT * min(before.x1 - before.x0, ln.x1 - ln.x0)


def _continued(table: _Table, rows: list[list]) -> list[list]:
    """The rows of a table's part on the next page, read with the part before the break."""
    if rows and rows[0] == table.header:
        rows = rows[1:]                                   # the header drawn again on the new page
    if not rows or rows[0][0] or not table.rows:
        return _fill_down(rows, _label(table))
    prev, head = table.rows[-1], rows[0]
    filled = {k for k, c in enumerate(head) if c and k}
    if filled and filled < {k for k, c in enumerate(prev) if c and k}:
        # Fewer cells than the row before: the rest of a row the break cut (a row under a label merged
        # over the break has them all). Joined to its start, on the page where its numbers are.
        joined = [(a or "") + (b or "") for a, b in zip(prev, head)]
        if any(ch.isdigit() for c in head if c for ch in c):
            table.rows.pop()
            return _fill_down([joined] + rows[1:], _label(table))
        table.rows[-1] = joined
        rows = rows[1:]
    label = _label(table)
    return _fill_down([[label] + r[1:] if not r[0] and label else r for r in rows[:1]] + rows[1:], label)


def _label(table: _Table):
    return next((r[0] for r in reversed(table.rows) if r and r[0]), None)


def _said(lines: list[Line], p: int, tables: dict) -> list[Line]:
    out = []
    for i, ln in enumerate(lines):
        if (p, i) not in tables:
            if not ln.cells:
                out.append(ln)
            continue
        t = tables[p, i]
        for k, sentence in enumerate(table_sentences([t.header] + t.rows)):
            out.append(replace(ln, text=sentence, top=ln.top + k * TABLE_ROW_STEP, cells=()))
    return out
