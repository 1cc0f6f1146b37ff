"""What a run reads: the supported files under its inputs and what it skips (ids are decided in extractor/ids.py)."""
from __future__ import annotations

from pathlib import Path

from ..errors import InputError
from ..readers.ingest import SUPPORTED, unsupported
from .messages import stored

# Word and WPS leave `~$name.docx` beside an open file: never a report, never an error.
LOCK_PREFIX = "~$"


def collect(inputs) -> tuple[list[Path], list[InputError], list[InputError]]:
    """Supported files under the inputs in a stable order, the inputs that could not be used, and the
    files in folders that were skipped (each with its cause, e.g. the hint to save a .doc as .docx)."""
    files, errors, skipped = [], [], []
    for p in inputs:
        p = Path(p)
        if not p.exists():
            errors.append(InputError("missing", p, stored("no_such")))
        elif p.is_dir():
            found, other = walk(p)
            skipped += [skip_cause(f) for f in other]
            if not found:
                errors.append(InputError("empty", p, stored("folder_empty")))
            files.extend(found)
        else:
            files.append(p)
    return files, errors, skipped


def skip_cause(f: Path) -> InputError:
    if f.name.startswith(LOCK_PREFIX):
        return InputError("unsupported", f, stored("lock_file"))
    return InputError("unsupported", f, stored("skipped", detail=unsupported(f).cause))


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
