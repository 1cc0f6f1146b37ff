"""The command line as a user runs it: real files on disk, real subprocesses."""
import json
import os
import shutil
import subprocess
import sys

import pandas as pd
import pytest

from conftest import ROOT, SEED, EVAL
from extractor.records import FACT_FIELDS
from helpers import invoke, seed_head


def run(*args, cwd=ROOT):
    return subprocess.run([sys.executable, str(ROOT / "cli.py"), *map(str, args)],
                          capture_output=True, text=True, cwd=cwd, timeout=300)


def test_extract_seed_to_stdout_keeps_provenance():
    r = invoke("extract", SEED)                     # in this process: what it writes is tested
    assert r.returncode == 0, r.stderr
    facts = [json.loads(l) for l in r.stdout.splitlines()]
    assert len(facts) > 80
    original = SEED.read_text(encoding="utf-8")
    for f in facts:
        assert tuple(f) == FACT_FIELDS
        assert original[f["start"]:f["end"]] == f["raw"]
        # the sentence is the stretch of the original text that holds the fact
        at = original.rfind(f["sentence"], 0, f["start"] + len(f["sentence"]))
        assert 0 <= at <= f["start"] and f["end"] <= at + len(f["sentence"]), (f["raw"], f["sentence"])
        assert f["doc"] == "xingan-2024" and f["page"] is None
    pay = next(f for f in facts if f["raw"] == "91805元")
    assert pay["value"] == 91805 and pay["section"] == 5 and pay["item"] == 12 and pay["period"] == "2023"
    assert "教师待遇落实情况" in pay["heading"]
    money = next(f for f in facts if f["raw"] == "1.1万元")
    assert money["value"] == 11000 and isinstance(money["value"], int)


@pytest.mark.parametrize("suffix", [".jsonl", ".csv", ".xlsx", ".parquet"])
def test_output_formats(tmp_path, suffix):
    out = tmp_path / f"facts{suffix}"
    r = invoke("extract", EVAL / "docs", "-o", out)        # what is written; the process is tested below
    assert r.returncode == 0, r.stderr
    if suffix == ".jsonl":
        df = pd.read_json(out, lines=True)
    elif suffix == ".csv":
        assert out.read_bytes()[:3] == b"\xef\xbb\xbf"          # Excel shows Chinese
        df = pd.read_csv(out, encoding="utf-8-sig")
    elif suffix == ".xlsx":
        df = pd.read_excel(out, sheet_name="facts")
    else:
        df = pd.read_parquet(out)
    from extractor.outputs.tables import columns     # files of the facts table: its columns (a number for queries too)
    assert list(df.columns) == (list(FACT_FIELDS) if suffix == ".jsonl" else columns("facts"))
    assert set(df["doc"]) == {"r001", "r006", "r010", "r026", "r029", "xingan-2024"}
    assert len(df) > 150


