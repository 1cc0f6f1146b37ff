"""PDF, scanned PDF, image and DOCX renderings of the development documents give the facts text gives."""
import json
import subprocess
import sys

import pypdfium2 as pdfium
import pytest

from conftest import ROOT, EVAL, SEED
from helpers import extract, fact_key, facts_of, invoke, scan_pdf, score, seed_head

sys.path.insert(0, str(ROOT / "corpus"))
import build  # noqa: E402  corpus/build.py: the renderer for the sample corpus

RUNNING = "县级人民政府履行教育职责自评报告"


def _docs():
    return sorted(p for p in (EVAL / "docs").iterdir() if p.suffix in (".txt", ".md"))


def _render(tmp_path, how):
    d = tmp_path / how
    d.mkdir()
    for p in _docs():
        md = p.read_text(encoding="utf-8")
        if how == "pdf":
            build.render_pdf(md, d / f"{p.stem}.pdf", running_header=RUNNING)
        elif how == "justified":
            build.render_pdf_justified(md, d / f"{p.stem}.pdf")
        elif how == "docx":
            build.render_docx(md, d / f"{p.stem}.docx")
        else:
            build.render_scan_pdf(md, d / f"{p.stem}.pdf", running_header=RUNNING)
    return d


def test_text_pdf_scores_as_text(tmp_path, dev_scores):          # dev_scores: the same documents as text (conftest)
    res = score(extract(_render(tmp_path, "pdf"), tmp_path / "pdf.jsonl"))
    assert abs(res["f1"] - dev_scores["f1"]) <= 0.02
    assert abs(res["section"]["accuracy"] - dev_scores["section"]["accuracy"]) <= 0.02


def test_pdf_from_another_generator_scores_as_text(tmp_path, dev_scores):
    res = score(extract(_render(tmp_path, "justified"), tmp_path / "justified.jsonl"))
    assert abs(res["f1"] - dev_scores["f1"]) <= 0.02
    assert abs(res["section"]["accuracy"] - dev_scores["section"]["accuracy"]) <= 0.02


def test_docx_scores_as_text(tmp_path, dev_scores):
    res = score(extract(_render(tmp_path, "docx"), tmp_path / "docx.jsonl"))
    assert abs(res["f1"] - dev_scores["f1"]) <= 0.02


@pytest.mark.slow
def test_scanned_pdf_through_ocr(tmp_path):
    res = score(extract(_render(tmp_path, "scan"), tmp_path / "scan.jsonl"))
    assert res["f1"] >= 0.93


def test_pdf_pages_headers_and_page_numbers(tmp_path):
    pdf = tmp_path / "xingan-2024.pdf"
    n = build.render_pdf(SEED.read_text(encoding="utf-8"), pdf, running_header=RUNNING, red_header="鹤岗市兴安区人民政府文件")
    facts = [json.loads(l) for l in extract(pdf, tmp_path / "f.jsonl").read_text(encoding="utf-8").splitlines()]
    assert not any(RUNNING in f["sentence"] for f in facts)          # running header gone
    assert not any(f["raw"].strip("— ") == str(f["value"]) and "—" in f["sentence"] for f in facts)
    doc = pdfium.PdfDocument(str(pdf))
    for raw in ("91805元", "0.561", "2394万元"):
        f = next(x for x in facts if x["raw"] == raw)
        page_text = doc[f["page"] - 1].get_textpage().get_text_range().replace("\r\n", "")
        assert raw in page_text, (raw, f["page"])
    assert max(f["page"] for f in facts) == n
    pay = next(f for f in facts if f["raw"] == "91805元")
    assert pay["section"] == 5 and pay["item"] == 12


def _reportlab_pdf(path, draw):
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas
    if "CJK" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("CJK", build.cjk_font(), subfontIndex=0))
    c = canvas.Canvas(str(path), pagesize=(595, 842))
    c.setFont("CJK", 14)
    draw(c)
    c.showPage()
    c.save()


