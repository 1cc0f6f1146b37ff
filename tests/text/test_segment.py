
import pytest

from extractor.errors import InputError
from extractor.text.normalize import normalize
from extractor.text.schemes import load_scheme
from extractor.text.segment import find_headings, segment
from conftest import SEED, EVAL


def _seg(text, scheme="default"):
    n = normalize(text)
    return n, segment(n.text, load_scheme() if scheme == "default" else scheme)


def _at(n, seg, needle):
    r = seg.region_at(n.text.index(needle))
    return r.section, r.item


def test_seed_maps_onto_the_nine_section_scheme():
    n, seg = _seg(SEED.read_text(encoding="utf-8"))
    assert seg.scheme_id == "hegang-county-2024"
    assert _at(n, seg, "鹤兴政呈") == (None, None)                 # document header
    assert _at(n, seg, "党建知识23条") == (1, 1)
    assert _at(n, seg, "第一季度教育支出") == (2, 2)
    assert _at(n, seg, "社团54个") == (3, 8)                        # item 8 under 二、2024年重点工作
    assert _at(n, seg, "开通教师空间人数占比") == (3, 9)
    assert _at(n, seg, "辖区内没有职业教育学校") == (4, None)       # section 4 has no item number
    assert _at(n, seg, "年均工资收入91805元") == (5, 12)
    assert _at(n, seg, "三方面进行逐条") == (9, 22)                  # 22.2023年对市级政府…
    assert _at(n, seg, "获得支持资金") == (None, None)               # 三、工作成效
    assert _at(n, seg, "学生近视率不达标") == (None, None)           # 四、存在问题: its 2. is not item 2


def test_heading_paths_survive_markdown_and_ocr_spacing():
    n, seg = _seg("# 标题\n\n## 一、 基本情况\n\n### （一） 党对教育工作的全面领导\n\n1 . 教育强国\n\n（1）子项\n\n① 要点")
    titles = [h.title for h in find_headings(n.text)]
    assert titles[:3] == ["基本情况", "党对教育工作的全面领导", "教育强国"]
    r = seg.region_at(n.text.index("要点"))
    assert r.path[-1] == "要点" and len(r.path) == 5


def test_report_to_another_scheme_keeps_paths_but_no_sections():
    text = (EVAL / "docs" / "r001.txt").read_text(encoding="utf-8")
    n, seg = _seg(text)
    assert seg.scheme_id is None
    assert all(r.section is None for r in seg.regions)
    assert any("党的全面领导落实情况" in r.path for r in seg.regions)


def test_a_province_scheme_file_is_used(tmp_path):
    f = tmp_path / "province.yaml"
    f.write_text("""
id: test-province
shape: {sections: 8, items: 32}   # as r001 declares: 8个方面32项
min_sections_matched: 1
sections:
  - number: 1
    title: 党建工作
    keywords: [党建工作]
    items:
      - {number: 1, title: 党建工作落实情况, keywords: [党建工作落实]}
  - number: 2
    title: 意识形态
    keywords: [意识形态]
    items:
      - {number: 2, title: 意识形态工作落实情况, keywords: [意识形态工作]}
      - {number: 3, title: 其他, keywords: [其他事项]}
""", encoding="utf-8")
    text = (EVAL / "docs" / "r001.txt").read_text(encoding="utf-8")
    n, seg = _seg(text, load_scheme(f))
    assert seg.scheme_id == "test-province"
    assert _at(n, seg, "建立健全中小学校议事决策机制") == (1, 1)
    assert _at(n, seg, "加强分析研判") == (2, 2)


def test_malformed_scheme_file_names_the_file(tmp_path):
    f = tmp_path / "bad.yaml"
    f.write_text("sections:\n  - number: 1\n    title: [unclosed\n", encoding="utf-8")
    with pytest.raises(InputError, match="bad.yaml.*line") as e:
        load_scheme(f)
    assert e.value.kind == "invalid-config"
    g = tmp_path / "empty.yaml"
    g.write_text("id: x\n", encoding="utf-8")
    with pytest.raises(InputError) as e:
        load_scheme(g)
    assert e.value.kind == "invalid-config"


