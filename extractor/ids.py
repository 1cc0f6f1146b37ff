"""Document ids that are readable, unique and safe as file names (the review site writes a page per id)."""
from __future__ import annotations

import hashlib
import re
from pathlib import Path

_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|\s]+')
MAX_ID = 80


def safe_id(s: str) -> str:
    """An id that is safe as a file name: no separators, no control characters, no `..`, not too long."""
    s = _UNSAFE.sub("-", s).strip("-.")
    s = re.sub(r"\.{2,}", ".", s) or "doc"
    if len(s) > MAX_ID:
        s = s[:MAX_ID - 9] + "-" + hashlib.sha1(s.encode()).hexdigest()[:8]
    return s


def path_id(rel: str) -> str:
    """The relative path without its extension, as an id: a/自评报告.md → a-自评报告."""
    p = Path(rel)
    return safe_id(str(p.with_suffix("")).replace("\\", "/").replace("/", "-"))


def candidates(rel: str, base: str) -> list[str]:
    """Ever longer ids for one file, each more specific than the last; the last is unique per path."""
    p, ext = path_id(rel), Path(rel).suffix.lstrip(".").lower()
    h = hashlib.sha1(rel.encode()).hexdigest()
    out = [base]
    if base != p:
        out.append(safe_id(f"{base}-{p}"))
    out.append(safe_id(f"{out[-1]}-{ext}") if ext else out[-1])
    out += [f"{out[-1]}-{h[:8]}", f"{out[-1]}-{h}"]
    return out


def assign_ids(files: dict) -> dict:
    """files: relative path → preferred id (issuer and year) or "" → {relative path: id}.

    Every file whose candidate is shared moves on to its next, more specific candidate, until all
    differ; so the ids depend on the set of files, never on the order they were processed in."""
    cands = {rel: candidates(rel, safe_id(base) if base else path_id(rel)) for rel, base in files.items()}
    level = dict.fromkeys(files, 0)
    while True:
        groups = {}
        for rel in files:
            groups.setdefault(cands[rel][level[rel]], []).append(rel)
        clash = [rel for g in groups.values() if len(g) > 1 for rel in g]
        if not clash:
            return {rel: cands[rel][level[rel]] for rel in files}
        for rel in clash:
            level[rel] = min(level[rel] + 1, len(cands[rel]) - 1)
