"""Batch state that stays true: identity, the folder mirrored, retries, rules, duplicates, the lock."""
import shutil
import subprocess
import sys
import time

import duckdb
import pytest

from conftest import ROOT, SEED, EVAL
from helpers import batch_cli, batch_db, batch_here, invoke

from extractor.ids import assign_ids, safe_id

CORPUS = ROOT / "corpus"


batch, db = batch_cli, batch_db      # batch_here where only the summary and the tables are tested

def docs_of(out):
    con = db(out)
    try:
        return dict(con.execute("SELECT path, doc FROM documents").fetchall())
    finally:
        con.close()


def q(out, sql, *params):
    con = db(out)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


@pytest.fixture()
def small(tmp_path):
    d = tmp_path / "corpus"
    (d / "A").mkdir(parents=True)
    (d / "B").mkdir()
    shutil.copy(EVAL / "docs" / "r001.txt", d / "A" / "自评报告.md")
    shutil.copy(EVAL / "docs" / "r006.txt", d / "B" / "自评报告.md")
    shutil.copy(EVAL / "docs" / "r010.txt", d / "r010.txt")
    return d


@pytest.mark.slow
def test_same_folder_however_named_is_one_run(small, tmp_path, monkeypatch):
    out = tmp_path / "out"
    monkeypatch.chdir(tmp_path)          # the folder named from here; in this process: its summary and tables are tested
    r = invoke("batch", "corpus", "-o", "out", "--jobs", "1", lang="en")
    assert r.returncode == 0, r.stderr
    first = docs_of(out)
    for name in ("./corpus", str(small.resolve())):
        r = invoke("batch", name, "-o", "out", lang="en")
        assert r.returncode == 0 and "processed 0, unchanged 3" in r.stdout, r.stdout + r.stderr
    # ids: the county and year where the report names them (r001: 方正县), else the path
    assert docs_of(out) == first == {"A/自评报告.md": "方正县-2024", "B/自评报告.md": "B-自评报告", "r010.txt": "r010"}
    assert not q(out, "SELECT * FROM findings WHERE rule = 'batch.duplicate-submission'")


def test_ids_are_readable_unique_and_do_not_depend_on_order():
    files = {"a/x.md": "兴安区-2023", "b/x.md": "兴安区-2023", "x.pdf": "", "x.docx": "", "c.md": "向阳区-2023"}
    ids = assign_ids(files)
    assert ids == {"a/x.md": "兴安区-2023-a-x", "b/x.md": "兴安区-2023-b-x", "x.pdf": "x-pdf", "x.docx": "x-docx",
                   "c.md": "向阳区-2023"}
    assert assign_ids(dict(reversed(list(files.items())))) == ids
    for bad in ("../../etc/passwd", "a/b\\c", "x\x00y\n", "..", "", "区" * 300):
        s = safe_id(bad)
        assert s and "/" not in s and "\\" not in s and ".." not in s and s.isprintable() and len(s) <= 80


@pytest.mark.slow
def test_the_database_mirrors_the_folder(small, tmp_path):
    out = tmp_path / "out"
    shutil.copy(SEED, small / "seed.md")
    assert batch_here(small, out, "--jobs", "1").returncode == 0
    facts = q(out, "SELECT count(*) FROM facts WHERE doc = '兴安区-2023'")[0][0]
    assert facts > 50
    # a rename moves the document: nothing read, no duplicate of a file that is gone
    (small / "seed.md").rename(small / "A" / "兴安区.md")
    r = batch_here(small, out)
    assert r.returncode == 0 and "processed 0" in r.stdout and "moved 1" in r.stdout
    assert docs_of(out)["A/兴安区.md"] == "兴安区-2023" and "seed.md" not in docs_of(out)
    assert q(out, "SELECT count(*) FROM facts WHERE doc = '兴安区-2023'")[0][0] == facts
    assert not q(out, "SELECT * FROM findings WHERE rule LIKE 'batch.%'")
    # a removed file leaves every table but stays in the history
    (small / "r010.txt").unlink()
    r = batch_here(small, out)
    assert r.returncode == 0 and "removed 1" in r.stdout
    assert set(docs_of(out)) == {"A/自评报告.md", "B/自评报告.md", "A/兴安区.md"}
    for t in ("facts", "entities", "findings", "texts"):
        assert not q(out, f"SELECT * FROM {t} WHERE doc = 'r010'"), t
    hist = {p: w is not None for p, w in q(out, "SELECT path, withdrawn_at FROM submissions")}
    assert hist == {"A/自评报告.md": False, "B/自评报告.md": False, "r010.txt": True, "seed.md": True,
                    "A/兴安区.md": False}
    assert "r010" not in (out / "review" / "index.html").read_text(encoding="utf-8")
    assert not (out / "review" / "docs" / "r010.html").exists()


