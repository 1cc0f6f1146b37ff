"""selfeval batch on real folders: bad files, re-runs, changes, duplicates, a SIGTERM'd run, the review site."""
import os
import shutil
import signal
import subprocess
import sys
import time

import duckdb
import pandas as pd
import pandas.testing as pt
import pytest

from conftest import ROOT, SEED, EVAL
from helpers import batch_here, chromium_dom

sys.path.insert(0, str(ROOT / "corpus"))
import build  # noqa: E402


def batch(folder, out, *extra, timeout=900):
    return subprocess.run([sys.executable, str(ROOT / "cli.py"), "batch", str(folder), "-o", str(out), *map(str, extra)],
                          capture_output=True, text=True, timeout=timeout)


def here(folder, out, *extra):
    """`selfeval batch` in this process, in the language of batch() (the user's): where its summary and tables are
    tested, not the process."""
    return batch_here(folder, out, *extra, lang=None)


def db(out):
    return duckdb.connect(str(out / "selfeval.duckdb"), read_only=True)


def counts(out):
    con = db(out)
    try:
        return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                for t in ("documents", "facts", "entities", "findings", "errors")}
    finally:
        con.close()


def tables_of(out):
    con = db(out)
    try:
        got = {}
        for t in ("documents", "facts", "entities", "findings"):
            df = con.execute(f"SELECT * FROM {t}").df()
            if t == "documents":
                df = df.drop(columns=["path"])
            got[t] = df.sort_values(list(df.columns)).reset_index(drop=True)
        return got
    finally:
        con.close()


@pytest.fixture(scope="module")
def text_batch(tmp_path_factory):
    """The development documents in a/ and the seed in b/, and their batch on two workers, made once for the tests
    that start from it: (folder, output). Read-only: a test that changes either works on copies."""
    base = tmp_path_factory.mktemp("text-batch")
    d = base / "in"
    (d / "a").mkdir(parents=True)
    (d / "b").mkdir()
    for p in sorted((EVAL / "docs").iterdir()):
        shutil.copy(p, d / "a" / p.name)
    shutil.copy(SEED, d / "b" / "xingan-2024.md")        # same name as a/xingan-2024.md: a second document
    out = base / "out"
    r = here(d, out, "--jobs", "2")
    assert r.returncode == 0, r.stderr
    return d, out


