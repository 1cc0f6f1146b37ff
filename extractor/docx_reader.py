"""Read Word .docx: paragraphs and tables in document order (python-docx)."""
from __future__ import annotations

import zipfile
from pathlib import Path

from .errors import InputError
from .lines import table_sentences


def read_docx(path: Path):
    import docx
    from docx.oxml.ns import qn
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    from .ingest import doc_id, sha256_of
    from .records import Source

    try:
        document = docx.Document(str(path))
    except (zipfile.BadZipFile, KeyError, ValueError) as e:
        raise InputError(path, f"corrupt or not a Word .docx file ({type(e).__name__})")
    except Exception as e:  # lxml errors inside a damaged package
        raise InputError(path, f"corrupt Word .docx file ({type(e).__name__}: {e})")
    blocks = []
    for child in document.element.body.iterchildren():
        if child.tag == qn("w:p"):
            text = Paragraph(child, document).text.strip()
            if text:
                blocks.append(text)
        elif child.tag == qn("w:tbl"):
            table = Table(child, document)
            rows = [[_cell_text(c) for c in row.cells] for row in table.rows]
            blocks.extend(table_sentences(_dedupe_merged(rows)))
    text = "\n".join(blocks)
    if not text.strip():
        raise InputError(path, "no text in the Word document")
    return Source(path=str(path), doc=doc_id(path), text=text, input_kind="docx", encoding="",
                  page_starts=(), sha256=sha256_of(path))


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
