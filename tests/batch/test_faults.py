"""Seeded fault test: SIGTERM and SIGKILL at random moments; after each resume every table equals a clean run's.

SELFEVAL_FAULT_KILLS (default 4) and SELFEVAL_FAULT_SEED choose how many kills and when. The kills take turns over
(SIGTERM, SIGKILL) x (state A, state B), so 4 is each signal in each state once; the run's time is cut into as many
equal spans as there are kills and each kill lands at a random moment of its own span (the spans dealt out to the
kills at random), so the kills are spread over the whole run, its start, its reading and its writing, whatever the seed.
"""
import os
import random
import shutil
import signal
import subprocess
import sys
import time

import pytest

from conftest import ROOT, SEED, EVAL
from helpers import batch_cli, batch_db, batch_here

pytestmark = pytest.mark.slow          # batches killed at random moments and resumed

KILLS = int(os.environ.get("SELFEVAL_FAULT_KILLS", "4"))
SEED_N = int(os.environ.get("SELFEVAL_FAULT_SEED", "11"))
# every table, without what differs between runs by design (run ids, timestamps, pickled results)
COLUMNS = {"documents": "*", "facts": "*", "entities": "*", "findings": "*", "texts": "*", "meta": "*",
           "files": "path, doc, sha256, version, read_key, status, kind, time_limit",
           "errors": "path, doc, kind, cause",
           "submissions": "path, sha256, doc, withdrawn_at IS NULL"}


# The clean runs and the resumes in this process; the runs that are killed in processes of their own.
batch, db = batch_here, batch_db

def snapshot(out):
    con = db(out)
    try:
        return {t: con.execute(f"SELECT {c} FROM {t} ORDER BY ALL").fetchall() for t, c in COLUMNS.items()}
    finally:
        con.close()


def folders(tmp_path):
    """State A, and state B: one file changed, one renamed, one removed, one added, plus stricter rules."""
    a, b = tmp_path / "A", tmp_path / "B"
    a.mkdir()
    docs = sorted((EVAL / "docs").glob("r*.txt"))
    for p in docs:
        shutil.copy(p, a / p.name)
    text = SEED.read_text(encoding="utf-8")
    (a / "seed.md").write_text(text, encoding="utf-8")
    (a / "seed-v2.md").write_text(text.replace("2394万元", "2395万元"), encoding="utf-8")
    (a / "notes.xls").write_bytes(b"x")           # unsupported: recorded, never read
    shutil.copytree(a, b)
    (b / "seed-v2.md").write_text(text.replace("年均工资收入91805元", "年均工资收入81805元"), encoding="utf-8")
    (b / docs[0].name).rename(b / "renamed.txt")
    (b / docs[1].name).unlink()
    (b / "new.md").write_text(text.replace("兴安区", "向阳区"), encoding="utf-8")
    rules = tmp_path / "rules.yaml"
    rules.write_text("sources: {p: 某省标准}\nrules:\n  - id: preschool.public-share\n    kind: threshold\n"
                     "    title: 公办园在园幼儿占比\n    match: {kinds: [percent], unit: '%', text: '公办园在园幼儿占比'}\n"
                     "    op: '>='\n    threshold: 40\n    source: p\n", encoding="utf-8")
    return a, b, ["--rules", str(rules)]


def test_killed_at_random_moments_resumes_to_a_clean_run(tmp_path):
    a, b, rules = folders(tmp_path)
    clean_a = tmp_path / "clean-a"
    t0 = time.monotonic()
    assert batch_cli(a, clean_a, "--jobs", "2", "--quiet").returncode == 0       # timed as the killed runs run
    took = time.monotonic() - t0
    clean_b = tmp_path / "clean-b"
    shutil.copytree(clean_a, clean_b)
    assert batch(b, clean_b, "--jobs", "2", "--quiet", *rules).returncode == 0
    want = {"A": snapshot(clean_a), "B": snapshot(clean_b)}
    assert want["A"] != want["B"]

    rng = random.Random(SEED_N)
    spans = rng.sample(range(KILLS), KILLS)          # kill i lands in the spans[i]-th of KILLS equal spans of the run
    for i in range(KILLS):
        sig = (signal.SIGTERM, signal.SIGKILL)[i % 2]
        state = "A" if i % 4 < 2 else "B"
        out = tmp_path / f"out{i}"
        if state == "B":
            shutil.copytree(clean_a, out)            # a day later: the folder changed and so did the rules
        folder, extra = (a, []) if state == "A" else (b, rules)
        p = subprocess.Popen([sys.executable, str(ROOT / "cli.py"), "batch", str(folder), "-o", str(out),
                              "--jobs", "2", "--quiet", *extra],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
                             env={**os.environ, "SELFEVAL_LANG": "en"})   # the language of the clean runs
        time.sleep(0.3 + (took - 0.3) * (spans[i] + rng.random()) / KILLS)
        try:
            os.killpg(p.pid, sig)
        except ProcessLookupError:
            pass                                     # it finished first
        _, err = p.communicate(timeout=300)
        assert "Traceback" not in err, err
        if sig == signal.SIGTERM and p.returncode == 130:
            assert (out / "report.xlsx").exists() and (out / "review" / "index.html").exists()
        # the resume reads what is left on one worker: its tables are compared, not how many read them (the clean
        # and the killed runs read on two, so kills land with two files in flight)
        r = batch(folder, out, "--jobs", "1", *extra)
        assert r.returncode == 0, f"kill {i} ({sig.name}, state {state}): {r.stdout}{r.stderr}"
        got = snapshot(out)
        for t in COLUMNS:
            assert got[t] == want[state][t], f"kill {i} ({sig.name}, state {state}): table {t} differs"
        shutil.rmtree(out)
