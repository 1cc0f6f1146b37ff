"""Entity shapes (lexicon/entities.yaml) against their corpus: each example a test, found and not found."""
import pytest
import yaml

from extractor import data
from extractor.text.ner import recognize

CORPUS = yaml.safe_load((data.PATTERNS_DIR / "lexicon" / "entities.corpus.yaml").read_text(encoding="utf-8"))


def _names(text):
    return {e.name for e in recognize(text)}


@pytest.mark.parametrize("ex", CORPUS["found"], ids=lambda ex: ex["text"][:12])
def test_names_are_found_whole(ex):
    assert set(ex["names"]) <= _names(ex["text"])


@pytest.mark.parametrize("ex", CORPUS["not_found"], ids=lambda ex: ex["text"][:12])
def test_names_are_not_glued_to_the_word_before(ex):
    assert not set(ex["names"]) & _names(ex["text"])