def _sections_of(text: str, words: list) -> list:
    n, seg = _seg(text)
    return [seg.region_at(n.text.index(w)).section for w in words]


@pytest.mark.parametrize("frame", ["基本情况", "全镇教育基本情况", "自评工作开展情况"])
def test_a_frame_part_before_the_duties_is_no_section_and_the_duties_count_from_one(frame):
    text = (f"某县人民政府履行教育职责自评报告\n\n一、{frame}\n\n全县有学校12所。\n\n二、坚持党的领导\n\n召开会议3次。\n\n"
            "三、加大经费投入\n\n投入资金500万元。\n\n四、办好学前教育\n\n新建幼儿园2所。\n\n五、存在的问题\n\n教师不足。\n")
    assert _sections_of(text, ["12所", "3次", "500万元", "新建幼儿园", "教师不足"]) == [None, 1, 2, 3, None]


def test_a_run_of_numbers_nested_in_one_style_restarts_without_the_frame():
    text = ("某区自评报告\n\n一、基本情况\n\n学校9所。\n\n二、履行教育职责情况\n\n一、党的领导（20分）\n\n会议4次。\n\n"
            "二、教育保障（30分）\n\n投入80万元。\n\n三、教育发展（35分）\n\n新增学位600个。\n\n三、存在问题\n\n短板2项。\n")
    assert _sections_of(text, ["9所", "4次", "80万元", "600个", "短板"]) == [None, 1, 2, 3, None]


def test_a_frame_and_two_duties_are_too_few_to_be_sections():
    text = ("某县自评报告\n\n一、基本情况\n\n学校9所。\n\n二、履行教育职责情况\n\n投入80万元。\n\n三、上年度问题整改情况\n\n"
            "整改5项。\n\n四、存在的问题\n\n短板2项。\n")
    assert _sections_of(text, ["9所", "80万元", "5项"]) == [None, None, None]


def test_a_province_report_numbers_every_part_of_its_own_grouping_as_printed():
    text = ("某省人民政府关于2023年度履行教育职责情况的自查报告\n\n按照《对省级人民政府履行教育职责的评价办法》（国办发〔2017〕49号）"
            "要求，现将自查情况报告如下。\n\n第一部分 全省教育基本情况\n\n一、规模\n\n全省学校3万所。\n\n第二部分 履行教育职责情况\n\n"
            "一、坚持党对教育工作的全面领导\n\n召开会议5次。\n\n二、贯彻执行党的教育方针\n\n立德树人示范校20所。\n\n"
            "三、依法治教和落实教育法律法规\n\n出台文件8件。\n\n四、教育经费投入\n\n投入资金9亿元。\n\n五、上年度反馈问题整改\n\n整改问题7个。\n\n"
            "第三部分 存在的问题\n\n一、短板\n\n缺口2处。\n")
    assert _sections_of(text, ["3万所", "5次", "20所", "8件", "9亿元", "7个", "缺口"]) == [None, 1, 2, 3, 4, 5, None]


def test_the_parts_of_a_part_that_holds_the_duties_are_the_sections():
    text = ("某市人民政府关于2024年度履行教育职责情况的自评报告\n\n一、基本情况\n\n全市学校310所。\n\n二、履行教育职责情况\n\n"
            "（一）坚持党的领导\n\n召开会议6次。\n\n（二）保障教育投入\n\n投入资金3亿元。\n\n（三）建设教师队伍\n\n培训教师900人次。\n\n"
            "三、主要成效\n\n（一）办学条件\n\n新建学校4所。\n\n（二）教育质量\n\n获奖12项。\n\n（三）社会满意\n\n满意度96%。\n\n"
            "四、存在的问题\n\n缺口2处。\n")
    assert _sections_of(text, ["310所", "6次", "3亿元", "900人次", "新建学校", "12项", "96%", "缺口"]) == \
        [None, 1, 2, 3, None, None, None, None]
