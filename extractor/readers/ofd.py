"""Read OFD (GB/T 33190), the fixed-layout format government document systems export.

An OFD file is a zip: OFD.xml names each document's Document.xml, which lists its pages
(Pages/Page_N/Content.xml) and templates. A page's text is in TextObjects: a Boundary
("x y w h", mm, y growing downward) and TextCodes with X/Y (the baseline, relative to the
boundary) and DeltaX (the advance after each character, "g N d" repeating d N times).
Text runs on one baseline are joined into lines, which then go the way of PDF lines
(running headers and page numbers dropped, two columns read in turn, paragraphs joined),
pages numbered from 1.
"""
from __future__ import annotations

import posixpath
import zipfile
import zlib
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError
from . import safezip
from .lines import MAX_PAGES, Line, cut, page_text, undouble
from .messages import detail, say


@dataclass
class _Run:
    x0: float
    x1: float
    base: float
    size: float
    text: str


def read_ofd(path: Path):
    from ..records import Content

    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as e:
        raise InputError("corrupt", path, say("ofd_corrupt", detail=say("detail_not_zip"))) from e
    with zf:
        safezip.check(path, zf)
        try:
            pages = _pages(path, zf)
        except (zipfile.BadZipFile, zlib.error, KeyError, ET.ParseError, ValueError, OverflowError, EOFError,
                NotImplementedError) as e:
            raise InputError("corrupt", path, say("ofd_corrupt", detail=detail(e))) from e
    if not pages:
        raise InputError("empty", path, say("ofd_no_pages"))
    text, starts = page_text(pages)
    if not text.strip():
        raise InputError("needs-ocr", path, say("ofd_no_text"))
    return Content(text=text, input_kind="ofd", page_starts=starts)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _children(el, name):
    return [c for c in el.iter() if _local(c.tag) == name]


def _parse(path, zf, name) -> ET.Element:
    return ET.fromstring(safezip.read_xml(path, zf, name))


def _resolve(base_dir: str, loc: str, names: set) -> str:
    """A location in the package: absolute ('/Doc_0/…'), or relative to the referring file's folder."""
    loc = loc.strip().replace("\\", "/")
    cands = [loc.lstrip("/")] if loc.startswith("/") else [posixpath.normpath(posixpath.join(base_dir, loc)), loc]
    for c in cands:
        if c in names:
            return c
    raise KeyError(f"no '{loc}' in the package")


def _pages(path, zf) -> list[list[Line]]:
    names = set(zf.namelist())
    root = _parse(path, zf, _resolve("", "OFD.xml", names))
    out: list[list[Line]] = []
    for doc_root in _children(root, "DocRoot"):
        doc_name = _resolve("", doc_root.text or "", names)
        doc_dir = posixpath.dirname(doc_name)
        doc = _parse(path, zf, doc_name)
        templates = {t.get("ID"): _resolve(doc_dir, t.get("BaseLoc", ""), names)
                     for t in _children(doc, "TemplatePage") if t.get("BaseLoc")}
        for page in _children(doc, "Page"):
            if page.get("BaseLoc") is None:
                continue
            if len(out) >= MAX_PAGES:
                raise InputError("too-large", path, say("too_many_pages_over", limit=MAX_PAGES))
            page_name = _resolve(doc_dir, page.get("BaseLoc"), names)
            content = _parse(path, zf, page_name)
            runs = []
            for tpl in _children(content, "Template"):
                if tpl.get("TemplateID") in templates:
                    runs += _runs(_parse(path, zf, templates[tpl.get("TemplateID")]))
            runs += _runs(content)
            out.append(_lines(runs))
    return out


def _floats(s: str | None) -> list[float]:
    return [float(v) for v in (s or "").split()]


def _deltas(s: str | None, n: int) -> list[float]:
    """DeltaX/DeltaY: numbers, with 'g N d' meaning d repeated N times."""
    toks, out, i = (s or "").split(), [], 0
    while i < len(toks) and len(out) < n:
        if toks[i] == "g" and i + 2 < len(toks):
            out += [float(toks[i + 2])] * min(int(float(toks[i + 1])), n)
            i += 3
        else:
            out.append(float(toks[i]))
            i += 1
    return out[:n]


def _em(c: str) -> float:
    return 0.55 if ord(c) < 128 else 1.0


def _runs(content: ET.Element) -> list[_Run]:
    runs = []
    for obj in _children(content, "TextObject"):
        box = _floats(obj.get("Boundary"))
        if len(box) < 2:
            continue
        bx, by = box[0], box[1]
        size = float(obj.get("Size") or 0) or 3.5
        ctm = _floats(obj.get("CTM"))
        a, b, c, d, e, f = ctm if len(ctm) == 6 else (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
        scale = abs(a * d - b * c) ** 0.5 or 1.0
        x = y = 0.0
        for code in _children(obj, "TextCode"):
            text = code.text or ""
            # A TextCode without X or Y goes on from where the one before ended.
            x = float(code.get("X")) if code.get("X") is not None else x
            y = float(code.get("Y")) if code.get("Y") is not None else y
            if not text:
                continue
            dx = _deltas(code.get("DeltaX"), len(text) - 1)
            dx += [size * _em(ch) for ch in text[len(dx):len(text) - 1]]
            end = x + sum(dx) + size * _em(text[-1])
            x0, base = bx + a * x + c * y + e, by + b * x + d * y + f
            x1 = bx + a * end + c * y + e
            runs.append(_Run(min(x0, x1), max(x0, x1), base, size * scale, text))
            x = end
    return runs


def _lines(runs: list[_Run]) -> list[Line]:
    """Runs on one baseline (within a third of the type size) joined left to right, and cut where a wide
    gap parts them (a column gutter, '1.   标题'), as pdfium's lines are; lines top to bottom."""
    runs.sort(key=lambda r: (r.base, r.x0))
    rows: list[list[_Run]] = []
    for r in runs:
        if rows and abs(r.base - rows[-1][0].base) <= 0.35 * max(r.size, rows[-1][0].size):
            rows[-1].append(r)
        else:
            rows.append([r])
    lines = []
    for row in rows:
        row.sort(key=lambda r: r.x0)
        top = row[0].base - max(r.size for r in row)
        for i, j in cut([(r.x0, r.x1, r.size) for r in row]):
            part = row[i:j]
            lines.append(Line(text=undouble("".join(r.text for r in part).strip()), x0=part[0].x0,
                              x1=max(r.x1 for r in part), top=top))
    return [ln for ln in lines if ln.text]
