"""What each number measures, when and about whom: behaviour on small reports written for the test."""


from extractor.pipeline import process_source
from extractor.records import Source
from extractor.text.schemes import load_scheme


def facts_of(text):
    r = process_source(Source(path="t.txt", doc="t", text=text), load_scheme())
    return {f.raw: f for f in r.facts}


def test_period_frames_a_paragraph_until_a_new_action():
    f = facts_of("2023年，全县共有幼儿园42所。学前三年毛入园率91.3%。区教育局组织开展培训活动15场次。\n"
                 "义务教育巩固率99.5%。")
    assert f["42所"].period == "2023" and f["91.3%"].period == "2023"
    assert f["15场次"].period == ""                  # a new action breaks the frame
    assert f["99.5%"].period == ""                   # a new paragraph too


def test_comparison_years_and_event_dates_are_not_periods():
    f = facts_of("2018年，全省学前三年毛入园率达82.93%，比2017年增长1.89个百分点。"
                 "2023年11月9日，市教育局召开了四个学科质量反馈会。")
    assert f["1.89个百分点"].period == "2018"
    assert f["1.89个百分点"].indicator == "学前三年毛入园率增长"
    assert f["四个"].period == ""
    assert f["2023年11月9日"].subject == "市教育局"


def test_quarters_halves_and_since():
    f = facts_of("2024年第一季度教育支出2394万元，第二季度教育支出3770万元。上半年，共开展安全检查4次。"
                 "2020年以来，累计新增学位1200个。\n\n兴安区人民政府\n\n2024年7月30日")
    assert f["2394万元"].period == "2024Q1" and f["3770万元"].period == "2024Q2"
    assert f["4次"].period == "2024H1"
    assert f["1200个"].period == "2020/.."


def test_subjects_schools_levels_groups():
    f = facts_of("目前，红旗一校有社团54个、兴安三校有社团19个。依据2023年法表测算，综合差异系数中学为0.561；小学为0.486。"
                 "2023年义务教育教师年均工资收入91805元，当地公务员年均工资收入87110元。"
                 "区教育局组织76名青年教师开展活动。")
    assert f["54个"].subject == "红旗一校" and f["19个"].subject == "兴安三校"
    assert (f["0.561"].subject, f["0.486"].subject) == ("中学", "小学")
    assert f["0.486"].indicator == "综合差异系数"
    assert f["91805元"].subject == "义务教育教师" and f["87110元"].subject == "当地公务员"
    assert f["76名"].subject == ""                     # the reporting government's own bureau is no subject


def test_respectively_and_shares():
    f = facts_of("城镇、农村居民人均可支配收入分别为 6.8 万元、3.6 万元。"
                 "具有交互式多媒体设备的班级教室100个，占比100%。")
    assert f["6.8 万元"].indicator == "城镇居民人均可支配收入"
    assert f["3.6 万元"].indicator == "农村居民人均可支配收入"
    assert f["100%"].indicator.startswith("具有交互式多媒体设备的班级教室")


def test_ages_month_ranges_and_chinese_forms_in_a_report():
    f = facts_of("2024年，全区3至6岁适龄幼儿入园率达九成以上，满3周岁幼儿全部入园。4月至6月开展专项督导，"
                 "《条例》九月一日起施行。上半年，新增学位三十万个。\n\n兴安区人民政府\n\n2024年7月30日")
    assert (f["3至6岁"].kind, f["3至6岁"].value, f["3至6岁"].unit) == ("age", "3/6", "岁")
    assert (f["3周岁"].kind, f["3周岁"].unit) == ("age", "岁")
    assert (f["九成"].kind, f["九成"].approx) == ("percent", "more") and f["九成"].to_dict()["value"] == 90
    assert f["4月至6月"].value == "2024-04/2024-06"          # the report's year, as other yearless dates
    assert f["九月一日"].value == "2024-09-01"
    assert "上半年" not in f and f["三十万个"].period == "2024H1"
    assert f["三十万个"].to_dict()["value"] == 300000

