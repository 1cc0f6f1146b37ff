"""Nothing in a report can act on the inspector's machine (issue #19): spreadsheets, file names,
the review site in a real browser, and SQL, fed a hostile report."""
import csv
import re
from pathlib import Path

import duckdb
import openpyxl
import pytest

from helpers import chrome, invoke
from html import unescape

from extractor.errors import InputError
from extractor.outputs.review import CSP
from extractor.paths import inside, safe_name

TRAVERSAL = "某某县/../../../tmp/x区人民政府"
HOSTILE = f"""{TRAVERSAL}
关于CON<script>window.pwned=1</script>2023年履行教育职责情况的自评报告

市政府教育督导委员会办公室：

一、基本情况

=HYPERLINK("http://evil.example/","点击")全县共有学校10所。
+SUM(1,2)全县在校学生1200人，其中小学800人。
学前三年毛入园率为80.5%。'); DROP TABLE facts; --全县教师300人。
详见<a href="javascript:window.pwned=2">链接</a><img src=x onerror="window.pwned=3">，普惠性幼儿园覆盖率90%。
@cmd 全县幼儿园5所。
-1+1 全县中学2所。

某某县人民政府
2024年7月30日
"""
FORMULA = ("=", "+", "-", "@", "\t", "\r")


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    base = tmp_path_factory.mktemp("hostile")
    d = base / "in"
    d.mkdir()
    (d / "CON.md").write_text(HOSTILE, encoding="utf-8")
    before = {p for p in base.parent.rglob("*")}
    out = base / "out"
    r = invoke("batch", d, "-o", out, "--jobs", "1", "--quiet")
    assert r.returncode == 0, r.stderr
    new = {p for p in base.parent.rglob("*")} - before          # every path the run created, anywhere near
    return base, d / "CON.md", out, new


def formula_cells(path):
    wb = openpyxl.load_workbook(path)
    return [(ws.title, c) for ws in wb for row in ws.iter_rows() for c in row
            if isinstance(c.value, str) and c.value.startswith(FORMULA)]


def test_formula_text_is_a_string_cell_in_every_workbook(hostile, tmp_path):
    _, report, out, _ = hostile
    books = [out / "report.xlsx", tmp_path / "all.xlsx", tmp_path / "zh.xlsx", tmp_path / "findings.xlsx",
             tmp_path / "compare.xlsx"]
    assert invoke("extract", report, "-o", books[1]).returncode == 0
    assert invoke("extract", report, "-o", books[2], "--zh").returncode == 0
    assert invoke("check", report, "-o", books[3]).returncode == 0
    assert invoke("compare", out, "-o", books[4]).returncode == 0          # every workbook the program writes
    for book in books:
        cells = formula_cells(book)
        values = [c.value for _, c in cells]
        if book not in books[3:]:
            assert any(v.startswith('=HYPERLINK("http://evil.example/"') for v in values), book
            assert any(v.startswith("+SUM(1,2)") for v in values) and any(v.startswith("@cmd") for v in values)
        for sheet, c in cells:
            assert c.data_type == "s" and c.quotePrefix, (book, sheet, c.coordinate, c.value)
        wb = openpyxl.load_workbook(book)
        assert not any(c.data_type == "f" for ws in wb for row in ws.iter_rows() for c in row), book
    # numbers stay numbers
    ws = openpyxl.load_workbook(books[1])["facts"]
    head = [c.value for c in ws[1]]
    values = [row[head.index("value")] for row in ws.iter_rows(min_row=2, values_only=True)]
    assert 1200 in values and 80.5 in values and "2024-07-30" in values


def test_formula_text_starts_with_a_quote_in_csv(hostile, tmp_path):
    _, report, _, _ = hostile
    for args, name in ((("extract",), "facts.csv"), (("extract", "--zh"), "zh.csv"), (("check",), "findings.csv")):
        out = tmp_path / name
        assert invoke(*args[:1], report, "-o", out, *args[1:]).returncode == 0
        rows = list(csv.reader(out.open(encoding="utf-8-sig")))
        fields = [f for row in rows[1:] for f in row]
        assert not [f for f in fields if f.startswith(FORMULA) and not f.lstrip("-").replace(".", "").isdigit()], name
        if name != "findings.csv":
            assert any(f.startswith("'=HYPERLINK(") for f in fields) and any(f.startswith("'+SUM(") for f in fields)
            assert any(f.startswith("'@cmd") for f in fields) and any(f.startswith("'-1+1") for f in fields)


def test_names_from_content_are_sanitized():
    taken = set()
    names = [safe_name(s, taken) for s in (TRAVERSAL, "标题\x00CON", "CON", "con", "..", "nul.txt", "a" * 300,
                                           "COM1", "x:y|z?*<>\"\\", "\u202e反向\x7f")]
    for n in names:
        assert "/" not in n and "\\" not in n and ".." not in n and n.strip(" .") == n
        assert not any(ord(ch) < 32 or ord(ch) == 127 for ch in n) and len(n) <= 60
        assert n.split(".")[0].upper() not in {"CON", "NUL", "COM1", "PRN", "AUX"}
    assert len({n.lower() for n in names}) == len(names)
    assert names[0] == "某某县_______tmp_x区人民政府" and names[1] == "标题CON"
    root = Path("/tmp/site")
    with pytest.raises(InputError):
        inside(root, root / "docs" / ("../../" + TRAVERSAL))
    assert inside(root, root / "docs" / "a.html") == Path("/tmp/site/docs/a.html").resolve()


