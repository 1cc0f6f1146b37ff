"""Number forms read whole or not at all (issue 30), and a day glued to a clock time (issue 25), in a report's
context: every fact of each text is listed, so a part of a numeral read as a fact of its own fails here too."""
import pytest

from extractor.pipeline import process_source
from extractor.records import Source


def facts(text):
    r = process_source(Source(path="t.txt", doc="t", text=text))
    return [(f.raw, f.kind, str(f.to_dict()["value"])) for f in r.facts]


PARTIAL = [     # a number form understood only in part gave a wrong value
    ("2023年，全县安全责任事故发生率为百万分之三。", [("百万分之三", "percent", "0.0003")]),
    ("2023年，事故率控制在三百分之1.5以内。", [("三百分之1.5", "percent", "0.5")]),
    ("2023年，全县共有在校生5万4千6百人。", [("5万4千6百人", "count", "54600")]),
    ("2023年，县财政投入资金2千零30万元。", [("2千零30万元", "money", "20300000")]),
    ("2023年，民办园在园幼儿增长率为负三成。", [("负三成", "percent", "-30")]),
    ("2023年，流动儿童入学率同比变化为负三个百分点。", [("负三个百分点", "percent", "-3")]),
]
NOT_UNDERSTOOD = [     # a form that is not fully understood gives no fact, never a part of it
    "2023年，全县共有在校生5万4千6人。",          # 4千 then a bare 6: 54006 or 54600?
    "2023年，县财政投入资金2千30万元。",           # 2030万 or 2300万?
    "2023年，培训教师1万2百人。",                 # a skipped place without 零
    "2023年，合格率达百分之九十几。",
    "2023年，学校结余负二十万元。",               # no sign on money: not read without it
    "2023年，常住人口1.2万5000人。",
    "发布时间：2022-10-110:30",           # the 1st at 10:30 or the 11th at 0:30: no date, and no ratio 110:30
]
NOT_READ_BEFORE = [     # forms that were not read at all, or read as two facts
    ("全县学生参与率达到七点五成。", [("七点五成", "percent", "75")]),
    ("全县优良率为6.8成。", [("6.8成", "percent", "68")]),
    ("民办园占比不到半成。", [("半成", "percent", "5")]),
    ("2024年三月二十八日到四月十五日开展学籍核查。", [("2024年三月二十八日到四月十五日", "date", "2024-03-28/2024-04-15")]),
    ("2024年3月28日至4月15日开展学籍核查。", [("2024年3月28日至4月15日", "date", "2024-03-28/2024-04-15")]),
    ("今年三月二十八日到四月十五日开展学籍核查。\n\n某县人民政府\n\n2024年4月30日",
     [("三月二十八日到四月十五日", "date", "2024-03-28/2024-04-15"), ("2024年4月30日", "date", "2024-04-30")]),
]
GLUED = [     # OCR of a web page lost the space between a date and a time
    ("发布时间：2022-10-1809:30 来源：县教育局", [("2022-10-18", "date", "2022-10-18")]),
    ("发布时间：2022-10-18 09:30", [("2022-10-18", "date", "2022-10-18")]),
    ("更新于2024/06/0308:45", [("2024/06/03", "date", "2024-06-03")]),
    ("发布时间：2022-10-189:30", [("2022-10-18", "date", "2022-10-18")]),        # 1 and 89:30 is no time
    ("发布时间：2022-10-0110:30", [("2022-10-01", "date", "2022-10-01")]),
    ("2024年3月15日9:00召开全县教育工作会议。", [("2024年3月15日", "date", "2024-03-15")]),
]
STILL_RATIOS = [     # the clock rules leave ratios alone
    ("全县小学师生比为1:13.5。", [("1:13.5", "ratio", "1:13.5")]),
    ("2023年幼儿园专任教师与幼儿之比为1:12。", [("1:12", "ratio", "1:12")]),
]


@pytest.mark.parametrize("text,want", PARTIAL + NOT_READ_BEFORE + GLUED + STILL_RATIOS, ids=lambda x: str(x)[:24])
def test_every_fact_of_the_text(text, want):
    assert facts(text) == want


@pytest.mark.parametrize("text", NOT_UNDERSTOOD)
def test_a_form_not_understood_gives_no_fact(text):
    assert facts(text) == []


@pytest.mark.parametrize("numeral,value", [
    ("5万4千6百", 54600), ("2千零30万", 20300000), ("1亿零500万", 105000000), ("2万5000", 25000), ("3万5千", 35000),
    ("1亿2千万", 120000000), ("1亿2000万", 120000000), ("6百50万", 6500000), ("1千零24", 1024), ("3千2百", 3200),
    ("3亿4千万", 340000000), ("1万零200", 10200), ("3万零5百", 30500), ("1千零5十", 1050), ("1.2万", 12000),
])
def test_mixed_numerals_read_whole(numeral, value):
    from extractor.text.extract import parse_mixed
    assert parse_mixed(numeral) == value


@pytest.mark.parametrize("numeral", [
    "2千30",       # 2030 or 2300?
    "2千3",        # said for 2300, written as if 2003
    "1万2百",      # a skipped place without 零
    "1千5十", "2万50", "2万5", "1.2万5000", "1千零240", "1万2亿", "3万零5千", "万5000",
])
def test_irregular_mixed_numerals_are_refused(numeral):
    from extractor.text.extract import parse_mixed
    with pytest.raises(ValueError):
        parse_mixed(numeral)
