"""Read Word .docx: paragraphs and tables in document order (python-docx)."""
from __future__ import annotations

import re
import zipfile
from pathlib import Path

from .. import data
from ..errors import InputError
from . import safezip
from .lines import table_sentences
from .messages import detail, say


def _structure(e: BaseException) -> str:
    """The detail of a package that opens but does not read: its XML or its parts, else parts that do not
    fit together (python-docx stumbling on a part that is not what its name says)."""
    if isinstance(e, (KeyError, zipfile.BadZipFile)) or type(e).__name__ in ("XMLSyntaxError", "ParseError"):
        return detail(e)
    return say("detail_structure")


def read_docx(path: Path):
    import docx
    from docx.oxml.ns import qn
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    from ..records import Content

    try:
        with zipfile.ZipFile(path) as zf:
            safezip.check(path, zf)          # declared sizes, before python-docx inflates every part
        document = docx.Document(str(path))
    except InputError:
        raise                               # a refusal by safezip says its own cause
    except (zipfile.BadZipFile, KeyError, ValueError) as e:
        raise InputError("corrupt", path, say("docx_not", detail=detail(e))) from e
    except Exception as e:  # lxml errors inside a damaged package
        raise InputError("corrupt", path, say("docx_corrupt", detail=_structure(e))) from e
    try:
        blocks, hints = _blocks(document, qn, Paragraph, Table)
    except Exception as e:  # noqa: BLE001 - a package whose parts are not what their names say (a swapped part)
        raise InputError("corrupt", path, say("docx_corrupt", detail=_structure(e))) from e
    text = "\n".join(blocks)
    if not text.strip():
        raise InputError("empty", path, say("docx_empty"))
    return Content(text=text, input_kind="docx", heading_hints=tuple(hints))


def _blocks(document, qn, Paragraph, Table) -> tuple[list, list]:
    """The body's paragraphs and table rows as text blocks, and (offset, level) of the headings."""
    blocks, hints, offset = [], [], 0
    for child in document.element.body.iterchildren():
        if child.tag == qn("w:p"):
            para = Paragraph(child, document)
            text = para.text.strip()
            if text:
                level = _heading_level(para) or _list_level(para, child, qn)
                if level:
                    hints.append((offset, level))
                blocks.append(text)
                offset += len(text) + 1
        elif child.tag == qn("w:tbl"):
            table = Table(child, document)
            rows = [[_cell_text(c) for c in row.cells] for row in table.rows]
            for sentence in table_sentences(_dedupe_merged(rows)):
                blocks.append(sentence)
                offset += len(sentence) + 1
    return blocks, hints


def _list_level(para, element, qn) -> int:
    """Word's automatic numbering (1. 2. … drawn by Word, absent from the text) marks item headings
    as well; they rank below the heading styles."""
    numbered = element.find(f"{qn('w:pPr')}/{qn('w:numPr')}") is not None
    try:
        style = (para.style.name or "") if para.style is not None else ""
    except (KeyError, AttributeError):
        style = ""
    if numbered or style.startswith(tuple(_lexicon()["docx_list_styles"])):
        return 7
    return 0


def _heading_level(para) -> int:
    """1, 2, 3 … for Word's heading styles (Heading 2, 标题 2); 0 for body text and the title."""
    try:
        name = (para.style.name or "") if para.style is not None else ""
    except (KeyError, AttributeError):
        return 0
    m = re.match(_lexicon()["docx_heading_style"], name.strip())
    return int(m.group(1)) if m else 0


def _cell_text(cell) -> str:
    return " ".join(p.text.strip() for p in cell.paragraphs if p.text.strip())


def _dedupe_merged(rows):
    """python-docx repeats a merged cell's text in every grid cell it spans."""
    out = []
    for r in rows:
        row = []
        for i, c in enumerate(r):
            row.append("" if i and c == r[i - 1] and c else c)
        out.append(row)
    return out


def _lexicon() -> dict:
    return data.load("lexicon/readers.yaml")
