"""Facts read from office scans of the development documents, per degradation, against the facts of their text
(benchmarks/scans.py makes the scans). For each degradation: facts F1 (precision, recall) over all documents,
pages turned the wrong way, pages that gave nothing or were said unread, and OCR seconds per page (one process;
figures of one run compare, nothing asserts a time).

    python benchmarks/bench_scans.py [--pages N] [--docs r006,xingan-2024] [--only clean,seal+header] [--seals]

`--seals` reads, instead of the degradations, office copies with seals drawn otherwise (scans.SEALED: another size,
rim, an oval, no star, stamped lightly or firmly, over the signature; "dark", as dark as the text, is left).

A fact is (kind, value, unit, indicator, period); F1 counts them as multisets. Each page is OCR'd once, as the
reader does it (ocr.detect, then its lines), and the report text is assembled and analysed as a scan's is.
"""
import argparse
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import scans  # noqa: E402

DOCS = ROOT.parent / "shared" / "eval" / "docs"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", type=int, default=2, help="first pages of each document")
    ap.add_argument("--docs", default="r006,xingan-2024", help="documents of ../shared/eval/docs, by name")
    ap.add_argument("--only", default="", help="these degradations only (comma-separated)")
    ap.add_argument("--seals", action="store_true", help="office copies with seals drawn otherwise (scans.SEALED)")
    a = ap.parse_args()
    table = scans.SEALED if a.seals else scans.DEGRADATIONS
    texts = {d: scans.pages_of(_doc(d).read_text(encoding="utf-8"), a.pages) for d in a.docs.split(",")}
    if a.seals:                    # every seal is read on a text that ends with a signature, one is stamped over it
        texts = {d: scans.signed(t) for d, t in texts.items()}
    want = {d: facts(_source(d, t, "text")) for d, t in texts.items()}
    names = [n for n in table if not a.only or n in a.only.split(",")]
    print(f"{len(texts)} documents, {a.pages} pages each; facts of the text: {sum(len(w) for w in want.values())}")
    print(f"{'degradation':<12} {'F1':>6} {'P':>6} {'R':>6} {'wrong turn':>10} {'nothing':>8} {'unread':>7} {'s/page':>7}")
    for name in names:
        row = Counter()
        for d, t in texts.items():
            row.update(bench_one(d, t, table[name], scans.TURNS.get(name, 0), want[d]))
        p = row["hit"] / row["got"] if row["got"] else 0.0
        r = row["hit"] / row["want"] if row["want"] else 0.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        print(f"{name:<12} {f1:6.3f} {p:6.3f} {r:6.3f} {row['wrong']:>10} {row['nothing']:>8} {row['unread']:>7} "
              f"{row['seconds'] / max(1, row['pages']):7.2f}", flush=True)


def bench_one(doc: str, text: str, make, upright: int, want: Counter) -> Counter:
    from extractor.readers import ocr
    from extractor.readers.lines import page_text
    images = make(text)
    out, pages = Counter(), []
    start = time.perf_counter()
    for im in images:
        turn, array, back, boxes = ocr.detect(im)
        read = ocr._page(boxes, ocr._texts(array, boxes), back, ocr.inked(array))
        pages.append(read.lines)
        out.update(pages=1, wrong=int(turn != upright), nothing=int(not read.lines), unread=int(read.unread))
    out["seconds"] += time.perf_counter() - start
    body, starts = page_text(pages)
    got = facts(_source(doc, body, "ocr", starts))
    out.update(got=sum(got.values()), want=sum(want.values()), hit=sum((got & want).values()))
    return out


def facts(src) -> Counter:
    from extractor.pipeline import process_source
    return Counter((f.kind, str(f.value), f.unit, f.indicator, f.period) for f in process_source(src).facts)


def _source(doc: str, text: str, kind: str, starts=()):
    from extractor.records import Source
    return Source(path=f"{doc}.txt", doc=doc, text=text, input_kind=kind, page_starts=starts)


def _doc(name: str) -> Path:
    hits = sorted(DOCS.glob(f"{name}.*"))
    if not hits:
        sys.exit(f"no document {name} in {DOCS}")
    return hits[0]


if __name__ == "__main__":
    main()
