"""Load the data in patterns/ once per process."""
from __future__ import annotations

import functools
from pathlib import Path
from typing import Optional

import yaml

PATTERNS_DIR = Path(__file__).resolve().parent.parent / "patterns"
# libyaml's loader where PyYAML was built with it: the same data, four times faster than the pure-Python one.
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@functools.lru_cache(maxsize=None)
def load(relpath: str):
    path = PATTERNS_DIR / relpath
    with open(path, encoding="utf-8") as f:
        return yaml.load(f, Loader=LOADER)


def alternation(words) -> str:
    """Longest first, so 人次 wins over 人 and 平方公里 over 平方米."""
    import regex
    return "|".join(regex.escape(w) for w in sorted(set(words), key=lambda w: (-len(w), w)))


def max_width(pattern: str, flags: int):
    """The most characters `pattern` can match, or None when unbounded or not known (regex's own parser, which
    checks lookbehinds' widths the same way; a regex without it gives None, and the plain scan is used)."""
    import regex
    try:
        from regex import _regex_core as core
        source = core.Source(pattern)
        info = core.Info(flags, source.char_type, {})
        source.use_unicode_space(bool(flags & regex.V1))
        width = core._parse_pattern(source, info).max_width()
    except Exception:  # noqa: BLE001 - any change in regex's internals falls back to the plain scan
        return None
    return width if isinstance(width, int) and width < getattr(core, "UNLIMITED", 0) else None


class Shape:
    """A pattern that is a name (a lead of bounded width) and then a suffix (大陆南小学, 兴安区教育局, 鹤兴政呈〔2024〕79号),
    found as `finditer` of name+suffix finds it, but tried only where a suffix starts within the name's widest reach:
    a match at i has its suffix at some j in [i, i + width], so before the first suffix at or after the scan's
    position, nothing starts earlier than that suffix less the width. The plain scan tries the name's classes at
    every character, several times slower."""

    def __init__(self, name: str, suffix: str, flags: Optional[int] = None):
        import regex
        flags = regex.V1 if flags is None else flags
        self.pattern = regex.compile(f"{name}{suffix}", flags)
        self.suffix = regex.compile(suffix, flags)
        self.width = max_width(name, flags)

    def finditer(self, text: str):
        if self.width is None:
            yield from self.pattern.finditer(text)
            return
        pos, match, search, width = 0, self.pattern.match, self.suffix.search, self.width
        while True:
            s = search(text, pos)
            if s is None:
                return
            j = s.start()
            for i in range(max(pos, j - width), j + 1):
                m = match(text, i)
                if m is not None:
                    yield m
                    pos = m.end() if m.end() > i else i + 1
                    break
            else:
                pos = j + 1
