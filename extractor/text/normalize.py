"""Normalize OCR and conversion noise, keeping a map from every character back to the original.

The rewrites themselves are data (patterns/normalize.yaml); this module only applies them.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass

import regex

from .. import data


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
    out, omap_out, pos = [], [], 0
    for m in pattern.finditer(text):
        out.append(text[pos:m.start()])
        omap_out.extend(omap[pos:m.start()])
        new = repl(m) if callable(repl) else repl
        old_len = m.end() - m.start()
        if len(new) == old_len:
            omap_out.extend(omap[m.start():m.end()])
        else:
            # Shorter or longer: new characters stand for the start of what they replace.
            omap_out.extend(omap[m.start() + min(i, old_len - 1)] for i in range(len(new)))
        out.append(new)
        pos = m.end()
    out.append(text[pos:])
    omap_out.extend(omap[pos:])
    return "".join(out), omap_out


@functools.lru_cache(maxsize=1)
def _compiled():
    spec = data.load("normalize.yaml")
    table = str.maketrans(spec["translate"])
    rewrites = [(r["name"], regex.compile(r["pattern"], regex.M), r["replace"]) for r in spec["rewrites"]]
    return table, rewrites, spec["join_lines"]


@functools.lru_cache(maxsize=1)
def heading_marker():
    spec = data.load("lexicon/headings.yaml")
    return regex.compile("^(?:" + "|".join(m["pattern"] for m in spec["markers"]) + ")")


def normalize(original: str) -> NormText:
    table, rewrites, join = _compiled()
    text = original.translate(table)       # one for one: the map is the identity
    omap = list(range(len(original)))
    for _name, pattern, repl in rewrites:
        text, omap = _apply(text, omap, pattern, repl)
    text, omap = _join_lines(text, omap, join)
    return NormText(original=original, text=text, omap=tuple(omap))


_BREAK = regex.compile(r"\n(?:\s*\n)*")


def _join_lines(text: str, omap: list, spec) -> tuple[str, list]:
    """Remove line breaks that cut a sentence (page ends, justified PDF lines, OCR lines)."""
    terminal = set(spec["terminal"])
    min_len = spec["min_prev_len"]
    addressee_max = spec["addressee_max_len"]
    titles = tuple(spec["title_endings"])
    marker = heading_marker()

    def repl(m):
        line_start = text.rfind("\n", 0, m.start()) + 1
        prev = text[line_start:m.start()]
        nxt_end = text.find("\n", m.end())
        nxt = text[m.end(): nxt_end if nxt_end >= 0 else len(text)]
        if not prev or not nxt or prev[-1] in terminal:
            return m.group()
        if len(prev) < min_len or marker.match(nxt):
            return m.group()
        if marker.match(prev) and not any(c in prev for c in "。；"):
            return m.group()      # a heading line, not a sentence cut short
        if nxt[-1:] in ("：", ":") and len(nxt) <= addressee_max:
            return m.group()
        if prev.endswith(titles) or not text[:line_start].strip():
            return m.group()      # the document's title
        return ""

    return _apply(text, omap, _BREAK, repl)
