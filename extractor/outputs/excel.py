"""Spreadsheets an inspector can open safely and use at once.

Report text never becomes a formula: every text cell is written as a string cell, and
text that Excel or WPS would take for a formula (= + - @ tab CR first) also carries
Excel's quote prefix. In CSV such fields start with ' (OWASP's advice on CSV injection).
Numbers that are exactly representable become numeric cells, so they sort and sum.
"""
from __future__ import annotations

import itertools
import re
from decimal import Decimal, InvalidOperation

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def looks_like_formula(s: str) -> bool:
    """A field a spreadsheet would evaluate; a plain number such as -3.5 is data, not a formula."""
    return s.startswith(FORMULA_START) and not _PLAIN_NUMBER.fullmatch(s)


def csv_safe(df):
    """A copy whose text fields cannot run as formulas when the CSV is opened in Excel or WPS."""
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or str(out[col].dtype) == "string":
            out[col] = out[col].map(lambda v: "'" + v if isinstance(v, str) and looks_like_formula(v) else v)
    return out


def exact_number(text):
    """The number a text stands for, when a numeric cell keeps it exactly (int, or a float that
    prints back as the same text); otherwise None and the cell stays text."""
    if not isinstance(text, str) or not _PLAIN_NUMBER.fullmatch(text):
        return None
    try:
        d = Decimal(text)
    except InvalidOperation:
        return None
    if d == d.to_integral_value() and "." not in text:
        return int(d) if abs(d) < 10 ** 15 else None
    f = float(d)
    return f if repr(f) == text else None


# The workbook is written as XML straight into the zip: openpyxl built a cell object per value, which
# took most of a batch re-run's time. Each distinct value of a column becomes its cell's XML once.
_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
ROWS_AT_ONCE = 2000                                          # rows of a sheet made and written together
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")     # not allowed in XML 1.0: dropped
BOLD, QUOTED, DATETIME, DATE = 1, 2, 4, 5                    # cellXfs below; BOLD | QUOTED = 3
_STYLES = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
           f'<styleSheet xmlns="{_NS}"><numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy-mm-dd h:mm:ss"/>'
           '<numFmt numFmtId="165" formatCode="yyyy-mm-dd"/></numFmts><fonts count="2">'
           '<font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
           '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
           '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/>'
           '</fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
           '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
           '<cellXfs count="6"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
           '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
           '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" quotePrefix="1"/>'
           '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1" quotePrefix="1"/>'
           '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
           '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
           '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>')


def _xml_text(s: str) -> str:
    s = _ILLEGAL.sub("", s).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return s.replace("\r", "&#13;")


def _text_cell(s: str, style: int = 0) -> str:
    """The end of a <c r=".."> element holding text: always a string cell, never a formula."""
    style |= QUOTED if looks_like_formula(s) else 0
    space = ' xml:space="preserve"' if s != s.strip() else ""
    styled = f' s="{style}"' if style else ""
    return f'{styled} t="inlineStr"><is><t{space}>{_xml_text(s)}</t></is></c>'


def _cell(value, numeric: bool) -> str:
    """The end of one cell's XML for a value; "" for an empty cell (not written)."""
    import datetime
    import math
    import pandas as pd
    if value is None or (isinstance(value, str) and value == "") or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, str):
        n = exact_number(value) if numeric else None
        return f' t="n"><v>{n!r}</v></c>' if n is not None else _text_cell(value)
    if hasattr(value, "item") and not isinstance(value, datetime.date):
        value = value.item()                  # numpy scalars
    if isinstance(value, bool):
        return f' t="b"><v>{int(value)}</v></c>'
    if isinstance(value, (int, float)) and math.isfinite(value):
        return f' t="n"><v>{value!r}</v></c>'
    if isinstance(value, datetime.date):
        from openpyxl.utils.datetime import to_excel
        style = DATETIME if isinstance(value, datetime.datetime) else DATE
        return f' s="{style}" t="n"><v>{to_excel(value)!r}</v></c>'
    return _text_cell(str(value))


def _column(series, numeric: bool) -> list:
    """Each value's cell XML, made once per distinct value of the column."""
    import numpy as np
    import pandas as pd
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    made = np.array([_cell(u, numeric) for u in uniques] + [""], dtype=object)
    return made[codes].tolist()          # -1, a missing value, takes the last: ""


def _width(values, header: str) -> float:
    """A column as wide as its longest text (CJK counts double), within reason."""
    def w(s):
        return sum(2 if ord(ch) > 0x2E80 else 1 for ch in str(s))
    longest = max([w(header)] + [w(v) for v in values[:500] if v is not None])
    return min(60, max(6, longest + 2))


def _letter(i: int) -> str:
    from openpyxl.utils import get_column_letter
    return get_column_letter(i)


