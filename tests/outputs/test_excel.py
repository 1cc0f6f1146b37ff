"""The workbook writer (outputs/excel.py writes the XML itself): what openpyxl and pandas read back from it."""
import datetime as dt

import openpyxl
import pandas as pd

from extractor.outputs.excel import write_workbook

TEXTS = ["1200", "80.5", "-3.5", "0.30000000000000004", "1e5", "1,200", "=HYPERLINK(\"http://evil.example/\",\"x\")",
         "+SUM(1,2)", "@cmd", "-1+1", "\tTab", " 前后有空格 ", "a & b < c > d \"q\" 'a'", "行一\r\n行二", "响铃\x07字符",
         "", None, pd.NA, "兴安区人民政府"]


def frame():
    n = len(TEXTS)
    return pd.DataFrame({
        "value": pd.array(TEXTS, dtype=object),
        "raw": pd.array([t if isinstance(t, str) else "" for t in TEXTS], dtype="string"),
        "page": pd.array([i if i % 3 else None for i in range(n)], dtype="Int64"),
        "share": [0.5 * i for i in range(n)],
        "when": [dt.datetime(2024, 7, 30, 9, 15, i) for i in range(n - 1)] + [pd.NaT],
    })


def test_cells_read_back_as_written(tmp_path):
    path = tmp_path / "t.xlsx"
    df = frame()
    write_workbook(path, [("数据", df, {"value"}), ("空表", pd.DataFrame(columns=["文档", "原因"]), set())])
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["数据", "空表"]
    ws = wb["数据"]
    assert [c.value for c in ws[1]] == list(df.columns) and all(c.font.b for c in ws[1])
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == f"A1:E{len(df) + 1}"
    assert wb["空表"].auto_filter.ref == "A1:B1" and wb["空表"].max_row == 1
    rows = list(ws.iter_rows(min_row=2))
    got = {TEXTS[i] if isinstance(TEXTS[i], str) else i: r[0] for i, r in enumerate(rows)}
    # exact numbers in a numeric column are numbers; anything else stays the text it was
    assert got["1200"].value == 1200 and isinstance(got["1200"].value, int)
    assert got["80.5"].value == 80.5 and got["-3.5"].value == -3.5
    assert got["0.30000000000000004"].value == 0.1 + 0.2                # every digit kept
    assert got["1e5"].value == "1e5" and got["1,200"].value == "1,200"
    # text a spreadsheet would run is a string cell with the quote prefix, never a formula
    for t in ("=HYPERLINK(\"http://evil.example/\",\"x\")", "+SUM(1,2)", "@cmd", "-1+1", "\tTab"):
        assert got[t].value == t and got[t].data_type == "s" and got[t].quotePrefix, t
    assert not any(c.data_type == "f" for r in rows for c in r)
    assert got[" 前后有空格 "].value == " 前后有空格 " and got["a & b < c > d \"q\" 'a'"].value == "a & b < c > d \"q\" 'a'"
    assert got["行一\r\n行二"].value == "行一\r\n行二"
    assert got["响铃\x07字符"].value == "响铃字符"                          # not allowed in XML: dropped
    assert got[""].value is None and rows[TEXTS.index(None)][0].value is None and rows[len(TEXTS) - 2][0].value is None
    # the same text in a column not named numeric stays text
    assert rows[0][1].value == "1200" and rows[0][1].data_type == "s"
    assert [r[2].value for r in rows] == [i if i % 3 else None for i in range(len(TEXTS))]
    assert [r[3].value for r in rows] == [0.5 * i for i in range(len(TEXTS))]
    assert [r[4].value for r in rows] == [dt.datetime(2024, 7, 30, 9, 15, i) for i in range(len(TEXTS) - 1)] + [None]
    assert rows[0][4].number_format == "yyyy-mm-dd h:mm:ss"
    # widths follow the longest text, CJK counted double
    assert ws.column_dimensions["B"].width > ws.column_dimensions["C"].width >= 6


def test_pandas_reads_the_same_table(tmp_path):
    path = tmp_path / "t.xlsx"
    df = frame()
    write_workbook(path, [("数据", df, set())])
    back = pd.read_excel(path, sheet_name="数据", dtype=str, keep_default_na=False)
    want = [t.replace("\x07", "") if isinstance(t, str) else "" for t in TEXTS]
    assert back["value"].tolist() == want and back["raw"].tolist() == want
