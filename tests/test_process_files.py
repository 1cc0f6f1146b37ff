"""Many files read in forked copies of the process (pipeline.process_files, `extract --jobs`, `check --jobs`): the
same facts, findings and error lines, in the same order, as one process reading them all, bad files included."""
import os
import subprocess
import sys
import threading

from conftest import EVAL, ROOT, SEED
from extractor import pipeline
from extractor.errors import InputError
from extractor.text.schemes import load_scheme


def folder(tmp_path):
    """The development documents and the seed, with a text that is no report and an empty file among them (their
    error lines come from whichever process read them)."""
    d = tmp_path / "in"
    d.mkdir()
    for p in [*sorted((EVAL / "docs").iterdir()), SEED]:
        if p.suffix in (".txt", ".md"):
            (d / p.name).write_text(p.read_text(encoding="utf-8"), encoding="utf-8")
    (d / "r0125-menu.txt").write_text("今日菜单：米饭、青菜、豆腐汤。\n" * 20, encoding="utf-8")
    (d / "r0127-empty.txt").write_text("", encoding="utf-8")
    return d


def run(*args):
    # a process of its own: one thread, so it does fork (a test worker may run threads of its own, and then reads alone)
    return subprocess.run([sys.executable, str(ROOT / "cli.py"), *map(str, args)], capture_output=True, text=True,
                          timeout=600, env={**os.environ, "SELFEVAL_LANG": "en"})


def test_extract_in_forked_copies_writes_what_one_process_writes(tmp_path):
    d = folder(tmp_path)
    one, two, three = (run("extract", d, "--jobs", n) for n in (1, 2, 3))
    assert one.returncode == 1 and one.stdout.count("\n") > 150
    assert one.stderr.count("selfeval: ") == 2 and "r0125-menu.txt" in one.stderr and "r0127-empty.txt" in one.stderr
    for other in (two, three):
        assert (other.returncode, other.stdout, other.stderr) == (one.returncode, one.stdout, one.stderr)


def test_check_in_forked_copies_finds_what_one_process_finds(tmp_path):
    d = folder(tmp_path)
    one, two = (run("check", d, "--jobs", n) for n in (1, 2))
    assert one.stdout.count("\n") > 20
    assert (two.returncode, two.stdout, two.stderr) == (one.returncode, one.stdout, one.stderr)


def test_the_files_are_shared_out_in_runs_of_about_equal_work(tmp_path):
    paths = []
    unit = pipeline.FILE_BYTES            # a file's own cost, besides its text
    for i, size in enumerate([1, 1, 1, 1, 7, 1, 1]):
        paths.append(tmp_path / f"{i}.txt")
        paths[-1].write_text("x" * (size * unit - unit), encoding="utf-8")
    assert pipeline._shares(paths, range(1, 7), 2) == [[1, 2, 3], [4, 5, 6]]
    assert pipeline._shares(paths, range(1, 7), 3) == [[1, 2, 3], [4], [5, 6]]
    assert sum(pipeline._shares(paths, range(1, 3), 4), []) == [1, 2]


def test_a_copy_that_fails_sends_nothing_and_its_files_are_read_here():
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.write(w, b"half a result")
        os._exit(1)
    os.close(w)
    assert pipeline._collect(pid, r, 1) is None


def test_a_process_running_other_threads_reads_every_file_itself(tmp_path):
    stop = threading.Event()
    waiter = threading.Thread(target=stop.wait)
    waiter.start()
    try:
        assert not pipeline._may_fork()
        paths = [SEED, tmp_path / "missing.txt", SEED]
        got = pipeline.process_files(paths, load_scheme(), jobs=2)
    finally:
        stop.set()
        waiter.join()
    assert [type(g) for g in got] == [list, InputError, list] and got[1].kind == "missing"
    assert [f.to_dict() for f in got[0][0].facts] == [f.to_dict() for f in got[2][0].facts]


def test_a_process_with_a_multiprocessing_child_running_does_not_fork():
    # In a process of its own: a test worker may keep threads or children of earlier tests (an OCR pool, a batch's
    # worker server), and then may not fork either way.
    script = """
import multiprocessing, sys
sys.path.insert(0, sys.argv[1])
from extractor import pipeline
before = pipeline._may_fork()
ctx = multiprocessing.get_context("fork")
stop = ctx.Event()
child = ctx.Process(target=stop.wait)
child.start()
during = pipeline._may_fork()
stop.set()
child.join()
print(before, during, pipeline._may_fork())
"""
    r = subprocess.run([sys.executable, "-c", script, str(ROOT)], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["True", "False", "True"]


def test_facts_only_keeps_the_facts_and_sends_no_more():
    """extract writing facts reads with facts_only: each result keeps its facts, source, document and part (what a
    list of facts and the ids of a compilation's parts are made from), the same however the files are shared out."""
    paths = [SEED, *sorted(p for p in (EVAL / "docs").iterdir() if p.suffix in (".txt", ".md"))[:3]]
    whole = pipeline.process_files(paths, load_scheme())
    for jobs in (1, 2):
        slim = pipeline.process_files(paths, load_scheme(), jobs=jobs, facts_only=True)
        for full, got in zip(whole, slim):
            assert [r.facts for r in got] == [r.facts for r in full]
            assert [(r.source, r.document, r.part) for r in got] == [(r.source, r.document, r.part) for r in full]
            assert all(r.norm is None and r.seg is None and r.layout is None and r.entities == () for r in got)


def test_by_default_one_process_per_core_no_other_work_keeps_busy(tmp_path):
    from extractor.procs import idle_cores
    cores = len(os.sched_getaffinity(0))
    loadavg = tmp_path / "loadavg"
    for running, idle in [(1, cores), (2, max(1, cores - 1)), (cores + 5, 1)]:
        loadavg.write_text(f"3.10 2.50 2.00 {running}/812 4242\n", encoding="ascii")   # this process is one of them
        assert idle_cores(str(loadavg)) == idle
    loadavg.write_text("not the kernel's\n", encoding="ascii")
    assert idle_cores(str(loadavg)) == cores
    assert idle_cores(str(tmp_path / "missing")) == cores
