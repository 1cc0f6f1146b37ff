"""A Word document with the official page, fonts and black headings in its styles, written from plain runs only.

Report text goes in as plain runs (never a field code or a hyperlink), stripped of characters XML cannot hold and
of the Unicode controls that reorder text on screen.
"""
from __future__ import annotations

import re

from ... import data

# Characters XML 1.0 cannot hold, and the Unicode controls that reorder text on screen.
_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff\ud800-\udfff\u202a-\u202e\u2066-\u2069]")


def cfg() -> dict:
    return data.load("memo.yaml")


def clean(text) -> str:
    """Report text as XML can hold it: no control characters, no bidi overrides."""
    if text is None:
        return ""
    s = str(text)
    return "" if s in ("<NA>", "nan", "None") else _XML_BAD.sub("", s)


def _set_font(style_or_run, spec: dict, bold=None):
    from docx.oxml.ns import qn
    from docx.shared import Pt
    font = style_or_run.font
    font.name = spec["latin"]
    if spec.get("size"):
        font.size = Pt(spec["size"])
    if bold is not None:
        font.bold = bold
    rpr = style_or_run.element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.insert(0, rfonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs"):
        rfonts.set(qn(attr), spec["latin"])
    rfonts.set(qn("w:eastAsia"), spec["east_asia"])
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        rfonts.attrib.pop(qn(theme), None)


def _page(doc, p: dict):
    from docx.shared import Mm
    sec = doc.sections[0]
    sec.page_height, sec.page_width = Mm(297), Mm(210)
    sec.top_margin, sec.bottom_margin = Mm(p["top"]), Mm(p["bottom"])
    sec.left_margin, sec.right_margin = Mm(p["left"]), Mm(p["right"])


def _styles(doc, fonts: dict, line_spacing):
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor
    normal = doc.styles["Normal"]
    _set_font(normal, fonts["body"])
    pf = normal.paragraph_format
    pf.line_spacing_rule, pf.line_spacing, pf.space_after = WD_LINE_SPACING.EXACTLY, Pt(line_spacing), Pt(0)
    for name, spec in (("Title", fonts["title"]), ("Heading 1", fonts["heading"]), ("Heading 2", fonts["heading2"]),
                       ("Heading 3", fonts["body"])):
        st = doc.styles[name]
        _set_font(st, spec, bold=name == "Heading 3")
        st.font.color.rgb = RGBColor(0, 0, 0)
        st.font.italic = False
        f = st.paragraph_format
        f.space_before, f.space_after = Pt(6 if name != "Title" else 0), Pt(6)
        f.keep_with_next = name != "Title"              # a heading never ends a page alone
        f.line_spacing_rule = WD_LINE_SPACING.SINGLE if name == "Title" else WD_LINE_SPACING.EXACTLY
        if name != "Title":
            f.line_spacing = Pt(line_spacing)
    title = doc.styles["Title"]
    title.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    pr = title.element.get_or_add_pPr()
    for b in pr.findall(qn("w:pBdr")):            # the default Title has a blue rule under it
        pr.remove(b)


def new_document():
    """A blank document with the official page (GB/T 9704), fonts and black headings in its styles."""
    import docx
    c = cfg()
    doc = docx.Document()
    _page(doc, c["page"])
    _styles(doc, c["fonts"], c["page"]["line_spacing"])
    return doc


def para(doc, *texts, style=None, indent=True, align=None):
    """A paragraph of plain runs, one per piece of text (a quote from the report is one run of its own)."""
    from docx.shared import Pt
    p = doc.add_paragraph(style=style)
    if indent and style is None:
        p.paragraph_format.first_line_indent = Pt(32)          # two characters of 三号
    if align is not None:
        p.alignment = align
    for t in texts:
        t = clean(t)
        if t:
            p.add_run(t)
    return p


def centered(doc, text):
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    return para(doc, text, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER)


def heading(doc, text: str, level: int):
    p = doc.add_paragraph(style=f"Heading {level}")
    p.add_run(clean(text))
    return p


def title(doc, text: str):
    doc.core_properties.title = clean(text)
    doc.add_paragraph(style="Title").add_run(clean(text))


def closing(doc, lines):
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    para(doc, "")
    for line in lines:
        para(doc, line, indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT)


def table(doc, header, rows, widths_mm=None):
    """A grid table of plain runs; the header row repeats on every page the table runs over."""
    from docx.enum.text import WD_LINE_SPACING
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt
    tb = doc.add_table(rows=1, cols=len(header))
    tb.style = doc.styles["Table Grid"]
    tb.autofit = False
    trpr = tb.rows[0]._tr.get_or_add_trPr()
    trpr.append(trpr.makeelement(qn("w:tblHeader"), {qn("w:val"): "true"}))
    for cell, h in zip(tb.rows[0].cells, header):
        cell.text = ""
        cell.paragraphs[0].add_run(clean(h)).bold = True
    for row in rows:
        for cell, v in zip(tb.add_row().cells, row):
            cell.text = ""
            cell.paragraphs[0].add_run(clean(v))
    size = Pt(cfg()["fonts"]["table"]["size"])
    for k, col in enumerate(tb.columns if widths_mm else ()):
        col.width = Mm(widths_mm[k])            # the grid, which LibreOffice and WPS lay out by
    for row in tb.rows:
        for k, cell in enumerate(row.cells):
            if widths_mm:
                cell.width = Mm(widths_mm[k])
            for p in cell.paragraphs:
                p.paragraph_format.first_line_indent = None
                p.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
                for r in p.runs:
                    r.font.size = size
    return tb
