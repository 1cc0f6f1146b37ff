"""The pages of one file are OCR'd in worker processes, in their order, with what one process reads."""
import functools
import multiprocessing as mp
import os

from PIL import Image
import pytest

from conftest import ROOT

from extractor.readers import ocr

pytestmark = pytest.mark.slow          # OCR page workers


def _bands(n=3):
    with Image.open(ROOT / "corpus" / "xingan-2024-p3.png") as im:
        im = im.convert("RGB")
        h = im.height // 4
        return [im.crop((0, h * i, im.width, h * (i + 1))) for i in range(n)]


@functools.lru_cache(maxsize=1)
def _read_alone() -> tuple:
    """Each of the three bands' lines as this process reads them one after another (Pages of one job, each page
    read on its own): read once for the tests that compare other readings with it."""
    one = ocr.Pages("bands.png", 1)
    for b in _bands():
        one.add(b)
    return tuple(one.lines())


def test_pages_in_two_workers_read_as_in_one_process():
    bands = _bands()
    two = ocr.Pages("bands.png", 2)
    for b in bands:
        two.add(b)
    got = two.lines()
    want = list(_read_alone())
    assert [[ln.text for ln in page] for page in got] == [[ln.text for ln in page] for page in want]
    assert all(want) and len(got) == 3
    # They were read elsewhere: the pool's workers are other processes of this one.
    n, pool = ocr._pool[0]
    assert n == 2 and {p.pid for p in pool._processes.values()} - {os.getpid()}


def _jobs_in_child(q):
    q.put(ocr.jobs())


def test_jobs_budget(monkeypatch):
    monkeypatch.setenv(ocr.JOBS_ENV, "3")
    assert ocr.jobs() == 3
    monkeypatch.delenv(ocr.JOBS_ENV)
    assert ocr.jobs() == len(os.sched_getaffinity(0))
    # A batch worker is a daemon process: it may not start workers, and reads its pages itself.
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    p = ctx.Process(target=_jobs_in_child, args=(q,), daemon=True)
    p.start()
    assert q.get(timeout=120) == 1
    p.join(30)


def _read_and_wait(q, stop):
    """A process that reads pages in two workers, says who they are, and waits to be stopped or killed."""
    mp.current_process().daemon = False          # as a batch's file worker: it may start page workers
    pages = ocr.Pages("bands.png", 2)
    for b in _bands(2):
        pages.add(b)
    pages.lines()
    q.put(sorted(p.pid for p in ocr._pool[0][1]._processes.values()))
    stop.wait(120)


def _gone(pids, within):
    import time
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if not any(os.path.exists(f"/proc/{p}") and "(Z)" not in _state(p) for p in pids):
            return True
        time.sleep(0.1)
    return False


def _state(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return "(" + f.read().rsplit(")", 1)[1].split()[0] + ")"
    except OSError:
        return "(Z)"


def _started(kill: bool):
    import signal
    ctx = mp.get_context("spawn")
    q, stop = ctx.Queue(), ctx.Event()
    p = ctx.Process(target=_read_and_wait, args=(q, stop), daemon=True)
    p.start()
    workers = q.get(timeout=300)
    assert workers and all(os.path.exists(f"/proc/{w}") for w in workers)
    t0 = os.times().elapsed
    if kill:
        os.kill(p.pid, signal.SIGKILL)
    else:
        stop.set()
    p.join(60)
    return p, workers, os.times().elapsed - t0


def test_page_workers_end_with_the_process_they_read_for_when_it_is_killed():
    # A batch kills a file worker at its time limit: its page workers (forked by another process) end too.
    p, workers, _ = _started(kill=True)
    assert p.exitcode == -9
    assert _gone(workers, 10)


def test_a_process_with_page_workers_ends_at_once_when_its_work_is_done():
    # Its exit joins its children before it shuts its pools: the page workers are stopped first.
    p, workers, took = _started(kill=False)
    assert p.exitcode == 0 and took < 20
    assert _gone(workers, 10)


def _box(x0, y0, width, height):
    return [[x0, y0], [x0 + width, y0], [x0 + width, y0 + height], [x0, y0 + height]]


def test_shares_keep_the_boxes_in_order_and_split_their_work_evenly():
    long, short = _box(0, 0, 960, 40), _box(0, 50, 100, 40)      # 24 against the recogniser's least, 320/48
    boxes = [long, short, short, long, long, short, long]
    runs = ocr.shares(boxes, 2)
    assert [b for run in runs for b in run] == boxes
    cost = [sum(24 if b is long else 320 / 48 for b in run) for run in runs]
    assert len(runs) == 2 and max(cost) <= 24 + min(cost)         # as even as whole lines allow
    assert ocr.shares(boxes[:1], 3) == [boxes[:1]]                # never an empty share
    assert ocr.shares([], 2) == []


def test_a_page_larger_than_the_engine_takes_is_read_in_its_own_pixels():
    page = _bands(1)[0]
    big = page.resize((page.width * 2, page.height * 2))
    assert max(big.size) > ocr.MAX_SIDE
    small, large = _read_alone()[0], ocr.image_lines(big, "p.png")         # the first band as read alone: image_lines
    assert [ln.text for ln in large] == [ln.text for ln in small]
    for a, b in zip(small, large):
        assert abs(b.x0 - 2 * a.x0) < 12 and abs(b.top - 2 * a.top) < 12


def test_the_last_page_is_read_here_when_no_worker_can_start(monkeypatch):
    # No worker process on this machine (no /dev/shm, a fork refused …): every page, the last too, is read
    # in this process, as one process reads them.
    def cannot_start(n):
        raise PermissionError("no workers here")
    bands = _bands(2)
    want = _read_alone()[:2]                   # the same two bands, each read by one process
    monkeypatch.setattr(ocr, "_executor", cannot_start)
    pages = ocr.Pages("bands.png", 2)
    for b in bands:
        pages.add(b)
    assert [[ln.text for ln in p] for p in pages.lines()] == [[ln.text for ln in p] for p in want]
