"""Tables written as lines of text (cells parted by runs of spaces): each cell's number takes the unit its row label
gives in brackets, says what it measures from its row and column, its level from the column and its year from the
column or the table's title; a column of standards is no row's value. Tables written afresh for these tests."""
from extractor.pipeline import process_source
from extractor.records import Source
from extractor.text import grid
from extractor.text.normalize import normalize
from extractor.text.schemes import load_scheme

# Full-width spaces part the cells, as a report typed in a word processor writes them; the first row's number is
# glued to its label, the second's stands one space off.
MEANS = ("　　经测算，全市义务教育学校资源配置指标如下：\n"
         "　　表2　某市2023年资源配置指标\n"
         "　　指标　　　　　　　　　　　　小学均值　　小学差异系数　　初中均值　　初中差异系数\n"
         "　　生均教学仪器设备值（元）3120　　　0.311　　　　　4050　　　　0.287\n"
         "　　每百名学生拥有骨干教师数（人）　1.42　　　0.402　　　　　1.61　　　　0.355\n"
         "　　生均体育运动场馆面积（平方米）　　9.84　　　0.463　　　　　11.20　　　0.392\n"
         "\n　　按上述指标计算，全市小学校际间综合差异系数为0.408。\n")

ANNEX = ("附件\n"
         "某县2023年度主要指标完成情况\n"
         "指标名称　　　　　　　　　　2023年　　评估标准　　是否达标\n"
         "普惠性幼儿园覆盖率　　　　　88.50%　　≥80%　　　达标\n"
         "幼儿园专任教师与幼儿之比　　1:16.2　　1:15　　　未达标\n"
         "初中校际间综合差异系数　　　0.472　　 ≤0.45　　　未达标\n")


def facts_of(text):
    r = process_source(Source(path="t.txt", doc="t", text=text), load_scheme())
    return {(f.raw, f.start): f for f in r.facts}, r


def _by_raw(facts, raw):
    hits = [f for (r, _), f in facts.items() if r == raw]
    assert len(hits) == 1, (raw, hits)
    return hits[0]


def test_rows_stay_lines_and_cells_are_parted_by_one_tab():
    text = normalize(MEANS).text
    assert "\n指标\t小学均值\t小学差异系数\t初中均值\t初中差异系数\n" in text
    assert "\n生均教学仪器设备值（元）3120\t0.311\t4050\t0.287\n" in text
    assert "资源配置指标\n指标" in text                    # the title is not joined to the header


def test_a_cell_takes_its_row_labels_unit_unless_its_column_is_a_coefficient():
    facts, _ = facts_of(MEANS)
    money = _by_raw(facts, "3120")
    assert (money.kind, str(money.value), money.unit) == ("money", "3120", "元")
    people = _by_raw(facts, "1.61")
    assert (people.kind, people.unit, people.subject, people.period) == ("count", "人", "初中", "2023")
    area = _by_raw(facts, "9.84")
    assert (area.kind, area.unit, area.indicator) == ("count", "平方米", "生均体育运动场馆面积")
    coefficient = _by_raw(facts, "0.463")
    assert (coefficient.kind, coefficient.unit) == ("number", "")
    assert coefficient.indicator == "生均体育运动场馆面积差异系数" and coefficient.subject == "小学"


def test_a_table_cell_links_to_the_catalog_by_its_row_and_a_coefficient_of_one_indicator_does_not():
    facts, _ = facts_of(MEANS)
    assert _by_raw(facts, "3120").metric == "生均教学仪器设备值"
    assert _by_raw(facts, "1.42").metric == "每百名学生拥有县级以上骨干教师数"
    assert _by_raw(facts, "11.20").metric == "生均体育运动场馆面积"
    assert _by_raw(facts, "0.311").metric == "" and _by_raw(facts, "0.392").metric == ""
    assert _by_raw(facts, "0.408").metric == "校际间综合差异系数"      # the prose after the table reads as before


def test_the_standards_column_is_timeless_and_no_rows_value():
    facts, _ = facts_of(ANNEX)
    value = _by_raw(facts, "88.50%")
    assert (value.indicator, value.period, value.metric) == ("普惠性幼儿园覆盖率", "2023", "普惠性幼儿园覆盖率")
    standard = _by_raw(facts, "80%")
    assert (standard.indicator, standard.period, standard.metric, standard.approx) == ("评估标准", "", "", "more")
    assert _by_raw(facts, "1:15").metric == "" and _by_raw(facts, "1:16.2").metric == "幼儿园专任教师与幼儿之比"
    ceiling = _by_raw(facts, "0.45")
    assert (ceiling.kind, ceiling.approx, ceiling.metric) == ("number", "less", "")
    assert _by_raw(facts, "0.472").metric == "校际间综合差异系数"


