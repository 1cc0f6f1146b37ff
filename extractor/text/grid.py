"""Tables written as lines of text: cells parted by runs of spaces, which normalize turns into one tab each
(patterns/normalize.yaml). A row's first cell is its label, which may give the unit in brackets (生均教学及辅助用房面积
（平方米））; the first row of a table whose cells after the label are words is its header. Each cell knows its
row label, the unit its numbers are in, and its column's header: what the number measures without a sentence.
"""
from __future__ import annotations

import bisect
import functools
from dataclasses import dataclass

import regex

from .. import data

CELL_GAP = "\t"          # what normalize makes of the spaces between two cells
MIN_GAPS = 2             # a line with fewer is prose, not a row of cells

_UNIT_IN_LABEL = data.compile(r"^(?P<label>.*?)[（(]\s*(?P<unit>[^（）()]{1,5})\s*[)）]$")
# A number glued to the label it follows (教师数（人）0.97, where the spaces before it were one or none)
_GLUED_NUMBER = data.compile(r"(?<=[^\d.,:：≥≤＞＜<>A-Za-z])(?=[≥≤＞＜<>]?\d[\d.,:%]*\s*$)")   # not a code (A1 职责…)
_NUMBER_CELL = data.compile(r"(?P<sign>[≥≤＞＜<>]?)(?P<num>\d+(?:,\d{3})*(?:\.\d+)?)")
_VALUE = data.compile(r"[≥≤＞＜<>]?\d[\d.,:]*%?")      # a cell that is a value (2476, 91.20%, ≥85%, 1:15), not a word


@dataclass(frozen=True)
class Cell:
    start: int            # the cell's text in the normalized text
    end: int
    label: str            # the row's label, without the unit in brackets
    unit: str             # the unit its label or column gives in brackets, else ""
    column: str           # its column's header ("" when the table has none or the row has more cells)
    year: str = ""        # the year its column's header or else the table's title names (2022年, 表1…2021年…情况)
    measure: str = ""     # the measure the table's title names at its end (表3 …校际差异系数): each cell that of its row
    topic: str = ""       # what the title says the table gives (…按在校学生人数平均的一般公共预算教育支出情况如下)


@functools.lru_cache(maxsize=1)
def lexicon() -> dict:
    return data.load("lexicon/indicators.yaml")["table"]


@functools.lru_cache(maxsize=4)
def cells(text: str) -> tuple:
    """Every data cell of every table in the normalized text, in text order."""
    if CELL_GAP not in text:
        return ()
    out, header, title, last = [], None, "", ""
    pos = 0
    for line in text.split("\n"):
        start, pos = pos, pos + len(line) + 1
        parts = _parts(line, start) if CELL_GAP in line else []
        if line.count(CELL_GAP) < MIN_GAPS and not _glued_row(parts):
            header, last = None, line.strip() or last
            continue
        if header is None:
            title = last                            # the line above a table: its title
            if not any(_VALUE.fullmatch(t) for t, _, _ in parts[1:]):
                header = [t for t, _, _ in parts]   # a table's first row, of words (2022年, 评估标准): its header
                continue
        if header and not any(_VALUE.fullmatch(t) for t, _, _ in parts) and _subheads(header, parts):
            header = _subheads(header, parts)      # 学校数（所） | 在校生（人） over 幼儿园 | 小学 | … : one header
            continue
        header = header or []
        heads = header
        if len(parts) == len(header) - 1 and (header[-1].strip() in lexicon()["remark_columns"]
                                             or regex.fullmatch(lexicon()["change_columns"], header[-1].strip())):
            heads = header[:-1]                     # …| 5 | 5.5 | | : the remarks (or change) column left empty
        if _grouped(heads):                        # 普及普惠水平 | 学前三年毛入园率 | ≥85% …, then 普惠性… | ≥80% …
            heads, parts = heads[1:], _ungrouped(parts) if len(parts) == len(heads) else parts
        out += _row(parts, heads, _year(title), _title_unit(title), _title_measure(title), _title_topic(title))
    return tuple(out)


