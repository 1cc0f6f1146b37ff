"""What the readers say about a file: the cause after 'path: ', a message of the `errors` section of the catalog
(patterns/messages/), kept with its key and parameters (i18n.said) and shown in the reader's language."""
from __future__ import annotations

from ..i18n import said


def say(key: str, **kw):
    return said(f"errors.{key}", **kw)


def pages(key: str, numbers: list[int], **kw) -> str:
    """A cause naming pages: `key` for one page, `key`_many for several ('pages 3, 7-9')."""
    out, k = [], 0
    while k < len(numbers):
        j = k
        while j + 1 < len(numbers) and numbers[j + 1] == numbers[j] + 1:
            j += 1
        out.append(str(numbers[k]) if j == k else f"{numbers[k]}-{numbers[j]}")
        k = j + 1
    return say(key if len(numbers) == 1 else f"{key}_many", pages=", ".join(out), **kw)


PDFIUM_REASONS = {"Data format error": "detail_pdf_format", "File access error": "detail_pdf_access",
                  "Unsupported security scheme error": "detail_pdf_security",
                  "Page not found or content error": "detail_pdf_page"}


def detail(e: BaseException) -> str:
    """What broke inside a file, for the parentheses of a cause: the catalog's words for the errors damaged
    files raise (XML that does not parse, a missing part, damaged compressed data, PDFium's reasons), so that
    an inspector reads them in Chinese; any other error as Python says it."""
    import re
    import zipfile
    import zlib
    name = type(e).__name__
    position = getattr(e, "position", None)
    if name in ("ParseError", "XMLSyntaxError") and isinstance(position, tuple) and len(position) == 2:
        return say("detail_xml", line=position[0])
    if isinstance(e, KeyError):
        m = re.search(r"'([^']+)'", str(e))
        if m and "://" not in m.group(1):          # a part's name; a relationship type is no part to name
            return say("detail_missing", member=m.group(1))
        return say("detail_structure")
    if isinstance(e, ValueError) and "is not a Word file" in str(e):     # python-docx: another package type
        return say("detail_not_word")
    if isinstance(e, (zipfile.BadZipFile, zlib.error, EOFError)):
        return say("detail_zip")
    reason = re.search(r"PDFium: ([^)]+)\)", str(e))
    if reason and reason.group(1) in PDFIUM_REASONS:
        return say(PDFIUM_REASONS[reason.group(1)])
    return f"{name}: {e}".strip().splitlines()[0][:160]
