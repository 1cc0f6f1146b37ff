"""Whose figure each fact is (extractor/text/scope.py): the reporting government's own, a part's, or another's."""
import pytest

from extractor.pipeline import process_source
from extractor.records import Source
from extractor.text import scope

HEAD = "某某县人民政府关于2023年度履行教育职责情况的自评报告\n\n一、基本情况\n\n"


def scopes(body, head=HEAD):
    r = process_source(Source(path="s.txt", doc="s", text=head + body))
    return {f.raw: (f.scope, f.scope_word) for f in r.facts if f.kind != "date"}


@pytest.mark.parametrize("body,raw,want", [
    ("全县公办园在园幼儿占比为56.2%。", "56.2%", ("", "")),                       # 公办 is the indicator's own word
    ("其中城区公办园在园幼儿占比为38.5%。", "38.5%", ("part", "城区")),
    ("农村小学生均教学仪器设备值1850元。", "1850元", ("part", "农村")),
    ("民办幼儿园专任教师与幼儿之比为1:19。", "1:19", ("part", "民办")),
    ("城关第一小学在校学生2310人。", "2310人", ("part", "城关")),
    ("全县毛入园率为91.3%，高于全省平均水平（83.6%）。", "83.6%", ("other", "全省")),
    ("全县毛入园率为91.3%，高于全省平均水平（83.6%）。", "91.3%", ("", "")),
    ("全国学前三年毛入园率为91.1%。", "91.1%", ("other", "全国")),
    ("生均公用经费达到省定标准（小学720元）。", "720元", ("other", "省定标准")),
])
def test_scope_of_a_figure(body, raw, want):
    assert scopes(body)[raw] == want


def test_the_province_is_its_own_government_in_its_own_report():
    head = "某某省人民政府关于2023年度履行教育职责情况的自评报告\n\n一、基本情况\n\n"
    assert scopes("全省学前三年毛入园率达到84.2%。", head)["84.2%"] == ("", "")
    assert scopes("全省学前三年毛入园率达到84.2%。")["84.2%"] == ("other", "全省")


def test_a_report_citing_the_scheme_for_provinces_is_a_provinces():
    assert scope.government("按照《2019年对省级人民政府履行教育职责情况评价方案》要求", "市") == "省"
    assert scope.government("兴安区人民政府", "区") == "区"
