"""The one error type a user sees: a file and the cause, on one line, and a kind that programs can test;
and the fallback for everything else."""
from __future__ import annotations

import contextlib
import datetime
import os
import tempfile
import traceback
from pathlib import Path


# What went wrong, for batch's errors table and for tests; the cause says it in words.
KINDS = {
    "missing": "no such file or folder",
    "unsupported": "not a file type selfeval reads",
    "empty": "no text in it",
    "too-large": "over the size limit for a report",
    "not-a-report": "not a report on education duties",
    "corrupt": "damaged, truncated or not what its suffix says",
    "encrypted": "needs a password",
    "needs-ocr": "only OCR could read it, and OCR is not available or not allowed",
    "invalid-config": "a scheme or rules file that cannot be used",
    "invalid-output": "an output path that cannot be written",
    "internal": "a bug: an unexpected error while reading it",
    "timeout": "over the per-file time limit (batch)",
    "crash": "the worker process died while reading it (batch)",
}


class InputError(Exception):
    """Bad input: the message names the file and what is wrong with it; `kind` is one of KINDS. The cause is a
    message of the catalog (i18n.said: its key and parameters), shown in the reader's language and stored as such."""

    def __init__(self, kind: str, path, cause):
        from .i18n import Said
        if kind not in KINDS:
            raise ValueError(f"unknown InputError kind {kind!r}")
        if not isinstance(cause, Said):
            raise TypeError(f"an InputError's cause is a catalog message (i18n.said), not prose: {cause!r}")
        self.kind = kind
        self.path = str(path)
        self.cause = cause
        super().__init__(f"{self.path}: {cause}")


@contextlib.contextmanager
def blame(path):
    """Tag an unexpected error raised inside with the file it happened on (the innermost tag wins)."""
    try:
        yield
    except Exception as e:
        if not hasattr(e, "selfeval_path"):
            e.selfeval_path = str(path)
        raise


def log_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "selfeval"


def write_log(exc: BaseException, argv) -> Path:
    """The full traceback, for a developer, in ~/.cache/selfeval/last-error.log (the temp folder if that fails)."""
    text = (f"{datetime.datetime.now().isoformat(timespec='seconds')}  selfeval {' '.join(map(str, argv))}\n"
            + "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)))
    for folder in (log_dir(), Path(tempfile.gettempdir())):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / "last-error.log"
            path.write_text(text, encoding="utf-8")
            return path
        except OSError:
            continue
    return Path("(no log could be written)")


def _error(exc: BaseException) -> str:
    cause = str(exc).splitlines()[0] if str(exc) else ""
    return f"{type(exc).__name__}{': ' + cause if cause else ''}"


def describe_unexpected(exc: BaseException, argv):
    """One line for the user: the file, the cause, and where the traceback went."""
    from .i18n import said
    where = getattr(exc, "selfeval_path", None) or " ".join(a for a in map(str, argv) if not a.startswith("-"))
    return said("errors.unexpected", where=where, error=_error(exc), log=str(write_log(exc, argv)))


def internal_cause(exc: BaseException, path):
    """The cause of an unexpected error on one file, for an error line or row; the traceback goes to the log."""
    from .i18n import said
    return said("errors.internal", detail=_error(exc), log=str(write_log(exc, [path])))
