"""A re-run writes only what changed, and its outputs are those of a run from scratch (issue #11);
what a reader could read only in part (damaged PDF pages) is stored and shown."""
import re
import shutil

import duckdb
import openpyxl
import pytest

from conftest import ROOT, EVAL
from helpers import batch_db, batch_here, flipped_pdf

pytestmark = pytest.mark.slow          # re-runs of a batch with damaged pages and changed rules

# A threshold of the built-in rules, changed: the re-run re-checks every document from its stored result.
RULES = (ROOT / "tests" / "data" / "province-rules.yaml").read_text(encoding="utf-8")
HISTORY = "报送记录"         # what each county sent and withdrew: a history, which a run from scratch has not seen


def workbook(path) -> dict:
    """Every sheet as the cells an inspector sees: values, types, quote prefixes, bold headers; and its layout."""
    wb = openpyxl.load_workbook(path)
    got = {}
    for ws in wb:
        cells = [[(c.value, c.data_type, c.quotePrefix, c.font.b) for c in row] for row in ws.iter_rows()]
        widths = {k: d.width for k, d in ws.column_dimensions.items()}
        got[ws.title] = (cells, ws.freeze_panes, ws.auto_filter.ref, widths)
    return got


def site(out) -> dict:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in (out / "review").rglob("*") if p.is_file()}


def stamps(out) -> dict:
    """page → (inode, mtime): a page written again is a new file (written aside, then moved over the old one)."""
    return {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in (out / "review" / "docs").iterdir()}


def test_rerun_with_changed_rules_equals_a_fresh_run_and_rewrites_only_changed_pages(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    for p in sorted((EVAL / "docs").iterdir()):
        shutil.copy(p, src / p.name)
    # a report under a scheme that does not ask for the changed standard, nor states it: its page stays
    shutil.copy(ROOT / "tests" / "data" / "schemes" / "s1-youzhi.md", src / "a-youzhi.md")
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES, encoding="utf-8")
    out, fresh = tmp_path / "out", tmp_path / "fresh"
    assert batch_here(src, out, "--jobs", "2", "--quiet").returncode == 0
    before, pages_before = stamps(out), site(out)
    gone = sorted(src.iterdir())[-1]
    con = batch_db(out)
    gone_page = f"{con.execute('SELECT doc FROM documents WHERE path = ?', [gone.name]).fetchone()[0]}.html"
    con.close()
    assert gone_page in before
    gone.unlink()

    r = batch_here(src, out, "--jobs", "2", "--rules", rules)
    assert r.returncode == 0, r.stderr
    con = batch_db(out)
    assert con.execute("SELECT processed, rechecked FROM runs ORDER BY run_id DESC LIMIT 1").fetchone() == (0, len(before) - 1)
    con.close()
    assert batch_here(src, fresh, "--jobs", "2", "--quiet", "--rules", rules).returncode == 0

    # the outputs are those of a run from scratch with the new rules, over the folder as it is now
    assert site(out) == site(fresh)
    a, b = workbook(out / "report.xlsx"), workbook(fresh / "report.xlsx")
    assert list(a) == list(b) and HISTORY in a
    for name in a:
        if name != HISTORY:
            assert a[name] == b[name], name
    # the page of the document that left is gone; a page was written again only if what it shows changed
    after = stamps(out)
    assert gone_page not in after and set(after) == set(before) - {gone_page}
    changed = {p for p in after if site(out)[f"review/docs/{p}"] != pages_before[f"review/docs/{p}"]}
    rewritten = {p for p in after if after[p] != before[p]}
    assert changed and changed != set(after), "the changed rule must move some findings and not others"
    assert rewritten == changed


def warnings_of(out):
    con = batch_db(out)
    try:
        return con.execute("SELECT path, code, message FROM warnings ORDER BY path").fetchall()
    finally:
        con.close()


def page_of(out, path) -> str:
    con = batch_db(out)
    try:
        doc = con.execute("SELECT doc FROM documents WHERE path = ?", [path]).fetchone()[0]
    finally:
        con.close()
    return (out / "review" / "docs" / f"{doc}.html").read_text(encoding="utf-8")


def test_damaged_pages_are_stored_and_shown_until_the_file_leaves(tmp_path):
    src, out = tmp_path / "in", tmp_path / "out"
    src.mkdir()
    flipped_pdf(src / "flipped.pdf", [5, 9])
    shutil.copy(EVAL / "docs" / "r001.txt", src / "r001.txt")
    r = batch_here(src, out, "--jobs", "1", "--quiet", lang="zh")
    assert r.returncode == 0, r.stderr
    said = "2 of 13 pages could not be read (damaged: pages 5, 9); the facts come from the other pages"
    assert warnings_of(out) == [("flipped.pdf", "pdf-pages-unreadable", said)]
    zh = "共 13 页中有 2 页无法读取（已损坏：第 5, 9 页）；数据取自其余各页"
    assert re.search(r'<div id="warnings" class="warnings"><h2>读取警告[^<]*</h2><ul><li>' + re.escape(zh), page_of(out, "flipped.pdf"))
    assert 'id="warnings"' not in page_of(out, "r001.txt")
    rows = list(openpyxl.load_workbook(out / "report.xlsx")["读取警告"].iter_rows(values_only=True))
    con = batch_db(out)
    doc = con.execute("SELECT doc FROM documents WHERE path = 'flipped.pdf'").fetchone()[0]
    con.close()
    assert rows == [("文件", "文档", "代码", "说明"), ("flipped.pdf", doc, "pdf-pages-unreadable", zh)]

    # a renamed file keeps its warnings without being read again
    (src / "flipped.pdf").rename(src / "moved.pdf")
    r = batch_here(src, out, "--jobs", "1")
    assert r.returncode == 0 and "processed 0" in r.stdout and "moved 1" in r.stdout, r.stdout
    assert warnings_of(out) == [("moved.pdf", "pdf-pages-unreadable", said)]

    # a database that lost a table is rebuilt: every file read again, no warning lost in silence
    con = duckdb.connect(str(out / "selfeval.duckdb"))
    con.execute("DROP TABLE warnings")
    con.close()
    r = batch_here(src, out, "--jobs", "1")
    assert r.returncode == 0 and "processed 2" in r.stdout, r.stdout
    assert warnings_of(out) == [("moved.pdf", "pdf-pages-unreadable", said)]

    # the file gone, so are its warnings
    (src / "moved.pdf").unlink()
    assert batch_here(src, out, "--jobs", "1", "--quiet").returncode == 0
    assert warnings_of(out) == []
    rows = list(openpyxl.load_workbook(out / "report.xlsx")["读取警告"].iter_rows(values_only=True))
    assert rows == [("文件", "文档", "代码", "说明")]

