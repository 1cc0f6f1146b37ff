"""Read PDFs: pypdfium2 for the text layer (fast), pdfplumber for pages with tables, OCR for scans.

pdfplumber computes full geometry in Python and is many times slower than pdfium's
own text extraction, so it is used only on pages whose vector paths suggest a table.
"""
from __future__ import annotations

import contextlib
from pathlib import Path

import regex

from ..errors import InputError
from .lines import MAX_PAGES, Line, cut, page_text, undouble
from .messages import detail, pages as say_pages, say

_READABLE = regex.compile(r"[\p{Han}\p{L}\d]")
_GARBAGE = regex.compile(r"[\uFFFD\uE000-\uF8FF\x00-\x08\x0b\x0c\x0e-\x1f]")
# Glyphs without a Unicode map often come out as Latin-1 letters (ÐÂÎÅ) instead of Chinese.
_MOJIBAKE = regex.compile(r"[\u0080-\u00FF\u0100-\u024F]")
OCR_DPI = 150
# A page needs OCR when its text layer has fewer readable characters than this, or this share of garbage
# (private-use glyphs, control characters) or of Latin-1 mojibake.
OCR_MIN_READABLE = 20
OCR_MAX_GARBAGE = 0.2
OCR_MAX_MOJIBAKE = 0.1
TABLE_MIN_PATHS = 8


def read_pdf(path: Path, ocr: str = "auto"):
    import pypdfium2 as pdfium

    from ..records import Content

    try:
        pdf = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as e:
        msg = str(e)
        if "password" in msg.lower():
            raise InputError("encrypted", path, say("encrypted")) from e
        raise InputError("corrupt", path, say("corrupt_pdf", detail=detail(e))) from e
    # Both handles are closed on every way out, a failure on page 40 included.
    with contextlib.ExitStack() as stack:
        stack.callback(pdf.close)
        if len(pdf) == 0:
            raise InputError("empty", path, say("no_pages"))
        if len(pdf) > MAX_PAGES:
            raise InputError("too-large", path, say("too_many_pages", pages=f"{len(pdf):,}", limit=MAX_PAGES))
        pages, kinds, broken = [], set(), []
        plumber = []                 # pdfplumber, opened on the first page with a table ([None] if it cannot open the file)
        scans = None                 # the pages to OCR, read in worker processes while the next ones render
        try:
            for i in range(len(pdf)):
                try:
                    lines, kind = _page_lines(pdf, i, path, ocr, stack, plumber)
                    if kind == "ocr":
                        if scans is None:
                            from . import ocr as ocr_mod
                            scans = ocr_mod.Pages(path, None if len(pdf) - i > 1 else 1)
                        lines = scans.add(lines)          # the page's index among the scans, for now
                except pdfium.PdfiumError:
                    # A damaged page (flipped bytes, a broken object): the others are still read, and the
                    # warning says which pages are missing. Page numbers stay those of the file.
                    lines, kind = [], None
                    broken.append(i + 1)
                if kind:
                    kinds.add(kind)
                pages.append(lines)
        except BaseException as e:
            if scans is not None:         # Ctrl-C stops the page workers at once; an error cancels this file's pages
                scans.abandon(kill=not isinstance(e, Exception))
            raise
        total = len(pdf)
    unread = []
    if scans is not None:
        read, gone = scans.lines(), set(scans.unread())
        unread = [n + 1 for n, p in enumerate(pages) if isinstance(p, int) and p in gone]
        pages = [read[p] if isinstance(p, int) else p for p in pages]
    if broken and len(broken) == total:
        raise InputError("corrupt", path, say("pdf_no_page_readable", total=total))
    text, starts = page_text(pages)
    if not text.strip() and not unread:
        if broken:
            raise InputError("corrupt", path, say_pages("pdf_no_text_readable", broken, count=len(broken), total=total))
        raise InputError("empty", path, say("no_text_pdf_never" if ocr == "never" else "no_text_pdf"))
    warnings = (say_pages("pdf_pages_unreadable", broken, count=len(broken), total=total),) if broken else ()
    if scans is not None:             # pages with ink that OCR could not read: named, or the file is an error
        from . import ocr as ocr_mod
        warnings += ocr_mod.unread_warnings(path, text, unread, [n + 1 for n, p in enumerate(pages) if p], total)
    return Content(text=text, input_kind="ocr" if "ocr" in kinds else "pdf", page_starts=starts, warnings=warnings)


def _page_lines(pdf, i: int, path, ocr: str, stack, plumber: list):
    """One page's lines and how they were read (pdf, or None for a blank page), or its image and "ocr"."""
    page = pdf[i]
    lines = _pdfium_lines(page)
    if not lines and _blank(page):
        return [], None              # nothing drawn on the page: nothing to OCR
    if ocr == "always" or (ocr == "auto" and _needs_ocr(lines)):
        from . import ocr as ocr_mod
        ocr_mod.require(path)
        return page.render(scale=OCR_DPI / 72).to_pil(), "ocr"      # the image: OCR'd by the caller
    if _path_count(page) >= TABLE_MIN_PATHS:
        with_tables = _plumber_page(path, i, stack, plumber)
        if with_tables is not None:
            lines = with_tables
    return lines, "pdf"


