"""Draft feedback memos (issue #17) and report text that cannot act in them (issue #19): a real batch of the seed,
an edited copy from another district with no problems, and a hostile copy; memos opened with python-docx."""
import os
import re
import shutil
import subprocess
import zipfile

import docx
import duckdb
import pytest
import yaml

from conftest import ROOT, SEED
from helpers import chromium_dom, invoke
from extractor.data import LOADER        # libyaml's safe loader, as the program reads patterns/

MEMO = yaml.load((ROOT / "patterns" / "memo.yaml").read_text(encoding="utf-8"), Loader=LOADER)       # layout
WORDS = yaml.load((ROOT / "patterns" / "messages" / "zh.yaml").read_text(encoding="utf-8"), Loader=LOADER)  # the words
PARTS = WORDS["memo"]["parts"]
HOSTILE_ISSUER = "某某县/../../../tmp/x区人民政府"
HOSTILE_LINE = '=HYPERLINK("http://evil.example/","点击")<script>alert(1)</script>'




@pytest.fixture(scope="module")
def out(tmp_path_factory):
    d = tmp_path_factory.mktemp("incoming")
    seed = SEED.read_text(encoding="utf-8")
    (d / "xingan-2024.md").write_text(seed, encoding="utf-8")
    lines = seed.splitlines(keepends=True)

    def without(lo, hi):       # a report of its own, not a near-copy (the batch would call it a duplicate submission)
        return "".join(lines[:lo] + lines[hi:])
    admits = ("同工同酬", "存在短板", "存在安全隐患", "近视率不达标", "有待加强")     # shortfalls the seed admits
    edited = ("".join(ln for ln in without(98, 122).splitlines(keepends=True) if not any(a in ln for a in admits))
              .replace("兴安", "工农").replace("鹤兴政呈", "鹤工政呈")
              .replace("公办幼儿园在园幼儿 373 人，公办园在园幼儿占比 41.49%", "公办幼儿园在园幼儿 500 人，公办园在园幼儿占比 55.62%")
              .replace("中学为0.561", "中学为0.401"))
    (d / "gongnong-2024.md").write_text(edited, encoding="utf-8")
    hostile = (without(110, 126).replace("鹤岗市兴安区人民政府", HOSTILE_ISSUER).replace("鹤兴政呈", "鹤某政呈")
               .replace("区域内在园幼儿共 899 人", HOSTILE_LINE + "区域内在园幼儿共 899 人")
               .replace("情况的自评报告", "情况的自评报告CON", 1))
    (d / "hostile-2024.md").write_text(hostile, encoding="utf-8")
    o = tmp_path_factory.mktemp("out") / "batch"
    r = invoke("batch", d, "-o", o, "--jobs", "1", "--quiet", "--memo")
    assert r.returncode == 0, r.stderr
    return o


def docs_of(out):
    con = duckdb.connect(str(out / "selfeval.duckdb"), read_only=True)
    try:
        return {r[0]: r for r in con.execute("SELECT doc, county, path FROM documents").fetchall()}
    finally:
        con.close()


def memo_of(out, stem):
    """The memo of the report read from the file `stem`.md, by the manifest memos.json."""
    import json
    manifest = json.loads((out / "memos" / "memos.json").read_text(encoding="utf-8"))
    doc = next(d for d, r in docs_of(out).items() if r[2].endswith(f"{stem}.md"))
    return out / "memos" / manifest[doc], doc


def part(d, k):
    """Paragraphs of part k (0-based) of a memo: between its Heading 1 and the next."""
    ps, inside, got = d.paragraphs, False, []
    for p in ps:
        if p.style.name == "Heading 1":
            inside = p.text == PARTS[k]
            continue
        if inside:
            got.append(p)
    return got


def findings(out, doc, statuses=("fail", "inconsistent", "admitted", "unfinished")):
    con = duckdb.connect(str(out / "selfeval.duckdb"), read_only=True)
    try:
        rows = con.execute("SELECT rule, status, raw, start, page FROM findings WHERE doc = ? ORDER BY start",
                           [doc]).fetchall()
        text = con.execute("SELECT text FROM texts WHERE doc = ?", [doc]).fetchone()[0]
    finally:
        con.close()
    return [r for r in rows if r[1] in statuses], text


def test_memo_per_report_named_by_district_and_year(out):
    names = sorted(p.name for p in (out / "memos").iterdir())
    assert "反馈意见-兴安区-2023.docx" in names and "反馈意见-工农区-2023.docx" in names
    assert "汇总反馈意见.docx" in names
    assert len([n for n in names if n.startswith("反馈意见-")]) == 3      # the hostile copy has a unique name too


