"""The one error type a user sees: a file and the cause, on one line, and a kind that programs can test."""

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
    """Bad input: the message names the file and what is wrong with it; `kind` is one of KINDS."""

    def __init__(self, kind: str, path, cause: str):
        if kind not in KINDS:
            raise ValueError(f"unknown InputError kind {kind!r}")
        self.kind = kind
        self.path = str(path)
        self.cause = cause
        super().__init__(f"{self.path}: {cause}")
