"""A range is two facts, each end its own number (FACTS.md: only ages and dates are ranges); the low end takes the
unit and multiplier only the high end writes. A change from one value to another is two facts too."""
import pytest

from extractor.text.extract import find_spans
from extractor.text.normalize import normalize


def _facts(text):
    t = normalize(text).text
    return [(t[s.nstart:s.nend], str(s.value)) for s in find_spans(t) if s.kind != "date"]


@pytest.mark.parametrize("text,want", [
    ("招聘教师60—70人。", [("60", "60"), ("70人", "70")]),
    ("补助标准5-10万元。", [("5", "50000"), ("10万元", "100000")]),
    ("增长3-5%。", [("3", "3"), ("5%", "5")]),
    ("补助1.2-1.5万元。", [("1.2", "12000.0"), ("1.5万元", "15000.0")]),
    ("每月发放300元至800元。", [("300元", "300"), ("800元", "800")]),
    ("入学率从85%到92%。", [("85%", "85"), ("92%", "92")]),
    ("入学率由85%提高到92%。", [("85%", "85"), ("92%", "92")]),
    ("2022-2023学年招聘教师56人。", [("56人", "56")]),
    ("面积3所-5平方米。", [("3所", "3"), ("5平方米", "5")]),
])
def test_ranges(text, want):
    assert _facts(text) == want
