"""What a run reads: the supported files under its inputs, and a document id for each."""
from __future__ import annotations

from pathlib import Path

from ..errors import InputError
from ..readers.ingest import SUPPORTED


def collect(inputs) -> tuple[list[Path], list[InputError]]:
    """Supported files under the inputs, in a stable order, and the inputs that could not be used."""
    files, errors = [], []
    for p in inputs:
        p = Path(p)
        if not p.exists():
            errors.append(InputError("missing", p, "no such file or folder"))
        elif p.is_dir():
            found = sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in SUPPORTED
                           and not any(part.startswith(".") for part in f.relative_to(p).parts))
            if not found:
                errors.append(InputError("empty", p, "folder holds no reports (.txt .md .pdf .docx .doc .wps .ofd or images)"))
            files.extend(found)
        else:
            files.append(p)
    return files, errors


def doc_ids(files) -> dict:
    """A document's id is its file name without the extension, made unique within one run
    (the first in order keeps it; the others get their extension: xingan-2024-pdf)."""
    ids, taken = {}, set()
    for f in map(Path, files):
        ids[f] = new_doc_id(f, taken)
        taken.add(ids[f])
    return ids


def walk(root: Path, skip: Path | None = None) -> tuple[list[Path], list[Path]]:
    """Supported files and the others under root; hidden files and the output folder left out."""
    supported, other = [], []
    skip = skip.resolve() if skip is not None else None
    for f in sorted(root.rglob("*")):
        if not f.is_file() or any(part.startswith(".") for part in f.relative_to(root).parts):
            continue
        if skip is not None and skip in f.resolve().parents:
            continue
        (supported if f.suffix.lower() in SUPPORTED else other).append(f)
    return supported, other


def new_doc_id(f: Path, taken: set) -> str:
    doc = f.stem
    n = 1
    while doc in taken:
        doc = f"{f.stem}-{f.suffix.lstrip('.').lower()}" + (str(n) if n > 1 else "")
        n += 1
    return doc
