"""Pages scanned sideways or upside down are turned upright before OCR and give the facts of their text."""
import sys

import pytest

from conftest import ROOT
from helpers import fact_key, facts_of, scan_pdf, seed_head

sys.path.insert(0, str(ROOT / "corpus"))
import build  # noqa: E402

pytestmark = pytest.mark.slow          # OCR of turned pages


def test_scan_with_pages_turned_90_180_and_270_gives_the_facts_of_its_text(tmp_path):
    md, src = seed_head(tmp_path)                      # three pages
    text_pdf = tmp_path / "part-text.pdf"
    build.render_pdf(md, text_pdf)                     # the same page layout, with a text layer
    turns = {1: 90, 2: 180, 3: 270}
    images = build.render_images(md, dpi=150, seed=3, turns=turns)
    assert len(images) == 3
    assert [im.width > im.height for im in images] == [True, False, True]
    scan = scan_pdf(images, tmp_path / "turned.pdf")
    got = facts_of(scan, tmp_path / "scan.jsonl")
    assert len(got) > 20
    assert fact_key(got) == fact_key(facts_of(src, tmp_path / "text.jsonl"))
    assert fact_key(got, page=True) == fact_key(facts_of(text_pdf, tmp_path / "pdf.jsonl"), page=True)
    assert {f["page"] for f in got} == {1, 2, 3}
