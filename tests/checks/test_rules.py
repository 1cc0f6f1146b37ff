"""Findings follow the numbers: the seed, and edited copies of it, on real files."""
import json
import subprocess
import sys
from decimal import Decimal

import pytest

from conftest import ROOT, SEED
from helpers import edited, invoke
from extractor.errors import InputError
from extractor.pipeline import process_path
from extractor.checks.rules import check, load_rules
from extractor.text.schemes import load_scheme

SCHEME = load_scheme()


def findings_for(path, extra=()):
    return check(process_path(path, SCHEME), load_rules(extra))




def one(findings, rule, raw=None):
    hits = [f for f in findings if f.rule == rule and (raw is None or f.raw == raw)]
    assert len(hits) == 1, [(f.rule, f.raw, f.status) for f in hits]
    return hits[0]


def test_seed_findings(seed_result):
    fs = check(seed_result, load_rules(()))
    junior = one(fs, "balanced.coefficient-junior")
    assert junior.status == "fail" and junior.raw == "0.561" and str(junior.threshold) == "0.45"
    assert one(fs, "balanced.coefficient-primary").status == "pass"
    claim = one(fs, "claims.standard-met")
    assert claim.status == "fail" and "0.561" in claim.message and "全部达到了国家规定的标准" in claim.raw
    assert one(fs, "preschool.public-share").status == "fail"
    pay = one(fs, "teacher-pay.not-below-civil-servants")
    assert pay.status == "pass" and [int(v) for v in pay.values] == [91805, 87110]
    assert one(fs, "preschool.gross-enrolment").status == "pass"
    share = one(fs, "consistency.share-of-counts", "41.49%")
    assert share.status == "pass" and [int(v) for v in share.values[:2]] == [373, 899]
    ratio = one(fs, "preschool.teacher-child-ratio")
    assert ratio.status == "pass"
    assert one([f for f in fs if f.item == 11], "completeness.items").status == "not-applicable"
    for f in fs:
        assert f.status in ("pass", "fail", "inconsistent", "missing", "not-applicable", "admitted")
        if f.start is not None:
            assert SEED.read_text(encoding="utf-8")[f.start:f.end] == f.raw


def test_pay_below_civil_servants_fails(tmp_path):
    fs = findings_for(edited(tmp_path, "年均工资收入91805元", "年均工资收入81805元"))
    pay = one(fs, "teacher-pay.not-below-civil-servants")
    assert pay.status == "fail" and "81805" in pay.message


def test_percentage_that_no_longer_matches_its_counts(tmp_path):
    fs = findings_for(edited(tmp_path, "占比 41.49%", "占比 52.00%"))
    share = one(fs, "consistency.share-of-counts", "52.00%")
    assert share.status == "inconsistent" and str(share.threshold) == "41.49"
    assert one(fs, "preschool.public-share").status == "pass"       # 52 ≥ 50 now


def test_coefficient_within_standard_makes_the_claim_true(tmp_path):
    fs = findings_for(edited(tmp_path, "中学为0.561", "中学为0.401"))
    assert one(fs, "balanced.coefficient-junior").status == "pass"
    assert one(fs, "claims.standard-met").status == "pass"


def test_enrolment_below_85_fails(tmp_path):
    fs = findings_for(edited(tmp_path, "学前三年毛入园率 97.40%", "学前三年毛入园率 80.00%"))
    assert one(fs, "preschool.gross-enrolment").status == "fail"


def test_parts_that_do_not_add_up(tmp_path):
    fs = findings_for(edited(tmp_path, "共计10所", "共计11所"))
    parts = one(fs, "consistency.parts-sum", "11所")
    assert parts.status == "inconsistent" and int(parts.threshold) == 10


def test_same_quantity_stated_twice_differently(tmp_path):
    text = SEED.read_text(encoding="utf-8")
    i = text.rindex("第一季度教育支出2394万元")
    p = tmp_path / "twice.md"
    p.write_text(text[:i] + text[i:].replace("2394万元", "2400万元", 1), encoding="utf-8")
    fs = findings_for(p)
    rep = [f for f in fs if f.rule == "consistency.repeated" and f.indicator == "教育支出" and f.status == "inconsistent"]
    assert len(rep) == 1 and "2400万元" in rep[0].message
    edited_text = p.read_text(encoding="utf-8")
    places = rep[0].places
    assert [edited_text[q["start"]:q["end"]] for q in places] == [q["raw"] for q in places] == ["2394万元", "2400万元"]
    assert places[0]["start"] < i <= places[1]["start"]