def test_parts_in_order_as_heading_styles_and_official_layout(out):
    path, _ = memo_of(out, "xingan-2024")
    d = docx.Document(str(path))
    assert [p.text for p in d.paragraphs if p.style.name == "Heading 1"] == PARTS
    assert d.paragraphs[0].style.name == "Title" and "鹤岗市兴安区人民政府" in d.paragraphs[0].text
    texts = [p.text for p in d.paragraphs]
    assert "鹤岗市兴安区人民政府：" in texts                                      # the addressee: the issuing government
    opening = next(t for t in texts if t.startswith("你单位报送的"))
    assert "《兴安区人民政府2023年履行教育职责情况" in opening and "鹤兴政呈〔2024〕79号" in opening and "2024年7月30日" in opening
    assert texts[-2:] == WORDS["memo"]["closing"]                               # a blank signature and date


def test_every_problem_of_the_seed_quoted_once_with_its_page_or_heading(out):
    """Each problem once, numbered; cited by page and heading as the county can find it (never by a line of
    selfeval's text); an admitted shortfall is its quote alone, not the quote and the same words again."""
    path, doc = memo_of(out, "xingan-2024")
    problems, text = findings(out, doc)
    assert {r[2] for r in problems} >= {"41.49%", "0.561", "全部达到了国家规定的标准"}
    d = docx.Document(str(path))
    section = [p for p in part(d, 2) if p.style.name != "Heading 2"]
    numbered = [p for p in section if re.match(r"\d+\. ", p.text)]
    assert [int(re.match(r"(\d+)", p.text)[1]) for p in numbered] == list(range(1, len(problems) + 1))
    whole = "\n".join(p.text for p in section)
    assert "行写道" not in whole and "写道：" in whole
    for rule, status, raw, start, page in problems:
        assert raw.replace(" ", "") in whole.replace(" ", ""), raw
    admitted = [r for r in problems if r[1] == "admitted"]
    compact = [p for p in section if p.style.name == "Normal" and re.match(r"\d+\. 报告", p.text)]
    assert len(compact) == len(admitted)
    for p, r in zip(compact, admitted):                # its words once: the quote, not the quote and a message again
        assert p.text.replace(" ", "").count(r[2].replace(" ", "")[:20]) == 1, p.text
    quotes = [r.text for p in section for r in p.runs if r.text.startswith("“")]
    assert any("41.49%" in q for q in quotes)                       # the quote is a run of its own
    bodies = [p.text for p in section if p.style.name == "Normal"]
    assert any("41.49%" in b and "不低于50%" in b for b in bodies)
    assert any("0.561" in b and "不高于0.45" in b for b in bodies)
    assert any("报告称“全部达到了国家规定的标准”" in b for b in bodies)
    assert "公办园在园幼儿占比" in next(p.text for p in section if p.style.name == "Heading 3")


def test_one_recommendation_per_distinct_advice_covering_every_problem(out):
    for stem in ("xingan-2024", "gongnong-2024", "hostile-2024"):
        path, doc = memo_of(out, stem)
        d = docx.Document(str(path))
        recs = [p.text for p in part(d, 3) if re.match(r"\d+\. 针对问题", p.text)]
        covered = []
        for r in recs:
            nums = re.match(r"\d+\. 针对问题([\d至、]+)", r)[1]
            a, _, b = nums.partition("至")
            covered += list(range(int(a), int(b) + 1)) if b else [int(x) for x in nums.split("、")]
        assert covered == list(range(1, len(findings(out, doc)[0]) + 1))
        texts = [r.split("：", 1)[1] for r in recs]
        assert len(texts) == len(set(texts))                      # no advice twice


def test_a_report_without_problems_says_so(out):
    path, doc = memo_of(out, "gongnong-2024")
    assert findings(out, doc)[0] == []
    d = docx.Document(str(path))
    assert [p.text for p in part(d, 2)] == [WORDS["memo"]["no_problems"]]
    assert part(d, 3)[0].text == WORDS["memo"]["no_recommendations"]
    achieved = " ".join(p.text for p in part(d, 1))
    assert "55.62%" in achieved and "0.401" in achieved


