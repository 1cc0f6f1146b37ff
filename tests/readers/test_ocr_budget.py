"""`batch --jobs N` shares N cores between files and their scanned pages: the OCR worker processes busy at
once never outnumber N, and a scan left alone has its pages read on all N."""
import os
import subprocess
import sys
import time

import pypdfium2 as pdfium
import pytest

from conftest import ROOT
from helpers import proc_cmdline

pytestmark = pytest.mark.slow          # OCR page workers watched over a batch

SCAN = ROOT / "corpus" / "xingan-2024-scan.pdf"
SAMPLE = 0.02                 # seconds between two looks at the processes
# Seconds a process must be running in every look to count as busy: longer than a page's work after its OCR call (a
# worker finishing one page while the next one's reader starts), which the machine's other load can stretch past 0.3 s;
# shorter than one page's OCR (1.5–3.5 s), so three readers at once are still seen.
STEADY = 1.0


def _scan(pages, out):
    src = pdfium.PdfDocument(str(SCAN))
    part = pdfium.PdfDocument.new()
    part.import_pages(src, list(pages))
    part.save(str(out))
    src.close()
    return out


def _stat(pid):
    """(parent pid, running) of a process, from /proc: running if any of its threads is on a core or waits for one."""
    with open(f"/proc/{pid}/stat") as f:
        ppid = int(f.read().rsplit(")", 1)[1].split()[1])
    running = False
    for tid in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{tid}/stat") as f:
            running |= f.read().rsplit(")", 1)[1].split()[0] == "R"
    return ppid, running


def _children(pid) -> set:
    """The pids of a process's children (each of its threads lists those it started), none if it is gone."""
    kids = set()
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/children") as f:
                kids.update(int(c) for c in f.read().split())
    except OSError:
        pass                          # gone meanwhile
    return kids


def _servers(pids) -> set:
    return {p for p in pids if b"forkserver" in proc_cmdline(p)}


def _page_workers(root):
    """{pid: running} of the OCR page workers: the processes that the batch's file workers started, or that
    the server they fork them from (multiprocessing's forkserver) started for them; the file workers are forked
    by the batch's own such server. Found down the batch's own tree of processes, so that a look 50 times a
    second reads a few files, not every process's on the machine."""
    top = _children(root)
    files = {f for s in _servers(top) for f in _children(s)} | (top - _servers(top))
    servers = {p for f in files for p in _children(f) if b"forkserver" in proc_cmdline(p)}
    found = {}
    for p in {p for s in servers for p in _children(s)} | {p for f in files for p in _children(f) - servers}:
        try:
            _, running = _stat(p)
        except (OSError, IndexError, ValueError):
            continue                  # gone meanwhile
        if _is_worker(p):
            found[p] = running
    return found


def _is_worker(pid):
    cmd = proc_cmdline(pid)
    return b"multiprocessing" in cmd and b"resource_tracker" not in cmd


def _engine_loaded(pid) -> bool:
    """onnxruntime is mapped in the process: it has started (Python and its imports, before any core is asked
    for) and is an OCR worker from now on."""
    try:
        with open(f"/proc/{pid}/maps") as f:
            return "onnxruntime" in f.read()
    except OSError:
        return False


def watch_batch(folder, out, jobs):
    """Run `selfeval batch` and look at its page workers every SAMPLE seconds: (most alive at once, most busy
    at once). Busy: an OCR worker running in every look for STEADY seconds, not a blip between two pages."""
    p = subprocess.Popen([sys.executable, str(ROOT / "cli.py"), "--lang", "en", "batch", str(folder), "-o", str(out),
                          "--jobs", str(jobs), "--quiet"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    since, ocr, alive, busy = {}, set(), 0, 0
    deadline = time.monotonic() + 900
    while p.poll() is None and time.monotonic() < deadline:
        now = time.monotonic()
        workers = _page_workers(p.pid)
        ocr |= {w for w in workers if w not in ocr and _engine_loaded(w)}
        since = {w: since.get(w, now) for w, run in workers.items() if run and w in ocr}
        alive = max(alive, len(workers))
        busy = max(busy, sum(now - t >= STEADY for t in since.values()))
        time.sleep(SAMPLE)
    _, err = p.communicate(timeout=60)
    assert p.returncode == 0, err
    return alive, busy


def test_two_scans_with_jobs_2_never_read_more_than_2_pages_at_once(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    _scan(range(0, 3), folder / "a.pdf")
    _scan(range(3, 6), folder / "b.pdf")
    alive, busy = watch_batch(folder, tmp_path / "out", 2)
    # Each file's worker has its pool of 2 page workers (4 alive), yet no more than 2 read at once, and
    # both cores were used.
    assert alive > 2
    assert busy == 2


def test_one_scan_alone_has_its_pages_read_on_every_core_of_the_batch(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    _scan(range(0, 4), folder / "a.pdf")
    alive, busy = watch_batch(folder, tmp_path / "out", 2)
    assert busy == 2
