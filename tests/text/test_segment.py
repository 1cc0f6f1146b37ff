
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
