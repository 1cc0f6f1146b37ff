"""Paragraph, sentence and clause boundaries of the normalized text, and the one rule for overlapping matches."""
from __future__ import annotations

import bisect
import functools
from dataclasses import dataclass

_SENT_END = set("。！？!?")
_CLAUSE_END = set("，,；;：:")
_OPEN, _CLOSE = "“《（(「『【", "”》）)」』】"


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
        for i, ch in enumerate(text):
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
    taken, refused, out = [], [], []
    for c in sorted(candidates, key=key):
        s, e = span(c)
        if any(ts < e and s < te for ts, te in taken):
            continue
        if any(rs < e and s < re_ and (rs, re_) != (s, e) for rs, re_ in refused):
            continue
        built = build(c)
        if built is None:
            if refusal_blocks:
                refused.append((s, e))
            continue
        taken.append((s, e))
        out.append((s, built))
    out.sort(key=lambda x: x[0])
    return [b for _, b in out]
