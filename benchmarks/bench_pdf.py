"""PDF and OCR figures, printed side by side (nothing asserts a time):

  - the whole pipeline's pages per second on a 60-page text PDF, beside pdfplumber's
    bare extract_text on the same file;
  - OCR seconds per scanned page: selfeval's reader with --jobs 1 and --jobs 2 (pages in worker
    processes), beside bare RapidOCR with its defaults in one process on the same page images, timed in
    turn, and the numbers each got wrong. Bare RapidOCR's models are loaded before its clock starts; the
    --jobs 2 read is timed both with its workers' start (a server process importing RapidOCR, then each
    worker loading its models: about a second) and with its workers started, as in a batch. The figures
    of one run compare; on a shared, loaded machine runs do not. Where lines are recognised in bfloat16
    (ocr_bf16), the batch read is timed in float32 alone too.

    python benchmarks/bench_pdf.py [--ocr-pages N] [--ocr-only] [--rounds R]
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
    ap.add_argument("--ocr-pages", type=int, default=13, help="scanned pages for the OCR figures (0: none)")
    ap.add_argument("--ocr-only", action="store_true", help="only the OCR figures")
    ap.add_argument("--rounds", type=int, default=2, help="times each OCR reader is timed, in turn with the others")
    a = ap.parse_args()
    seed = (ROOT / "corpus" / "xingan-2024.md").read_text(encoding="utf-8")
    tmp = Path(tempfile.mkdtemp())
    if not a.ocr_only:
        bench_text(seed, tmp)
    if a.ocr_pages:
        bench_ocr(seed, a.ocr_pages, tmp, a.rounds)


def bench_text(seed: str, tmp: Path):
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
    from extractor.text.schemes import load_scheme
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



def bench_ocr(seed: str, k: int, tmp: Path, rounds: int):
    """Seconds per scanned page: selfeval's PDF reader with one and with two page jobs, beside bare RapidOCR
    (a fresh engine with its defaults, in this one process) on the same page images; and the numbers each
    got wrong. The three are timed in turn, `rounds` times over, so that the load of a shared machine
    falls on each alike; the figures are their sums."""
    import os

    scan, want = _scan(seed, k, tmp)
    expected = _expected_numbers(seed, k, tmp)
    bare, arrays = _bare_engine(scan)
    times = {"bare": 0.0, 1: 0.0, 2: 0.0, "2warm": 0.0, "f32": 0.0}
    bf16 = _bf16().native()
    texts = {}
    for _ in range(rounds):
        t0 = time.perf_counter()
        texts["bare"] = "\n".join("\n".join(r.txts or ()) for r in (bare(x) for x in arrays))
        times["bare"] += time.perf_counter() - t0
        times[2] += _selfeval_read(scan, 2, texts)
        times["2warm"] += _selfeval_read(scan, 2, texts, "2warm")
        _stop_workers()
        times[1] += _selfeval_read(scan, 1, texts)
        if bf16:
            times["f32"] += _float32_read(scan, texts)
    os.environ.pop(_ocr().JOBS_ENV, None)
    rows = [("bare RapidOCR, one process (baseline)", times["bare"], _wrong(want, texts["bare"])),
            ("selfeval read, --jobs 1 (one process)", times[1], _wrong(expected, texts[1])),
            ("selfeval read, --jobs 2, workers' start included", times[2], _wrong(expected, texts[2])),
            ("selfeval read, --jobs 2, workers started (batch)", times["2warm"], _wrong(expected, texts["2warm"]))]
    if bf16:
        rows.append(("  the same in float32 alone (no bfloat16)", times["f32"], _wrong(expected, texts["f32"])))
    n_pages = k * rounds
    print(f"\nOCR: {k} scanned pages at 150 dpi, {rounds} rounds; {sum(want.values())} numbers drawn on them "
          f"(machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}); lines recognised in "
          f"{'bfloat16, checked in float32' if bf16 else 'float32'}")
    print(f"{'':48}{'seconds':>9}{'s/page':>8}{'missed':>8}{'spurious':>9}")
    for name, t, (missed, extra) in rows:
        print(f"{name:48}{t:9.1f}{t / n_pages:8.2f}{missed:8}{extra:9}")
    print(f"speed-up over bare RapidOCR: --jobs 1 {times['bare'] / times[1]:.2f}x, --jobs 2 {times['bare'] / times[2]:.2f}x "
          f"({times['bare'] / times['2warm']:.2f}x with its workers started, as bare RapidOCR has its models loaded); "
          f"--jobs 1 and --jobs 2 read the same text: {texts[1] == texts[2] == texts['2warm']}")


def _stop_workers():
    """The page workers stopped, and the server they are forked from too: the next read starts both, as the
    first read of a scan in a new process does."""
    import multiprocessing.forkserver as fs
    _ocr()._stop_pool()
    stop = getattr(getattr(fs, "_forkserver", None), "_stop", None)
    if stop is not None:
        stop()


def _float32_read(scan: Path, texts: dict) -> float:
    """The batch read (--jobs 2, workers started) with lines recognised in float32 alone: new workers, as
    they take the precision from the server they are forked from."""
    import os
    os.environ[_bf16().PRECISION_ENV] = "f32"
    _stop_workers()
    _selfeval_read(scan, 2, texts, "f32")
    seconds = _selfeval_read(scan, 2, texts, "f32")
    os.environ.pop(_bf16().PRECISION_ENV)
    _stop_workers()
    return seconds


def _bf16():
    from extractor.readers import ocr_bf16
    return ocr_bf16


def _ocr():
    from extractor.readers import ocr
    return ocr


def _scan(seed: str, k: int, tmp: Path):
    """The first k pages of the seed as a scan (images only), and the numbers drawn on them."""
    truth_pages = build.layout(seed)[:k]
    images = build.render_images(seed)[:k]
    scan = tmp / "scan.pdf"
    images[0].save(scan, "PDF", resolution=150.0, save_all=True, append_images=images[1:])
    drawn = [ln.text.replace(" ", "") for p in truth_pages for ln in p] + [str(i) for i in range(1, k + 1)]
    return scan, Counter(NUM.findall("\n".join(drawn)))          # the page numbers are drawn too


def _expected_numbers(seed: str, k: int, tmp: Path) -> Counter:
    """selfeval joins lines into paragraphs and drops page numbers: its numbers are compared with those of
    the same pages as a text PDF, read by the same reader."""
    import pypdfium2 as pdfium

    from extractor.readers.ingest import read
    text_pdf = tmp / "text.pdf"
    build.render_pdf(seed, text_pdf)
    full = pdfium.PdfDocument(str(text_pdf))
    part = pdfium.PdfDocument.new()
    part.import_pages(full, list(range(k)))
    part.save(str(tmp / "text-part.pdf"))
    full.close()
    return Counter(NUM.findall(read(tmp / "text-part.pdf", ocr="never").text.replace(" ", "")))


def _bare_engine(scan: Path):
    """Bare RapidOCR with its defaults, models loaded, and the page images as selfeval renders them."""
    import numpy as np
    import pypdfium2 as pdfium
    from rapidocr import RapidOCR

    from extractor.readers.pdf import OCR_DPI
    doc = pdfium.PdfDocument(str(scan))
    arrays = [np.asarray(doc[i].render(scale=OCR_DPI / 72).to_pil().convert("RGB")) for i in range(len(doc))]
    doc.close()
    bare = RapidOCR(params={"Global.log_level": "critical"})
    bare(arrays[0])                                     # models loaded before the clock starts
    return bare, arrays


def _selfeval_read(scan: Path, n: int, texts: dict, key=None) -> float:
    """One read of the scan with n page jobs: its page workers are started within the time unless they
    are still there from the read before, as a batch worker keeps them from one file to the next."""
    import os

    from extractor.readers.ingest import read
    ocr = _ocr()
    ocr.engine()                                        # selfeval's engine loaded, as a batch worker has it
    os.environ[ocr.JOBS_ENV] = str(n)
    t0 = time.perf_counter()
    texts[key or n] = read(scan, ocr="always").text
    return time.perf_counter() - t0


def _wrong(want: Counter, text: str):
    found = Counter(NUM.findall(text.replace(" ", "")))
    return sum((want - found).values()), sum((found - want).values())


def corpus_small(tmp):
    p = tmp / "warm.pdf"
    build.render_pdf("一、基本情况\n\n区域内在园幼儿共 899 人。", p)
    return p


if __name__ == "__main__":
    main()
