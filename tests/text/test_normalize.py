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
