"""No page lost in silence: a page with ink that OCR cannot read is named in a warning (stderr, the stored
warnings, the verdict 未能完整读取); a file of which nothing could be read is an error; a blank page is neither."""
import random
import subprocess
import sys

import duckdb
import numpy as np
import pytest
from PIL import Image, ImageDraw

from conftest import EVAL, ROOT
from helpers import invoke, scan_pdf

from extractor.readers import ocr

sys.path.insert(0, str(ROOT / "corpus"))
import build  # noqa: E402

WARNING = "1 of 3 pages have ink that text recognition could not read (page 2); the facts come from the other pages"


def pages_of(doc: str, n: int):
    return build.render_images((EVAL / "docs" / doc).read_text(encoding="utf-8")[:3000], dpi=150, seed=4)[:n]


def scrambled(image, tile=12, seed=1):
    """A real page's ink with its glyphs cut in tiles and shuffled: as much ink as text, nothing to read."""
    a = np.asarray(image.convert("RGB"))
    h, w = a.shape[:2]
    tiles = [(i, j) for i in range(0, h - tile, tile) for j in range(0, w - tile, tile)]
    src = tiles[:]
    random.Random(seed).shuffle(src)
    b = a.copy()
    for (i, j), (k, m) in zip(tiles, src):
        b[i:i + tile, j:j + tile] = a[k:k + tile, m:m + tile]
    return Image.fromarray(b)


def blots(size, seed=2):
    img = Image.new("RGB", size, "white")
    d, rnd = ImageDraw.Draw(img), random.Random(seed)
    for _ in range(300):
        x, y, r = rnd.randrange(size[0]), rnd.randrange(size[1]), rnd.randrange(3, 25)
        d.ellipse((x - r, y - r, x + r, y + r), fill=(20, 20, 20))
    return img


def run(*args):
    return subprocess.run([sys.executable, str(ROOT / "cli.py"), "--lang", "en", *map(str, args)],
                          capture_output=True, text=True, timeout=900)


def test_judging_a_page_read():
    box = np.array([[0, 0], [400, 0], [400, 30], [0, 30]], dtype=np.float32)
    short = np.array([[0, 40], [40, 40], [40, 70], [0, 70]], dtype=np.float32)
    assert not ocr._unread([box, short], [("read well", 0.98), ("", 0.1)], ink=True)
    assert ocr._unread([box, short], [("??", 0.3), ("ok", 0.99)], ink=True)
    assert ocr._unread([], [], ink=True) and not ocr._unread([], [], ink=False)
    white = np.full((100, 100, 3), 255, dtype=np.uint8)
    assert not ocr.inked(white)
    white[20:40, 10:90] = (200, 20, 20)          # a red seal is no ink to read
    assert not ocr.inked(white)
    white[50:60, 10:90] = 20
    assert ocr.inked(white)


@pytest.mark.slow                       # OCR
def test_scan_with_a_page_of_ink_it_cannot_read_names_it_and_is_not_read_as_short(tmp_path):
    """Read once (the OCR is the cost), by the command in a process of its own (the warning goes to stderr by
    logging's last resort, which a test's logging would catch): the warning, the facts of page 1 and the
    verdict stored with the unread page."""
    page = pages_of("r006.txt", 1)[0]
    blank = Image.new("RGB", page.size, "white")
    pdf = scan_pdf([page, scrambled(page), blank], tmp_path / "scan.pdf")
    r = run("extract", pdf, "-o", tmp_path / "out.duckdb")
    assert r.returncode == 0, r.stderr
    assert [ln for ln in r.stderr.splitlines() if ln.strip()] == [f"{pdf}: {WARNING}"]
    con = duckdb.connect(str(tmp_path / "out.duckdb"), read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM facts").fetchone()[0] > 0          # the facts of page 1
        assert con.execute("SELECT verdict, unread_pages FROM documents").fetchall() == [("unreadable", "2")]
    finally:
        con.close()


@pytest.mark.slow                       # OCR
def test_an_image_of_ink_alone_is_an_error_and_a_blank_one_too(tmp_path):
    ink = tmp_path / "blots.png"
    blots((1240, 1754)).save(ink)
    r = run("extract", ink)
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert r.returncode != 0 and "Traceback" not in r.stderr
    assert lines == [f"selfeval: {ink}: no page could be read: text recognition found ink it could not read on 1 of 1 pages "
                     "(page 1) and no text elsewhere"], r.stderr
    blank = tmp_path / "blank.png"
    Image.new("RGB", (1240, 1754), "white").save(blank)
    r = invoke("extract", blank, "--lang", "en")                   # in this process: only the line is tested here
    assert r.returncode != 0 and [ln for ln in r.stderr.splitlines() if ln.strip()] == [f"selfeval: {blank}: no text found by OCR"]
