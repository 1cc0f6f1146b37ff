"""A file that holds several reports (a compilation): where each report begins and ends.

A report begins at a title block: its title on a line of its own, with the file header, number and signer
above it. A title begins a new report only when it is confirmed, by what follows it (an addressee, an
opening such as 现将…报告如下) or by what precedes it (the report before signed off with a date), and when
the report before has a body; so a title repeated as a running header, listed in a table of contents or
quoted in a sentence splits nothing. Cues: patterns/lexicon/compilation.yaml.

Text before the first report of a compilation (a cover, a table of contents) belongs to no part: it would
lend the first report another title, issuer and level. A file with one report is never cut.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from itertools import accumulate

from .. import data


@dataclass(frozen=True)
class Part:
    """One report of a compilation: its place among the file's reports and its span of the file's text."""
    index: int            # 1, 2 … in the order of the file
    count: int            # reports in the file
    start: int            # offsets into the file's text
    end: int


@dataclass(frozen=True)
class _Line:
    start: int            # offset of the line in the text
    text: str             # without markdown marks and surrounding spaces


_PATTERNS = ("line_noise", "title", "title_excluded", "head_line", "fragment", "not_fragment", "addressee",
             "opening", "signoff_date", "page_title")


@functools.lru_cache(maxsize=1)
def lexicon() -> dict:
    spec = dict(data.load("lexicon/compilation.yaml"))
    for key in _PATTERNS:
        spec["_" + key] = data.compile(spec[key])
    return spec


def _lines(text: str) -> list[_Line]:
    """The non-blank lines of the text, cleaned, each with its offset."""
    noise, out, pos = lexicon()["_line_noise"], [], 0
    for raw in text.splitlines(keepends=True):
        clean = noise.sub("", raw)
        if clean:
            out.append(_Line(pos, clean))
        pos += len(raw)
    return out


def is_title(line: str) -> bool:
    """A report's title standing on a line of its own (not a sentence, a quotation or a contents line)."""
    lex = lexicon()
    if len(line) > lex["title_max"] or lex["_title_excluded"].search(line):
        return False
    m = lex["_title"].search(line)
    return m is not None and len(line) - m.end() <= lex["title_tail_max"]


def _head(lines: list[_Line], i: int) -> int:
    """The first line of the title block whose title is line i: the header lines above it, and one
    short line that the title continues."""
    lex = lexicon()
    k = i
    while k > 0 and i - k < lex["head_back"]:
        t = lines[k - 1].text
        if lex["_head_line"].search(t):
            k -= 1
        elif k == i and lex["_fragment"].match(t) and not lex["_not_fragment"].search(t):
            k -= 1
        else:
            break
    return k


def _opens(lines: list[_Line], i: int, titles: set) -> bool:
    """What follows title i opens a report: an addressee line, or an opening in the first lines. One more
    title line may come first (a title said twice); a second means a list of titles, not a report."""
    lex = lexicon()
    body, skipped = [], False
    for ln in lines[i + 1: i + 2 + lex["opening_lines"]]:
        if id(ln) in titles:
            if skipped or body:
                break
            skipped = True
            continue
        if not body and lex["_addressee"].match(ln.text):
            return True
        body.append(ln.text)
        if len(body) >= lex["opening_lines"]:
            break
    return bool(lex["_opening"].search("".join(body)[:lex["opening_chars"]]))


def _signed_before(lines: list[_Line], head: int) -> bool:
    """The report before line `head` ends with a sign-off date among its last lines."""
    lex = lexicon()
    return any(lex["_signoff_date"].match(ln.text) for ln in lines[max(0, head - lex["signoff_lines"]): head])


def _page_title(line: str) -> bool:
    """The line a new page of a bound compilation opens with, when it is a report's title of any name (…工作报告,
    …情况汇报): short, no sentence, ending in a title's last word."""
    lex = lexicon()
    return (len(line) <= lex["title_max"] and not lex["_title_excluded"].search(line)
            and lex["_page_title"].search(line) is not None)


def _page_openers(lines: list[_Line], page_starts) -> set:
    """Indices of the lines that open a page (the first non-blank line at or after each page start)."""
    out, k = set(), 0
    for p in page_starts:
        while k < len(lines) and lines[k].start < p:
            k += 1
        if k < len(lines):
            out.add(k)
    return out


def starts(text: str, page_starts=()) -> list[int]:
    """Offsets where the reports of the text begin; fewer than two: the text is one report. A title on the
    first line of a page (`page_starts`: offsets of pages 2, 3 …) after a page that closed with a sign-off begins
    a report whatever its last word (…工作报告)."""
    lex = lexicon()
    lines = _lines(text)
    openers = _page_openers(lines, page_starts)
    title_at = [i for i, ln in enumerate(lines) if is_title(ln.text)
                or (i in openers and _page_title(ln.text) and _signed_before(lines, i))]
    titles = {id(lines[i]) for i in title_at}
    chars = [0, *accumulate(len(ln.text) for ln in lines)]          # body between lines a and b: chars[b] - chars[a]
    found, anchor = [], -1           # line indices where reports begin; the title of the last one
    for i in title_at:
        head = _head(lines, i)
        before = chars[head] - chars[anchor + 1]
        signed = before >= lex["min_body"] and _signed_before(lines, head)
        if not found and before < lex["cover_max"] and not signed and _opens(lines, i, titles):
            found, anchor = [head], i          # the first report's own title; what stands before is a cover
        elif before >= lex["min_body"] and (signed or _opens(lines, i, titles)):
            found, anchor = (found or [0]) + [head], i
    if len(found) < 2:
        return []
    return [lines[k].start if k else 0 for k in found]


def split(text: str, page_starts=()) -> tuple[Part, ...]:
    """The reports of a file's text, each a Part; () when the text holds one report."""
    begin = starts(text, page_starts)
    ends = begin[1:] + [len(text)]
    return tuple(Part(n, len(begin), a, b) for n, (a, b) in enumerate(zip(begin, ends), 1))
