"""A page is turned only when it reads clearly better turned: upright pages of every development document stay
upright, pages turned a quarter or half round (a little skewed too) are turned back and read."""
import functools
import sys

import pytest
from conftest import EVAL, ROOT

from extractor.readers import ocr

sys.path.insert(0, str(ROOT / "corpus"))
import build  # noqa: E402

pytestmark = pytest.mark.slow          # OCR of every page

DOCS = sorted((EVAL / "docs").glob("*.txt")) + [EVAL / "docs" / "xingan-2024.md"]
DATES = "\n\n".join(["3月5日7月9日10月12日3月5日7月9日10月12日", "1月2日3月4日5月6日7月8日9月10日11月12日",
                     "2021年9月1日至2024年6月30日，12.5%，98.6%，1:15，3310人"] * 5)


def first_page(text: str, **kw):
    return build.render_images(text[:1400], dpi=150, seal=False, **kw)[0]


def read(image) -> tuple[int, str]:
    """The turn detect finds and the page's text as read after it."""
    turn, array, back, boxes = ocr.detect(image)
    return turn, "".join(ln.text for ln in ocr.box_lines(boxes, ocr._texts(array, boxes), back))


def same_text(a: str, b: str) -> float:
    import difflib
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.stem)
def test_upright_first_page_of_each_development_document_stays_upright(doc):
    image = first_page(doc.read_text(encoding="utf-8"), seed=len(doc.stem))
    turn, array, back, boxes = ocr.detect(image)
    assert turn == 0 and len(boxes) > 10


@functools.lru_cache(maxsize=1)
def skewed_page():
    """A page skewed a little, and its text as read upright: read once for the turns below."""
    image = first_page((EVAL / "docs" / "r006.txt").read_text(encoding="utf-8"), seed=5, rotate=2.5)
    return image, read(image)


@pytest.mark.parametrize("fed", [90, 180, 270])
def test_skewed_page_turned_a_quarter_or_half_round_is_turned_back_and_read(fed):
    image, (turn, upright) = skewed_page()
    assert turn == 0 and len(upright) > 300
    turn, text = read(image.rotate(fed, expand=True))
    assert turn == (360 - fed) % 360, fed
    assert same_text(text, upright) > 0.97, (fed, text[:80])


def test_digit_heavy_page_stays_upright_and_is_turned_when_upside_down():
    image = first_page(DATES, seed=2)
    turn, upright = read(image)
    assert turn == 0 and "3月5日7月9日10月12日" in upright
    turn, text = read(image.rotate(180))
    assert turn == 180 and same_text(text, upright) > 0.97


def test_a_tie_keeps_the_page_as_it_lies():
    """Lines of one symmetric digit read alike both ways: no turn on a tie."""
    image = first_page("\n\n".join(["8080 0808 8800 0088 8008 0880"] * 10), seed=3, noise=False, rotate=0)
    array, _ = ocr._upright(image, 0)
    assert ocr.page_turn(array, ocr._boxes(array)) == 0


def test_a_last_page_of_a_few_lines_is_read_every_way_round():
    """The sign-off of a development document alone on its page: too few lines to vote on, read each way."""
    closing = "\n\n".join((EVAL / "docs" / "xingan-2024.md").read_text(encoding="utf-8").strip().split("\n\n")[-3:])
    image = first_page(closing, seed=6)
    turn, upright = read(image)
    assert turn == 0 and "兴安区人民政府办公室" in upright
    for fed in (90, 180, 270):
        turn, text = read(image.rotate(fed, expand=True))
        assert turn == (360 - fed) % 360 and "兴安区人民政府办公室" in text, fed
