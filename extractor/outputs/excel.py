"""Spreadsheets an inspector can open safely and use at once.

Report text never becomes a formula: every text cell is written as a string cell, and
text that Excel or WPS would take for a formula (= + - @ tab CR first) also carries
Excel's quote prefix. In CSV such fields start with ' (OWASP's advice on CSV injection).
Numbers that are exactly representable become numeric cells, so they sort and sum.
"""
from __future__ import annotations

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


def _cell(ws, value, numeric: bool):
    from openpyxl.cell.cell import WriteOnlyCell
    import pandas as pd
    if value is None or (isinstance(value, str) and value == "") or (not isinstance(value, str) and pd.isna(value)):
        return WriteOnlyCell(ws, value=None)
    if isinstance(value, str):
        n = exact_number(value) if numeric else None
        if n is not None:
            return WriteOnlyCell(ws, value=n)
        c = WriteOnlyCell(ws, value=value)
        c.data_type = "s"                    # openpyxl would store "=…" as a formula
        if looks_like_formula(value):
            c.quotePrefix = True
        return c
    if hasattr(value, "item"):                # numpy scalars
        value = value.item()
    return WriteOnlyCell(ws, value=value)


def _width(values, header: str) -> float:
    """A column as wide as its longest text (CJK counts double), within reason."""
    def w(s):
        return sum(2 if ord(ch) > 0x2E80 else 1 for ch in str(s))
    longest = max([w(header)] + [w(v) for v in values[:500] if v is not None])
    return min(60, max(6, longest + 2))


def write_workbook(path, sheets):
    """sheets: [(sheet name, DataFrame, numeric columns)]. Frozen header, autofilter, widths."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter
    from openpyxl.styles import Font
    wb = Workbook(write_only=True)
    for name, df, numeric in sheets:
        ws = wb.create_sheet(title=name)
        cols = [str(c) for c in df.columns]
        for i, c in enumerate(cols, 1):
            ws.column_dimensions[get_column_letter(i)].width = _width(list(df.iloc[:, i - 1]), c)
        ws.freeze_panes = "A2"
        if cols:
            ws.auto_filter.ref = f"A1:{get_column_letter(len(cols))}{max(1, len(df) + 1)}"
        header = []
        for c in cols:
            cell = _cell(ws, c, False)
            cell.font = Font(bold=True)
            header.append(cell)
        ws.append(header)
        flags = [c in numeric for c in cols]
        for row in df.itertuples(index=False, name=None):
            ws.append([_cell(ws, v, f) for v, f in zip(row, flags)])
    wb.save(path)