def test_repeated_statements_are_shown_with_their_pages(tmp_path):
    from extractor.outputs.tables import findings_frame, for_people
    from extractor.pipeline import process_source
    from extractor.records import Source
    page1 = "兴安区人民政府关于2023年履行教育职责情况的自评报告\n\n一、学前教育\n全区学前三年毛入园率为91.5%。\n"
    page2 = "二、义务教育\n全区学前三年毛入园率为93.5%。\n"
    src = Source(path="t.pdf", doc="t", text=page1 + page2, input_kind="pdf", page_starts=(len(page1),))
    rep = one(check(process_source(src, SCHEME), load_rules(())), "consistency.repeated")
    assert rep.status == "inconsistent" and [q["page"] for q in rep.places] == [1, 2]
    assert "91.5%（第1页）" in rep.message and "93.5%（第2页）" in rep.message
    shown = for_people("findings", findings_frame([rep]))["places"][0]
    assert shown == "第1页“91.5%”、第2页“93.5%”"


def test_missing_item_is_reported(tmp_path):
    fs = findings_for(edited(tmp_path, "12. 教师待遇落实情况。", ""))
    assert any(f.rule == "completeness.items" and f.item == 12 and f.status == "missing" for f in fs)


def test_province_rules_override_by_id(tmp_path, seed_result):
    r = tmp_path / "province.yaml"
    r.write_text("""
rules:
  - id: preschool.public-share
    kind: threshold
    title: 公办园在园幼儿占比（本省）
    match: {kinds: [percent], text: '公办(?:幼儿)?园在园幼儿(?:数)?占比'}
    op: '>='
    threshold: 40
    severity: high
    source: 某省学前教育督导评估细则
""", encoding="utf-8")
    fs = check(seed_result, load_rules([r]))
    f = one(fs, "preschool.public-share")
    assert f.status == "pass" and f.source == "某省学前教育督导评估细则"


@pytest.mark.parametrize("body,problem", [
    ("rules:\n  - id: x\n    kind: threshold\n    match: {text: '('}\n    op: '>='\n    threshold: 1\n    source: s\n",
     "line 2: rule 'x': `match.text` is not a valid pattern"),
    ("rules:\n  - id: y\n    kind: nonsense\n", "line 2: rule 'y': unknown kind"),
    ("rules:\n  - id: z\n    kind: threshold\n    match: {text: a}\n    op: '=>'\n    threshold: 1\n    source: s\n",
     "line 2: rule 'z': `op` must be"),
    ("rules: [\n", "line"),
    # without kinds a compare rule would meet dates and ratios, which are no numbers to compare
    ("rules:\n  - id: c\n    kind: compare\n    left: {text: a}\n    right: {kinds: [money], text: b}\n"
     "    op: '>='\n    source: s\n", "line 2: rule 'c': `left.kinds` must list"),
    ("rules:\n  - id: d\n    kind: compare\n    left: {kinds: [money], text: a}\n    right: {kinds: [date], text: b}\n"
     "    op: '>='\n    source: s\n", "line 2: rule 'd': `right.kinds` must list"),
    ("rules:\n  - id: e\n    kind: claim\n", "line 2: rule 'e': a claim rule needs"),
    ("rules:\n  - id: f\n    kind: share\n    tolerance: much\n", "line 2: rule 'f': `tolerance` must be a number"),
    ("rules:\n  - id: g\n    kind: trend\n    metric: health.myopia\n    direction: sideways\n    source: s\n",
     "line 2: rule 'g': a trend rule needs `metric` and `direction`"),
    ("rules:\n  - id: h\n    kind: share\n    terms: {health.myopia: {part: '近视'}}\n",
     "line 2: rule 'h': `terms.health.myopia` needs the `part` and the `whole`"),
    ("rules:\n  - id: i\n    kind: threshold\n    metric: health.myopia\n    op: '<='\n    threshold: 1\n"
     "    statements: nothing\n    source: s\n", "line 2: rule 'i': `statements` 'nothing' is not a block"),
])
def test_malformed_rules_name_file_line_and_problem(tmp_path, body, problem):
    r = tmp_path / "bad.yaml"
    r.write_text(body, encoding="utf-8")
    with pytest.raises(InputError) as e:
        load_rules([r])
    assert str(r) in str(e.value) and problem in str(e.value) and e.value.kind == "invalid-config"


