"""What a run reads: the supported files under its inputs, what it skips, and a document id for each."""
from __future__ import annotations

import hashlib
import re
from pathlib import Path

from ..errors import InputError
from ..readers.ingest import SUPPORTED, unsupported
from .messages import MESSAGES as M

# Word and WPS leave `~$name.docx` beside an open file: never a report, never an error.
LOCK_PREFIX = "~$"
_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|\s]+')
MAX_ID = 80


def collect(inputs) -> tuple[list[Path], list[InputError], list[InputError]]:
    """Supported files under the inputs in a stable order, the inputs that could not be used, and the
    files in folders that were skipped (each with its cause, e.g. the hint to save a .doc as .docx)."""
    files, errors, skipped = [], [], []
    for p in inputs:
        p = Path(p)
        if not p.exists():
            errors.append(InputError(p, "no such file or folder"))
        elif p.is_dir():
            found, other = walk(p)
            skipped += [skip_cause(f) for f in other]
            if not found:
                errors.append(InputError(p, "folder holds no reports (.txt .md .pdf .docx or images)"))
            files.extend(found)
        else:
            files.append(p)
    return files, errors, skipped


def skip_cause(f: Path) -> InputError:
    if f.name.startswith(LOCK_PREFIX):
        return InputError(f, M["lock_file"])
    return InputError(f, "skipped: " + unsupported(f).cause)


def doc_ids(files) -> dict:
    """`extract`/`check`: a document's id is its file name without the extension, made unique within one
    run (the first in order keeps it; the others get their extension: xingan-2024-pdf)."""
    ids, taken = {}, set()
    for f in map(Path, files):
        doc, n = f.stem, 1
        while doc in taken:
            doc = f"{f.stem}-{f.suffix.lstrip('.').lower()}" + (str(n) if n > 1 else "")
            n += 1
        ids[f] = doc
        taken.add(doc)
    return ids


def walk(root: Path, skip: Path | None = None) -> tuple[list[Path], list[Path]]:
    """Supported files and the others under root; hidden files, the output folder and Office lock files
    (listed with the others) left out of the supported ones."""
    supported, other = [], []
    skip = skip.resolve() if skip is not None else None
    for f in sorted(root.rglob("*")):
        if not f.is_file() or any(part.startswith(".") for part in f.relative_to(root).parts):
            continue
        if skip is not None and skip in f.resolve().parents:
            continue
        ok = f.suffix.lower() in SUPPORTED and not f.name.startswith(LOCK_PREFIX)
        (supported if ok else other).append(f)
    return supported, other


# ---------------- batch ids: readable, unique, a function of the folder alone ----------------

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
