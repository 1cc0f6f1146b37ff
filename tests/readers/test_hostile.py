"""Hostile files are refused with one line naming the cause, before they cost memory or hours."""
import json
import resource
import struct
import subprocess
import sys
import zipfile
import zlib

import pypdfium2 as pdfium
import pytest

from conftest import ROOT, SEED
from helpers import flipped_pdf, invoke

sys.path.insert(0, str(ROOT / "corpus"))
import build  # noqa: E402

DOCX = ROOT / "corpus" / "xingan-2024.docx"


def run_limited(path, lang="en"):
    """cli.py extract with 2 GiB of address space (virtual: the interpreter with its libraries maps ~1 GiB
    before reading anything) and 60 s; in English (the causes as stored) unless lang="zh", the default."""
    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (2 * 2**30, 2 * 2**30))
    r = subprocess.run([sys.executable, str(ROOT / "cli.py"), "--lang", lang, "extract", str(path)],
                       capture_output=True, text=True, timeout=60, preexec_fn=limit)
    lines = [l for l in r.stderr.splitlines() if l.strip()]
    assert r.returncode != 0 and "Traceback" not in r.stderr and "internal error" not in r.stderr, r.stderr
    assert len(lines) == 1 and str(path) in lines[0], r.stderr
    return lines[0]


def in_chinese(path):
    """The same refusal in the inspector's language, by `extract --lang zh` in this process: run_limited has already
    run the file in a process of its own under the limits, in English; here only the words are tested."""
    r = invoke("extract", path, "--lang", "zh")
    lines = [l for l in r.stderr.splitlines() if l.strip()]
    assert r.returncode != 0 and len(lines) == 1 and str(path) in lines[0], r.stderr
    return lines[0]


def docx_bomb(bomb):
    with zipfile.ZipFile(DOCX) as src, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        for info in src.infolist():
            if info.filename != "word/document.xml":
                z.writestr(info, src.read(info))
        with z.open("word/document.xml", "w", force_zip64=True) as f:
            f.write(b'<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/'
                    b'2006/main"><w:body><w:p><w:r><w:t>')
            block = b"a" * (1 << 20)
            for _ in range(1024):
                f.write(block)
    return bomb


def test_docx_whose_document_inflates_to_1_gib(tmp_path):
    bomb = docx_bomb(tmp_path / "bomb.docx")
    assert bomb.stat().st_size < 8 * 2**20
    assert run_limited(bomb) == (f"selfeval: {bomb}: refused: 'word/document.xml' would inflate to 1,024 MB "
                                 "(limit 64 MB), a zip bomb or not a report")
    assert in_chinese(bomb) == (f"selfeval: {bomb}: 已拒绝：“word/document.xml”解压后将有 1,024 MB"
                                "（上限 64 MB），是压缩炸弹或不是报告")


def _png_header(width, height) -> bytes:
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00" * 1000)) + chunk(b"IEND", b""))


@pytest.mark.parametrize("w,h,mp", [(40000, 40000, "1600.0"), (10000, 10000, "100.0")])
def test_image_decompression_bomb(tmp_path, w, h, mp):
    png = tmp_path / f"bomb-{w}.png"
    png.write_bytes(_png_header(w, h))
    line = run_limited(png)
    assert f"refused: image of {mp} megapixels (limit 80 megapixels)" in line
    assert f"已拒绝：图像有 {mp} 百万像素（上限 80 百万像素）" in in_chinese(png)


def blank_pdf(out, pages=20000):
    pdf = pdfium.PdfDocument.new()
    for _ in range(pages):
        pdf.new_page(595, 842)
    pdf.save(str(out))
    return out


def test_pdf_of_20000_blank_pages_is_refused(tmp_path):
    out = blank_pdf(tmp_path / "blank.pdf")
    assert "refused: 20,000 pages (a file of reports has at most 2000)" in run_limited(out)
    assert "已拒绝：共 20,000 页（一个报告文件最多 2000 页）" in in_chinese(out)


def test_blank_pages_are_not_ocrd(tmp_path):
    """A text PDF with blank pages in it stays a text PDF: the blank pages never went to OCR."""
    text_pdf = tmp_path / "t.pdf"
    build.render_pdf(SEED.read_text(encoding="utf-8"), text_pdf)
    pdf = pdfium.PdfDocument(str(text_pdf))
    for at in (0, 5, len(pdf)):
        pdf.new_page(595, 842, index=at)
    mixed = tmp_path / "with-blanks.pdf"
    pdf.save(str(mixed))
    from extractor.readers.ingest import read
    src = read(mixed)
    assert src.input_kind == "pdf" and "普惠性幼儿园覆盖率" in src.text
    assert len(src.page_starts) == len(pdf) - 1


def entity_ofd(ofd):
    with zipfile.ZipFile(ofd, "w") as z:
        z.writestr("OFD.xml", '<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">'
                   + "".join(f'<!ENTITY {c} "' + f"&{p};" * 10 + '">' for p, c in zip("abcdefgh", "bcdefghi"))
                   + ']><OFD><DocBody><DocRoot>&i;</DocRoot></DocBody></OFD>')
    return ofd