def test_number_split_at_line_end_and_fake_bold(tmp_path):
    pdf = tmp_path / "split.pdf"

    def draw(c):
        x = 72
        for ch in "鹤岗市兴安区人民政府文件":                      # fake bold: each glyph twice
            c.drawString(x, 780, ch)
            c.drawString(x + 0.4, 780, ch)
            x += 14
        c.drawString(100, 740, "一、基本情况")
        c.drawString(100, 710, "兴安区时刻关注学校在发展中遇到的困难，投入资金1.")
        c.drawString(72, 686, "1万元维修大陆南小学校门前的路灯，有效地促进了教育发展。")
    _reportlab_pdf(pdf, draw)
    facts = [json.loads(l) for l in extract(pdf, tmp_path / "f.jsonl").read_text(encoding="utf-8").splitlines()]
    money = [f for f in facts if f["kind"] == "money"]
    assert [f["value"] for f in money] == [11000]
    assert money[0]["raw"] == "1.1万元"
    r = subprocess.run([sys.executable, "-c", f"import sys; sys.path.insert(0, {str(ROOT)!r});"
                        f"from extractor.readers.ingest import read; print(read({str(pdf)!r}).text)"],
                       capture_output=True, text=True)
    assert "鹤岗市兴安区人民政府文件" in r.stdout and "鹤鹤" not in r.stdout


def test_pdf_table_cells_take_their_headers(tmp_path):
    from reportlab.platypus import Table
    pdf = tmp_path / "table.pdf"

    def draw(c):
        c.drawString(72, 780, "4.县域学前教育普及普惠发展推进情况。主要指标如下：")
        t = Table([["指标", "2023年"], ["学前三年毛入园率", "97.40%"], ["公办园在园幼儿占比", "41.49%"],
                   ["在园幼儿（人）", "899"]], colWidths=[200, 120])
        t.setStyle([("FONT", (0, 0), (-1, -1), "CJK", 12), ("GRID", (0, 0), (-1, -1), 0.8, "black")])
        t.wrapOn(c, 400, 400)
        t.drawOn(c, 72, 620)
    _reportlab_pdf(pdf, draw)
    facts = [json.loads(l) for l in extract(pdf, tmp_path / "f.jsonl").read_text(encoding="utf-8").splitlines()]
    byraw = {f["raw"]: f for f in facts}
    assert byraw["97.40%"]["indicator"] == "学前三年毛入园率" and byraw["97.40%"]["period"] == "2023"
    assert byraw["41.49%"]["indicator"] == "公办园在园幼儿占比"
    assert byraw["899人"]["value"] == 899 and byraw["899人"]["indicator"] == "在园幼儿"


def test_docx_table_and_headings(tmp_path):
    p = tmp_path / "r.docx"
    build.render_docx(SEED.read_text(encoding="utf-8"), p, table=build.SEED_TABLE,
                      table_after="认真开展普惠性民办幼儿园的认定和奖补工作")
    facts = [json.loads(l) for l in extract(p, tmp_path / "f.jsonl").read_text(encoding="utf-8").splitlines()]
    table = [f for f in facts if f["sentence"].startswith("2023年学前三年毛入园率")]
    assert table and table[0]["value"] == 97.4 and table[0]["period"] == "2023" and table[0]["section"] == 3
    assert all(f["page"] is None for f in facts)
    clubs = next(f for f in facts if f["raw"] == "54个")
    assert clubs["period"] == "2024"          # from 二、2024年重点工作推进落实, not the two-year title above it


@pytest.mark.slow
def test_image_is_read_by_ocr(tmp_path):
    img = build.render_images(SEED.read_text(encoding="utf-8"), running_header=RUNNING)[2]
    p = tmp_path / "page.png"
    img.save(p)
    facts = [json.loads(l) for l in extract(p, tmp_path / "f.jsonl").read_text(encoding="utf-8").splitlines()]
    raws = {f["raw"].replace(" ", "") for f in facts}
    assert {"85.71%", "97.40%", "899人", "41.49%"} <= raws
    assert all(f["page"] == 1 for f in facts)


def _run(*args):
    return subprocess.run([sys.executable, str(ROOT / "cli.py"), *map(str, args)], capture_output=True, text=True,
                          timeout=600)


