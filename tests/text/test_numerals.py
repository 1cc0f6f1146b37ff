"""Chinese numerals read as numbers (extractor/text/numerals.py): every example of
patterns/lexicon/numerals.corpus.yaml is one test, the refused ones as much as the read ones."""
from decimal import Decimal

import pytest
import yaml

from extractor.data import LOADER, PATTERNS_DIR
from extractor.text import numerals

CORPUS = yaml.load((PATTERNS_DIR / "lexicon" / "numerals.corpus.yaml").read_text(encoding="utf-8"), Loader=LOADER)


@pytest.mark.parametrize("text,value", sorted(CORPUS["read"].items()))
def test_a_regular_numeral_is_read_exactly(text, value):
    got = numerals.read(text)
    assert isinstance(got, Decimal) and str(got) == value


@pytest.mark.parametrize("text", CORPUS["refused"])
def test_an_irregular_numeral_is_refused(text):
    with pytest.raises(ValueError):
        numerals.read(text)


@pytest.mark.parametrize("number,text", sorted(CORPUS["written"].items()))
def test_a_number_is_written_the_regular_way(number, text):
    assert numerals.written(number) == text


@pytest.mark.parametrize("text,value", sorted(CORPUS["loose"].items()))
def test_a_heading_or_date_number_is_read(text, value):
    assert numerals.loose(text) == value


@pytest.mark.parametrize("text", CORPUS["loose_refused"])
def test_a_heading_or_date_number_that_is_none_is_refused(text):
    with pytest.raises(ValueError):
        numerals.loose(text)


def test_every_number_up_to_twenty_thousand_comes_back_from_its_numeral():
    for n in range(20001):
        assert numerals.read(numerals.written(str(n))) == n


def test_a_sign_or_a_letter_is_not_written():
    for bad in ("-7", "1e5", "", "1.2.3"):
        with pytest.raises(ValueError):
            numerals.written(bad)


def test_a_heading_whose_marker_reads_as_no_number_has_none():
    from extractor.text.segment import find_headings
    got = [(h.title, h.number) for h in find_headings("十二、经费保障\n十十、其他说明\n")]
    assert got == [("经费保障", 12), ("其他说明", None)]
