"""Read a file from disk into a Source. Text here; PDF, DOCX and images in their own modules."""
from __future__ import annotations

import hashlib
from pathlib import Path

import regex

from .errors import InputError
from .records import Source

TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".text"}
PDF_SUFFIXES = {".pdf"}
DOCX_SUFFIXES = {".docx"}
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp"}
SUPPORTED = TEXT_SUFFIXES | PDF_SUFFIXES | DOCX_SUFFIXES | IMAGE_SUFFIXES

MAX_BYTES = 200 * 1024 * 1024      # a scanned PDF can be large; beyond this nothing is a report
MAX_TEXT_BYTES = 20 * 1024 * 1024  # a report's text is well under 1 MB; the offset map costs memory per character

_HAN = regex.compile(r"\p{Han}")
# Characters that only show up when bytes were decoded with the wrong codec.
_MOJIBAKE = regex.compile(r"[\uFFFD\u00C0-\u00FF\u0080-\u009F]")


def doc_id(path: Path) -> str:
    return path.stem


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def read(path, ocr: str = "auto") -> Source:
    """Dispatch on the file's suffix; every failure is an InputError naming the file."""
    path = Path(path)
    if not path.exists():
        raise InputError(path, "no such file or folder")
    if path.is_dir():
        raise InputError(path, "is a folder, not a file")
    size = path.stat().st_size
    if size == 0:
        raise InputError(path, "empty file")
    suffix = path.suffix.lower()
    limit = MAX_TEXT_BYTES if suffix in TEXT_SUFFIXES else MAX_BYTES
    if size > limit:
        raise InputError(path, f"file too large for a report ({size / (1024 * 1024):.0f} MB; limit {limit // (1024 * 1024)} MB)")
    if suffix in TEXT_SUFFIXES:
        return read_text(path)
    if suffix in PDF_SUFFIXES:
        from . import pdf
        return pdf.read_pdf(path, ocr=ocr)
    if suffix in DOCX_SUFFIXES:
        from . import docx_reader
        return docx_reader.read_docx(path)
    if suffix in IMAGE_SUFFIXES:
        from . import ocr as ocr_mod
        return ocr_mod.read_image(path, mode=ocr)
    from . import data
    hint = data.load("lexicon/report.yaml")["convert_hints"].get(suffix)
    if hint:
        raise InputError(path, f"unsupported file type '{suffix}': {hint}")
    raise InputError(path, f"unsupported file type '{suffix or '(none)'}' (supported: {', '.join(sorted(SUPPORTED))})")


def check_is_report(path, text: str):
    """Refuse what is plainly not a report on education duties (a README, a novel, a price list)."""
    from . import data
    spec = data.load("lexicon/report.yaml")
    if len(_HAN.findall(text)) < spec["min_han"]:
        raise InputError(path, "not a report (no Chinese text)")
    if not any(w in text for w in spec["vocabulary"]):
        raise InputError(path, "not a report (nothing in it about education or schools)")


def decode_text(data: bytes, path) -> tuple[str, str]:
    """Decode report bytes: UTF-8 (with or without BOM), UTF-16 with BOM, GB18030/GBK.

    Never guesses silently: a decoding that yields replacement characters or
    Latin-1 mojibake instead of Chinese is refused.
    """
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(path, "not a text file (binary content)")
    candidates = []
    if data.startswith(b"\xef\xbb\xbf"):
        candidates.append("utf-8-sig")
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        candidates.append("utf-16")
    candidates += ["utf-8", "gb18030"]
    for enc in candidates:
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        if _looks_decoded(text):
            return text, ("utf-8" if enc == "utf-8-sig" else enc)
    raise InputError(path, "cannot decode text as UTF-8 or GB18030/GBK (unknown encoding or not a text file)")


def _looks_decoded(text: str) -> bool:
    if not text.strip():
        return True
    controls = sum(1 for c in text if ord(c) < 32 and c not in "\r\n\t\f")
    if controls > max(3, len(text) // 100):
        return False
    bad = len(_MOJIBAKE.findall(text))
    return bad <= max(2, len(_HAN.findall(text)) // 50)


def read_text(path: Path) -> Source:
    data = path.read_bytes()
    text, enc = decode_text(data, path)
    # CRLF is kept: offsets index the text exactly as decoded; normalize drops the \r.
    if not text.strip():
        raise InputError(path, "empty file (only white space)")
    return Source(path=str(path), doc=doc_id(path), text=text, input_kind="text",
                  encoding=enc, sha256=hashlib.sha256(data).hexdigest())
