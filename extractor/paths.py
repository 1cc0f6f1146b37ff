"""File names made from report content (document ids, counties, titles) and where files may go.

A report comes from outside; its words must never pick a path. One sanitizer for every name (document ids,
the review site's pages, memo files), and a resolved-path check that nothing is written outside the output folder.
"""
from __future__ import annotations

import re
import unicodedata
from pathlib import Path

# Names Windows reserves whatever the extension (CON.html is still CON).
_RESERVED = {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"} | {f"{p}{i}" for p in ("COM", "LPT") for i in range(10)}
_BAD = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')
LIMIT = 60          # characters; a CJK name of 60 stays far below 255 bytes with its extension


def safe_name(text: str, taken: set | None = None, limit: int = LIMIT, suffix: str = "", fill: str = "_") -> str:
    """A file name: no separators, no '..', no control or format characters (bidi overrides), no reserved name,
    a stem of at most `limit` characters, then `suffix`; not in `taken` (compared case-insensitively; added to
    it, with the suffix). `fill` takes the place of each forbidden character."""
    s = unicodedata.normalize("NFC", str(text))
    s = "".join(ch for ch in s if unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co", "Cn"))
    s = _BAD.sub(fill, s)
    s = re.sub(r"\.{2,}", fill, s).strip(" .")[:limit].strip(" .") or "_"
    if s.split(".")[0].upper() in _RESERVED:
        s = "_" + s
    if taken is not None:
        base, n = s, 2
        while (s + suffix).lower() in taken:
            tail = f"-{n}"
            s = base[:limit - len(tail)] + tail
            n += 1
        taken.add((s + suffix).lower())
    return s + suffix


def inside(folder: Path, path) -> Path:
    """folder/path resolved (path: a name or a relative path in folder, or an absolute path), if it lies in folder;
    an InputError otherwise (never written)."""
    from .errors import InputError
    from .i18n import said
    root = Path(folder).resolve()
    p = (root / path).resolve()
    if p != root and root not in p.parents:
        raise InputError("invalid-output", path, said("errors.outside"))
    return p