def _plumber_page(path, i: int, stack, plumber: list):
    """Page i's lines with its tables by pdfplumber, or None: no table, or pdfplumber cannot parse the
    (damaged) file or page, when pdfium's lines stand."""
    import pdfplumber
    if not plumber:
        try:
            plumber.append(stack.enter_context(pdfplumber.open(str(path))))
        except Exception:            # noqa: BLE001 - pdfminer raises many kinds on a damaged file
            plumber.append(None)
    if plumber[0] is None:
        return None
    try:
        return _plumber_lines(plumber[0].pages[i])
    except Exception:                # noqa: BLE001 - as above, for one page
        return None


def _pdfium_lines(page) -> list[Line]:
    """Lines of pdfium's text, cut at wide gaps (a column gutter), each piece with its x extent; `top` is
    the line's descent line, which pdfium's loose boxes give alike for every glyph of a size."""
    tp = page.get_textpage()
    try:
        text = tp.get_text_range()
        height = page.get_height()
        lines, pos = [], 0
        for raw in text.split("\r\n"):
            s = pos
            pos += len(raw) + 2
            if raw.strip():
                lines += _pieces(tp, raw, s, height)
        return lines
    finally:
        tp.close()


def _pieces(tp, raw: str, s: int, height: float) -> list[Line]:
    """One line of pdfium's text as pieces, cut where its white space stands for a gap wider than the type.
    x from the glyphs' own boxes; the height and the descent line from the loose box, alike for every glyph."""
    words = [m.span() for m in regex.finditer(r"\S+", raw)]
    try:
        xs = [(tp.get_charbox(s + a)[0], tp.get_charbox(s + b - 1)[2]) for a, b in words]
        loose = tp.get_charbox(s + words[0][0], loose=True)
    except Exception:               # pdfium may count characters differently than the text it returns
        return [Line(text=undouble(raw.strip()), x0=0.0, x1=0.0, top=0.0)]
    size = loose[3] - loose[1]
    return [Line(text=undouble(raw[words[i][0]:words[j - 1][1]]), x0=xs[i][0], x1=xs[j - 1][1], top=height - loose[1])
            for i, j in cut([(x0, x1, size) for x0, x1 in xs])]


def _needs_ocr(lines: list[Line]) -> bool:
    text = "".join(ln.text for ln in lines)
    readable = len(_READABLE.findall(text))
    if readable < OCR_MIN_READABLE:
        return True
    if len(_GARBAGE.findall(text)) > OCR_MAX_GARBAGE * len(text):
        return True
    return len(_MOJIBAKE.findall(text)) > OCR_MAX_MOJIBAKE * len(text)


def _blank(page) -> bool:
    """A page with no objects at all (no text, image or path) is blank; it is never rendered for OCR."""
    for _ in page.get_objects(max_depth=1):
        return False
    return True


def _path_count(page, enough: int = TABLE_MIN_PATHS) -> int:
    """Vector paths on the page, counted only as far as `enough` (a table has many)."""
    import pypdfium2.raw as pdfium_c
    n = 0
    for _ in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_PATH], max_depth=1):
        n += 1
        if n >= enough:
            break
    return n


def _plumber_pieces(ln: dict) -> list[Line]:
    """A pdfplumber line, cut at gaps wider than the type as pdfium's lines are."""
    chars = [c for c in ln.get("chars", ()) if c["text"].strip()]
    spans = cut([(c["x0"], c["x1"], c["size"]) for c in chars])
    if len(spans) < 2:
        return [Line(text=ln["text"], x0=ln["x0"], x1=ln["x1"], top=ln["top"])]
    return [Line(text="".join(c["text"] for c in chars[i:j]), x0=chars[i]["x0"], x1=chars[j - 1]["x1"], top=ln["top"])
            for i, j in spans]


def _plumber_lines(ppage):
    """Text lines outside tables plus one sentence per table row, in reading order; None if no table."""
    ppage = ppage.dedupe_chars()
    tables = ppage.find_tables()
    if not tables:
        return None
    boxes = [t.bbox for t in tables]

    def outside(obj):
        cx = (obj.get("x0", 0) + obj.get("x1", 0)) / 2
        cy = (obj.get("top", 0) + obj.get("bottom", 0)) / 2
        return not any(x0 <= cx <= x1 and top <= cy <= bottom for x0, top, x1, bottom in boxes)

    rest = ppage.filter(outside)
    lines = [piece for ln in rest.extract_text_lines() for piece in _plumber_pieces(ln)]
    for t in tables:
        lines.append(Line(text="", x0=t.bbox[0], x1=t.bbox[2], top=t.bbox[1], table=True,
                          cells=tuple(tuple(r) for r in t.extract())))
    lines.sort(key=lambda ln: ln.top)
    return lines