def test_extract_into_one_duckdb_keeps_both_reports(small, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)                        # paths as given on the command line, relative to here
    for sub in ("A", "B", "A"):
        r = invoke("extract", f"corpus/{sub}/自评报告.md", "-o", "x.duckdb")
        assert r.returncode == 0, r.stderr
    con = duckdb.connect(str(tmp_path / "x.duckdb"), read_only=True)
    got = dict(con.execute("SELECT path, doc FROM documents").fetchall())
    n = con.execute("SELECT count(DISTINCT doc) FROM facts").fetchone()[0]
    con.close()
    assert got == {"corpus/A/自评报告.md": "自评报告", "corpus/B/自评报告.md": "corpus-B-自评报告"} and n == 2


@pytest.mark.slow
def test_errors_are_retried_and_rules_rechecked_without_reading(small, tmp_path):
    out = tmp_path / "out"
    shutil.copy(SEED, small / "seed.md")
    (small / "broken.pdf").write_bytes(b"%PDF-1.4 garbage")
    assert batch_here(small, out, "--jobs", "1").returncode == 1
    assert q(out, "SELECT run_id FROM errors WHERE path = 'broken.pdf'") == [(1,)]
    fail = "SELECT status FROM findings WHERE doc = '兴安区-2023' AND rule = 'preschool.public-share'"
    assert q(out, fail) == [("fail",)]
    rules = tmp_path / "province.yaml"
    rules.write_text("sources: {p: 某省标准}\nrules:\n  - id: preschool.public-share\n    kind: threshold\n"
                     "    title: 公办园在园幼儿占比\n    match: {kinds: [percent], unit: '%', text: '公办园在园幼儿占比'}\n"
                     "    op: '>='\n    threshold: 40\n    source: p\n", encoding="utf-8")
    r = batch_here(small, out, "--rules", rules)
    assert r.returncode == 1 and "processed 0" in r.stdout and "failed 1" in r.stdout
    assert q(out, "SELECT run_id FROM errors WHERE path = 'broken.pdf'") == [(2,)]     # retried
    assert q(out, fail) == [("pass",)]                                                # re-checked, not re-read
    r = batch_here(small, out)
    assert "processed 0" in r.stdout and q(out, fail) == [("fail",)]
    # another scheme changes how a file is read: read again
    scheme = tmp_path / "scheme.yaml"
    scheme.write_bytes((ROOT / "patterns" / "schemes" / "hegang-county-2024.yaml").read_bytes() + b"\n# copy\n")
    r = batch_here(small, out, "--scheme", scheme, "--jobs", "1")
    assert "processed 4" in r.stdout, r.stdout