def test_fonts_set_in_the_styles(out):
    path, _ = memo_of(out, "xingan-2024")
    d = docx.Document(str(path))
    ns = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"

    def east_asia(style):
        return d.styles[style].element.rPr.find(f"{ns}rFonts").get(f"{ns}eastAsia")
    assert east_asia("Normal") == MEMO["fonts"]["body"]["east_asia"] == "仿宋_GB2312"
    assert east_asia("Heading 1") == MEMO["fonts"]["heading"]["east_asia"] == "黑体"
    assert d.styles["Normal"].font.name == "Times New Roman"


def test_summary_counts_districts_per_standard(out):
    d = docx.Document(str(out / "memos" / "汇总反馈意见.docx"))
    assert [p.text for p in d.paragraphs if p.style.name == "Heading 1"] == WORDS["memo_summary"]["parts"]
    assert d.paragraphs[0].text.startswith("2023年度县级人民政府")          # the years and levels it covers
    standards, districts = d.tables
    assert [c.text for c in standards.rows[0].cells] == WORDS["memo_summary"]["standards_header"]
    rows = {r.cells[0].text: [c.text for c in r.cells] for r in standards.rows[1:]}
    assert rows["公办园在园幼儿占比"][2:4] == ["1", "2"]           # 工农区 met it; 兴安区 and the hostile copy did not
    assert "41.49%" in rows["公办园在园幼儿占比"][4] and "工农区" not in rows["公办园在园幼儿占比"][4]
    assert rows["初中校际间综合差异系数"][2:4] == ["1", "2"] and "0.561" in rows["初中校际间综合差异系数"][4]
    assert rows["学前三年毛入园率"][2:4] == ["3", "0"]
    per = {r.cells[0].text: [c.text for c in r.cells] for r in districts.rows[1:]}
    from extractor.outputs.tables import district_names, read_duckdb
    docs = read_duckdb(out / "selfeval.duckdb")["documents"]
    names = district_names(docs)
    words = WORDS["verdict"]
    for doc, verdict, problems in zip(docs["doc"], docs["verdict"], docs["problems"]):   # as checks stored them
        assert per[names[doc]][2:4] == [words[verdict], str(problems)], doc
    assert per["工农区"][3] == "0"
    assert not d.inline_shapes                              # no second chart drawing beside the review site's


def test_hostile_report_text_is_plain_runs(out):
    path, _ = memo_of(out, "hostile-2024")
    assert path.resolve().parent == (out / "memos").resolve()
    for p in (out / "memos").glob("*.docx"):
        xml = zipfile.ZipFile(p).read("word/document.xml").decode("utf-8")
        assert not re.search(r"<w:(fldSimple|instrText|hyperlink|fldChar)\b", xml), p.name
    d = docx.Document(str(path))
    runs = [r.text for p in d.paragraphs for r in p.runs]
    assert any(r.startswith("“" + HOSTILE_LINE) for r in runs)          # quoted as it stands, as text


def test_names_from_content_stay_in_the_folder(out, tmp_path):
    """The issuer, county and title forced to a path traversal, NUL and CON in a copy of the database."""
    db = tmp_path / "copy.duckdb"
    shutil.copy(out / "selfeval.duckdb", db)
    con = duckdb.connect(str(db))
    con.execute("UPDATE documents SET issuer = ?, county = ?, city = '', title = ?",
                [HOSTILE_ISSUER, "某某县/../../../tmp/x区", "a\x00CON\x1b[31m"])
    con.close()
    target = tmp_path / "m"
    before = set(os.listdir(tmp_path))
    r = invoke("memo", db, "-o", target)
    assert r.returncode == 0, r.stderr
    assert set(os.listdir(tmp_path)) == before | {"m"}
    names = sorted(os.listdir(target))
    memos = [n for n in names if n.startswith("反馈意见-")]
    assert len(memos) == 3 and len(set(memos)) == 3
    for n in names:
        assert "/" not in n and ".." not in n and not re.search(r"[\x00-\x1f]", n)
        assert (target / n).resolve().parent == target.resolve()
    d = docx.Document(str(target / memos[0]))
    assert "\x00" not in d.paragraphs[3].text and "aCON[31m" in d.paragraphs[3].text


def test_memo_file_names_go_through_the_one_sanitizer():
    """Memo names use extractor.paths.safe_name with their suffix: unique with it, the stem capped, never outside."""
    from extractor.errors import InputError
    from extractor.paths import LIMIT, inside, safe_name
    taken = set()
    assert safe_name("CON", taken, suffix=".docx") == "_CON.docx"
    assert safe_name("CON", taken, suffix=".docx") == "_CON-2.docx"
    assert safe_name("CON", taken, suffix=".png") == "_CON.png"             # another suffix is another name
    assert "/" not in safe_name("../../etc/passwd", taken, suffix=".docx")
    assert len(safe_name("长" * 500, taken, suffix=".docx")) == LIMIT + len(".docx")
    with pytest.raises(InputError):
        inside(ROOT, "../x.docx")


