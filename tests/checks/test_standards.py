"""Standards judge the government's own figures (a part's shortfall is a note, another government's figure is not
read); the metrics table's standard and status come from the same rules; every kind has its function; every
finding is a catalog message, in Chinese by default and in English."""
import ast
import re
from decimal import Decimal

import pandas as pd
import pytest

from conftest import ROOT, SEED
from extractor import data, i18n
from extractor.checks import crossyear, loading, rules, standards
from extractor.checks.rules import check, load_rules
from extractor.pipeline import process_source
from extractor.records import Source
from extractor.text.schemes import load_scheme

SCHEME = load_scheme()
COUNTY = "某某县人民政府关于{y}年度履行教育职责情况的自评报告\n\n一、基本情况\n\n"
PROVINCE = "某某省人民政府关于{y}年度履行教育职责情况的自评报告\n\n一、基本情况\n\n"


def result(body, head=COUNTY, year=2023):
    return process_source(Source(path="r.txt", doc="r", text=head.format(y=year) + body), SCHEME)


def judged(body, head=COUNTY, year=2023):
    return [f for f in check(result(body, head, year), load_rules(())) if f.status != "missing"
            and f.rule != "completeness.items"]


def test_every_kind_has_its_check_and_its_schema():
    assert set(rules.CHECKS) == loading.KINDS
    assert set(loading.STANDARD_KINDS) <= loading.KINDS
    assert {r["kind"] for r in load_rules(()).rules} == loading.KINDS


def test_a_part_below_the_standard_is_a_low_note_and_the_whole_is_judged():
    fs = judged("全县公办园在园幼儿占比为56.2%，其中城区公办园在园幼儿占比为38.5%。")
    share = [(f.raw, f.status, f.severity) for f in fs if f.rule == "preschool.public-share"]
    assert share == [("56.2%", "pass", "high"), ("38.5%", "not-applicable", "low")]
    note = next(f for f in fs if f.raw == "38.5%")
    assert "城区" in note.message and note.key == "findings.part_below"


def test_a_part_that_meets_the_standard_says_nothing_and_another_governments_figure_is_not_read():
    fs = judged("全县学前三年毛入园率为91.3%，高于全省平均水平（83.6%），城区学前三年毛入园率为95%。")
    assert [(f.raw, f.status) for f in fs if f.rule == "preschool.gross-enrolment"] == [("91.3%", "pass")]


def test_a_county_standard_does_not_bind_a_province_and_a_catalog_standard_does():
    fs = judged("全省学前三年毛入园率为84.2%，义务教育大班额比例为1.2%。", head=PROVINCE)
    assert [(f.rule, f.status) for f in fs if f.status in ("pass", "fail")] == [("compulsory.large-classes", "fail")]


def test_a_coefficient_of_an_indicator_is_not_its_value():
    fs = judged("小学每百名学生拥有高于规定学历教师数差异系数为0.35。小学每百名学生拥有高于规定学历教师数为4.6人。")
    assert [(f.raw, f.status) for f in fs if f.rule.startswith("balanced.teachers")] == [("4.6人", "pass")]


@pytest.mark.parametrize("body,status", [
    ("全县学生总体近视率为53.6%，较上年上升1.2个百分点。", "fail"),
    ("全县学生总体近视率为49.8%，比上年下降0.8个百分点。", "pass"),
    ("全县学生总体近视率为49.8%，上升势头得到遏制。", None),              # no amount, no comparison: nothing stated
])
def test_a_trend_reads_the_direction_the_text_states(body, status):
    fs = [f for f in judged(body) if f.rule == "health.myopia-trend"]
    assert [f.status for f in fs] == ([status] if status else [])
    if status:
        assert fs[0].because and fs[0].because[0]["raw"].startswith(("较上年", "比上年"))


def test_classes_over_the_size_are_a_failure_and_classes_removed_are_not():
    fs = judged("全县有3个班级学生数超过50人，最多的58人。2023年消除大班额12个。")
    assert [(f.rule, f.status, f.raw) for f in fs if f.rule == "compulsory.large-classes"] == [
        ("compulsory.large-classes", "fail", "3个班级学生数超过50人，最多的58人")]


# ---------------- the metrics table ----------------

def rows_of(res, ruleset=None):
    from extractor.text.metadata import describe
    return {(r["metric_id"], r["level"]): r
            for r in standards.metric_rows(res.facts, describe(res), ruleset=ruleset)}


def test_metric_status_follows_the_standard_in_force_for_the_year():
    body = "全县小学校际间综合差异系数为0.58，初中校际间综合差异系数为0.50。"
    old, new = rows_of(result(body, year=2015)), rows_of(result(body, year=2023))
    assert (old[("balanced.coefficient", "小学")]["standard"], old[("balanced.coefficient", "小学")]["status"]) == \
        ("<=0.65", "pass")
    assert (new[("balanced.coefficient", "小学")]["standard"], new[("balanced.coefficient", "小学")]["status"]) == \
        ("<=0.5", "fail")
    assert new[("balanced.coefficient", "初中")]["source"].startswith("《县域义务教育优质均衡")


def test_metric_rows_are_the_governments_own_figures_and_a_province_is_not_judged_by_county_standards():
    rows = rows_of(result("全县公办园在园幼儿占比为56.2%，其中城区公办园在园幼儿占比为38.5%。"))
    assert rows[("preschool.public-share", "学前")]["value"] == "56.2"
    prov = rows_of(result("全省公办园在园幼儿占比为46.8%。", head=PROVINCE))
    assert prov[("preschool.public-share", "学前")]["status"] == ""


