"""Values no real report gives are said, at low severity, for the inspector to check; plausible ones never are."""
import pytest

from extractor.checks.rules import check, load_rules
from extractor.pipeline import process_source
from extractor.records import Source

HEAD = "某某县人民政府关于2023年履行教育职责情况的自评报告\n一、基本情况\n"


def implausible(sentence):
    src = Source(path="t.md", doc="t", text=HEAD + sentence + "学校教育工作扎实推进。\n")
    return [f for f in check(process_source(src), load_rules(())) if f.rule == "plausible.values"]


@pytest.mark.parametrize("sentence", [
    "全县学前三年毛入园率为400%。",                       # a rate no county reaches
    "全县一般公共预算教育支出增长率为800%。",
    "全县义务教育教师年平均工资收入为980元。",              # a year's pay of a month's bus fares
])
def test_an_implausible_value_is_said_at_low_severity(sentence):
    got = implausible(sentence)
    assert len(got) == 1 and got[0].status == "inconsistent" and got[0].severity == "low"
    assert "合理范围" in got[0].message and got[0].raw in sentence


@pytest.mark.parametrize("sentence", [
    "全县学前三年毛入园率为104.3%。",                      # a gross rate above 100% is real
    "全县一般公共预算教育支出增长率为-3.9%。",
    "全县小学校际间综合差异系数为0.486。",
    "全县义务教育教师年平均工资收入为91805元。",
])
def test_a_plausible_value_is_not(sentence):
    assert implausible(sentence) == []
