from extractor.text.normalize import normalize
from conftest import SEED


def test_every_normalized_char_maps_back():
    src = SEED.read_text(encoding="utf-8")
    n = normalize(src)
    assert len(n.omap) == len(n.text)
    # the map only moves forward
    assert all(a < b for a, b in zip(n.omap, n.omap[1:]))
    # characters left unchanged map onto themselves
    same = sum(1 for i, c in enumerate(n.text) if src[n.omap[i]] == c)
    assert same / len(n.text) > 0.99


def test_seed_quirks_are_repaired():
    n = normalize(SEED.read_text(encoding="utf-8"))
    t = n.text
    assert "缴纳保险。" in t                       # 保\n\n\n\n险 joined across a page break
    assert "落实免费义务教育" in t                   # 免\n\n费
    assert "在园幼儿共899人" in t                    # 899 人
    assert "占比为1:15" in t                         # 1: 15
    assert "学生和矫治" in t                         # stray English 'and'
    assert "#" not in t                              # markdown heading marks
    assert "2022年5月25-26日" in t                   # -- in a range
    assert "\n鹤岗市兴安区人民政府\n" in t          # a short sign-off line is not joined


def test_full_width_and_ocr_punctuation_in_numbers():
    t = normalize("学生１２３人，投入1，250.5万元，面积136。66平方公里，师生比1：15，共3所。2023年").text
    assert "123人" in t and "1,250.5万元" in t and "136.66平方公里" in t and "1:15" in t
    assert "3所。2023年" in t                        # a sentence end before a year stays a full stop


def test_offsets_of_spans_index_the_original():
    src = "区域内在园幼儿共 899 人，其中\n\n公办幼儿园 373 人"
    n = normalize(src)
    i = n.text.index("373人")
    s, e = n.to_original(i, i + len("373人"))
    assert src[s:e] == "373 人"


# ---------------- page furniture in text that came as text (text/furniture.py) ----------------

def _numbered(lines: list[str], first: int = 1) -> str:
    return "\n".join(f"{i:3d}  {ln}" for i, ln in enumerate(lines, first))


PAGE_ONE = ["青川县人民政府", "关于教育工作的自评报告", "一、基本情况",
            "全县义务教育学校52所，其中小学35所、初中13所、九年一贯制学校4",
            "所；全县义务教育阶段在校生38416人。在校生中，小学2",
            "5930人、初中12486人，小学、初中校际差异系数分别为0.",
            "27、0.30。通过公开招聘补充教师，教师队伍结构持续优化。"]
PAGE_TWO = ["二、资源配置", "全县小学、初中生均教学仪器设备值分", "别为3216元、4105元，均达到国家规定的标准。",
            "三、教育质量", "全县巩固率为97.2%。"]


def test_line_numbers_in_the_margin_go_and_what_they_cut_is_joined():
    src = _numbered(PAGE_ONE) + "\n\n" + " " * 30 + "— 1 —\n\f\n" + " " * 10 + "青川县教育工作自评报告\n\n" + _numbered(PAGE_TWO)
    n = normalize(src)
    t = n.text
    assert "九年一贯制学校4所" in t and "小学25930人" in t           # no line number read into a figure
    assert "分别为0.27、0.30" in t                                  # a number cut at its point, not a heading 27、
    assert "分别为3216元" in t and "— 1 —" not in t and "—1—" not in t
    assert all(src[n.omap[i]] == c for i, c in enumerate(t) if c.isdigit())    # every digit left maps onto itself


def test_running_heads_and_page_numbers_at_the_edges_of_pages_go():
    body = ["全县学前三年毛入园率为91.2%，较上年提高1.3个百分点，普惠性幼儿园覆盖率达到88.6%。"] * 2
    pages = [f"青川县教育工作自评报告\n{body[0]}\n{body[1]}\n{k}\n" for k in range(1, 5)]
    t = normalize("\f".join(pages)).text
    assert "自评报告" not in t
    assert "91.2%" in t and not any(f"\n{k}\n" in t or t.endswith(str(k)) for k in range(1, 5))


def test_numbers_that_count_up_in_a_short_table_are_not_line_numbers():
    rows = [f"{i}  学校{i}  {100 + i}人" for i in range(1, 6)]
    before = "全县各校在校生情况如下，均按学籍统计数据填报，数据来源于教育事业统计。\n" * 6
    text = before + "\n".join(rows) + "\n" + "以上数据均经核实无误，已报市教育局备案审核通过。\n" * 4
    t = normalize(text).text
    assert "1\t学校1\t101人" in t or "1  学校1" in t.replace("\t", "  ")


def test_a_line_leading_into_what_follows_is_not_an_addressee():
    t = normalize("青川县人民政府\n经自评，我县县域义务教育优质均衡发展各\n"
                  "项指标基本达到国家规定标准。现将自评情况报告如下：\n一、基本情况").text
    assert "发展各项指标" in t


def test_a_letter_ocr_read_for_a_digit_between_digits_is_the_digit_and_words_keep_their_letters():
    n = normalize("2O24年投入1.O5亿元，建成3l2间教室；iPad 20台，ISO 9001认证，Office软件。")
    assert "2024年" in n.text and "1.05亿元" in n.text and "312间" in n.text
    assert "iPad" in n.text and "ISO" in n.text and "Office" in n.text


def test_a_square_metre_sign_in_a_label_is_square_metres():
    assert "面积（平方米）" in normalize("生均体育运动场馆面积（㎡）  9.84  7.5").text


def test_a_table_parted_by_tabs_keeps_its_rows_and_a_lone_tab_is_a_space():
    """A Word table saved as text (指标\t2022年\t2023年): each row a line of cells; a tab in prose, one space."""
    original = ("近两年主要指标如下。\n指标\t2022年\t2023年\n一般公共预算教育支出（万元）\t71,358\t74,926\n"
                "学前三年毛入园率（%）\t91.8\t92.7\n一、\t基本情况")
    n = normalize(original)
    rows = n.text.split("\n")
    assert rows[1:4] == ["指标\t2022年\t2023年", "一般公共预算教育支出（万元）\t71,358\t74,926", "学前三年毛入园率（%）\t91.8\t92.7"]
    assert "\t" not in rows[4]
    at = n.text.index("74,926")
    assert original[slice(*n.to_original(at, at + 6))] == "74,926"
