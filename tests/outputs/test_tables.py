"""Metadata, entities and the four tables: right field by field, and the same in every format."""
import hashlib
import re

import pandas.testing as pt

from conftest import ROOT, SEED, EVAL
from helpers import check_people_workbook, invoke
from extractor.text import ner
from extractor.outputs import tables
from extractor.text.metadata import describe
from extractor.pipeline import process_path, process_source
from extractor.records import Source
from extractor.text.schemes import load_scheme

SCHEME = load_scheme()        # seed_result: the session's (conftest), the seed read with this default scheme


def test_seed_metadata_field_by_field(seed_result):
    d = describe(seed_result)
    assert d["issuer"] == "鹤岗市兴安区人民政府"
    assert (d["province"], d["city"], d["county"]) == ("黑龙江省", "鹤岗市", "兴安区")
    assert d["addressee"] == "市政府教育督导委员会办公室"
    assert d["doc_number"] == "鹤兴政呈〔2024〕79号"
    assert d["signer"] == "王洪江"
    assert d["report_date"] == "2024-07-30"
    assert (d["performance_year"], d["progress_year"], d["years"]) == (2023, 2024, "2023;2024")
    assert d["title"] == "兴安区人民政府2023年履行教育职责情况和2024年教育领域相关重点工作推进情况的自评报告"
    assert d["scheme"] == "hegang-county-2024"
    assert d["sections_found"] == ";".join(str(i) for i in range(1, 10))
    assert d["items_missing"] == "11"
    assert d["input_kind"] == "text" and d["pages"] is None
    assert d["sha256"] == hashlib.sha256(SEED.read_bytes()).hexdigest()
    assert d["extractor_version"]


def test_pipeline_and_documents_table_agree_on_the_document_facts(seed_result):
    d = describe(seed_result)
    assert seed_result.perf_year == d["performance_year"] == 2023
    assert seed_result.report_year == 2024 and seed_result.level_char == "区"
    whole_year = process_source(Source(path="t.txt", doc="t", text=seed_result.norm.text + "\n全年共培训教师320人次。"),
                                SCHEME)
    assert whole_year.facts[-1].period == "2023"     # 全年 is the performance year the title names


def test_metadata_of_other_reports():
    d = describe(process_path(EVAL / "docs" / "r010.txt", SCHEME))
    assert d["issuer"] == "湖南省人民政府" and d["province"] == "湖南省" and d["scheme"] is None
    assert d["doc_number"] == ""                  # 国教督办〔2019〕3号 is a cited document, not this one's
    d = describe(process_path(EVAL / "docs" / "r001.txt", SCHEME))
    assert d["addressee"] == "哈尔滨市教育局" and d["performance_year"] == 2024


def test_seed_entities_with_offsets(seed_result):
    rows = ner.entity_rows(seed_result)
    original = SEED.read_text(encoding="utf-8")
    by = {}
    for r in rows:
        by.setdefault(r["label"], set()).add(r["text"])
        span = original[r["start"]:r["end"]]
        assert re.sub(r"\s", "", span).strip("《》") == re.sub(r"\s", "", r["text"]), (r, span)
    assert {"红旗一校", "大陆南小学", "第二十七中学", "峻德幼儿园", "兴安三校", "第八中学"} <= by["SCHOOL"]
    assert {"区教育局", "市政府教育督导委员会办公室", "兴安公安分局", "区委教育工作领导小组", "市教育局"} <= by["BODY"]
    assert {"兴安区", "红旗镇", "黑龙江省"} <= by["PLACE"]
    assert "王洪江" in by["PERSON"]
    assert "家庭教育促进法" in by["LAW"]
    # shapes that are not names
    assert not ({"区属学校", "公办幼儿园", "中小学", "兴安区中小学", "民办幼儿园"} & by["SCHOOL"])


def test_pipeline_is_built_once_and_keeps_names_whole_for_their_report_only(seed_result):
    jieba = ner._jieba()
    ner.nlp()
    before = (dict(jieba.dt.FREQ), jieba.dt.total)
    rows = ner.entity_rows(seed_result)
    assert {"区委教育工作领导小组", "兴安公安分局"} <= {r["text"] for r in rows}
    ner.entity_rows(process_path(EVAL / "docs" / "r010.txt", SCHEME))
    assert ner.nlp.cache_info().misses == 1
    # jieba's dictionary is global to a worker: a name left by one report would change how the next one is cut,
    # and a batch's rows would depend on which worker had read which files before (local and Ray runs differed)
    assert (dict(jieba.dt.FREQ), jieba.dt.total) == before


def test_formats_round_trip_the_same_rows_and_types(tmp_path):
    inputs = [SEED, EVAL / "docs" / "r001.txt", EVAL / "docs" / "r006.txt"]
    outs = {"xlsx": tmp_path / "o.xlsx", "duckdb": tmp_path / "o.duckdb", "parquet": tmp_path / "parq"}
    for kind, out in outs.items():
        target = str(out) + ("/" if kind == "parquet" else "")
        r = invoke("extract", *inputs, "-o", target)          # in this process: what is written is under test
        assert r.returncode == 0, r.stderr
    a = tables.read_excel(outs["xlsx"])
    b = tables.read_duckdb(outs["duckdb"])
    c = tables.read_parquet_dir(outs["parquet"])
    for name in tables.TABLES:
        assert len(a[name]) > 0
        pt.assert_frame_equal(a[name], b[name])
        pt.assert_frame_equal(a[name], c[name])
        assert list(a[name].columns) == tables.columns(name)
        assert [str(t) for t in a[name].dtypes] == [c[1] for c in tables.schema()[name]]
    facts = a["facts"]
    assert facts.loc[facts["raw"] == "1.1万元", "value"].tolist() == ["11000"]
    assert set(a["documents"]["doc"]) == {"xingan-2024", "r001", "r006"}
    # Chinese headers for inspectors, read back the same
    zh = tmp_path / "zh.xlsx"
    r = invoke("extract", *inputs, "-o", zh, "--zh")
    assert r.returncode == 0
    import openpyxl
    wb = openpyxl.load_workbook(zh)
    assert wb.sheetnames == ["汇总", "文档", "数据", "实体", "核查结果", "标准指标", "自评得分"]
    assert [c.value for c in wb["数据"][1]][:3] == ["文档", "类型", "数值"]
    pt.assert_frame_equal(tables.read_excel(zh)["facts"], facts)        # Chinese values read back as codes
    check_people_workbook(wb, n_reports=3)



def test_readme_documents_the_schema():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in tables.TABLES:
        section = readme.split(f"### {name}\n", 1)[1].split("\n### ", 1)[0].split("\n## ", 1)[0]
        rows = [l for l in section.splitlines() if l.startswith("| ") and not l.startswith("| column") and "---" not in l]
        got = [tuple(x.strip() for x in l.strip("|").split(" | ")) for l in rows]
        want = [tuple(str(x) for x in c) for c in tables.schema()[name]]
        assert got == want, name
