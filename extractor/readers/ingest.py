"""Read a file from disk into a Source: dispatch on the suffix to a reader; the only builder of Source."""
from __future__ import annotations

import hashlib
import itertools
import logging
from pathlib import Path

from ..errors import InputError
from ..i18n import cause as in_language
from .messages import say
from ..records import Source
from .text import HAN, read_text

TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".text"}
PDF_SUFFIXES = {".pdf"}
DOCX_SUFFIXES = {".docx"}
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp"}
OFFICE_SUFFIXES = {".doc", ".wps", ".rtf"}   # converted to .docx by LibreOffice
OFD_SUFFIXES = {".ofd"}
SUPPORTED = TEXT_SUFFIXES | PDF_SUFFIXES | DOCX_SUFFIXES | IMAGE_SUFFIXES | OFFICE_SUFFIXES | OFD_SUFFIXES

log = logging.getLogger("selfeval.readers")

MAX_BYTES = 200 * 1024 * 1024      # a scanned PDF can be large; beyond this nothing is a report
MAX_TEXT_BYTES = 20 * 1024 * 1024  # a report's text is well under 1 MB; the offset map costs memory per character


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
        raise InputError("missing", path, say("no_such"))
    if path.is_dir():
        raise InputError("unsupported", path, say("is_folder"))
    size = path.stat().st_size
    if size == 0:
        raise InputError("empty", path, say("empty"))
    suffix = path.suffix.lower()
    limit = MAX_TEXT_BYTES if suffix in TEXT_SUFFIXES else MAX_BYTES
    if size > limit:
        raise InputError("too-large", path, say("too_large", size=f"{size / (1024 * 1024):.0f}",
                                                limit=limit // (1024 * 1024)))
    content = _reader(suffix, path, ocr)
    for cause in content.warnings:        # one line each on stderr (logging's last resort) unless logging is set up
        log.warning("%s: %s", path, in_language(cause))
    return Source(path=str(path), doc=doc_id(path), text=content.text, input_kind=content.input_kind,
                  encoding=content.encoding, page_starts=content.page_starts, sha256=sha256_of(path),
                  heading_hints=content.heading_hints, warnings=content.warnings)


def _reader(suffix: str, path: Path, ocr: str):
    if suffix in TEXT_SUFFIXES:
        return read_text(path)
    if suffix in PDF_SUFFIXES:
        from . import pdf
        return pdf.read_pdf(path, ocr=ocr)
    if suffix in DOCX_SUFFIXES:
        from . import docx
        return docx.read_docx(path)
    if suffix in OFFICE_SUFFIXES:
        from . import office
        return office.read_office(path)
    if suffix in OFD_SUFFIXES:
        from . import ofd
        return ofd.read_ofd(path)
    if suffix in IMAGE_SUFFIXES:
        from . import ocr as ocr_mod
        return ocr_mod.read_image(path, mode=ocr)
    raise unsupported(path)


def unsupported(path) -> InputError:
    """The error for a type selfeval does not read, with a hint where one helps (.doc: save it as .docx)."""
    from ..i18n import catalog, said
    suffix = Path(path).suffix.lower()
    if f"hints.{suffix}" in catalog("en"):
        return InputError("unsupported", path, say("unsupported_hint", suffix=suffix, hint=said(f"hints.{suffix}")))
    supported = ", ".join(sorted(SUPPORTED))
    return InputError("unsupported", path, say("unsupported_list", suffix=suffix or "(none)", supported=supported))


def _at_least(matches, n: int) -> bool:
    """Whether the iterator yields n items: counted only that far (a report has thousands of Chinese characters)."""
    return n <= 0 or next(itertools.islice(matches, n - 1, None), None) is not None


def check_is_report(path, text: str):
    """Refuse what is plainly not a report on education duties (a README, a novel, a price list)."""
    from .. import data
    spec = data.load("lexicon/report.yaml")
    if not _at_least(HAN.finditer(text), spec["min_han"]):
        raise InputError("not-a-report", path, say("no_chinese"))
    if not any(w in text for w in spec["vocabulary"]):
        raise InputError("not-a-report", path, say("no_education"))