def test_ofd_entity_expansion_and_zip_bomb_refused_under_limits(tmp_path):
    ofd = entity_ofd(tmp_path / "lol.ofd")
    assert "declares XML entities" in run_limited(ofd)
    assert "声明了 XML 实体" in in_chinese(ofd)


PDF = ROOT / "corpus" / "xingan-2024.pdf"



def test_pdf_with_flipped_bytes_gives_the_facts_of_the_other_pages(tmp_path):
    good = tmp_path / "good.pdf"
    good.write_bytes(PDF.read_bytes())
    bad = flipped_pdf(tmp_path / "flipped.pdf", [5, 9])
    cmd = [sys.executable, str(ROOT / "cli.py"), "--lang", "en", "extract"]
    whole = invoke("extract", good)                 # the undamaged file's facts, to compare with: in this process
    r = subprocess.run(cmd + [str(bad)], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0 and "Traceback" not in r.stderr, r.stderr
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert lines == [f"{bad}: 2 of 13 pages could not be read (damaged: pages 5, 9); the facts come from the other pages"]
    zh = subprocess.run([sys.executable, str(ROOT / "cli.py"), "extract", str(bad)], capture_output=True, text=True,
                        timeout=300)
    assert [ln for ln in zh.stderr.splitlines() if ln.strip()] == [
        f"{bad}: 共 13 页中有 2 页无法读取（已损坏：第 5, 9 页）；数据取自其余各页"]
    assert zh.stdout == r.stdout
    got = [json.loads(ln) for ln in r.stdout.splitlines()]
    ref = [json.loads(ln) for ln in whole.stdout.splitlines()]
    assert {f["page"] for f in got} & {5, 9} == set()
    # Every fact of the whole file on a page away from the damage is found again, on its page.
    key = lambda f: (f["kind"], f["raw"], f["page"])  # noqa: E731
    far = {key(f) for f in ref if f["page"] not in (4, 5, 6, 8, 9, 10)}
    assert far and far <= {key(f) for f in got}


def test_pdf_with_every_page_damaged_is_one_line(tmp_path):
    bad = flipped_pdf(tmp_path / "all.pdf", range(1, 14))
    assert run_limited(bad).endswith("corrupt PDF: none of its 13 pages could be read")
    assert in_chinese(bad).endswith("PDF 已损坏：13 页都无法读取")


@pytest.mark.slow
def test_batch_over_the_hostile_files_and_one_good_report(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    (d / "good.md").write_bytes(SEED.read_bytes())
    docx_bomb(d / "bomb.docx")
    entity_ofd(d / "entities.ofd")
    (d / "huge.png").write_bytes(_png_header(40000, 40000))
    blank_pdf(d / "blank.pdf")
    flipped_pdf(d / "flipped.pdf", range(1, 14))
    out = tmp_path / "out"
    r = subprocess.run([sys.executable, str(ROOT / "cli.py"), "batch", str(d), "-o", str(out), "--jobs", "2"],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 1 and "Traceback" not in r.stderr + r.stdout, r.stderr
    import duckdb
    con = duckdb.connect(str(out / "selfeval.duckdb"), read_only=True)
    try:
        docs = [x[0] for x in con.execute("SELECT regexp_extract(path, '[^/]+$') FROM documents").fetchall()]
        errors = dict(con.execute("SELECT regexp_extract(path, '[^/]+$'), kind FROM errors").fetchall())
        n_facts = con.execute("SELECT count(*) FROM facts").fetchone()[0]
    finally:
        con.close()
    assert docs == ["good.md"] and n_facts > 50
    assert errors == {"bomb.docx": "too-large", "entities.ofd": "corrupt", "huge.png": "too-large",
                      "blank.pdf": "too-large", "flipped.pdf": "corrupt"}


def _docx_with_part(out, name, text):
    with zipfile.ZipFile(DOCX) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for item in src.infolist():
            z.writestr(item, text if item.filename == name else src.read(item.filename))
    return out


@pytest.mark.parametrize("make,zh", [
    (lambda p: p.with_suffix(".pdf").write_bytes(b"%PDF-1.4\n" + bytes(range(256)) * 8) and p.with_suffix(".pdf"),
     "PDF 已损坏或不完整（数据格式错误）"),
    (lambda p: _docx_with_part(p.with_suffix(".docx"), "word/document.xml", "<w:document><unclosed"),
     "Word .docx 文件已损坏（第 1 行的 XML 格式错误）"),
    (lambda p: _docx_with_part(p.with_suffix(".docx"), "[Content_Types].xml", "<Types/>"),
     "Word .docx 文件已损坏（文档各部件对不上）"),
    (lambda p: _docx_with_part(p.with_suffix(".docx"), "[Content_Types].xml", zipfile.ZipFile(DOCX).read(
        "[Content_Types].xml").replace(b"wordprocessingml.document.main+xml", b"spreadsheetml.sheet.main+xml")),
     "Word .docx 文件已损坏或不是 .docx（压缩包中没有 Word 文档）"),
])
def test_a_damaged_file_says_what_broke_in_the_inspectors_language(tmp_path, make, zh):
    line = run_limited(make(tmp_path / "damaged"), lang="zh")
    assert line.endswith(zh), line
