"""Office scans made by benchmarks/scans.py: every degradation's pages come out upright, and a seal over the text
costs no line: a red seal's red is whitened before reading (a red header is kept and read), and so is a seal copied
in gray, found by its shape, drawn in every way scans.SEALS draws one (the text under it is kept; pages without a
seal, gray text and a seal as dark as the text are left as they are)."""
import difflib
import functools
import sys

import numpy as np
import pytest
from conftest import EVAL, ROOT
from PIL import Image

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


@pytest.mark.slow                       # OCR
def test_a_seal_over_the_text_costs_no_line():
    clean = scans.clean(TEXT)
    read = text_of(clean[0])
    sealed = text_of(scans.sealed(clean, seed=3)[0])
    assert difflib.SequenceMatcher(None, read, sealed, autojunk=False).ratio() > 0.98
    assert "一是坚持党的领导。健全区委教育工作领导小组工作统" in sealed       # the line the seal is stamped on


def office_pair(name: str):
    """An office copy of the text with the seal scans.SEALS[name] and the same copy without it, as arrays."""
    seal = scans.SEALS[name]
    text = scans.signed(TEXT) if seal.get("at") else TEXT
    return np.asarray(scans.gray_sealed(text, **seal)[0]), unsealed_copy(bool(seal.get("at")))


@functools.lru_cache(maxsize=2)
def unsealed_copy(signed: bool):
    """The office copy of the text (signed or not) without a seal, as a read-only array: made once for the seals
    that share it."""
    text = scans.signed(TEXT) if signed else TEXT
    array = np.asarray(scans.office_copy(scans.headed(text))[0])
    array.setflags(write=False)
    return array


@pytest.mark.parametrize("name", [name for name in scans.SEALS if name != "dark"])
def test_a_gray_seal_is_whitened_and_the_text_under_it_kept(name):
    sealed, plain = office_pair(name)
    out = seals.unsealed(sealed)
    s, p, o = (a[..., 0].astype(int) for a in (sealed, plain, out))
    ink = (p >= 180) & (s <= p - 30)                  # the seal's ink on the paper: darker than the copy without it
    (y0, y1), (x0, x1) = (np.percentile(v, [1, 99]).astype(int) for v in np.nonzero(ink))     # toner dust left out
    seal = np.zeros(s.shape, bool)
    seal[y0:y1, x0:x1] = True
    assert (o[ink & seal] >= 180).mean() > 0.95                                # whitened
    assert (out == sealed).all(axis=2)[seal & (p <= 60)].mean() > 0.95        # the text's black under it kept
    near = np.zeros(s.shape, bool)
    dy, dx = (y1 - y0) // 5, (x1 - x0) // 5
    near[max(0, y0 - dy):y1 + dy, max(0, x0 - dx):x1 + dx] = True
    assert (out == sealed)[~near].all()                                        # nothing else touched


def test_a_seal_as_dark_as_the_text_stays():
    """No level tells such a seal from the text under it: the page is left as it is."""
    page = np.asarray(scans.gray_sealed(TEXT, **scans.SEALS["dark"])[0])
    assert seals.unsealed(page) is page


@pytest.mark.parametrize("name", ["clean", "skew+3", "jpeg-q25", "copier", "blur", "photo", "200dpi"])
def test_a_page_without_a_seal_comes_out_unchanged(name):
    page = np.asarray(scans.DEGRADATIONS[name](TEXT)[0])
    assert seals.unsealed(page) is page


def test_a_copy_with_a_red_header_and_no_seal_comes_out_unchanged():
    """Copied in gray, the header is gray: it is text, a line, no seal."""
    page = np.asarray(scans.office_copy(scans.clean(TEXT, red_header="区政府文件"))[0])
    assert seals.unsealed(page) is page


@pytest.mark.parametrize("rows", [(0.0, 1.0), (0.5, 1.0)], ids=["page", "lower-half"])
def test_gray_text_is_never_whitened(rows):
    """Text printed gray, as gray as a seal copied (the whole page, or its lower half under black text), is kept."""
    page = np.asarray(scans.clean(TEXT)[0]).astype(int)
    y0, y1 = (int(r * page.shape[0]) for r in rows)
    page[y0:y1] = 255 - (255 - page[y0:y1]) * 45 // 100                      # black 20 -> gray 149
    copy = np.asarray(scans.office_copy([Image.fromarray(page.astype("uint8"))])[0])
    assert seals.unsealed(copy) is copy


@pytest.mark.slow
def test_a_gray_seal_over_the_text_costs_no_figure():
    """Read with its gray seal, the page reads as its copy without one; unwhitened, 常住人口70.75万 read 常住口70.75月,
    44亿元 4数亿元 and 3.6万元 36万元."""
    read = text_of(scans.office_copy(scans.headed(TEXT))[0])
    sealed = text_of(scans.office(TEXT)[0])
    assert difflib.SequenceMatcher(None, read, sealed, autojunk=False).ratio() > 0.99
    for figure in ("常住人口70.75万", "一般公共预算收入44亿元", "6.8万元、3.6万元"):       # under the seal
        assert figure in sealed