def test_bad_pdfs_get_one_line_each_and_the_folder_goes_on(tmp_path):
    from reportlab.pdfgen import canvas
    good = tmp_path / "good.pdf"
    build.render_pdf(SEED.read_text(encoding="utf-8"), good)
    enc = tmp_path / "encrypted.pdf"
    c = canvas.Canvas(str(enc), encrypt="secret")
    c.drawString(72, 720, "hello")
    c.save()
    (tmp_path / "corrupt.pdf").write_bytes(b"%PDF-1.4\n" + bytes(range(256)) * 10)
    data = good.read_bytes()
    (tmp_path / "truncated.pdf").write_bytes(data[: len(data) // 3])
    (tmp_path / "empty.pdf").write_bytes(b"")
    (tmp_path / "notes.odt").write_bytes(b"PK\x03\x04")
    r = _run("extract", tmp_path, "-o", tmp_path / "out.jsonl")
    assert r.returncode == 1 and "Traceback" not in r.stderr
    err = r.stderr.splitlines()
    for name, cause in [("encrypted.pdf", "PDF 已加密"), ("corrupt.pdf", "已损坏"), ("truncated.pdf", ""),
                        ("empty.pdf", "空文件")]:
        lines = [l for l in err if name in l]
        assert len(lines) == 1 and cause in lines[0], (name, err)
    docs = {json.loads(l)["doc"] for l in (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()}
    assert docs == {"good"}


def test_ocr_never_and_missing_engine(tmp_path):
    scan = tmp_path / "scan.pdf"
    build.render_scan_pdf("一、基本情况\n\n区域内在园幼儿共 899 人。", scan)
    r = invoke("extract", scan, "--ocr", "never")           # in this process: the line is tested
    assert r.returncode != 0 and "PDF 中没有文字" in r.stderr and "--ocr never" in r.stderr
    # The same file on a machine without the OCR engine: a clear line with the install command.
    code = ("import sys; sys.modules['rapidocr'] = None; sys.argv = ['selfeval', 'extract', %r];"
            "sys.path.insert(0, %r); import cli; cli.main()") % (str(scan), str(ROOT))
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode != 0 and "pip install rapidocr onnxruntime" in r.stderr and "Traceback" not in r.stderr


def test_docx_heading_styles_segment_without_markers(tmp_path):
    import docx
    d = docx.Document()
    d.add_heading("兴安区人民政府履行教育职责自评报告", 0)
    for title, body in [("党对教育工作的全面领导", "区委常委会专题研究教育工作3次。"),
                        ("教育经费保障", "2023年一般公共预算教育支出增长1.98%。"),
                        ("基础教育", "普惠性幼儿园覆盖率85.71%。")]:
        d.add_heading(title, 2)
        d.add_paragraph(body)
    d.add_heading("存在问题", 2)
    d.add_paragraph("部分学校有3处隐患。")
    p = tmp_path / "styled.docx"
    d.save(p)
    facts = {f["raw"]: f for f in map(json.loads, extract(p, tmp_path / "f.jsonl").read_text(encoding="utf-8").splitlines())}
    assert [facts[r]["section"] for r in ("3次", "1.98%", "85.71%", "3处")] == [1, 2, 3, None]
    assert facts["3处"]["heading"] == "存在问题"


@pytest.mark.slow
def test_rotated_scan_gives_the_facts_of_its_text(tmp_path):
    md, src = seed_head(tmp_path)                  # two pages
    scan = scan_pdf(build.render_images(md, dpi=150, rotate=2.5, seed=3), tmp_path / "part.pdf")
    assert fact_key(facts_of(scan, tmp_path / "scan.jsonl")) == fact_key(facts_of(src, tmp_path / "text.jsonl"))


def test_docx_automatic_numbering_marks_items(tmp_path):
    import docx
    d = docx.Document()
    d.add_paragraph("鹤岗市兴安区人民政府2023年履行教育职责自评报告")
    d.add_paragraph("按照评价方案要求，围绕九方面22项内容进行自评。")
    d.add_heading("教育经费保障", 2)
    d.add_paragraph("教育投入“两个只增不减”落实情况。2023年一般公共预算教育支出增长1.98%。", style="List Number")
    d.add_paragraph("教育投入“事权划分”落实情况。投入3万元维修路灯。", style="List Number")
    d.add_heading("基础教育", 2)
    d.add_paragraph("县域学前教育普及普惠发展推进情况。普惠性幼儿园覆盖率85.71%。", style="List Number")
    p = tmp_path / "numbered.docx"
    d.save(p)
    facts = {f["raw"]: f for f in map(json.loads, extract(p, tmp_path / "f.jsonl").read_text(encoding="utf-8").splitlines())}
    assert [(facts[r]["section"], facts[r]["item"]) for r in ("1.98%", "3万元", "85.71%")] == [(2, 2), (2, 3), (3, 4)]
