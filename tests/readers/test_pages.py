"""Pages as they come: two columns read column by column, running headers and footers dropped, a table
that runs onto the next page read as one table. Each PDF is real (corpus/build.py draws it with reportlab)."""
import json
import subprocess
import sys

import pytest

from conftest import EVAL, ROOT, SEED
from helpers import extract

sys.path.insert(0, str(ROOT / "corpus"))
import build  # noqa: E402

HEADER = "鹤岗市兴安区人民政府\t第{n}页 共{total}页"
# A county whose name holds a numeral, at the left on even pages and at the right on odd ones.
NUMERAL_HEADERS = ("新疆生产建设兵团第八师石河子市\t第{n}页 共{total}页", "第{n}页 共{total}页\t2024年履行教育职责自评报告")


def score(pred) -> dict:
    """score.py against the seed's gold alone."""
    s = subprocess.run([sys.executable, str(EVAL / "score.py"), "--gold", str(EVAL / "gold" / f"{SEED.stem}.jsonl"),
                        "--pred", str(pred), "--json"], capture_output=True, text=True, timeout=300)
    assert s.returncode == 0, s.stderr
    return json.loads(s.stdout)


def _facts(path, tmp_path, name="f.jsonl"):
    return [json.loads(line) for line in extract(path, tmp_path / name).read_text(encoding="utf-8").splitlines()]


def _squeeze(s: str) -> str:
    return "".join(s.split())


def _on_its_page(fact, pages: list[str]) -> bool:
    """The fact's page holds its words, or the page break runs through them."""
    raw, p = _squeeze(fact["raw"]), fact["page"]
    where = [n for n, t in enumerate(pages, 1) if raw in t]
    if where:
        return p in where
    return any(raw in pages[n - 1][-30:] + pages[n][:30] and p in (n, n + 1) for n in range(1, len(pages)))


@pytest.mark.parametrize("by_row", [True, False], ids=["drawn-row-by-row", "drawn-column-by-column"])
def test_two_column_pdf_gives_the_facts_of_its_text(tmp_path, by_row):
    """The seed set in two columns under a head across the page: the same facts as its text, on their pages.
    Drawn row by row, pdfium's text runs across the gutter (left line, right line); it must be cut there."""
    d = tmp_path / "in"
    d.mkdir()
    pages = build.render_pdf_columns(SEED.read_text(encoding="utf-8"), d / f"{SEED.stem}.pdf", span=4,
                                     running_header=HEADER, by_row=by_row)
    assert len(pages) >= 5
    _facts_of_the_text_on_their_pages(d, pages, tmp_path)


def _facts_of_the_text_on_their_pages(d, pages, tmp_path):
    out = extract(d, tmp_path / "facts.jsonl")
    res = score(out)
    assert res["f1"] >= 0.97, res
    assert res["section"]["accuracy"] >= 0.97, res["section"]
    facts = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    texts = [_squeeze(t) for t in pages]
    wrong = [(f["raw"], f["page"]) for f in facts if not _on_its_page(f, texts)]
    assert not wrong, wrong
    assert {f["page"] for f in facts} == set(range(1, len(pages) + 1))


@pytest.mark.slow
def test_two_column_scan_gives_the_facts_of_its_text(tmp_path):
    """The same two-column pages scanned (images only, read by OCR): the rows OCR finds are cut at the
    gutter too, and each column read down before the next."""
    import pypdfium2 as pdfium
    from helpers import scan_pdf
    pdf = tmp_path / "columns.pdf"
    pages = build.render_pdf_columns(SEED.read_text(encoding="utf-8"), pdf, span=4, running_header=HEADER)
    doc = pdfium.PdfDocument(str(pdf))
    images = [doc[i].render(scale=150 / 72).to_pil().convert("RGB") for i in range(len(doc))]
    doc.close()
    d = tmp_path / "in"
    d.mkdir()
    scan_pdf(images, d / f"{SEED.stem}.pdf")
    _facts_of_the_text_on_their_pages(d, pages, tmp_path)


def test_one_column_page_with_a_title_and_tables_is_not_split(tmp_path):
    """A centred title, a ruled table and label–number rows without rules (two 'columns' with a gap
    between): read row by row, each number with its label."""
    from reportlab.platypus import Table
    pdf = tmp_path / "tables.pdf"
    c = build._canvas(pdf)
    c.setFont("CJK", 18)
    c.drawCentredString(build.PAGE_W / 2, 780, "学前教育发展情况")
    c.setFont("CJK", 14)
    c.drawString(72, 740, "全区学前教育主要指标如下，各项指标均达到市定标准：")
    rows = [("学前三年毛入园率", "97.40%"), ("普惠性幼儿园覆盖率", "85.71%"), ("公办园在园幼儿占比", "41.49%"),
            ("幼儿园专任教师学历达标率", "96.30%"), ("区域内在园幼儿总数", "899人"), ("公办幼儿园在园幼儿数", "373人"),
            ("民办普惠性幼儿园数", "5所"), ("幼儿园保育教育质量达标率", "92.50%")]
    for i, (label, value) in enumerate(rows):
        c.drawString(72, 700 - 24 * i, label)
        c.drawString(400, 700 - 24 * i, value)
    t = Table([["学校", "在校生（人）", "专任教师（人）"], ["红旗一校", "800", "60"], ["大陆南小学", "450", "38"],
               ["峻德小学", "620", "47"]], colWidths=[180, 120, 120])
    t.setStyle([("FONT", (0, 0), (-1, -1), "CJK", 12), ("GRID", (0, 0), (-1, -1), 0.8, "black")])
    t.wrapOn(c, 450, 300)
    t.drawOn(c, 72, 360)
    c.setFont("CJK", 14)
    c.drawString(72, 320, "下一步，我区将继续扩大普惠性学前教育资源，提高保教质量。")
    c.showPage()
    c.save()
    from extractor.readers.ingest import read
    text = read(pdf).text
    for label, value in rows:
        assert f"{label} {value}" in text, (label, text)
    assert text.index("学前教育发展情况") < text.index("全区学前教育") < text.index("红旗一校") < text.index("下一步")
    facts = {f["raw"]: f for f in _facts(pdf, tmp_path)}
    assert facts["97.40%"]["indicator"] == "学前三年毛入园率"
    assert facts["800人"]["subject"] == "红旗一校" and facts["38人"]["subject"] == "大陆南小学"


