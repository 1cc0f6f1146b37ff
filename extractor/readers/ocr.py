"""OCR with RapidOCR (PP-OCR models shipped inside the rapidocr wheel, run on the CPU by onnxruntime, and by
OpenVINO in bfloat16 for lines where the CPU has it: ocr_bf16)."""
from __future__ import annotations

import contextlib
import functools
import os
import re
import shutil
import tempfile
import warnings
from pathlib import Path
from typing import NamedTuple

from ..errors import InputError
from ..procs import die_with, die_with_parent
from . import ocr_bf16
from .lines import Line, cut
from .seals import unsealed

INSTALL_HINT = "pip install rapidocr onnxruntime"
MAX_MEGAPIXELS = 80     # an A3 page scanned at 600 dpi is 70; beyond this an image is a bomb, not a page
_engine_threads = [0]   # threads of the engine's runtimes (0: SELFEVAL_OCR_THREADS, else their default, every core; set in
                        # page workers)

# RapidOCR tuned for speed on the CPU; each measured by benchmarks/bench_pdf.py with every number of the
# scans still exact. Text is found on the page scaled down (RapidOCR's default detects on the full page):
# its longest side to DET_SCALE of the page's, or DET_SIDE pixels if more. A 150 dpi A4 page (1754 pixels)
# is detected at 1280, its text still over 15 pixels high; at 960 a number was lost. An A3 page keeps the
# same scale, so the same text height. Each line's box is grown a little more than RapidOCR's default
# (UNCLIP): the recogniser scales a line to 48 pixels high, so a taller box is a shorter line to read (12%
# less time, no character more wrong on the scans). Lines are recognised one at a time (measured faster
# than RapidOCR's batches of six), and onnxruntime keeps its memory arena between calls.
DET_SIDE = 1280
DET_SCALE = 0.73
MAX_SIDE = 2000               # RapidOCR's Global.max_side_len: a larger image is shrunk to it before anything
UNCLIP = 2.0                  # RapidOCR's default: 1.6
SPEED = {"Det.limit_type": "max", "Det.limit_side_len": DET_SIDE, "Det.unclip_ratio": UNCLIP, "Rec.rec_batch_num": 1,
         "EngineConfig.onnxruntime.enable_cpu_mem_arena": True}


@functools.lru_cache(maxsize=1)
def engine():
    """Built once per process; nothing is downloaded, the models are in the wheel."""
    from rapidocr import RapidOCR
    params = {"Global.log_level": "critical", **SPEED}
    threads = _engine_threads[0] or _threads_asked()
    if threads:
        params["EngineConfig.onnxruntime.intra_op_num_threads"] = threads
    eng = RapidOCR(params=params)
    rec = getattr(eng, "_load_rec_model", lambda: None)()     # RapidOCR 3 loads it on first use, else
    if rec is not None:
        rec.session = ocr_bf16.checked(rec.session, threads, MIN_SCORE)
    return eng


def available() -> bool:
    try:
        import rapidocr  # noqa: F401
        import onnxruntime  # noqa: F401
    except ImportError:
        return False
    return True


def require(path):
    if not available():
        from .messages import say
        raise InputError("needs-ocr", path, say("ocr_missing", hint=INSTALL_HINT))


MIN_SCORE = 0.5               # OCR boxes the engine is less sure of are dropped
SLOPE_MIN_ASPECT = 4          # only boxes this many times wider than tall measure the page's rotation
SAME_ROW_OVERLAP = 0.5        # boxes overlapping vertically by this share of the smaller one are on one row
REC_MIN_RATIO = 320 / 48      # the recogniser reads a line no shorter than 320 pixels at 48 high


# Whole-page turns (a page scanned sideways or upside down), found from the first reading of the page.
TURN_MIN_ASPECT = 3           # boxes this many times longer than thick show which way the lines run
TURN_MIN_LINES = 3            # a page needs this many such boxes before it is judged turned
UPRIGHT_SAMPLES = 12          # the longest lines shown to RapidOCR's 0°/180° line classifier
UPRIGHT_MIN_SCORE = 0.9       # the classifier's own threshold for turning a line
# The classifier only spares a reading: where it does not vouch for the page as it lies (_vouched), the
# TURN_READS longest lines are read both ways, and the page is turned only if the turned reading is TURN_CLEARLY
# times as confident (characters read, weighted by their score). Digit-heavy lines (3月5日7月9日10月12日) fool
# the classifier, never the recogniser: read upside down they give a few characters of low score.
TURN_READS = 3
VOUCH_OVER = 3
TURN_CLEARLY = 1.5


