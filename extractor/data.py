"""Load the data in patterns/ once per process."""
from __future__ import annotations

import functools
from pathlib import Path

import yaml

PATTERNS_DIR = Path(__file__).resolve().parent.parent / "patterns"


@functools.lru_cache(maxsize=None)
def load(relpath: str):
    path = PATTERNS_DIR / relpath
    with open(path, encoding="utf-8") as f:
        return yaml.safe_load(f)


def alternation(words) -> str:
    """Longest first, so 人次 wins over 人 and 平方公里 over 平方米."""
    import regex
    return "|".join(regex.escape(w) for w in sorted(set(words), key=lambda w: (-len(w), w)))
