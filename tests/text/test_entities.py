"""Entity shapes (lexicon/entities.yaml) against their corpus: each example a test, found and not found.

The examples at the top were written with the shapes; those under `held_out` apart from them and not tuned against
(one that says `why` is a strict known failure)."""
import pytest
import yaml

from extractor import data
from extractor.text.ner import recognize
from corpus_rates import corpus_case_id, corpus_rates  # noqa: F401  (the summary of pass rates)

CORPUS = yaml.safe_load((data.PATTERNS_DIR / "lexicon" / "entities.corpus.yaml").read_text(encoding="utf-8"))


def _names(text):
    return {e.name for e in recognize(text)}


def _cases(section):
    for split, spec in (("development", CORPUS), ("held_out", CORPUS.get("held_out") or {})):
        for i, ex in enumerate(spec.get(section) or []):
            marks = [pytest.mark.xfail(strict=True, reason=ex["why"])] if ex.get("why") else []
            yield pytest.param(ex, id=corpus_case_id("entities", split, i, f"{section}-{ex['text'][:12]}"), marks=marks)


@pytest.mark.parametrize("ex", list(_cases("found")))
def test_names_are_found_whole(ex):
    assert set(ex["names"]) <= _names(ex["text"])


@pytest.mark.parametrize("ex", list(_cases("not_found")))
def test_names_are_not_glued_to_the_word_before(ex):
    assert not set(ex["names"]) & _names(ex["text"])
