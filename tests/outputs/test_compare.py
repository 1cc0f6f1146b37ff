"""Standard indicators across reports and years: a batch of the seed, another county, and the seed a year later."""

import duckdb
import openpyxl
import pytest

from conftest import SEED
from helpers import cli




@pytest.fixture(scope="module")
def batch_out(tmp_path_factory):
    d = tmp_path_factory.mktemp("incoming")
    seed = SEED.read_text(encoding="utf-8")
    (d / "xingan-2024.md").write_text(seed, encoding="utf-8")
    (d / "xiangyang-2024.md").write_text(seed.replace("兴安", "向阳").replace("41.49%", "55.2%"), encoding="utf-8")
    later = seed.replace("2024", "2025").replace("2023", "2024").replace("教育支出2394万元", "教育支出2000万元")
    (d / "xingan-2025.md").write_text(later, encoding="utf-8")
    out = tmp_path_factory.mktemp("out") / "review"
    r = cli("batch", d, "-o", out, "--jobs", "1", "--quiet")
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


def test_compare_prints_districts_by_period_and_a_cross_year_finding(batch_out, tmp_path):
    out = tmp_path / "comparison.xlsx"
    r = cli("compare", batch_out, "-o", out)
    assert r.returncode == 0, r.stderr
    block = r.stdout.split("[spending.education]", 1)[1].split("\n\n", 1)[0].splitlines()
    assert block[1].split("\t") == ["", "2024Q1", "2024Q2", "2025Q1", "2025Q2"]
    assert ["兴安区", "23940000", "37700000", "20000000", "37700000"] in [ln.split("\t") for ln in block]
    assert ["向阳区", "23940000", "37700000", "", ""] in [ln.split("\t") for ln in block]
    fails = [ln for ln in r.stdout.splitlines() if ln.startswith("cross-year\tfail")]
    assert len(fails) == 1 and "兴安区-2023" in fails[0] and "兴安区-2024" in fails[0] and "2000万元" in fails[0]
    assert sum(ln.startswith("cross-year\tpass") for ln in r.stdout.splitlines()) == 1      # 2024Q2 → 2025Q2 equal
    wb = openpyxl.load_workbook(out, read_only=True)
    assert "spending.education" in wb.sheetnames and "cross-year" in wb.sheetnames
    one = cli("compare", batch_out, "--metric", "preschool.public-share")
    assert "[preschool.public-share]" in one.stdout and "[spending.education]" not in one.stdout
