"""Walk inputs and run the pipeline over many files; a bad file never stops the rest."""
from __future__ import annotations

from pathlib import Path

from .errors import InputError
from .ingest import SUPPORTED


def collect(inputs) -> tuple[list[Path], list[InputError]]:
    """Supported files under the inputs, in a stable order, and the inputs that could not be used."""
    files, errors = [], []
    for p in inputs:
        p = Path(p)
        if not p.exists():
            errors.append(InputError(p, "no such file or folder"))
        elif p.is_dir():
            found = sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in SUPPORTED
                           and not any(part.startswith(".") for part in f.relative_to(p).parts))
            if not found:
                errors.append(InputError(p, "folder holds no reports (.txt .md .pdf .docx or images)"))
            files.extend(found)
        else:
            files.append(p)
    return files, errors


def doc_ids(files) -> dict:
    """A document's id is its file name without the extension, made unique within one run
    (the first in order keeps it; the others get their extension: xingan-2024-pdf)."""
    ids, taken = {}, set()
    for f in files:
        f = Path(f)
        doc = f.stem
        if doc in taken:
            doc = f"{f.stem}-{f.suffix.lstrip('.').lower()}"
            n = 2
            while doc in taken:
                doc = f"{f.stem}-{f.suffix.lstrip('.').lower()}{n}"
                n += 1
        taken.add(doc)
        ids[f] = doc
    return ids


def run(files, scheme, ocr: str = "auto"):
    from .pipeline import process_path
    results, failed = [], []
    ids = doc_ids(files)
    for f in files:
        try:
            results.append(process_path(f, scheme, ocr=ocr, doc=ids[Path(f)]))
        except InputError as e:
            failed.append(e)
        except Exception as e:  # one bad file must not stop a batch; say what happened, on one line
            failed.append(InputError(f, f"internal error while processing ({type(e).__name__}: {e})"))
    return results, failed
