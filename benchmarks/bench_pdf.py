"""PDF and OCR figures, printed side by side (nothing asserts a time):

  - the whole pipeline's pages per second on a 60-page text PDF, beside pdfplumber's
    bare extract_text on the same file;
  - OCR seconds per page on scanned pages, and the numbers it got wrong.

    python benchmarks/bench_pdf.py [--ocr-pages N]
"""
import argparse
import re
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "corpus"))

import build  # noqa: E402

NUM = re.compile(r"\d+(?:\.\d+)?")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ocr-pages", type=int, default=4)
    a = ap.parse_args()
    seed = (ROOT / "corpus" / "xingan-2024.md").read_text(encoding="utf-8")
    tmp = Path(tempfile.mkdtemp())

    # A 60-page report: the seed's body repeated, as a long provincial report would run.
    md = seed
    while len(build.layout(md)) < 60:
        md += "\n\n" + seed
    pages = build.layout(md)
    while len(pages) > 60:
        md = md[: int(len(md) * 0.995)]
        pages = build.layout(md)
    pdf = tmp / "long-report.pdf"
    n = build.render_pdf(md, pdf, running_header="兴安区人民政府履行教育职责自评报告", red_header="鹤岗市兴安区人民政府文件")

    from extractor.pipeline import process_path
    from extractor.text.segment import load_scheme
    scheme = load_scheme()
    process_path(corpus_small(tmp), scheme)          # warm caches as a batch process would
    t0 = time.perf_counter()
    res = process_path(pdf, scheme)
    t_pipe = time.perf_counter() - t0

    import pdfplumber
    t0 = time.perf_counter()
    with pdfplumber.open(str(pdf)) as doc:
        chars = sum(len(p.extract_text() or "") for p in doc.pages)
    t_plumber = time.perf_counter() - t0

    print(f"{n}-page text PDF ({len(res.facts)} facts; pdfplumber read {chars:,} characters)")
    print(f"{'':44}{'seconds':>10}{'pages/s':>10}")
    print(f"{'selfeval pipeline (read → facts)':44}{t_pipe:10.2f}{n / t_pipe:10.1f}")
    print(f"{'pdfplumber extract_text alone (baseline)':44}{t_plumber:10.2f}{n / t_plumber:10.1f}")

    # OCR: scanned pages of the seed, numbers compared with the text that was drawn.
    from extractor.readers import ocr
    k = max(1, a.ocr_pages)
    truth_pages = build.layout(seed)[:k]
    images = build.render_images(seed)[:k]
    ocr.engine()
    t0 = time.perf_counter()
    got = ["\n".join(ln.text for ln in ocr.image_lines(img, "bench")) for img in images]   # line by line, as drawn
    t_ocr = time.perf_counter() - t0
    drawn = [ln.text.replace(" ", "") for p in truth_pages for ln in p] + [str(i) for i in range(1, k + 1)]
    want = Counter(NUM.findall("\n".join(drawn)))          # the page numbers are drawn too
    found = Counter(NUM.findall("\n".join(got).replace(" ", "")))
    missed = sum((want - found).values())
    extra = sum((found - want).values())
    total = sum(want.values())
    print(f"OCR: {k} scanned pages at 150 dpi, {t_ocr / k:.2f} s/page; numbers on the pages {total}, "
          f"wrong {missed} missed + {extra} spurious ({(missed + extra) / max(1, total):.1%})")


def corpus_small(tmp):
    p = tmp / "warm.pdf"
    build.render_pdf("一、基本情况\n\n区域内在园幼儿共 899 人。", p)
    return p


if __name__ == "__main__":
    main()
