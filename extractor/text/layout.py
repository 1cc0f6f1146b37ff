"""Paragraph, sentence and clause boundaries of the normalized text, and the one rule for overlapping matches."""
from __future__ import annotations

import bisect
import functools
import re
from dataclasses import dataclass

_SENT_END = set("。！？!?")
_CLAUSE_END = set("，,；;：:\t")          # a tab parts two cells of a table row (text.grid)
_OPEN, _CLOSE = "“《（(「『【", "”》）)」』】"
_IN_NUMBER = set(",:")
_MARKS = re.compile("[" + re.escape("".join(sorted(_SENT_END | _CLAUSE_END)) + _OPEN + _CLOSE + "\n") + "]")


@dataclass(frozen=True)
class Layout:
    """Paragraph, sentence and clause boundaries of the normalized text (quote-aware)."""
    paragraphs: tuple
    sentences: tuple
    clauses: tuple

    @staticmethod
    def of(text: str) -> "Layout":
        paras, sents, clauses = [], [], []
        p0 = s0 = c0 = 0
        depth = 0
        for m in _MARKS.finditer(text):         # only these characters open, close or end anything
            i = m.start()
            ch = text[i]
            if ch in _IN_NUMBER and 0 < i < len(text) - 1 and text[i - 1].isdigit() and text[i + 1].isdigit():
                continue                        # 12,317 and 1:15: a number's own comma or colon ends nothing
            if ch in _OPEN:
                depth += 1
            elif ch in _CLOSE:
                depth = max(0, depth - 1)
            end_para = ch == "\n"
            end_sent = end_para or (ch in _SENT_END and depth == 0)
            end_clause = end_sent or (ch in _CLAUSE_END and depth == 0)
            if end_para:
                depth = 0
            if end_clause:
                clauses.append((c0, i + 1))
                c0 = i + 1
            if end_sent:
                sents.append((s0, i + 1))
                s0 = i + 1
            if end_para:
                paras.append((p0, i + 1))
                p0 = i + 1
        n = len(text)
        for lst, start in ((clauses, c0), (sents, s0), (paras, p0)):
            if start < n:
                lst.append((start, n))
        return Layout(tuple(paras), tuple(sents), tuple(clauses))

    @functools.cached_property
    def _starts(self) -> dict:
        return {w: [b[0] for b in getattr(self, w)] for w in ("paragraphs", "sentences", "clauses")}

    def index(self, which: str, pos: int) -> int:
        return max(bisect.bisect_right(self._starts[which], pos) - 1, 0)


class Positions:
    """Items sorted by a position, for the items whose position lies in a range: a bisect, not a scan.
    Items at the same position keep the order they were given in."""

    def __init__(self, items, key):
        self.items = sorted(items, key=key)
        self.keys = [key(x) for x in self.items]

    def within(self, lo, hi, closed: bool = False) -> list:
        """The items with lo <= position < hi (position <= hi when `closed`), in position order."""
        i = bisect.bisect_left(self.keys, lo)
        j = (bisect.bisect_right if closed else bisect.bisect_left)(self.keys, hi)
        return self.items[i:j]


class Intervals:
    """Intervals that may overlap, for whether any one meets a span or holds a position, in log time."""

    def __init__(self, pairs):
        pairs = sorted(pairs)
        self.starts = [s for s, _ in pairs]
        self.reach, far = [], None          # the furthest end among the intervals up to each one
        for _, e in pairs:
            far = e if far is None or e > far else far
            self.reach.append(far)

    def overlaps(self, s, e) -> bool:
        """Whether some interval (ps, pe) has ps < e and s < pe."""
        i = bisect.bisect_left(self.starts, e)
        return i > 0 and self.reach[i - 1] > s

    def holds(self, pos) -> bool:
        """Whether some interval (ps, pe) has ps <= pos < pe."""
        i = bisect.bisect_right(self.starts, pos)
        return i > 0 and self.reach[i - 1] > pos


class _Disjoint:
    """Intervals that do not overlap one another, for `overlaps` in log time (an empty interval may sit
    anywhere: those few are scanned)."""

    def __init__(self):
        self.starts, self.ends, self.empty = [], [], []

    def add(self, s, e):
        if s == e:
            self.empty.append(s)
            return
        i = bisect.bisect_left(self.starts, s)
        self.starts.insert(i, s)
        self.ends.insert(i, e)

    def overlaps(self, s, e) -> bool:
        """Whether some interval (ts, te) has ts < e and s < te."""
        # Non-empty disjoint intervals sorted by start are sorted by end too: the last that starts
        # before e is the only one that can reach past s.
        i = bisect.bisect_left(self.starts, e)
        if i and self.ends[i - 1] > s:
            return True
        return any(s < z < e for z in self.empty)


def longest_match_wins(candidates, span, first=lambda c: (), rank=lambda c: (), build=lambda c: c,
                       refusal_blocks=False) -> list:
    """Non-overlapping picks among candidates, longest first (ties: `rank`, then leftmost), in text order.

    `first` orders before length (a law's title keeps its whole span); `build` turns a candidate into
    the result, or returns None to drop it and leave its place free for shorter ones. With
    `refusal_blocks`, a dropped candidate keeps its place instead: no part of it is picked (an unreadable
    numeral such as 三四个 must not yield the 四个 inside it).
    """
    def key(c):
        s, e = span(c)
        return first(c), -(e - s), rank(c), s
    # Taken intervals never overlap; refused ones overlap neither those nor one another, except a
    # refused interval listed again (the same span refused by two rules).
    taken, refused, refused_at = _Disjoint(), _Disjoint(), set()
    out = []
    for c in sorted(candidates, key=key):
        s, e = span(c)
        if taken.overlaps(s, e):
            continue
        if (s, e) not in refused_at and refused.overlaps(s, e):
            continue
        built = build(c)
        if built is None:
            if refusal_blocks and (s, e) not in refused_at:
                refused.add(s, e)
                refused_at.add((s, e))
            continue
        taken.add(s, e)
        out.append((s, built))
    out.sort(key=lambda x: x[0])
    return [b for _, b in out]