# A first column that groups the rows: its cell stands on each group's first row only (a merged cell).
GROUPED = ("附表　义务教育优质均衡主要指标\n"
           "评估内容　　　　评价指标　　　　　　　　　　国家标准　　　本县现状　　结论\n"
           "资源配置　　　　生均教学仪器设备值（元）　　　2000　　　　　3410　　　　达标\n"
           "　　　　　　　　小学综合差异系数　　　　　　　0.50　　　　　0.372　　　达标\n"
           "政府保障　　　　教师培训经费占公用经费比例　　5%　　　　　　6.1%　　　　达标\n"
           "　　　　　　　　县域内教师交流轮岗比例　　　　10%　　　　　　12.4%　　　达标\n")


def test_a_grouped_tables_rows_are_read_by_their_own_labels_under_their_own_columns():
    facts, _ = facts_of(GROUPED)
    for standard in ("2000", "0.50", "5%", "10%"):
        assert (_by_raw(facts, standard).indicator, _by_raw(facts, standard).metric) == ("国家标准", ""), standard
    assert _by_raw(facts, "3410").indicator == "生均教学仪器设备值"
    assert _by_raw(facts, "0.372").indicator == "小学综合差异系数"
    assert _by_raw(facts, "6.1%").indicator == "教师培训经费占公用经费比例"
    assert _by_raw(facts, "12.4%").indicator == "县域内教师交流轮岗比例"


def test_prose_with_a_wide_space_is_no_table():
    for line in ("全县共有学校42所，  在校生1.2万人。", "某县  2023年  教育工作总结"):
        assert "\t" not in normalize(line).text
        assert grid.cells(normalize(line).text) == ()


# A numbered table with a column of units, one unit cell only one space off its number, and a table of points.
INDEXED = ("经测算，全县资源配置指标县域平均值如下表：\n"
           "序号  指标名称                          单位   小学均值  小学差异系数  初中均值  初中差异系数\n"
           "1     每百名学生拥有县级以上骨干教师数    人     1.46      0.38          1.32      0.35\n"
           "2     生均体育运动场馆面积                平方米 9.74      0.41          14.37     0.39\n"
           "3     生均教学仪器设备值                  元     3216      0.33          4105      0.49\n")
POINTS = ("全县自评得分汇总如下：\n评价方面          分值    自评得分\n教育保障          25      24.5\n"
          "教育发展          30      28.5\n合计              55      53.0\n")


def test_a_numbered_tables_label_is_its_second_cell_and_its_unit_column_gives_each_rows_unit():
    facts, _ = facts_of(INDEXED)
    by_raw = {raw: f for (raw, _), f in facts.items()}
    assert by_raw["9.74"].unit == "平方米" and by_raw["9.74"].indicator.startswith("生均体育运动场馆面积")
    assert by_raw["1.46"].unit == "人" and by_raw["3216"].kind == "money"
    assert by_raw["0.41"].unit == "" and "差异系数" in by_raw["0.41"].indicator       # a coefficient takes no unit
    assert not any(raw in ("1", "2", "3") for raw in by_raw)                         # the row numbers are no facts
    assert not any(f.raw in ("人", "平方米") for f in by_raw.values())


def test_a_column_named_for_points_gives_its_numbers_the_unit():
    facts, _ = facts_of(POINTS)
    assert {f.raw: f.unit for f in facts.values()}["24.5"] == "分"


# Two columns of years; the third row's label is glued to its first number, so only one run of spaces parts its cells.
YEARS = ("近两年我县生均支出如下：\n"
         "    项目                                      2022年      2023年\n"
         "    小学生均公用经费（元/生·年）              845         905\n"
         "    普通高中生均公用经费（元/生·年）1120       1260\n"
         "    幼儿园生均公用经费（元/生·年）            610         680\n")


def test_a_row_whose_label_is_glued_to_its_first_number_is_still_a_row_of_the_table():
    assert "\n普通高中生均公用经费（元/生·年）1120\t1260\n" in normalize(YEARS).text
    facts, _ = facts_of(YEARS)
    for raw, year in (("1120", "2022"), ("1260", "2023"), ("610", "2022"), ("680", "2023")):
        f = _by_raw(facts, raw)
        assert (f.fired["indicator"], f.period, f.unit) == ("table_cell", year, "元"), raw


def test_prose_with_one_run_of_spaces_and_a_number_is_no_row():
    text = "全县共有学校52所    其中小学36所\n全县共有教师860人    其中专任教师790人\n"
    assert "\t" not in normalize(text).text


# A table whose title gives the unit of all its numbers, its rows naming none.
TITLED = ("表1　2023—2024年各县（区）一般公共预算教育支出情况（亿元）\n"
          "县（区）　　2023年　　2024年　　增长（%）\n"
          "东城区　　　12.02　　　12.46　　　3.7\n"
          "西河县　　　4.70　　　　4.87　　　3.6\n")


def test_a_tables_title_gives_its_cells_the_unit_their_rows_and_columns_do_not():
    facts, _ = facts_of(TITLED)
    amount = _by_raw(facts, "12.46")
    assert (amount.kind, amount.value, amount.unit, amount.period) == ("money", 1246000000, "元", "2024")
    growth = _by_raw(facts, "3.6")
    assert (growth.kind, growth.unit) == ("percent", "%")