def test_check_and_rules_commands(tmp_path):
    out = tmp_path / "findings.jsonl"
    r = invoke("check", SEED, "-o", out)            # in this process: what it writes and prints is tested
    assert r.returncode == 0, r.stderr
    rows = [json.loads(l) for l in out.read_text(encoding="utf-8").splitlines()]
    assert {"pass", "fail", "missing"} <= {x["status"] for x in rows}
    assert all(x["doc"] == "xingan-2024" for x in rows)
    r = invoke("rules")
    assert r.returncode == 0 and r.stdout.splitlines()[0].split()[:3] == ["名称", "类型", "标准"]
    junior = next(l for l in r.stdout.splitlines() if l.startswith("初中校际间综合差异系数"))
    assert "≤ 0.45" in junior and "高" in junior
    assert r.stdout.count("教督〔2017〕6号") == 1 and "left >= right" not in r.stdout and str(ROOT) not in r.stdout
    assert "≥ 85%" in r.stdout and "不低于当地公务员平均工资收入" in r.stdout
    r = invoke("rules", "--format", "json")
    rows = {x["id"]: x for x in json.loads(r.stdout)}
    assert rows["balanced.coefficient-junior"]["threshold"] == "0.45" and rows["preschool.gross-enrolment"]["unit"] == "%"
    assert rows["preschool.gross-enrolment"]["origin"].startswith("patterns/rules/preschool.yaml:")
    r = invoke("rules", "--format", "csv")
    assert r.stdout.splitlines()[0].startswith("id,title,kind,op,threshold,unit")
    bad = tmp_path / "bad.yaml"
    bad.write_text("rules:\n  - id: q\n    kind: threshold\n", encoding="utf-8")
    r = subprocess.run([sys.executable, str(ROOT / "cli.py"), "rules", "--rules", str(bad)],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode != 0 and "bad.yaml: 第 2 行" in r.stderr and "Traceback" not in r.stderr


def test_balanced_resource_standards_by_level(tmp_path):
    p = tmp_path / "county.txt"
    p.write_text("一、优质均衡发展情况\n全县小学生均教学及辅助用房面积4.8平方米，初中生均教学及辅助用房面积5.2平方米；"
                 "每百名学生拥有网络多媒体教室数小学2.5间、初中2.1间。每百名学生拥有高于规定学历教师数：小学4.6人，初中5.1人。",
                 encoding="utf-8")
    fs = {f.rule: f for f in findings_for(p) if f.status in ("pass", "fail")}
    assert fs["balanced.teaching-space-primary"].status == "pass"
    assert fs["balanced.teaching-space-junior"].status == "fail"          # 5.2 < 5.8
    assert fs["balanced.multimedia-rooms-junior"].status == "fail"        # 2.1 < 2.4
    assert fs["balanced.teachers-above-degree-primary"].status == "pass"
    assert fs["balanced.teachers-above-degree-junior"].raw == "5.1人"


def test_age_ranges_stated_twice_differently_are_inconsistent():
    from extractor.pipeline import process_source
    from extractor.records import Source
    text = ("兴安区人民政府关于2023年履行教育职责情况的自评报告\n\n学前教育招生对象为3至6岁。全区共有幼儿园12所。\n\n"
            "义务教育学校3所。学前教育招生对象为3至5岁。\n")
    fs = check(process_source(Source(path="t.txt", doc="t", text=text), SCHEME), load_rules(()))
    rep = one(fs, "consistency.repeated")
    assert rep.status == "inconsistent" and rep.values == ["3/6", "3/5"]
@pytest.mark.parametrize("sentence,rule,raw", [
    ("公办幼儿园在园幼儿数占全县在园幼儿总数的41.49%。", "preschool.public-share", "41.49%"),
    ("公办园在园幼儿数占全区在园幼儿的45%。", "preschool.public-share", "45%"),
    ("普惠性幼儿园在园幼儿占全县在园幼儿总数的比例为78%。", "preschool.inclusive-coverage", "78%"),
    ("公办园及普惠性民办园在园幼儿数占在园幼儿总数的73%。", "preschool.inclusive-coverage", "73%"),
])
def test_shares_in_other_words_are_checked_through_their_metric(tmp_path, sentence, rule, raw):
    p = tmp_path / "county.txt"
    p.write_text(f"一、学前教育\n2024年，全县在园幼儿2100人，{sentence}", encoding="utf-8")
    fd = one(findings_for(p), rule)
    assert (fd.status, fd.raw) == ("fail", raw)


def test_coefficient_threshold_follows_the_scheme_year(tmp_path):
    """基本均衡 (小学 0.65, 初中 0.55, its own source) until 2016, 优质均衡 (0.50, 0.45) from 2017."""
    text = "一、义务教育\n{y}年全县小学校际间综合差异系数为0.58，初中校际间综合差异系数为0.50。"
    for year, source, status in ((2015, "basic", "pass"), (2023, "balanced", "fail")):
        p = tmp_path / f"c{year}.txt"
        p.write_text(text.format(y=year), encoding="utf-8")
        fs = findings_for(p)
        assert one(fs, f"{source}.coefficient-primary").status == status
        assert one(fs, f"{source}.coefficient-junior").status == status
        other = "basic" if source == "balanced" else "balanced"
        assert not [f for f in fs if f.rule.startswith(f"{other}.coefficient")]
    assert one(fs, "balanced.coefficient-primary").threshold == Decimal("0.50")


def test_a_rule_naming_an_unknown_metric_is_refused(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("rules:\n  - id: x\n    kind: threshold\n    metric: no.such\n    match: {text: '率'}\n"
                   "    op: '>='\n    threshold: 1\n    source: s\n", encoding="utf-8")
    with pytest.raises(InputError, match="not in the indicator catalog"):
        load_rules([bad])