def _fit(array):
    """The page within RapidOCR's largest side, shrunk as RapidOCR would shrink it (sides rounded to 32), and
    the factors (x, y) back to the page's pixels. RapidOCR's own shrinking is then a no-op, so that the lines
    are cut from the very image the text was found on, in whichever process recognises them."""
    h, w = array.shape[:2]
    if max(h, w) <= MAX_SIDE:
        return array, (1.0, 1.0)
    import cv2
    r = MAX_SIDE / max(h, w)
    rh, rw = (int(round(int(v * r) / 32) * 32) for v in (h, w))
    return cv2.resize(array, (rw, rh)), (w / rw, h / rh)


def _boxes(array) -> list:
    """RapidOCR's detector alone: the four-point boxes of text on the array, in its pixels."""
    eng = engine()
    detector = getattr(eng, "_load_det_model", None)
    if detector is not None:      # RapidOCR 3 reads the limit on each call; without it, DET_SIDE from SPEED
        detector().limit_side_len = det_side(array.shape)
    res = eng(array, use_det=True, use_cls=False, use_rec=False)
    boxes = getattr(res, "boxes", None)
    return [] if boxes is None else list(boxes)


def _texts(array, boxes) -> list:
    """(text, score) of each box, by RapidOCR's recogniser on the lines it cuts out of the array itself. No
    line classifier: a page is turned upright as a whole (page_turn), and lines within a page run one way."""
    if not len(boxes):
        return []
    eng = engine()
    res = eng.recognize_txt(eng.crop_text_regions(array, boxes))
    return list(zip(res.txts, res.scores))


def det_side(shape) -> int:
    """The longest side the page is detected at: DET_SCALE of its own, DET_SIDE at least."""
    return max(DET_SIDE, round(DET_SCALE * min(max(shape[:2]), MAX_SIDE)))


def _long_boxes(boxes):
    """(box, along, across) of the boxes much longer one way than the other; along is the x extent."""
    out = []
    for b in boxes:
        w = max(p[0] for p in b) - min(p[0] for p in b)
        h = max(p[1] for p in b) - min(p[1] for p in b)
        if max(w, h) >= TURN_MIN_ASPECT * max(1.0, min(w, h)):
            out.append((b, w, h))
    return out


def _votes(array, boxes) -> dict:
    """The confident votes of RapidOCR's line classifier ("0" upright, "180" upside down) on the longest lines."""
    votes = {"0": 0, "180": 0}
    for b in _widest(boxes, UPRIGHT_SAMPLES):
        x0, y0 = (max(0, int(min(p[i] for p in b))) for i in (0, 1))
        x1, y1 = (int(max(p[i] for p in b)) + 1 for i in (0, 1))
        crop = array[y0:y1, x0:x1]
        if crop.size == 0:
            continue
        res = engine()(crop, use_det=False, use_cls=True, use_rec=False)
        for label, score in getattr(res, "cls_res", None) or ():
            if score >= UPRIGHT_MIN_SCORE and label in votes:
                votes[label] += 1
    return votes


def _widest(boxes, n: int) -> list:
    """The n boxes longest across the page, longest first."""
    return [b for b, _, _ in sorted((x for x in _long_boxes(boxes) if x[1] > x[2]), key=lambda x: -x[1])[:n]]


def _vouched(array, boxes) -> bool:
    """The classifier vouches for the lines as they lie: most of its sample upright, and VOUCH_OVER times as
    many lines upright as upside down (on an upright page it calls one line in ten upside down, sure of it)."""
    votes = _votes(array, boxes)
    n = min(UPRIGHT_SAMPLES, len(_widest(boxes, UPRIGHT_SAMPLES)))
    return votes["0"] * 2 > n and votes["0"] >= VOUCH_OVER * votes["180"]


def confidence(reads) -> float:
    """How well lines were read: their characters, each weighted by its line's score (below MIN_SCORE: none)."""
    return sum(len(txt.strip()) * score for txt, score in reads if score >= MIN_SCORE)


