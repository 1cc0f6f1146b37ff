"""Findings an inspector would raise, and no false alarms (issue 14): the seed, edited copies, other levels."""
import regex
import pytest

from conftest import SEED, EVAL
from helpers import edited
from extractor.checks.rules import KINDS, STATUSES, check, load_rules
from extractor.pipeline import process_path
from extractor.text.schemes import load_scheme

SCHEME = load_scheme()


def findings_for(path, scheme=SCHEME):
    return check(process_path(path, scheme), load_rules(()))




def test_seed_as_an_inspector_reads_it(seed_result):
    fs = check(seed_result, load_rules(()))
    text = SEED.read_text(encoding="utf-8")
    fails = sorted((f.rule, f.raw) for f in fs if f.status == "fail" and not f.rule.startswith("rectification"))
    assert fails == [("balanced.coefficient-junior", "0.561"), ("claims.standard-met", "全部达到了国家规定的标准"),
                     ("preschool.public-share", "41.49%")]
    growth = [f for f in fs if f.rule.startswith("spending.") and f.raw == "1.98%"]
    assert [(f.rule, f.status) for f in growth] == [("spending.growth", "pass")]
    assert not [f for f in fs if f.rule == "spending.no-decrease"]          # 增长1.98% is 不减
    item = {f.item: f for f in fs if f.rule == "completeness.items"}
    assert item[11].status == "not-applicable" and item[11].raw == "辖区内没有职业教育学校。"
    assert all(f.severity in ("low", "info") for f in fs if f.rule == "completeness.items" and f.status == "missing")
    assert not [f for f in fs if f.rule == "completeness.items" and f.status == "missing"]
    for k in (10, 16, 20):                     # narrative items: text is enough
        assert item[k].status == "pass"
    admitted = [f.raw for f in fs if f.status == "admitted"]
    assert any("暂无法实现同工同酬" in a for a in admitted)
    assert not any("教师队伍建设存在短板" in a for a in admitted)     # last year's feedback, being rectified
    assert any("学生近视率不达标" in a for a in admitted)                # （一）存在问题, read whole
    assert not any("存在问题及整改措施" == a.strip("# 四、") for a in admitted)
    assert not any("消除安全隐患" in a for a in admitted)                     # 整改措施 are measures
    rect = [(f.status, [int(v) for v in f.values]) for f in fs if f.rule == "rectification.found-fixed"]
    assert rect == [("fail", [6, 2]), ("fail", [7, 1])]
    reason = [f.message for f in fs if f.rule == "rectification.found-fixed"][0]
    assert "已上报市教育局" in reason and "尚有4项未整改" in reason
    # No standard a district is not asked to state this year is reported missing; the other half of
    # 两个只增不减 is, with the scheme's severity.
    missing = [(f.rule, f.severity) for f in fs if f.status == "missing"]
    assert missing == [("spending.per-student-growth", "medium")]
    for f in fs:
        assert f.status in STATUSES
        if f.start is not None:
            assert text[f.start:f.end] == f.raw


def test_a_report_following_no_scheme_owes_nothing():
    fs = findings_for(EVAL / "docs" / "r026.txt")
    missing = [f for f in fs if f.status == "missing"]
    assert missing and {f.severity for f in missing} == {"info"}          # the standards it leaves unsaid, for the record
    assert not [f for f in missing if f.rule == "completeness.items"]     # no 缺项


def test_a_scheme_a_user_names_and_the_report_does_not_follow_is_said():
    fs = findings_for(EVAL / "docs" / "r026.txt", scheme=load_scheme("hegang-county-2024"))
    assert [(f.rule, f.key) for f in fs if f.status == "missing" and f.severity != "info"] == [
        ("completeness.items", "findings.scheme_not_followed")]


def test_a_decrease_fails_in_a_sentence_that_says_so(tmp_path):
    fs = findings_for(edited(tmp_path, "教育支出增长1.98%", "教育支出下降2.3%", count=2))
    dec = [f for f in fs if f.rule == "spending.no-decrease"]
    assert [f.status for f in dec] == ["fail"]
    assert "未做到只增不减" in dec[0].message and "不减为" not in dec[0].message and "不高于" not in dec[0].message
    assert not [f for f in fs if f.rule == "spending.growth"]       # the decrease states it: not missing


def test_growth_not_stated_is_missing_with_the_scheme_severity(tmp_path):
    fs = findings_for(edited(tmp_path, "教育支出增长1.98%", "教育支出2394万元", count=2))
    growth = [f for f in fs if f.rule == "spending.growth"]
    assert [(f.status, f.severity, f.item) for f in growth] == [("missing", "high", 2)]


def test_per_student_growth_stated_passes(tmp_path):
    fs = findings_for(edited(tmp_path, "教育支出增长1.98%，", "教育支出增长1.98%，生均一般公共预算教育支出增长3.5%，"))
    per = [f for f in fs if f.rule == "spending.per-student-growth"]
    assert [(f.status, f.raw) for f in per] == [("pass", "3.5%")]


def test_all_fixed_passes_and_fewer_fixed_fails(tmp_path):
    fs = findings_for(edited(tmp_path, "已整改2项；消防安全隐患7项，已整改1项，学校无力整改隐患已上报市教育局沟通解决",
                             "已整改6项；消防安全隐患7项，已整改5项"))
    rect = [(f.status, f.message) for f in fs if f.rule == "rectification.found-fixed"]
    assert rect[0] == ("pass", "排查出建筑安全隐患6项，已全部整改")
    assert rect[1] == ("fail", "消防安全隐患7项，已整改5项，尚有2项未整改，报告未说明原因")


