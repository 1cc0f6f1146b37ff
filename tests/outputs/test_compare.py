"""Standard indicators across reports and years: a batch of the seed, another county, and the seed a year later.
The commands run in this process (helpers.invoke): what they write is tested here, not the process."""

import duckdb
import openpyxl
import pytest

from conftest import SEED
from helpers import invoke




@pytest.fixture(scope="module")
def batch_out(tmp_path_factory):
    d = tmp_path_factory.mktemp("incoming")
    seed = SEED.read_text(encoding="utf-8")
    (d / "xingan-2024.md").write_text(seed, encoding="utf-8")
    (d / "xiangyang-2024.md").write_text(seed.replace("兴安", "向阳").replace("41.49%", "55.2%"), encoding="utf-8")
    later = seed.replace("2024", "2025").replace("2023", "2024").replace("教育支出2394万元", "教育支出2000万元")
    (d / "xingan-2025.md").write_text(later, encoding="utf-8")
    out = tmp_path_factory.mktemp("out") / "review"
    r = invoke("batch", d, "-o", out, "--jobs", "1", "--quiet")
    assert r.returncode == 0, r.stderr
    return out


def test_batch_database_holds_the_metrics_table(batch_out):
    con = duckdb.connect(str(batch_out / "selfeval.duckdb"), read_only=True)
    rows = con.execute("SELECT doc, county, year, value, standard, status FROM metrics "
                       "WHERE metric_id = 'preschool.public-share' ORDER BY doc").fetchall()
    assert rows == [("兴安区-2023", "兴安区", 2023, "41.49", ">=50", "fail"),       # ids: county and year
                    ("兴安区-2024", "兴安区", 2024, "41.49", ">=50", "fail"),
                    ("向阳区-2023", "向阳区", 2023, "55.2", ">=50", "pass")]
    linked = con.execute("SELECT count(*) FROM facts WHERE metric_id = 'balanced.coefficient'").fetchone()[0]
    assert linked == 6          # facts keep their metric too


def test_compare_prints_districts_by_period_and_a_cross_year_finding(batch_out):
    r = invoke("compare", batch_out)
    assert r.returncode == 0, r.stderr
    block = r.stdout.split("[spending.education]", 1)[1].split("\n\n", 1)[0].splitlines()
    assert block[1].split("\t") == ["", "2024Q1", "2024Q2", "2025Q1", "2025Q2"]
    assert ["兴安区", "23940000", "37700000", "20000000", "37700000"] in [ln.split("\t") for ln in block]
    assert ["向阳区", "23940000", "37700000", "", ""] in [ln.split("\t") for ln in block]
    fails = [ln for ln in r.stdout.splitlines() if ln.startswith("cross-year\tfail")]
    assert len(fails) == 1 and "兴安区-2023" in fails[0] and "兴安区-2024" in fails[0] and "2000万元" in fails[0]
    assert sum(ln.startswith("cross-year\tpass") for ln in r.stdout.splitlines()) == 1      # 2024Q2 → 2025Q2 equal
    one = invoke("compare", batch_out, "--metric", "preschool.public-share")
    assert "[preschool.public-share]" in one.stdout and "[spending.education]" not in one.stdout


def test_compare_workbook_is_quiet_chinese_and_numeric(batch_out, tmp_path):
    """-o x.xlsx: nothing on the terminal; sheets named by the metric's title, its id in a column, values as
    numbers, the cross-year findings in Chinese; written by the one workbook writer (no formula cells)."""
    out = tmp_path / "comparison.xlsx"
    r = invoke("compare", batch_out, "-o", out)
    assert r.returncode == 0 and r.stdout == "", r.stderr
    wb = openpyxl.load_workbook(out)
    assert "spending.education" not in wb.sheetnames and "跨年度变化" in wb.sheetnames
    sheet = next(ws for ws in wb.worksheets if ws.cell(2, 2).value == "spending.education")
    assert sheet.title.startswith("一般公共预算教育支出")
    head = [c.value for c in sheet[1]]
    assert head[:2] == ["地区", "指标编号"] and "2024Q1" in head
    row = next(r for r in sheet.iter_rows(min_row=2, values_only=True) if r[0] == "兴安区")
    assert row[head.index("2024Q1")] == 23940000 and isinstance(row[head.index("2024Q1")], int)
    findings = wb["跨年度变化"]
    assert "结论" in [c.value for c in findings[1]]
    assert not any(c.data_type == "f" for ws in wb.worksheets for r in ws.iter_rows() for c in r)


def _findings(out, rule):
    con = duckdb.connect(str(out / "selfeval.duckdb"), read_only=True)
    rows = con.execute("SELECT doc, status, message FROM findings WHERE rule = ? ORDER BY doc, status", [rule]).fetchall()
    con.close()
    return rows


@pytest.mark.slow
def test_batch_keeps_the_cross_year_findings_with_the_others_and_remakes_them_each_run(batch_out, tmp_path):
    rows = _findings(batch_out, "cross-year")
    assert [(d, s) for d, s, _ in rows] == [("兴安区-2024", "fail"), ("兴安区-2024", "pass")]
    fail = rows[0][2]
    assert "兴安区-2023" in fail and "2000万元" in fail
    # The inspectors' workbook lists it among the findings of the later report.
    wb = openpyxl.load_workbook(batch_out / "report.xlsx", read_only=True)
    cells = [str(c) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for c in row if c]
    assert any("2000万元" in c and "兴安区-2023" in c for c in cells)
    # The year before leaves the folder: the trend has nothing to compare with, and its finding goes.
    d = tmp_path / "in"
    d.mkdir()
    seed = SEED.read_text(encoding="utf-8")
    later = seed.replace("2024", "2025").replace("2023", "2024").replace("教育支出2394万元", "教育支出2000万元")
    (d / "xingan-2024.md").write_text(seed, encoding="utf-8")
    (d / "xingan-2025.md").write_text(later, encoding="utf-8")
    out = tmp_path / "out"
    assert invoke("batch", d, "-o", out, "--jobs", "1", "--quiet").returncode == 0
    assert [s for _, s, _ in _findings(out, "cross-year")] == ["fail", "pass"]
    (d / "xingan-2024.md").unlink()
    assert invoke("batch", d, "-o", out, "--jobs", "1", "--quiet").returncode == 0
    assert _findings(out, "cross-year") == []
    # and a re-run with nothing changed keeps them as they were, once each
    (d / "xingan-2024.md").write_text(seed, encoding="utf-8")
    assert invoke("batch", d, "-o", out, "--jobs", "1", "--quiet").returncode == 0
    assert invoke("batch", d, "-o", out, "--jobs", "1", "--quiet").returncode == 0
    assert [s for _, s, _ in _findings(out, "cross-year")] == ["fail", "pass"]