def _sheet(df, numeric) -> tuple[list, str]:
    """(worksheet XML in parts, the autofilter's range or ""): frozen header row, widths, an autofilter on the
    header. The rows come as they are written (a generator), not as one string the size of the sheet."""
    cols = [str(c) for c in df.columns]
    letters = [_letter(i) for i in range(1, len(cols) + 1)]
    ref = f"A1:{letters[-1]}{max(1, len(df) + 1)}" if cols else ""
    widths = "".join(f'<col min="{i}" max="{i}" width="{_width(df.iloc[:500, i - 1].tolist(), c)}" customWidth="1"/>'
                     for i, c in enumerate(cols, 1))
    header = "".join(f'<c r="{x}1"{_text_cell(c, BOLD)}' for x, c in zip(letters, cols))
    columns = [_column(df.iloc[:, i], c in numeric) for i, c in enumerate(cols)]

    def body():
        if cols:
            yield f'<row r="1">{header}</row>'
        rows = []
        for r, cells in enumerate(zip(*columns), 2):
            rows.append(f'<row r="{r}">' + "".join(f'<c r="{x}{r}"{c}' for x, c in zip(letters, cells) if c) + "</row>")
            if len(rows) == ROWS_AT_ONCE:
                yield "".join(rows)
                rows.clear()
        yield "".join(rows)
    view = ('<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" '
            'state="frozen"/><selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>')
    dimension, autofilter = (f'<dimension ref="{ref}"/>', f'<autoFilter ref="{ref}"/>') if ref else ("", "")
    # Printed landscape on A4, as wide as the page, the header row repeated on every page (workbook's Print_Titles).
    head = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{_NS}" xmlns:r="{_REL}">'
            f'<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>{dimension}{view}<sheetFormatPr defaultRowHeight="15"/>'
            f'{f"<cols>{widths}</cols>" if widths else ""}<sheetData>')
    tail = (f'</sheetData>{autofilter}'
            '<pageMargins left="0.4" right="0.4" top="0.6" bottom="0.6" header="0.3" footer="0.3"/>'
            '<pageSetup paperSize="9" orientation="landscape" fitToWidth="1" fitToHeight="0"/></worksheet>')
    return itertools.chain([head], body(), [tail]), ref


def _attr(s: str) -> str:
    return _xml_text(s).replace('"', "&quot;")


def _package(names: list, filters: list) -> dict:
    """The parts around the sheets: content types, relationships, the workbook with its filter names, styles."""
    n = len(names)
    sheet_ct = "".join(f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/'
                       f'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>' for i in range(1, n + 1))
    types = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types xmlns="http://schemas.openxmlformats.org/'
             'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-'
             'package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
             '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
             'spreadsheetml.sheet.main+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.'
             f'openxmlformats-officedocument.spreadsheetml.styles+xml"/>{sheet_ct}</Types>')
    rel = _REL
    root_rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.'
                 f'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{rel}/officeDocument" '
                 'Target="xl/workbook.xml"/></Relationships>')
    wb_rels = "".join(f'<Relationship Id="rId{i}" Type="{rel}/worksheet" Target="worksheets/sheet{i}.xml"/>'
                      for i in range(1, n + 1))
    wb_rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.'
               f'openxmlformats.org/package/2006/relationships">{wb_rels}<Relationship Id="rId{n + 1}" '
               f'Type="{rel}/styles" Target="styles.xml"/></Relationships>')
    sheets = "".join(f'<sheet name="{_attr(s)}" sheetId="{i}" r:id="rId{i}"/>' for i, s in enumerate(names, 1))
    defined = "".join(f'<definedName name="_xlnm._FilterDatabase" localSheetId="{i}" hidden="1">'
                      f"{_attr(_quote_sheet(s))}!{_absolute(ref)}</definedName>"
                      f'<definedName name="_xlnm.Print_Titles" localSheetId="{i}">{_attr(_quote_sheet(s))}!$1:$1'
                      "</definedName>"
                      for i, (s, ref) in enumerate(zip(names, filters)) if ref)
    workbook = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="{_NS}" xmlns:r="{_REL}">'
                f'<bookViews><workbookView activeTab="0"/></bookViews><sheets>{sheets}</sheets>'
                f'{f"<definedNames>{defined}</definedNames>" if defined else ""}</workbook>')
    return {"[Content_Types].xml": types, "_rels/.rels": root_rels, "xl/workbook.xml": workbook,
            "xl/_rels/workbook.xml.rels": wb_rels, "xl/styles.xml": _STYLES}


def _quote_sheet(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


def _absolute(ref: str) -> str:
    a, b = ref.split(":")
    return ":".join("$" + re.sub(r"(\d+)$", r"$\1", x) for x in (a, b))


def write_workbook(path, sheets):
    """sheets: [(sheet name, DataFrame, numeric columns)]. Frozen header, autofilter, widths."""
    import zipfile
    made = [(name, *_sheet(df, numeric)) for name, df, numeric in sheets]
    parts = _package([m[0] for m in made], [m[2] for m in made])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        for name, text in parts.items():
            z.writestr(name, text)
        for i, (_, xml, _) in enumerate(made, 1):
            with z.open(f"xl/worksheets/sheet{i}.xml", "w") as f:
                for part in xml:
                    f.write(part.encode("utf-8", "replace"))
