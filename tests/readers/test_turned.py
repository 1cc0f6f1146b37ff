"""Pages scanned sideways or upside down are turned upright before OCR and give the facts of their text."""
import json
import subprocess
import sys

from conftest import ROOT, SEED

sys.path.insert(0, str(ROOT / "corpus"))
import build  # noqa: E402


def extract(path, out):
    r = subprocess.run([sys.executable, str(ROOT / "cli.py"), "--lang", "en", "extract", str(path), "-o", str(out)],
                       capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stderr
    return [json.loads(ln) for ln in out.read_text(encoding="utf-8").splitlines()]


def test_scan_with_pages_turned_90_180_and_270_gives_the_facts_of_its_text(tmp_path):
    md = SEED.read_text(encoding="utf-8")
    md = md[:md.index("#### 5.")]                      # header to item 4: three pages
    src = tmp_path / "part.md"
    src.write_text(md, encoding="utf-8")
    text_pdf = tmp_path / "part-text.pdf"
    build.render_pdf(md, text_pdf)                     # the same page layout, with a text layer
    turns = {1: 90, 2: 180, 3: 270}
    images = build.render_images(md, dpi=150, seed=3, turns=turns)
    assert len(images) == 3
    assert [im.width > im.height for im in images] == [True, False, True]
    scan = tmp_path / "turned.pdf"
    images[0].save(scan, "PDF", resolution=150.0, save_all=True, append_images=images[1:])

    def key(rows, page=False):
        return sorted((f["kind"], str(f["value"]), f["section"] or 0, f["period"], f["indicator"])
                      + ((f["page"],) if page else ()) for f in rows)
    got = extract(scan, tmp_path / "scan.jsonl")
    assert len(got) > 20
    assert key(got) == key(extract(src, tmp_path / "text.jsonl"))
    assert key(got, page=True) == key(extract(text_pdf, tmp_path / "pdf.jsonl"), page=True)
    assert {f["page"] for f in got} == {1, 2, 3}