def test_unknown_and_new_statuses_handled(out):
    """admitted shortfalls and open rectification are problems with their own groups; not-applicable and unknown
    statuses are neither."""
    from extractor.outputs import memo, tables
    t = tables.read_source(out)
    doc = next(d for d, r in docs_of(out).items() if r[2].endswith("gongnong-2024.md"))
    rows = t["findings"][t["findings"]["doc"] == doc].to_dict("records")
    base = rows[0]
    rows += [{**base, "rule": "admitted.shortfall", "status": "admitted", "indicator": "学校体育场地不足",
              "message": "报告自述学校体育场地不足", "raw": "体育场地不足", "start": 100, "end": 106},
             {**base, "rule": "rectification.found-fixed", "status": "fail", "indicator": "大班额",
              "message": "上年反馈的大班额问题尚未整改完成", "raw": "尚未完成", "start": 200, "end": 204},
             {**base, "rule": "x.na", "status": "not-applicable"},
             {**base, "rule": "x.new", "status": "some-new-status"}]
    d = t["documents"][t["documents"]["doc"] == doc].iloc[0].to_dict()
    document, n = memo.memo_document(d, rows, t["texts"][doc], memo._rules())
    assert n == 2
    heads = [p.text for p in document.paragraphs if p.style.name == "Heading 2"]
    assert heads == ["（一）报告自述的不足", "（二）整改尚未完成的问题"]
    recs = [p.text for p in document.paragraphs if re.match(r"\d\. 针对问题", p.text)]
    assert [r[:8] for r in recs] == ["1. 针对问题1", "2. 针对问题2"]


def test_memo_from_the_workbook(out, tmp_path):
    r = invoke("memo", out / "report.xlsx", "-o", tmp_path / "x")
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "x" / "反馈意见-兴安区-2023.docx").is_file()


@pytest.mark.slow
@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice not installed")
def test_libreoffice_converts_both_memos(out, tmp_path):
    path, _ = memo_of(out, "xingan-2024")
    memos = (path, out / "memos" / "汇总反馈意见.docx")
    r = subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/profile", "--headless", "--norestore",
                        "--convert-to", "pdf", "--outdir", str(tmp_path), *map(str, memos)],     # one LibreOffice, both
                       capture_output=True, text=True, timeout=240)
    assert r.returncode == 0, r.stderr
    for p in memos:
        pdf = tmp_path / (p.stem + ".pdf")
        assert pdf.is_file() and pdf.stat().st_size > 5000


@pytest.mark.slow
@pytest.mark.parametrize("stem", ["xingan-2024", "hostile-2024"])
def test_each_report_page_of_the_review_site_links_its_memo(out, tmp_path, stem):
    from urllib.parse import unquote
    path, doc = memo_of(out, stem)
    page = out / "review" / "docs" / f"{doc}.html"
    dom = chromium_dom(page.as_uri(), tmp_path)
    link = re.search(r'<p id="memo"[^>]*>\s*<a href="([^"]+)"', dom)
    assert link and 'id="memo" data-doc' in dom and "hidden" not in dom.split('id="memo"', 1)[1].split(">", 1)[0]
    target = (page.parent / unquote(link.group(1))).resolve()
    assert target == path.resolve() and target.is_file()


@pytest.mark.slow
def test_without_memos_the_report_page_shows_no_memo_link(seed_batch, tmp_path):
    o = tmp_path / "out"
    shutil.copytree(seed_batch, o)           # the seed's batch, made without --memo; this test adds a memos folder
    page = next((o / "review" / "docs").glob("*.html"))
    dom = chromium_dom(page.as_uri(), tmp_path)
    assert 'id="memo"' in dom and "hidden" in dom.split('id="memo"', 1)[1].split(">", 1)[0]
    # memos made when this id named another file link nothing either
    (o / "memos").mkdir()
    (o / "memos" / "memos.js").write_text('window.selfevalMemos = {"%s": {"memo": "x.docx", "path": "other.md"}};'
                                          % page.stem, encoding="utf-8")
    dom = chromium_dom(page.as_uri(), tmp_path)
    assert "hidden" in dom.split('id="memo"', 1)[1].split(">", 1)[0]