def _subheads(header: list, parts: list) -> list:
    """A second row of words under a first that groups it (县（区） | 学校数（所） | 在校生（人）, then 幼儿园 | 小学 | 初中 |
    在园幼儿 | 小学 | 初中): the groups parting the columns evenly, each column its own words with its group's unit in
    brackets; [] when the rows do not fit so."""
    groups, subs = header[1:], [t for t, _, _ in parts]
    if len(groups) < 1 or len(subs) <= len(groups) or len(subs) % len(groups):
        return []
    width = len(subs) // len(groups)
    out = [header[0]]
    for k, sub in enumerate(subs):
        group, unit = _split_unit(groups[k // width])
        name, own = _split_unit(sub)
        out.append(f"{name}{group}（{own or unit}）" if own or unit else f"{name}{group}")     # 小学在校生（人）
    return out


def _grouped(header: list) -> bool:
    """The table's first column groups its rows and its second names each row's indicator."""
    lx = lexicon()
    return len(header) > 2 and header[0].strip() in lx["group_columns"] and header[1].strip() in lx["label_columns"]


def _ungrouped(parts: list) -> list:
    """A row without its group's cell; a row that names no item (合计 | — | 100 | 97.3) keeps its own label."""
    return [parts[0]] + parts[2:] if parts[1][0].strip() in lexicon()["empty_cells"] else parts[1:]


def _glued_row(parts: list) -> bool:
    """A row whose label and first number are glued (普通高中…（元/生·年）18760  19646): one gap short, but as many
    cells as a row, each after the label a value."""
    return len(parts) > MIN_GAPS and all(_VALUE.fullmatch(t) for t, _, _ in parts[1:])


def _title_unit(title: str) -> str:
    """The unit a table's title gives all its numbers at its end (…一般公共预算教育支出情况（亿元）), or in a 单位
    aside (…情况如下（单位：元）：), else ""."""
    for m in (_UNIT_IN_LABEL.match(title.strip()), regex.search(lexicon()["unit_aside"], title)):
        if m and m.group("unit").strip() in lexicon()["title_units"]:
            return m.group("unit").strip()
    return ""


def _title_measure(title: str) -> str:
    """A measure the title names at its end (表3 新湾区义务教育学校资源配置校际差异系数): every number of the table is
    that measure of its row's indicator, not the indicator's value; else ""."""
    t = _split_unit(title.strip())[0].strip()
    return next((w for w in lexicon()["measure_words"] if t.endswith(w)), "")


def _title_topic(title: str) -> str:
    """The measure a title names (2024年，全省按在校学生人数平均的…支出情况如下（单位：元）：): its words without
    the table's number, years, area, unit and the words that announce a table; "" when little or much is left."""
    t = title.strip()
    for p in lexicon()["title_trim"]:
        t = regex.sub(p, "", t)
    lo, hi = lexicon()["title_topic_len"]
    return t if lo <= len(t) <= hi and not regex.search(r"\d", t) else ""


def _relative_year(column: str, title_year: str) -> str:
    """The year before the title's for a column of last year's figures (指标 | 上年 | 本年 | 变化)."""
    if title_year and regex.fullmatch(lexicon()["last_year_column"], column.strip()):
        return str(int(title_year) - 1)
    return ""


def _year(words: str) -> str:
    years = {m.group("year") for m in regex.finditer(lexicon()["year_in_header"], words)}
    return years.pop() if len(years) == 1 else ""


def _parts(line: str, start: int) -> list:
    """(text, start, end) of each cell of a row; a number glued to the label is a cell of its own."""
    parts, at = [], start
    for k, t in enumerate(line.split(CELL_GAP)):
        if k == 0:
            m = _GLUED_NUMBER.search(t)
            if m and m.start() > 0:
                parts += [(t[:m.start()], at, at + m.start()), (t[m.start():], at + m.start(), at + len(t))]
                at += len(t) + 1
                continue
        parts.append((t, at, at + len(t)))
        at += len(t) + 1
    return [p for p in parts if p[0].strip()]


def _row(parts: list, header, title_year: str, title_unit: str = "", title_measure: str = "", topic: str = "") -> list:
    header, parts = _without_index(header, _unit_unglued(header, parts))
    label, unit = _split_unit(parts[0][0])
    unit = unit or title_unit                       # 表1 …支出情况（亿元）: every cell's unit where its row names none
    heads = header[1:] if header and len(header) == len(parts) else None
    at = _unit_column(heads) if heads else None
    if at is not None and _UNIT_CELL.fullmatch(parts[1 + at][0]):
        unit = unit or parts[1 + at][0]            # 序号 | 指标 | 单位 | 小学标准 …: the row's unit in its own column
    out = []
    for k, (_t, s, e) in enumerate(parts[1:]):
        if k == at:
            continue
        column = heads[k] if heads else ""
        col_label, col_unit = _split_unit(column)
        col_unit = col_unit or next((u for w, u in lexicon()["column_units"].items() if col_label.endswith(w)), "")
        unitless = _unitless(col_label) or (_unitless(title_measure) and not _standard(col_label))
        row_year = _year(label) if regex.fullmatch(lexicon()["year_in_header"], label.strip()) else ""
        out.append(Cell(s, e, label, col_unit or ("" if unitless else unit), col_label,
                        _year(col_label) or row_year or _relative_year(col_label, title_year)
                        or ("" if _standard(col_label) else title_year),                  # a standard is timeless
                        title_measure, topic))
    return out


_UNIT_CELL = data.compile(r"\p{Han}{1,4}|[a-zA-Z²³/]{1,4}")
_UNIT_GLUED = data.compile(r"(?P<unit>\p{Han}{1,4})(?P<num>[≥≤＞＜<>]?\d[\d.,:]*%?)")


def _unit_column(heads: list):
    return next((k for k, h in enumerate(heads) if h.strip() in lexicon()["unit_columns"]), None)


def _unit_unglued(header, parts: list) -> list:
    """A unit cell and the number after it parted by one space only (平方米 4.5): two cells, where the header
    has a unit column and the row is one cell short."""
    if not header or len(parts) != len(header) - 1:
        return parts
    at = _unit_column(header)
    m = _UNIT_GLUED.fullmatch(parts[at][0]) if at is not None and at < len(parts) else None
    if m is None:
        return parts
    t, s, _e = parts[at]
    return parts[:at] + [(m.group("unit"), s, s + m.end("unit")), (m.group("num"), s + m.start("num"), s + len(t))] \
        + parts[at + 1:]


def _without_index(header, parts: list) -> tuple:
    """A table whose first column numbers its rows (序号 | 指标名称 | …): the row's label is its second cell."""
    if header and len(header) == len(parts) and len(parts) > 2 and header[0].strip() in lexicon()["index_columns"] \
            and regex.fullmatch(lexicon()["index_cell"], parts[0][0].strip()):
        return header[1:], parts[1:]
    return header, parts


def _split_unit(cell: str) -> tuple[str, str]:
    m = _UNIT_IN_LABEL.match(cell)
    return (m.group("label"), m.group("unit")) if m else (cell, "")


def _unitless(column: str) -> bool:
    return any(w in column for w in lexicon()["unitless"])


def cell_at(text: str, pos: int):
    """The data cell holding normalized position pos, or None."""
    cs = cells(text)
    i = bisect.bisect_right(_starts(text), pos) - 1
    return cs[i] if i >= 0 and cs[i].start <= pos < cs[i].end else None


@functools.lru_cache(maxsize=4)
def _starts(text: str) -> tuple:
    """The cells' starts, made once per text: every stage asks cell_at of every fact."""
    return tuple(c.start for c in cells(text))


def number_cell(text: str, cell: Cell):
    """(number start, number end, comparison sign) when the cell holds a bare number, else None."""
    m = _NUMBER_CELL.fullmatch(text, cell.start, cell.end)
    if not m:
        return None
    return m.start("num"), m.end("num"), m.group("sign")


def is_standard(cell: Cell) -> bool:
    """A column of the standards the row's values are held to (评估标准): no row's value."""
    return _standard(cell.column)


def row_is_holder(label: str) -> bool:
    """The row names whose figures they are (a kind of school, a school, a total), not what they measure."""
    return bool(regex.fullmatch(lexicon()["holder_rows"], label))


def _scores(cell: Cell) -> bool:
    return bool(regex.search(lexicon()["score_columns"], cell.column))


def holds(cell: Cell) -> bool:
    """The cell's row names whose figure it is (its subject): a holder row, unless the column scores the row (分值,
    自评得分 of 学前教育: the scheme's item scored, not the level's figure)."""
    return row_is_holder(cell.label) and not _scores(cell)


def holder(cell: Cell) -> str:
    """The row's holder as a subject: the school or kind of school; none for a total (合计)."""
    if not holds(cell) or regex.fullmatch(lexicon()["total_rows"], cell.label):
        return ""
    return cell.label


def _standard(column: str) -> bool:
    return any(w in column for w in lexicon()["standard_words"])


def indicator(cell: Cell, level_words) -> str:
    """What a cell's number measures: the row label, with the column's measure when the column names one
    (小学差异系数 → …差异系数), or the column's words when it holds standards (评估标准) or when the row is a kind
    of school or a total (幼儿园 | 在校（园）生 → 在校（园）生)."""
    column = level_words.sub("", cell.column)
    column = regex.sub(lexicon()["year_in_header"], "", column)
    if column and regex.fullmatch(lexicon()["year_in_header"], cell.label.strip()):
        return column                     # 年份 | 教育支出 | 增长 | 占比: a row a year, each column a measure
    if not column and cell.topic and cell.year and row_is_holder(cell.label):
        return cell.topic                 # 学段 | 2023年 | 2024年 under a title naming the measure: the level's figure
    if is_standard(cell) and column == lexicon()["bare_standard"] and not row_is_holder(cell.label):
        return cell.label + column        # 指标 | 小学标准: the standard of the row's indicator (…面积标准); a
                                          # column that names its standard (评估标准) is what it measures
    if is_standard(cell) or (column and (row_is_holder(cell.label) or _scores(cell))):
        return column                     # …| 分值 | 自评得分: each row's item scored, the column what is counted
    measure = next((w for w in lexicon()["measure_words"] if column.endswith(w)), "") or cell.measure
    return cell.label + measure if measure and not cell.label.endswith(measure) else cell.label