def test_a_text_item_saying_it_does_not_apply(tmp_path):
    fs = findings_for(edited(tmp_path, "各学校没有专门教育学生 and 矫治教育的学生。", "本区不涉及专门教育。"))
    f = [f for f in fs if f.rule == "completeness.items" and f.item == 7][0]
    assert f.status == "not-applicable" and f.raw == "本区不涉及专门教育。"


def test_an_item_that_needs_numbers_and_has_none_is_missing(tmp_path):
    fs = findings_for(edited(tmp_path, "兴安区将教育培训经费纳入财政预算", "兴安区将教育培训经费纳入财政预算。", count=1))
    assert [f for f in fs if f.rule == "completeness.items" and f.item == 15][0].status == "pass"
    text = SEED.read_text(encoding="utf-8")
    i, j = text.index("15. 教师培训情况。"), text.index("#### （六）")
    p = tmp_path / "no-numbers.md"
    p.write_text(text[:i] + "15. 教师培训情况。鼓励各学校教师外出培训学习，更新教育理念。\n\n" + text[j:], encoding="utf-8")
    f = [f for f in findings_for(p) if f.rule == "completeness.items" and f.item == 15][0]
    assert (f.status, f.severity) == ("missing", "low")


PROVINCE = ("湖南省人民政府履行教育职责情况自评报告\n\n根据《2019年对省级人民政府履行教育职责情况评价方案》要求，"
            "我省进行了自查自评。\n\n一、教育发展情况\n\n2018年，全省学前三年毛入园率达82.93%。"
            "公办园及普惠性民办园在园幼儿数占在园幼儿总数的73%。\n")


@pytest.mark.parametrize("text,checked", [
    (PROVINCE, False),                                                      # a province: county standards do not bind
    (PROVINCE.replace("湖南省人民政府", "某县人民政府").replace("省级", "县级").replace("我省", "我县")
     .replace("全省", "全县"), False),                                        # a county in 2018: before the 2020 standard
    (PROVINCE.replace("湖南省人民政府", "某县人民政府").replace("省级", "县级").replace("我省", "我县")
     .replace("全省", "全县").replace("2018年", "2021年"), True),
])
def test_standards_bind_their_governments_and_years(tmp_path, text, checked):
    p = tmp_path / "r.txt"
    p.write_text(text, encoding="utf-8")
    fs = findings_for(p)
    pre = [f for f in fs if f.rule.startswith("preschool.") and f.status in ("pass", "fail")]
    assert bool(pre) is checked
    if checked:
        assert {f.status for f in pre} == {"fail"}
    if text is PROVINCE:                       # nor does the county scheme
        assert not [f for f in fs if f.rule == "completeness.items"]


# ---- every message a sentence from a template ----

def _all_findings(tmp_path):
    fs = findings_for(SEED)
    fs += findings_for(edited(tmp_path, "教育支出增长1.98%", "教育支出下降2.3%", count=2, name="dec.md"))
    fs += findings_for(edited(tmp_path, "占比 41.49%", "占比 52.00%", name="share.md"))
    fs += findings_for(edited(tmp_path, "共计10所", "共计11所", name="parts.md"))
    fs += findings_for(edited(tmp_path, "12. 教师待遇落实情况。", "", name="item.md"))
    fs += findings_for(edited(tmp_path, "建档率100%。", "建档率100%。学生总体近视率为52.3%，较上年上升1.2个百分点。",
                              name="trend.md"))
    fs += findings_for(edited(tmp_path, "12. 教师待遇落实情况。", "12. 教师待遇落实情况（10分，自评得分10.5分）。",
                              name="scores.md"))
    fs += findings_for(edited(tmp_path, "学前三年毛入园率 97.40%", "学前三年毛入园率 974.0%", name="plausible.md"))
    change = tmp_path / "change.md"
    change.write_text(SEED.read_text(encoding="utf-8") + "\n\n附表 主要指标\n指标    2022年    2023年    增减\n"
                      "学校总数（所）    136    138    +2\n专任教师（人）    3486    3514    +38\n在园幼儿（人）    5120    5310    +190\n",
                      encoding="utf-8")
    fs += findings_for(change)
    growth = tmp_path / "growth.md"
    growth.write_text(SEED.read_text(encoding="utf-8") + "\n\n2023年全区一般公共预算教育支出8.27亿元。2024年全区一般公共预算"
                      "教育支出8.64亿元，比上年增长6.3%。\n", encoding="utf-8")
    fs += findings_for(growth)
    points = tmp_path / "points.md"
    points.write_text(SEED.read_text(encoding="utf-8") + "\n\n全区学前三年毛入园率由2023年的95.1%提高到97.4%，提高2.5个百分点。\n",
                      encoding="utf-8")
    fs += findings_for(points)
    text = SEED.read_text(encoding="utf-8")
    quoted = tmp_path / "quoted.md"
    quoted.write_text(text + "\n\n严格落实义务教育生均公用经费基准定额（小学650元、初中850元），全区初中生均公用经费拨付820元。\n",
                      encoding="utf-8")
    fs += findings_for(quoted)
    i = text.rindex("第一季度教育支出2394万元")
    p = tmp_path / "twice.md"
    p.write_text(text[:i] + text[i:].replace("2394万元", "2400万元", 1), encoding="utf-8")
    return fs + findings_for(p)


def test_every_rule_kind_speaks_in_well_formed_sentences(tmp_path):
    fs = _all_findings(tmp_path)
    kind_of = {r["id"]: r["kind"] for r in load_rules(()).rules}
    assert {kind_of[f.rule] for f in fs} == KINDS
    bad = regex.compile(r"\{|\}|None|不减为|““|””|\p{Han} +\p{Han}|^[，。、；]|[，、；]$|为-|  ")
    for f in fs:
        assert f.message and not bad.search(f.message), (f.rule, f.message)
        assert regex.search(r"\p{Han}", f.message), f.message