def test_running_header_with_a_numeral_and_page_numbers_gives_no_fact(tmp_path):
    """A header naming a county with a numeral and 第N页 共M页 (left or right by page), a footer '- N -':
    none of it is text, no fact comes from it, and the facts are the seed's."""
    d = tmp_path / "in"
    d.mkdir()
    md = SEED.read_text(encoding="utf-8")
    n = build.render_pdf(md, d / f"{SEED.stem}.pdf", running_header=NUMERAL_HEADERS, footer="- {n} -")
    out = extract(d, tmp_path / "facts.jsonl")
    res = score(out)
    assert res["f1"] >= 0.97, res
    facts = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert not [f for f in facts if "第八师" in f["sentence"] or "共" + str(n) + "页" in _squeeze(f["sentence"])]
    assert not [f for f in facts if f["kind"] == "count" and f["unit"] == "页"]
    from extractor.readers.ingest import read
    src = read(d / f"{SEED.stem}.pdf")
    assert "第八师" not in src.text and f"共{n}页" not in _squeeze(src.text) and "- 3 -" not in src.text
    assert len(src.page_starts) == n - 1
    assert "一、政府履行教育职责自查自评开展情况" in src.text          # a heading that stands once is kept
    assert "2024年履行教育职责自评报告" not in _squeeze(src.text)


SCHOOLS = [["学校", "在校生（人）", "专任教师（人）", "班级数（个）"]] + [
    [f"第{i + 1}小学", str(300 + 17 * i), str(20 + i), str(6 + i % 9)] for i in range(60)]


@pytest.mark.parametrize("repeat", [True, False], ids=["header-repeated", "header-not-repeated"])
def test_table_across_page_breaks_is_one_table(tmp_path, repeat):
    """60 schools over three pages: every row's facts take the header's units and the row's school, on
    the row's page; the header drawn again on a page is not a row."""
    pdf = tmp_path / "schools.pdf"
    row_pages = build.render_table_pdf(pdf, "2024年辖区内各学校基本情况如下：", SCHOOLS, 24, repeat_header=repeat,
                                       running_header="兴安区教育局\t第{n}页")
    assert max(row_pages) == 3
    facts = _facts(pdf, tmp_path)
    assert not [f for f in facts if "学校在校生" in f["sentence"] or "（人）" in f["sentence"]]
    by_sentence = {}
    for f in facts:
        by_sentence.setdefault(f["sentence"], []).append(f)
    for (name, pupils, teachers, classes), page in zip(SCHOOLS[1:], row_pages):
        said = f"{name}在校生{pupils}人；{name}专任教师{teachers}人；{name}班级数{classes}个。"
        got = by_sentence.get(said)
        assert got, (said, sorted(by_sentence)[:3])
        assert sorted(f["raw"] for f in got) == sorted([f"{pupils}人", f"{teachers}人", f"{classes}个"])
        assert {f["page"] for f in got} == {page} and {f["subject"] for f in got} == {name}, got


def test_table_row_label_merged_over_the_break(tmp_path):
    """Each school over three rows (2022–2024) under one merged cell; the break falls inside a school's rows,
    whose rows on the next page show the merged cell empty. They keep the school, and the row cut
    in two by the break is one row."""
    rows = [["学校", "年度", "在校生（人）", "备注"]]
    names = ["红旗一校", "红旗二校", "大陆南小学", "峻德小学", "新华小学", "育才小学", "光明小学", "实验小学", "第三中学", "第四中学"]
    merged = []
    for i, name in enumerate(names):
        merged.append((len(rows) - 1, len(rows) + 1))
        rows += [[name, f"{y}年", str(300 + 17 * i + k), ""] for k, y in enumerate((2022, 2023, 2024))]
    # The last row of the first page runs on: its remark ends on the next page, the other cells empty there.
    rows[23][3] = "含东山"
    rows.insert(24, ["", "", "", "校区"])
    pdf = tmp_path / "merged.pdf"
    row_pages = build.render_table_pdf(pdf, "2022—2024年辖区内各学校在校生情况如下：", rows, 23,
                                       merged=[(a + (a > 22), b + (b >= 22)) for a, b in merged],
                                       widths=(150, 80, 110, 110))
    assert row_pages[22] == 1 and row_pages[23] == 2
    facts = _facts(pdf, tmp_path)
    pupils = {f["raw"]: f for f in facts if f["indicator"].endswith("在校生")}
    for k, year in enumerate((2022, 2023, 2024)):
        f = pupils[f"{300 + 17 * 7 + k}人"]                  # 实验小学: two rows on page 1, one on page 2
        assert f["sentence"].startswith("实验小学") and f["subject"] == "实验小学", f
        assert f["page"] == (1 if k < 2 else 2) and f["period"] == str(year)
    cut = pupils[f"{300 + 17 * 7 + 1}人"]["sentence"]
    assert "含东山校区" in cut and not [f for f in facts if f["sentence"].startswith("校区")]
    assert len(pupils) == 3 * len(names)