def _read_better_turned(array, boxes) -> bool:
    """The longest lines read clearly better with the page turned half round than as it lies; a tie keeps it."""
    sample = _widest(boxes, TURN_READS)
    if not sample:
        return False
    return _reading(*_turned(array, sample, 180)) > TURN_CLEARLY * _reading(array, sample)


def _reading(array, boxes) -> float:
    """The confidence of the TURN_READS longest boxes running across the page, as read."""
    across = sorted((b for b in boxes if _extent(b, 0) > _extent(b, 1)), key=lambda b: -_extent(b, 0))
    return confidence(_texts(array, across[:TURN_READS])) if across else 0.0


def _extent(box, axis: int) -> float:
    return float(max(p[axis] for p in box) - min(p[axis] for p in box))


def _sparse_turn(array, boxes) -> int:
    """A page of a few lines (a last page's closing line, a date): it is read every way round, and turned only
    to a way that reads clearly better than the page as it lies."""
    if not boxes:
        return 0
    score = {0: _reading(array, boxes)}
    for turn in (90, 180, 270):
        score[turn] = _reading(*_turned(array, boxes, turn))
    best = max(score, key=score.get)
    return best if score[best] > TURN_CLEARLY * score[0] else 0


def _corners(pts):
    """Four points in the detector's order: top-left, top-right, bottom-right, bottom-left (get_mini_boxes)."""
    import numpy as np
    p = sorted((tuple(x) for x in pts), key=lambda x: x[0])
    left = sorted(p[:2], key=lambda x: x[1])
    right = sorted(p[2:], key=lambda x: x[1])
    return np.array([left[0], right[0], right[1], left[1]], dtype=np.float32)


