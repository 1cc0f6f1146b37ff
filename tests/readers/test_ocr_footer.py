"""A page number as OCR reads it: the dash of '- 3 -' often comes back as 一 (one), and is still furniture."""
from extractor.readers.lines import Line, strip_furniture


def _page(n, footer):
    body = [Line(text=f"第{n}页正文，2022年5月25日完成了监测工作。", x0=150, x1=1080, top=150 + 50 * i) for i in range(8)]
    heading = Line(text="一二三四"[n - 1] + "、第" + str(n) + "部分", x0=150, x1=400, top=100)
    return [heading, *body, Line(text=footer, x0=560, x1=640, top=1640)]


def test_a_page_number_whose_dash_ocr_read_as_yi_is_dropped():
    pages = [_page(1, "-1-"), _page(2, "—2-"), _page(3, "-3一"), _page(4, "一4一")]
    kept = strip_furniture(pages)
    assert [[ln.text for ln in p][-1] for p in kept] == [p[-2].text for p in pages]
    assert [p[0].text for p in kept] == [p[0].text for p in pages]      # a heading that starts with 一 stays
