"""Who sent a report and for which district: the examples of patterns/lexicon/metadata.corpus.yaml, one test each
(held-out ones written apart from the rules; one that says `why` is a strict known failure)."""
import pytest
import yaml

from extractor import data
from extractor.text import metadata
from extractor.text.normalize import normalize
from corpus_rates import corpus_case_id, corpus_rates  # noqa: F401  (the summary of pass rates)

CORPUS = yaml.safe_load((data.PATTERNS_DIR / "lexicon" / "metadata.corpus.yaml").read_text(encoding="utf-8"))
FIELDS = ("issuer", "province", "city", "county")


def _cases():
    for split in ("development", "held_out"):
        for i, ex in enumerate(CORPUS.get(split) or []):
            marks = [pytest.mark.xfail(strict=True, reason=ex["why"])] if ex.get("why") else []
            yield pytest.param(ex, id=corpus_case_id("metadata", split, i, ex["text"].split("\n")[0][:16]), marks=marks)


@pytest.mark.parametrize("ex", list(_cases()))
def test_issuer_and_district(ex):
    assert set(ex["expect"]) == set(FIELDS)
    doc = metadata.document(normalize(ex["text"]).text)
    assert {k: getattr(doc, k) for k in FIELDS} == ex["expect"]