def _turned(array, boxes, turn: int):
    """The array turned `turn` degrees counter-clockwise, and the boxes moved with it."""
    import numpy as np
    h, w = array.shape[:2]
    out = []
    for b in boxes:
        x, y = b[:, 0], b[:, 1]
        moved = {90: (y, w - 1 - x), 180: (w - 1 - x, h - 1 - y), 270: (h - 1 - y, x)}[turn]
        out.append(_corners(np.stack(moved, axis=1)))
    return np.ascontiguousarray(np.rot90(array, turn // 90)), out


def page_turn(array, found) -> int:
    """Degrees counter-clockwise (0, 90, 180, 270) that bring a page with the text boxes `found` upright:
    lines running up and down mean a sideways page, turned a quarter one way or the other as it reads better;
    a page whose lines run across is turned half round only if it reads clearly better so (_read_better_turned);
    a page of a few lines is read every way round (_sparse_turn)."""
    import numpy as np
    boxes = [np.asarray(b, dtype=np.float32) for b in found]
    long = _long_boxes(boxes)
    tall = sum(1 for _, w, h in long if h > w)
    if len(long) < TURN_MIN_LINES:
        return _sparse_turn(array, boxes)
    if tall > len(long) - tall:
        return 270 if _read_better_turned(*_turned(array, boxes, 90)) else 90
    if not _vouched(array, boxes) and _read_better_turned(array, boxes):
        return 180
    return 0


def _upright(image, turn: int):
    """The page's pixels fitted (_fit), its seals whitened (seals.unsealed) and turned upright, with the factors back
    to the turned page's pixels: the same array in every process that reads it."""
    import numpy as np
    array, back = _fit(np.asarray(image.convert("RGB")))
    array = unsealed(array)
    if turn in (90, 270):
        back = back[::-1]
    return (np.ascontiguousarray(np.rot90(array, turn // 90)) if turn else array), back


def detect(image):
    """(turn, array, back, boxes): the degrees that bring the page upright (page_turn), its pixels so turned
    and fitted with the factors back (_upright), and the text boxes found on them (found once, then moved)."""
    array, back = _upright(image, 0)
    boxes = _boxes(array)
    turn = page_turn(array, boxes)
    if turn:
        _, boxes = _turned(array, [_f32(b) for b in boxes], turn)
        array, back = _upright(image, turn)
    return turn, array, back, boxes


def _f32(box):
    import numpy as np
    return np.asarray(box, dtype=np.float32)


# A page with ink that gave little text is said to be unread (never left to pass for a short report): ink is
# pixels darker than INK_DARK in every channel (a red seal or header is not), on INK_MIN_SHARE of the page or
# more (text is 3-8% of a 150 dpi page, a blank scan's copier dust 0.01%); or text boxes were found, and less
# than READ_MIN_SHARE of their length was read with MIN_SCORE.
INK_DARK = 128
INK_MIN_SHARE = 0.005
READ_MIN_SHARE = 0.5


class PageRead(NamedTuple):
    lines: list
    unread: bool          # ink on the page, little of it read (_unread)


def page_read(image, path) -> PageRead:
    """A page's lines (image_lines), and whether it had ink that could not be read."""
    require(path)
    _, array, back, boxes = detect(image)
    return _page(boxes, _texts(array, boxes), back, inked(array))


def _page(boxes, reads, back, ink: bool) -> PageRead:
    return PageRead(box_lines(boxes, reads, back), _unread(boxes, reads, ink))


def image_lines(image, path) -> list[Line]:
    """Lines of text in a PIL image, top to bottom, boxes on one row merged; a page scanned sideways
    or upside down is turned upright first."""
    return page_read(image, path).lines


def inked(array) -> bool:
    """Something is printed or written on the page, in black or any dark colour but red (_unread)."""
    return float((array[::2, ::2].max(axis=2) < INK_DARK).mean()) >= INK_MIN_SHARE     # a share: every other pixel tells


def _unread(boxes, reads, ink: bool) -> bool:
    """Ink and nothing found to read, or text found and most of its length not read (_unread's constants)."""
    import numpy as np
    lengths = [float(np.linalg.norm(np.asarray(b[1], dtype=float) - np.asarray(b[0], dtype=float))) for b in boxes]
    if not sum(lengths):
        return ink
    read = sum(n for n, (txt, score) in zip(lengths, reads) if txt.strip() and score >= MIN_SCORE)
    return read < READ_MIN_SHARE * sum(lengths)


def box_lines(boxes, read, back) -> list[Line]:
    """The page's lines from its boxes and their (text, score), in the page's own pixels (factors `back`)."""
    import numpy as np
    kept = [(np.asarray(box, dtype=float) * back, txt) for box, (txt, score) in zip(boxes, read)
            if txt.strip() and score >= MIN_SCORE]
    return _row_lines(_deskewed(kept))


def found(image, path):
    """A page's first half, for a worker: (turn, boxes, back) as detect finds them, and whether it has ink."""
    require(path)
    turn, array, back, boxes = detect(image)
    return turn, boxes, back, inked(array)


def read_boxes(image, turn: int, boxes) -> list:
    """A page's second half, for a worker: (text, score) of some of the boxes `found` on it."""
    return _texts(_upright(image, turn)[0], boxes)


def shares(boxes, n: int) -> list[list]:
    """The boxes in n runs, in order, of about equal work for the recogniser: a line costs its length over
    its height (it is read 48 pixels high), and no less than REC_MIN_RATIO."""
    import numpy as np
    cost = []
    for b in boxes:
        b = np.asarray(b, dtype=float)
        cost.append(max(REC_MIN_RATIO, np.linalg.norm(b[1] - b[0]) / max(1.0, np.linalg.norm(b[3] - b[0]))))
    total, runs, start, acc = sum(cost), [], 0, 0.0
    for k, c in enumerate(cost):
        acc += c
        if len(runs) < n - 1 and acc >= total * (len(runs) + 1) / n:
            runs.append(boxes[start:k + 1])
            start = k + 1
    runs.append(boxes[start:])
    return [r for r in runs if len(r)]


def _deskewed(kept) -> list:
    """(top, bottom, left, right, text) of each box, top to bottom. A scan is often a little rotated: the
    slope of the text boxes' top edges is measured and the coordinates turned back, so that left margins,
    line ends and rows line up again."""
    import math
    slopes = sorted(math.atan2(b[1][1] - b[0][1], b[1][0] - b[0][0]) for b, _ in kept
                    if b[1][0] - b[0][0] > SLOPE_MIN_ASPECT * abs(b[3][1] - b[0][1]) > 0)
    angle = slopes[len(slopes) // 2] if slopes else 0.0
    cos, sin = math.cos(-angle), math.sin(-angle)
    boxes = []
    for box, txt in kept:
        pts = [(x * cos - y * sin, x * sin + y * cos) for x, y in box]
        xs = [p[0] for p in pts]
        ys = [p[1] for p in pts]
        boxes.append((min(ys), max(ys), min(xs), max(xs), txt))
    boxes.sort()
    return boxes


def _row_lines(boxes) -> list[Line]:
    """Boxes overlapping vertically make a row; a row is one line, or several where a column gutter parts it."""
    rows: list[list] = []
    for b in boxes:
        top, bottom = b[0], b[1]
        if rows:
            r = rows[-1]
            rtop = min(x[0] for x in r)
            rbottom = max(x[1] for x in r)
            overlap = min(bottom, rbottom) - max(top, rtop)
            if overlap > SAME_ROW_OVERLAP * min(bottom - top, rbottom - rtop):
                r.append(b)
                continue
        rows.append([b])
    lines = []
    for r in rows:
        r.sort(key=lambda b: b[2])
        for i, j in cut([(b[2], b[3], b[1] - b[0]) for b in r]):
            text = ""
            for b in r[i:j]:
                if text and text[-1].isascii() and text[-1].isalnum() and b[4][0].isascii() and b[4][0].isalnum():
                    text += " "
                text += b[4]
            lines.append(Line(text=text, x0=r[i][2], x1=max(b[3] for b in r[i:j]), top=min(b[0] for b in r)))
    return lines


# ---------------- pages of one file on several cores ----------------

JOBS_ENV = "SELFEVAL_OCR_JOBS"    # worker processes for the pages of one file (default: the cores)
THREADS_ENV = "SELFEVAL_OCR_THREADS"   # onnxruntime and OpenVINO threads in each page worker, and of the engine
                                       # of a process that reads its pages itself (default: every core)
PAGE_WORKERS_PER_FILE_WORKER = 2  # about 0.85 GB each with its models: --jobs N keeps at most 2N alive, not N×N
IN_FLIGHT_PER_JOB = 2             # rendered pages waiting for a worker, per worker: bounds memory


def jobs() -> int:
    """How many processes OCR the pages of one file: in a batch worker, the batch's --jobs (the cores are
    shared out by their tokens, below); else SELFEVAL_OCR_JOBS, else the cores this process may use. Inside
    another daemon process (it may not start processes) the pages are read in the process itself."""
    import multiprocessing as mp
    if _budget["cores"] is not None:       # idle page workers keep their models in memory: at most 2 per file worker
        return min(_budget["cores"].n, PAGE_WORKERS_PER_FILE_WORKER)
    if mp.current_process().daemon:
        return 1
    env = os.environ.get(JOBS_ENV, "").strip()
    if env.isdigit() and int(env) > 0:
        return int(env)
    return _cores()


def _threads_asked() -> int:
    """SELFEVAL_OCR_THREADS, or 0 where it is not a whole number above 0."""
    threads = os.environ.get(THREADS_ENV, "").strip()
    return int(threads) if threads.isdigit() and int(threads) > 0 else 0


def _cores() -> int:
    import os
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)


# ---------------- the cores of a batch, shared between files and pages ----------------

class Cores:
    """The batch's --jobs as n core tokens that its processes take and give back: token i is an exclusive
    flock on FOLDER/i. The kernel drops a flock when its holder dies, even by SIGKILL, so a worker stopped
    for its time limit never keeps a core."""

    POLL = 0.02                   # seconds between two looks for a free token: nothing to a page's seconds

    def __init__(self, folder, n: int):
        self.folder, self.n = str(folder), n

    def take(self) -> int:
        """A token (an open file holding the lock), once one is free. A new open file each try: one
        process that holds a token and asks for another must not be given its own again."""
        import fcntl
        import time
        while True:
            for i in range(self.n):
                fd = os.open(os.path.join(self.folder, str(i)), os.O_RDWR | os.O_CREAT, 0o600)
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    return fd
                except OSError:
                    os.close(fd)
            time.sleep(self.POLL)

    @contextlib.contextmanager
    def held(self):
        fd = self.take()
        try:
            yield
        finally:
            os.close(fd)          # closing the file drops its lock


_budget: dict = {"cores": None, "file": None}     # in a batch worker: the batch's Cores, the token of its file


def share_cores(folder, n: int):
    """In a batch worker: the batch's cores are n tokens in `folder`. A file holds one while it is read
    (file_slot); while its scanned pages are OCR'd it lends it back, and each page holds one while it is read,
    in a pool of n page workers of one thread each. So files and pages together never run on
    more than n cores, and one scan left alone gets all of them."""
    _budget["cores"] = Cores(folder, n)
    _engine_threads[0] = 1


@contextlib.contextmanager
def file_slot():
    """Hold one of the batch's cores while a file is read (nothing outside a batch)."""
    cores = _budget["cores"]
    if cores is None:
        yield
        return
    _budget["file"] = cores.take()
    try:
        yield
    finally:
        _lend_file_core()


def _lend_file_core():
    if _budget["file"] is not None:
        os.close(_budget["file"])
        _budget["file"] = None


def _take_file_core():
    if _budget["cores"] is not None and _budget["file"] is None:
        _budget["file"] = _budget["cores"].take()


@contextlib.contextmanager
def _page_core():
    """A page read in a batch holds a core of its own, unless its process holds its file's."""
    cores = _budget["cores"]
    if cores is None or _budget["file"] is not None:
        yield
    else:
        with cores.held():
            yield


def _worker_init(threads: int, cores, client: int):
    import signal
    signal.signal(signal.SIGINT, signal.SIG_IGN)     # Ctrl-C is the parent's to handle: no traceback from a worker
    # A batch worker ignores SIGTERM and its server process passes that on; _stop_pool stops a busy page with it.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    die_with_parent()              # the server it was forked from
    die_with(client)               # and the file worker it reads for (killed at its time limit, say)
    _engine_threads[0] = threads
    _budget["cores"] = cores
    import cv2
    cv2.setNumThreads(threads)    # else OpenCV's own pool (cutting lines out) spins on cores no token gave it
    with _page_core():            # loading the models is work on a core too
        _load_models()            # while the parent renders the first pages


def _load_models():
    """The engine with its three models loaded: RapidOCR 3 loads each on its first use, else."""
    eng = engine()
    for load in ("_load_det_model", "_load_cls_model", "_load_rec_model"):
        getattr(eng, load, lambda: None)()


_pool: list = []              # (jobs, ProcessPoolExecutor), started on the first file that needs it
_pool_stops_at_exit: list = []
# What page workers import, once, in the server process they are forked from (it starts no thread).
PRELOAD = ("extractor.readers.ocr", "rapidocr.main", "onnxruntime", "cv2", "numpy", "PIL.Image")


def _in_worker(work, image_file, *args):
    """In a page worker: ("ok", work(the page, *args)), or the InputError's parts (it does not pickle). The
    page comes as a file: only small messages go through the pipe, so that no writer blocks on a worker that
    is gone."""
    import numpy as np
    from PIL import Image
    try:
        with _page_core():
            return "ok", work(Image.fromarray(np.load(image_file)), *args)
    except InputError as e:
        return "error", (e.kind, e.path, e.cause)


def _executor(n: int):
    import concurrent.futures
    import multiprocessing as mp
    if _pool and _pool[0][0] == n:
        return _pool[0][1]
    _stop_pool()
    # The cores shared out between the workers, so that n workers never run more threads than cores; in a
    # batch each page holds a core token, so one thread each.
    threads = _threads_asked() or max(1, _cores() // n)
    cores = _budget["cores"]
    if cores is not None:
        threads = 1
    # Forked from a server process that has imported RapidOCR and onnxruntime, a worker starts in the time
    # its models take to load, not the second a new interpreter takes to import them.
    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload(list(PRELOAD))
    ex = concurrent.futures.ProcessPoolExecutor(max_workers=n, mp_context=ctx,
                                                initializer=_worker_init, initargs=(threads, cores, os.getpid()))
    _pool.append((n, ex))         # before anything may fail: _stop_pool stops what did start
    for _ in range(n):            # every worker starts now, not when its first page comes
        ex.submit(int)
    if not _pool_stops_at_exit:
        # A worker process (a batch's) joins its children at exit before its pools are shut: the page
        # workers are stopped first, else its exit would wait for them for ever.
        from multiprocessing.util import Finalize
        Finalize(None, _stop_pool, exitpriority=10)
        _pool_stops_at_exit.append(True)
    return ex


def _stop_pool():
    """Stop the page workers now, whatever they are reading."""
    if not _pool:
        return
    ex = _pool.pop()[1]
    procs = list((getattr(ex, "_processes", None) or {}).values())
    if not procs:
        ex.shutdown(wait=False, cancel_futures=True)
    # The executor's own thread sees its workers die and closes the queue it feeds them from; a shutdown
    # call here would instead wait for that queue, which no worker reads any more.
    for proc in procs:
        proc.terminate()


def _value(fut):
    status, value = fut.result()
    if status == "error":
        raise InputError(*value)
    return value


def _first(values):
    return values[0]


class Pages:
    """OCR of one file's pages, in worker processes when more than one job may run: `add` a page image
    (a PIL image) and get its index; `lines()` gives every page's lines in order. At most
    IN_FLIGHT_PER_JOB pages a worker wait rendered. Each page is read whole by one worker, but the last:
    its lines are found by one, then read by all, so that no worker idles while another reads a last page."""

    def __init__(self, path, n_jobs: int | None = None):
        self.path = path
        self.n = jobs() if n_jobs is None else max(1, n_jobs)
        self.done: dict = {}
        self.pending: list = []          # (index, futures, image file, their values to the page's lines)
        self.held = None                 # (index, image file) of the page added last: the last page, maybe
        self.count = 0
        self.tmp = None                  # the folder of the page images waiting for a worker

    def add(self, image) -> int:
        import numpy as np
        i = self.count
        self.count += 1
        if self.n == 1:
            self.done[i] = page_read(image, self.path)
            return i
        if self.tmp is None:
            self.tmp = tempfile.mkdtemp(prefix="selfeval-ocr-")
            _lend_file_core()             # its pages hold cores of their own now, one each while read
            with contextlib.suppress(Exception):     # noqa: BLE001 - else each page is read here (_whole)
                _executor(self.n)         # the workers start while this page is saved and the next rendered
        image_file = os.path.join(self.tmp, f"{i}.npy")
        np.save(image_file, np.asarray(image.convert("RGB")))
        with self._abandon_on_failure():
            if self.held is not None:     # the page before was not the last one
                self._whole(*self.held)
            self.held = (i, image_file)
            while len(self.pending) >= IN_FLIGHT_PER_JOB * self.n:
                self._settle(*self.pending.pop(0))
        return i

    def _whole(self, i, image_file):
        try:
            fut = _executor(self.n).submit(_in_worker, page_read, image_file, str(self.path))
        except Exception:                # noqa: BLE001 - a pool that cannot start or broke: read here
            self._here(i, image_file)
            return
        self.pending.append((i, [fut], image_file, _first))

    def _shared(self, i, image_file):
        """The last page: its boxes found by one worker, then read in shares by all of them."""
        from concurrent.futures.process import BrokenProcessPool
        try:
            ex = _executor(self.n)
            first = ex.submit(_in_worker, found, image_file, str(self.path))
        except Exception:                # noqa: BLE001 - a pool that cannot start or broke: read here
            self._here(i, image_file)
            return
        try:
            turn, boxes, back, ink = _value(first)
            futs = [ex.submit(_in_worker, read_boxes, image_file, turn, run) for run in shares(boxes, self.n)]
        except BrokenProcessPool:        # a worker died (killed, out of memory): read here, a new pool next time
            _stop_pool()
            self._here(i, image_file)
            return
        self.pending.append((i, futs, image_file,       # each share's (text, score), in order, to the page's lines
                             lambda reads: _page(boxes, [r for read in reads for r in read], back, ink)))

    def _here(self, i, image_file):
        import numpy as np
        from PIL import Image
        try:
            with _page_core():
                self.done[i] = page_read(Image.fromarray(np.load(image_file)), self.path)
        finally:
            with contextlib.suppress(OSError):
                os.unlink(image_file)

    @contextlib.contextmanager
    def _abandon_on_failure(self):
        """A page that fails ends the file: its other pages are cancelled. On Ctrl-C (or any exit that is
        not an error) the workers are stopped at once rather than left to finish the pages they hold."""
        try:
            yield
        except BaseException as e:
            self.abandon(kill=not isinstance(e, Exception))
            raise

    def abandon(self, kill: bool = False):
        """Forget the pages not yet read: cancel them, or with `kill` stop the workers too."""
        for _, futs, _, _ in self.pending:
            for fut in futs:
                fut.cancel()
        self.pending.clear()
        self.held = None
        if kill:
            _stop_pool()
        self._clean()

    def _clean(self):
        if self.tmp is not None:
            shutil.rmtree(self.tmp, ignore_errors=True)
            self.tmp = None

    def _settle(self, i, futs, image_file, finish):
        from concurrent.futures.process import BrokenProcessPool
        try:
            values = [_value(fut) for fut in futs]
        except BrokenProcessPool:
            # A page worker died (killed, out of memory): read the page here, start a new pool next time.
            _stop_pool()
            self._here(i, image_file)
            return
        with contextlib.suppress(OSError):
            os.unlink(image_file)
        self.done[i] = finish(values)

    def lines(self) -> list:
        with self._abandon_on_failure():
            if self.held is not None:
                self._shared(*self.held)
                self.held = None
            while self.pending:
                self._settle(*self.pending.pop(0))
        self._clean()
        _take_file_core()                 # the rest of the file is this process's work again
        return [self.done[i].lines for i in range(self.count)]

    def unread(self) -> list[int]:
        """The indices of the pages (once `lines` is had) with ink that could not be read."""
        return [i for i in range(self.count) if self.done[i].unread]


def read_image(path: Path, mode: str = "auto"):
    from PIL import Image, UnidentifiedImageError

    from .lines import MAX_PAGES, page_text
    from .messages import say
    from ..records import Content

    if mode == "never":
        raise InputError("needs-ocr", path, say("ocr_never"))

    try:
        with warnings.catch_warnings():      # the size is ours to judge, below: no warning on stderr
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            img = Image.open(path)       # reads the header only: the size is checked before any pixel is decoded
        n = getattr(img, "n_frames", 1)
        if n > MAX_PAGES:
            raise InputError("too-large", path, say("too_many_pages", pages=f"{n:,}", limit=MAX_PAGES))
        frames = []
        for i in range(n):
            img.seek(i)
            pixels = img.size[0] * img.size[1] / 1e6
            if pixels > MAX_MEGAPIXELS:
                raise InputError("too-large", path, say("image_too_large", pixels=f"{pixels:.1f}", limit=MAX_MEGAPIXELS))
            frames.append(img.convert("RGB"))
    except Image.DecompressionBombError as e:      # Pillow's own check, in Image.open: "Image size (N pixels) …"
        m = re.search(r"\((\d+) pixels\)", str(e))
        raise InputError("too-large", path, say("image_too_large", pixels=f"{int(m.group(1)) / 1e6:.1f}" if m else "?",
                                   limit=MAX_MEGAPIXELS)) from e
    except (UnidentifiedImageError, OSError, ValueError, EOFError) as e:
        raise InputError("corrupt", path, say("bad_image", detail=str(e))) from e
    ocr_pages = Pages(path, None if len(frames) > 1 else 1)
    for f in frames:
        ocr_pages.add(f)
    pages = ocr_pages.lines()
    text, starts = page_text(pages)
    unread = [i + 1 for i in ocr_pages.unread()]
    return Content(text=text, input_kind="ocr", page_starts=starts,
                   warnings=unread_warnings(path, text, unread, [i + 1 for i, p in enumerate(pages) if p], len(pages)))


def unread_warnings(path, text: str, unread: list[int], with_text: list[int], total: int) -> tuple:
    """The warning naming the pages with ink that could not be read (page numbers of the file), none if none;
    an InputError when no text at all was read, or nothing from any page but unread ones."""
    from .messages import pages as say_pages, say
    if not text.strip() and not unread:
        raise InputError("empty", path, say("ocr_none"))
    if not set(with_text) - set(unread):
        raise InputError("empty", path, say_pages("pages_none_read", unread, count=len(unread), total=total))
    return (say_pages("pages_unread", unread, count=len(unread), total=total),) if unread else ()
