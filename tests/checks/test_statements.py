"""The words a report uses about itself: admissions (corpus both ways), rectification counts, not-applicable."""
import pytest
import yaml

from extractor import data
from extractor.checks import phrases
from extractor.text.layout import Layout
from extractor.data import LOADER        # libyaml's safe loader, as the program reads patterns/

CORPUS = yaml.load((data.PATTERNS_DIR / "lexicon" / "checks.corpus.yaml").read_text(encoding="utf-8"), Loader=LOADER)


def test_the_corpus_is_large_enough():
    assert len(CORPUS["admitted"]) >= 30 and len(CORPUS["not_admitted"]) >= 30


@pytest.mark.parametrize("sentence", CORPUS["admitted"])
def test_admission_is_found(sentence):
    assert phrases.admits(sentence), sentence


@pytest.mark.parametrize("sentence", CORPUS["not_admitted"])
def test_no_admission_is_found(sentence):
    assert phrases.admits(sentence) is None, phrases.admits(sentence).group()


@pytest.mark.parametrize("path,problem", [
    (("存在问题及整改措施", "存在问题"), True),
    (("存在的主要问题",), True),
    (("存在问题及整改措施", "整改措施"), False),
    (("存在问题及整改措施",), False),          # mixed: its sentences are read one by one
    (("上年度反馈问题整改",), False),
    (("教师队伍建设",), False),
])
def test_problem_sections(path, problem):
    assert phrases.is_problem_section(path) is problem


def _rects(text):
    lay = Layout.of(text)
    return [(r.what, r.found, r.fixed, r.unit, r.reason) for r in phrases.rectifications(text, lay)]


@pytest.mark.parametrize("text,expect", [
    ("上半年，共开展安全检查4次，排查出建筑安全隐患6项，已整改2项；消防安全隐患7项，已整改1项，学校无力整改隐患已上报市教育局沟通解决。",
     [("排查出建筑安全隐患", 6, 2, "项", "学校无力整改隐患已上报市教育局沟通解决"),
      ("消防安全隐患", 7, 1, "项", "学校无力整改隐患已上报市教育局沟通解决")]),
    ("督导检查发现问题12个，已整改12个。", [("督导检查发现问题", 12, 12, "个", "")]),
    ("共排查校舍隐患9处，已全部整改到位。", [("共排查校舍隐患", 9, 9, "处", "")]),
    ("发现问题5个，整改3个。", [("发现问题", 5, 3, "个", "")]),
    # no count found, or counts of different things: no pair
    ("投入3万元，维修校门2处。", []),
    ("开展安全检查4次，整改2项。", []),
    ("排查隐患6项，已整改2处。", []),
])
def test_rectification_pairs(text, expect):
    assert _rects(text) == expect


@pytest.mark.parametrize("text,applies", [
    ("辖区内没有职业教育学校。", False),
    ("本区不涉及此项工作。", False),
    ("2023年，区域内学校没有食品安全事故。", False),
    ("各学校没有专门教育学生。", False),
    ("全区共有职业学校1所，在校生1200人。", True),
    ("没有“十不得一严禁”问题发生。", True),
])
def test_not_applicable(text, applies):
    assert (phrases.not_applicable(text) is None) is applies