@pytest.mark.slow
def test_one_report_in_two_forms_is_a_duplicate(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    shutil.copy(CORPUS / "xingan-2024.md", d / "xingan.md")
    shutil.copy(CORPUS / "xingan-2024.docx", d / "xingan.docx")
    shutil.copy(EVAL / "docs" / "r001.txt", d / "r001.txt")
    out = tmp_path / "out"
    assert batch_here(d, out, "--jobs", "2").returncode == 0
    ids = docs_of(out)
    md, dx = ids["xingan.md"], ids["xingan.docx"]
    dup = dict(q(out, "SELECT doc, message FROM findings WHERE rule = 'batch.duplicate-submission'"))
    assert set(dup) == {md, dx}
    # named as an inspector knows them, by district and title, never by internal ids; one stands for the district
    assert all("兴安区" in m and "履行教育职责" in m and md not in m and dx not in m for m in dup.values())
    assert any(w in dup[md] for w in ("文号相同", "the same document number"))
    standing = dict(q(out, "SELECT doc, duplicate_of FROM documents WHERE doc IN (?, ?)", md, dx))
    assert sorted(standing.values()) == ["", md] and standing[md] == ""
    # the table restating the text gives one finding, not two
    assert len(q(out, "SELECT * FROM findings WHERE doc = ? AND rule = 'preschool.public-share' "
                      "AND status = 'fail'", dx)) == 1
    # the other file changes into another report: the finding goes
    shutil.copy(EVAL / "docs" / "r006.txt", d / "xingan.md")
    assert batch_here(d, out).returncode == 0
    assert not q(out, "SELECT * FROM findings WHERE rule = 'batch.duplicate-submission'")


@pytest.mark.slow
def test_one_batch_per_output_folder(small, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "selfeval.lock").write_text("999999\n")              # left by a batch that died: taken over
    for i in range(6):
        shutil.copy(SEED, small / f"s{i}.md")
    first = subprocess.Popen([sys.executable, str(ROOT / "cli.py"), "batch", str(small), "-o", str(out), "--jobs", "1"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 120
    while (out / "selfeval.lock").read_text().strip() != str(first.pid) and time.time() < deadline:
        time.sleep(0.1)
    second = batch(small, out, lang="zh")
    assert second.returncode == 1 and second.stdout == ""
    assert second.stderr.strip() == f"selfeval: 另一个 selfeval batch（进程 {first.pid}）正在写入 {out}/"
    o, e = first.communicate(timeout=600)
    assert first.returncode == 0, e
    assert len(docs_of(out)) == 9


@pytest.mark.slow
def test_no_reports_quiet_and_a_summary_that_keeps_runs_apart(small, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "notes.xls").write_bytes(b"x")
    r = batch_here(empty, tmp_path / "o1")
    assert r.returncode == 1 and "folder holds no reports" in r.stderr and not (tmp_path / "o1").exists()
    out = tmp_path / "out"
    assert batch_here(small, out, "--quiet", "--jobs", "1").stdout == ""
    shutil.copy(EVAL / "docs" / "r026.txt", small / "r026.txt")
    r = batch_here(small, out)
    run, total = r.stdout.split("totals:")
    assert "processed 1, unchanged 3" in run and "documents 4" in total
    facts_r026 = q(out, "SELECT count(*) FROM facts WHERE doc = (SELECT doc FROM documents WHERE path = 'r026.txt')")[0][0]
    assert f"facts {facts_r026}\n" in run and f"facts {q(out, 'SELECT count(*) FROM facts')[0][0]}," in total


def test_extract_names_each_skipped_file(small, tmp_path):
    (small / "old.xls").write_bytes(b"x")
    (small / "notes.xyz").write_bytes(b"x")
    (small / "A" / "~$自评报告.docx").write_bytes(b"x")
    r = invoke("extract", small, "-o", tmp_path / "f.csv", lang="en")      # in this process: the lines are tested
    assert r.returncode == 0, r.stderr                     # skipped files are not errors
    lines = r.stderr.splitlines()
    assert any("old.xls: skipped" in ln and "save the report as .docx" in ln for ln in lines)
    assert any("notes.xyz: skipped" in ln for ln in lines)
    assert any("~$自评报告.docx: skipped" in ln for ln in lines)