def test_bad_files_become_errors_and_the_rest_goes_on(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    shutil.copy(SEED, d / "good.md")
    (d / "empty.txt").write_bytes(b"")
    (d / "random.pdf").write_bytes(os.urandom(4000))
    pdf = tmp_path / "r.pdf"
    build.render_pdf(SEED.read_text(encoding="utf-8"), pdf)
    (d / "truncated.pdf").write_bytes(pdf.read_bytes()[:5000])
    from reportlab.pdfgen import canvas
    c = canvas.Canvas(str(d / "encrypted.pdf"), encrypt="secret")
    c.drawString(72, 720, "x")
    c.save()
    (d / "gbk.txt").write_bytes("一、基本情况\n\n区域内在园幼儿共 899 人，普惠性幼儿园覆盖率85.71%。".encode("gbk"))
    (d / "notes.xyz").write_text("?")
    (d / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0")             # a spreadsheet: unsupported, with a hint
    (d / "~$good.docx").write_bytes(b"\x00")                 # Word's lock file beside an open document
    out = tmp_path / "out"
    r = batch(d, out, "--jobs", "1")       # one file worker: each bad file is its own error whichever worker reads it
    assert r.returncode == 1, r.stderr
    assert "Traceback" not in r.stderr + r.stdout
    con = db(out)
    docs = {x[0] for x in con.execute("SELECT doc FROM documents").fetchall()}
    errors = dict(con.execute("SELECT regexp_extract(path, '[^/]+$'), kind FROM errors").fetchall())
    causes = dict(con.execute("SELECT regexp_extract(path, '[^/]+$'), cause FROM errors").fetchall())
    con.close()
    assert docs == {"兴安区-2023", "gbk"}                      # issuer and year where the metadata has them
    assert errors == {"empty.txt": "empty", "random.pdf": "corrupt", "encrypted.pdf": "encrypted",
                      "truncated.pdf": "corrupt", "notes.xyz": "unsupported", "old.xls": "unsupported"}
    assert "save the report as .docx" in causes["old.xls"]     # the same hint as the single-file message
    for f in ("report.xlsx", "facts.parquet", "review/index.html", "review/docs/兴安区-2023.html"):
        assert (out / f).exists(), f
    sheets = pd.read_excel(out / "report.xlsx", sheet_name=None)
    assert {"汇总", "文档", "数据", "实体", "核查结果", "无法读取的文件"} <= set(sheets)
    assert "空文件" in set(sheets["无法读取的文件"]["原因"])


@pytest.mark.slow
def test_rerun_adds_nothing_and_changes_replace_rows(text_batch, tmp_path):
    text_folder, out = tmp_path / "in", tmp_path / "out"
    shutil.copytree(text_batch[0], text_folder)
    shutil.copytree(text_batch[1], out)                  # the first run, on two workers (text_batch)
    first = counts(out)
    con = db(out)
    ids = sorted(x[0] for x in con.execute("SELECT doc FROM documents").fetchall())
    con.close()
    a, b = "兴安区-2023-a-xingan-2024", "兴安区-2023-b-xingan-2024"       # one issuer and year, two paths
    assert a in ids and b in ids and len(ids) == 7
    r2 = here(text_folder, out)
    assert r2.returncode == 0 and "处理 0，未改动 7" in r2.stdout
    assert counts(out) == first
    # the same content under two paths is a duplicate submission: a finding on both, naming the other
    con = db(out)
    dup = dict(con.execute("SELECT doc, message FROM findings WHERE rule = 'batch.duplicate-submission'").fetchall())
    con.close()
    assert set(dup) == {a, b} and all("兴安区报送的" in m and a not in m and b not in m for m in dup.values())
    con = db(out)
    standing = dict(con.execute("SELECT doc, duplicate_of FROM documents WHERE doc IN (?, ?)", [a, b]).fetchall())
    con.close()
    assert sorted(standing.values()) == ["", b]       # the later path stands for the district, the other folds into it
    # a changed file replaces its rows
    p = text_folder / "b" / "xingan-2024.md"
    p.write_text(p.read_text(encoding="utf-8").replace("年均工资收入91805元", "年均工资收入81805元"), encoding="utf-8")
    r3 = here(text_folder, out)
    assert "处理 1，未改动 6" in r3.stdout
    assert counts(out)["facts"] == first["facts"]
    con = db(out)
    pay = con.execute("SELECT f.doc, f.value FROM facts f WHERE f.raw LIKE '%1805元'").fetchall()
    status = con.execute("SELECT status FROM findings WHERE rule = 'teacher-pay.not-below-civil-servants' "
                         "AND doc = ?", [b]).fetchall()
    con.close()
    assert sorted(pay) == [(a, "91805"), (b, "81805")]
    assert status == [("fail",)]


@pytest.mark.slow
def test_sigterm_then_resume_gives_exactly_a_clean_run(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    text = SEED.read_text(encoding="utf-8")
    for i in range(12):                     # enough that 4 are finished while more are in flight or waiting
        (d / f"r{i:02d}.md").write_text(text.replace("2394万元", f"{2000 + i}万元"), encoding="utf-8")
    clean = tmp_path / "clean"
    assert here(d, clean, "--jobs", "1", "--quiet").returncode == 0
    out = tmp_path / "out"
    p = subprocess.Popen([sys.executable, str(ROOT / "cli.py"), "batch", str(d), "-o", str(out), "--jobs", "2"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    done = 0
    deadline = time.time() + 300
    while done < 4 and time.time() < deadline:
        line = p.stderr.readline()
        done += line.startswith("[") and " 完成 " in line
    os.killpg(p.pid, signal.SIGTERM)        # as `timeout -s TERM` does: the batch and its workers
    out_s, err_s = p.communicate(timeout=120)
    assert p.returncode == 130 and "已中断" in out_s and "Traceback" not in err_s
    c = counts(out)                                        # readable, and holds what was finished
    partial = c["documents"]
    assert 4 <= partial < 12
    assert c["errors"] == 0                                # the files in flight are not errors
    assert (out / "report.xlsx").exists() and (out / "review" / "index.html").exists()   # written anyway
    assert len(pd.read_excel(out / "report.xlsx", sheet_name="文档")) == partial
    r = here(d, out, "--jobs", "1")          # the rest read on one worker, as the clean run was: the tables are compared
    assert r.returncode == 0 and f"未改动 {partial}" in r.stdout
    a, b = tables_of(out), tables_of(clean)
    for t in a:
        pt.assert_frame_equal(a[t], b[t], check_dtype=False)


@pytest.mark.slow
def test_per_file_time_limit(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    build.render_scan_pdf(SEED.read_text(encoding="utf-8")[:3000], d / "scan.pdf")
    shutil.copy(SEED, d / "ok.md")
    out = tmp_path / "out"
    r = here(d, out, "--timeout", "2", "--jobs", "2")       # OCR of two pages takes longer than 2 s here
    assert r.returncode == 1
    con = db(out)
    errors = con.execute("SELECT kind, cause FROM errors WHERE path LIKE '%scan.pdf'").fetchall()
    docs = con.execute("SELECT doc FROM documents").fetchall()
    con.close()
    assert errors and errors[0][0] == "timeout" and "time limit" in errors[0][1]
    assert docs == [("兴安区-2023",)]
    # the same limit again: not retried (still in errors); --retry: read again
    r = here(d, out, "--timeout", "2", "--jobs", "1")
    assert r.returncode == 1 and "处理 0，未改动 2" in r.stdout and "失败 0" in r.stdout
    r = here(d, out, "--timeout", "2", "--jobs", "1", "--retry")
    assert r.returncode == 1 and "失败 1" in r.stdout


@pytest.mark.slow
def test_review_site_renders_in_chromium(text_batch, tmp_path):
    out = text_batch[1]                                  # read only
    index = chromium_dom((out / "review" / "index.html").as_uri(), tmp_path)
    assert 'data-reports="7"' in index                       # the page's script ran in the browser
    assert 'id="indicator-chart"' in index and 'data-bars="' in index and 'data-bars="0"' not in index
    assert "公办园在园幼儿占比" in index and "41.49" in index
    doc = "兴安区-2023-a-xingan-2024"
    page = chromium_dom((out / "review" / "docs" / f"{doc}.html").as_uri(), tmp_path)
    con = db(out)
    n = con.execute("SELECT count(*) FROM facts WHERE doc = ?", [doc]).fetchone()[0]
    con.close()
    assert f'data-facts="{n}"' in page
    assert 'class="fact' in page and "0.561" in page and 'href="#f-' in page


@pytest.mark.slow                       # a batch run again
def test_output_folder_inside_the_input_is_not_read(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    shutil.copy(SEED, d / "a.md")
    out = d / "selfeval-out"
    r = batch(d, out, "--quiet")
    assert r.returncode == 0 and r.stdout == "" and r.stderr == ""          # --quiet prints nothing
    r = here(d, out)                                # the summary of the run again: in this process
    assert r.returncode == 0 and "不支持 0" in r.stdout and "未改动 1" in r.stdout
