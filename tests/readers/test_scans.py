"""Office scans made by benchmarks/scans.py: every degradation's pages come out upright, and a red seal over the
text costs no line (its red is whitened before reading, a red header is kept and read)."""
import difflib
import sys

import numpy as np
import pytest
from conftest import EVAL, ROOT

from extractor.readers import ocr, seals

sys.path.insert(0, str(ROOT / "benchmarks"))
import scans  # noqa: E402

TEXT = scans.pages_of((EVAL / "docs" / "r006.txt").read_text(encoding="utf-8"), 1)


def text_of(image) -> str:
    return "".join(ln.text for ln in ocr.image_lines(image, "page.png"))


@pytest.mark.slow
@pytest.mark.parametrize("name", list(scans.DEGRADATIONS))
def test_every_degradation_comes_out_upright(name):
    image = scans.DEGRADATIONS[name](TEXT)[0]
    assert ocr.detect(image)[0] == scans.TURNS[name]


def test_a_seal_is_whitened_and_a_red_header_kept():
    page = scans.sealed(scans.clean(TEXT, red_header="区政府文件"))[0]
    array = np.asarray(page)
    red = seals._red(array)
    rows = np.nonzero(red.any(axis=1))[0]
    header = red[: array.shape[0] // 6].sum()
    assert header > 500 and red[array.shape[0] // 6:].sum() > 2000       # the header's red, and the seal's below it
    kept = seals._red(seals.unsealed(array))
    assert kept[: array.shape[0] // 6].sum() == header and kept[array.shape[0] // 6:].sum() == 0, rows


def test_a_seal_over_the_text_costs_no_line():
    clean = scans.clean(TEXT)
    read = text_of(clean[0])
    sealed = text_of(scans.sealed(clean, seed=3)[0])
    assert difflib.SequenceMatcher(None, read, sealed, autojunk=False).ratio() > 0.98
    assert "一是坚持党的领导。健全区委教育工作领导小组工作统" in sealed       # the line the seal is stamped on