def test_a_provinces_threshold_in_a_rules_file_sets_the_metric_status(tmp_path, seed_result):
    r = tmp_path / "province.yaml"
    r.write_text("sources: {p: 某省标准}\nrules:\n  - {id: preschool.public-share, kind: threshold, title: 公办园在园幼儿占比,"
                 " metric: preschool.public-share, op: '>=', threshold: 40, source: p}\n", encoding="utf-8")
    res = seed_result
    row = rows_of(res, load_rules([r]))[("preschool.public-share", "学前")]
    assert (row["standard"], row["status"], row["source"]) == (">=40", "pass", "某省标准")
    assert rows_of(res)[("preschool.public-share", "学前")]["status"] == "fail"


def test_a_threshold_in_an_indicators_file_is_refused_with_where_it_belongs(tmp_path):
    from extractor.errors import InputError
    from extractor.text import metrics
    prov = tmp_path / "prov.yaml"
    prov.write_text("indicators:\n  - {id: preschool.gross-enrolment, title: 学前三年毛入园率, kinds: [percent],\n"
                    "     phrasings: ['毛入园率'], standards: [{op: '>=', value: 90}]}\n", encoding="utf-8")
    with pytest.raises(InputError, match="`standards` belongs in a rules file"):
        metrics.load_catalog([prov])


def test_cross_year_trends_come_from_the_trend_rules():
    df = pd.DataFrame([
        {"doc": "a", "county": "某县", "issuer": "", "year": 2023, "metric_id": "health.myopia", "level": "",
         "period": "2023", "value": "50.1", "raw": "50.1%", "start": 1, "end": 6, "page": None},
        {"doc": "b", "county": "某县", "issuer": "", "year": 2024, "metric_id": "health.myopia", "level": "",
         "period": "2024", "value": "51.0", "raw": "51.0%", "start": 1, "end": 6, "page": None}])
    fs = crossyear.cross_year(df)
    assert [(f.doc, f.status, f.key) for f in fs] == [("b", "fail", "findings.cross_year")]
    assert "未逐年下降" in fs[0].message and fs[0].values == [Decimal("50.1"), Decimal("51.0")]


# ---------------- messages ----------------

def test_a_finding_is_a_message_key_with_parameters_rendered_in_either_language(seed_result):
    fd = next(f for f in check(seed_result, load_rules(()))
              if f.rule == "balanced.coefficient-junior")
    assert fd.key == "findings.threshold" and fd.params["raw"] == "0.561"
    assert fd.message == "初中校际间综合差异系数（中学）为0.561，未达到标准（不高于0.45）"
    from extractor.checks.findings import render
    english = render({"key": fd.key, "params": fd.params}, "en")
    assert english.startswith("初中校际间综合差异系数 (中学) is 0.561: does not meet the standard (at most 0.45")
    d = fd.to_dict()
    assert d["key"] == fd.key and d["params"] == fd.params and d["message"] == fd.message


def test_consistency_findings_carry_their_figures_and_the_words_that_tie_them(seed_result):
    fs = check(seed_result, load_rules(()))
    share = next(f for f in fs if f.rule == "consistency.share-of-counts")
    assert [(p["raw"].replace(" ", ""), p["role"]) for p in share.places] == [
        ("373人", "part"), ("899人", "whole"), ("41.49%", "share")]
    assert [w["raw"] for w in share.because] == ["公办幼儿园在园幼儿", "在园幼儿"]
    parts = next(f for f in fs if f.rule == "consistency.parts-sum" and f.raw == "10所")
    assert [w["raw"] for w in parts.because] == ["其中"] and [p["role"] for p in parts.places][:2] == ["total", "part"]
    text = SEED.read_text(encoding="utf-8")
    for f in (share, parts):
        assert all(text[w["start"]:w["end"]] == w["raw"] for w in f.because + f.places)


def _used_keys():
    """Keys the checks name: string literals, f-string families ({…} any word), rules' own `message`."""
    literal, families = set(), set()
    for path in (ROOT / "extractor" / "checks").glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and re.fullmatch(r"[a-z_.]+", node.value):
                literal.add(node.value.removeprefix("findings."))
            elif isinstance(node, ast.JoinedStr):
                shape = "".join(re.escape(v.value) if isinstance(v, ast.Constant) else "[a-z_<>=]+" for v in node.values)
                families.add(shape)
    for r in load_rules(()).rules:
        if r.get("message"):
            literal |= {r["message"], r["message"] + "_pass", r["message"] + "_fail"}
    return literal, families


def test_every_finding_message_is_in_both_catalogs_and_every_one_is_used():
    keys = {k.removeprefix("findings.") for k in i18n.catalog("zh") if k.startswith("findings.")}
    assert keys == {k.removeprefix("findings.") for k in i18n.catalog("en") if k.startswith("findings.")}
    literal, families = _used_keys()
    unused = {k for k in keys if k not in literal and not any(re.fullmatch(f, k) for f in families)}
    assert unused == set()
    called = set()
    for path in (ROOT / "extractor" / "checks").glob("*.py"):
        called |= set(re.findall(r"""\bmsg\(\s*["']([a-z_.]+)["']""", path.read_text(encoding="utf-8")))
    assert called and called <= keys, called - keys
    assert not (data.PATTERNS_DIR / "messages.yaml").exists()       # every word lives in the catalogs only
