"""Load the data in patterns/ once per process."""
from __future__ import annotations

import functools
from pathlib import Path

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