def test_the_traversal_report_writes_only_under_the_output_folder(hostile):
    _, _, out, new = hostile
    outside = [p for p in new if p.resolve() != out.resolve() and out.resolve() not in p.resolve().parents]
    assert new and outside == []
    assert not Path("/tmp/x区人民政府").exists()
    pages = sorted(p.name for p in (out / "review" / "docs").iterdir())
    assert pages == ["某某县-2023.html"]          # the id from the issuer's county, cut at the separator


def test_every_page_carries_the_csp_and_loads_nothing_else(hostile):
    _, _, out, _ = hostile
    site = out / "review"
    pages = list(site.rglob("*.html"))
    assert len(pages) == 2
    for p in pages:
        html = p.read_text(encoding="utf-8")
        csp = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">', html)
        assert csp and unescape(csp.group(1)) == CSP and CSP.startswith("default-src 'none';"), p
        assert "<style" not in html and "http://" not in html.replace("http://evil.example/", "")
        scripts = html.count("<script")
        assert scripts == html.count("<script src=\""), p            # the report's <script> is escaped text
        # its own script, and on a report's page the memos' map written beside the site (memos/memos.js)
        srcs = re.findall(r'<script src="([^"]+)"', html)
        assert srcs in (["assets/index.js"], ["../../memos/memos.js", "../assets/report.js"]), (p, srcs)
    assert sorted(f.name for f in (site / "assets").iterdir()) == ["index.js", "report.js", "site.css"]


@pytest.mark.slow
def test_the_hostile_report_renders_inert_in_chromium(hostile, tmp_path):
    _, _, out, _ = hostile
    driver = chrome(tmp_path)
    try:
        for page in (out / "review" / "index.html", *(out / "review" / "docs").glob("*.html")):
            driver.get(page.as_uri())
            assert driver.execute_script("return window.pwned === undefined")
            assert driver.execute_script("return document.querySelectorAll('img, iframe, object, embed').length") == 0
            assert driver.execute_script(
                "return Array.from(document.querySelectorAll('a')).filter(a => /^\\s*javascript:/i.test("
                "a.getAttribute('href') || '')).length") == 0
            assert driver.execute_script(
                "return Array.from(document.querySelectorAll('*')).filter(e => Array.from(e.attributes)"
                ".some(a => a.name.startsWith('on'))).length") == 0
            srcs = driver.execute_script("return Array.from(document.scripts).map(s => s.src)")
            site = (out / "review" / "assets").as_uri() + "/"
            memos = (out / "memos" / "memos.js").as_uri()
            assert srcs and all(s.startswith(site) or s == memos for s in srcs), srcs
            res = driver.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
            assert all(r.startswith("file://") for r in res), res
        # the site's own script ran under the CSP, and the hostile text is shown as text
        assert driver.execute_script("return document.body.dataset.facts") not in (None, "0")
        body = driver.execute_script("return document.body.innerText")
        assert "<script>window.pwned=1</script>" in body and 'onerror="window.pwned=3"' in body
        driver.get((out / "review" / "index.html").as_uri())
        assert driver.execute_script("return document.body.dataset.reports") == "1"
    finally:
        driver.quit()


@pytest.mark.slow
def test_values_from_reports_go_through_parameterized_sql(hostile, tmp_path):
    _, report, out, _ = hostile
    evil = "'); DROP TABLE facts; --"
    db = tmp_path / "one.duckdb"
    assert invoke("extract", report, "-o", db).returncode == 0
    for path in (out / "selfeval.duckdb", db):
        con = duckdb.connect(str(path), read_only=True)
        try:
            rows = con.execute("SELECT sentence FROM facts WHERE raw = '300人'").fetchall()
            assert rows and evil in rows[0][0]
            assert con.execute("SELECT count(*) FROM facts").fetchone()[0] >= 7
            title = con.execute("SELECT title FROM documents").fetchone()[0]
            assert "<script>" in title
        finally:
            con.close()
    # re-running the batch on a changed hostile file deletes and inserts by parameter, not by text
    changed = report.read_text(encoding="utf-8").replace("1200人", "1300人")
    report.write_text(changed, encoding="utf-8")
    r = invoke("batch", report.parent, "-o", out, "--jobs", "1", "--quiet")
    assert r.returncode == 0, r.stderr
    con = duckdb.connect(str(out / "selfeval.duckdb"), read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM facts WHERE raw = '1300人'").fetchone()[0] == 1
        assert con.execute("SELECT count(*) FROM documents").fetchone()[0] == 1
    finally:
        con.close()
