"""The pages of one file are OCR'd in worker processes, in their order, with what one process reads."""
import multiprocessing as mp
import os

from PIL import Image

from conftest import ROOT

from extractor.readers import ocr


def _bands(n=3):
    with Image.open(ROOT / "corpus" / "xingan-2024-p3.png") as im:
        im = im.convert("RGB")
        h = im.height // 4
        return [im.crop((0, h * i, im.width, h * (i + 1))) for i in range(n)]


def test_pages_in_two_workers_read_as_in_one_process():
    bands = _bands()
    one = ocr.Pages("bands.png", 1)
    for b in bands:
        one.add(b)
    two = ocr.Pages("bands.png", 2)
    for b in bands:
        two.add(b)
    got = two.lines()
    want = one.lines()
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