def test_bad_inputs_get_one_line_and_nonzero_exit(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    binary = tmp_path / "blob.txt"
    binary.write_bytes(bytes(range(256)) * 40)
    nothing = tmp_path / "nothing"
    nothing.mkdir()
    (nothing / "notes.xyz").write_text("x")
    readme = tmp_path / "README.txt"
    readme.write_text("selfeval reads reports. " * 20, encoding="utf-8")
    novel = tmp_path / "novel.txt"
    novel.write_text("天高云淡，望断南飞雁。不到长城非好汉，屈指行程二万。" * 5, encoding="utf-8")
    huge = tmp_path / "huge.txt"
    with open(huge, "wb") as fh:
        fh.truncate(21 * 1024 * 1024)
    # a .doc LibreOffice cannot open: tests/readers/test_office.py, with LibreOffice's other tests (the slow lane)
    for target, cause in [(empty, "空文件"), (binary, "不是文本文件"),
                          (readme, "不是报告（没有中文）"), (novel, "不是报告（内容与教育、学校无关）"),
                          (huge, "文件太大，不像是一份报告"),
                          (tmp_path / "missing.md", "文件或文件夹不存在"), (nothing, "文件夹中没有报告")]:
        r = run("extract", target)
        assert r.returncode != 0
        assert "Traceback" not in r.stderr
        lines = [l for l in r.stderr.splitlines() if l.strip() and "已跳过" not in l]   # skipped: named, not errors
        assert len(lines) == 1 and str(target) in lines[0] and cause in lines[0], r.stderr


def test_a_bad_file_does_not_stop_the_folder(tmp_path):
    shutil.copy(SEED, tmp_path / "good.md")
    (tmp_path / "bad.txt").write_bytes(b"\x00\x01\x02" * 100)
    out = tmp_path / "out.jsonl"
    r = run("extract", tmp_path, "-o", out)
    assert r.returncode == 1
    assert "bad.txt" in r.stderr and "Traceback" not in r.stderr
    docs = {json.loads(l)["doc"] for l in out.read_text(encoding="utf-8").splitlines()}
    assert docs == {"good"}


def test_unknown_output_format_and_bad_scheme(tmp_path):
    r = invoke("extract", SEED, "-o", tmp_path / "x.docx")      # in this process: the exit status and the line
    assert r.returncode != 0 and "不认识的输出格式" in r.stderr
    bad = tmp_path / "s.yaml"
    bad.write_text("sections: [", encoding="utf-8")
    r = run("extract", SEED, "--scheme", bad)
    assert r.returncode != 0 and "s.yaml" in r.stderr and "Traceback" not in r.stderr


def test_console_script_is_installed():
    exe = shutil.which("selfeval")
    assert exe, "pip install -e . provides the selfeval command"
    r = subprocess.run([exe, "extract", SEED], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and r.stdout.count("\n") > 80


def test_version_and_short_help():
    from extractor import __version__
    r = run("--version")                            # a process: cli.py answers it before loading typer
    assert r.returncode == 0 and r.stdout.strip() == f"selfeval {__version__}"
    for args in (["-h"], ["extract", "-h"], ["batch", "-h"], ["check", "-h"], ["rules", "-h"]):
        r = invoke(*args)                           # in this process: what -h prints
        assert r.returncode == 0 and "--help" in r.stdout and "用法" in r.stdout, (args, r.stderr)


@pytest.mark.slow                       # a faulty process: two runs, each reading the report, that end in an internal error
def test_unexpected_error_is_one_line_and_a_log(tmp_path):
    """An error no check foresaw (a .duckdb output that is not a database) names the file and the log. The
    seed's first pages: the error comes when the facts are written, whatever their number."""
    _, part = seed_head(tmp_path)
    bad_db = tmp_path / "facts.duckdb"
    bad_db.write_text("not a database\n" * 10, encoding="utf-8")
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    env.pop("SELFEVAL_DEBUG", None)
    r = subprocess.run([sys.executable, str(ROOT / "cli.py"), "extract", str(part), "-o", str(bad_db)],
                       capture_output=True, text=True, env=env, timeout=300)
    assert r.returncode != 0 and "Traceback" not in r.stderr
    lines = [l for l in r.stderr.splitlines() if l.strip()]
    assert len(lines) == 1 and str(bad_db) in lines[0], r.stderr
    log = tmp_path / "cache" / "selfeval" / "last-error.log"
    assert str(log) in lines[0] and "Traceback" in log.read_text(encoding="utf-8")
    r = subprocess.run([sys.executable, str(ROOT / "cli.py"), "extract", str(part), "-o", str(bad_db)],
                       capture_output=True, text=True, env={**env, "SELFEVAL_DEBUG": "1"}, timeout=300)
    assert r.returncode != 0 and "Traceback" in r.stderr


def test_a_missing_package_is_one_line_not_a_traceback():
    """cli.py run from a checkout before the install: it says what to install."""
    code = ("import sys, runpy; sys.modules['typer'] = None; sys.argv = ['cli.py', '--help'];"
            f"runpy.run_path({str(ROOT / 'cli.py')!r}, run_name='__main__')")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert r.stderr.strip().splitlines() == [r.stderr.strip()] and "typer" in r.stderr and "pip install -e ." in r.stderr
