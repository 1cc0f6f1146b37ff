"""Hostile files are refused with one line naming the cause, before they cost memory or hours."""
import resource
import struct
import subprocess
import sys
import zipfile
import zlib

import pypdfium2 as pdfium
import pytest

from conftest import ROOT, SEED

sys.path.insert(0, str(ROOT / "corpus"))
import build  # noqa: E402

DOCX = ROOT / "corpus" / "xingan-2024.docx"


def run_limited(path):
    """cli.py extract with 2 GiB of address space (virtual: the interpreter with its libraries maps ~1 GiB
    before reading anything) and 60 s."""
    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (2 * 2**30, 2 * 2**30))
    r = subprocess.run([sys.executable, str(ROOT / "cli.py"), "--lang", "en", "extract", str(path)],   # causes as stored
                       capture_output=True, text=True, timeout=60, preexec_fn=limit)
    lines = [l for l in r.stderr.splitlines() if l.strip()]
    assert r.returncode != 0 and "Traceback" not in r.stderr and "internal error" not in r.stderr, r.stderr
    assert len(lines) == 1 and str(path) in lines[0], r.stderr
    return lines[0]


def test_docx_whose_document_inflates_to_1_gib(tmp_path):
    bomb = tmp_path / "bomb.docx"
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
    assert bomb.stat().st_size < 8 * 2**20
    assert "refused: 'word/document.xml' would inflate to 1,024 MB" in run_limited(bomb)


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


def test_pdf_of_20000_blank_pages_is_refused(tmp_path):
    pdf = pdfium.PdfDocument.new()
    for _ in range(20000):
        pdf.new_page(595, 842)
    out = tmp_path / "blank.pdf"
    pdf.save(str(out))
    assert "refused: 20,000 pages (a file of reports has at most 2000)" in run_limited(out)


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


def test_ofd_entity_expansion_and_zip_bomb_refused_under_limits(tmp_path):
    ofd = tmp_path / "lol.ofd"
    with zipfile.ZipFile(ofd, "w") as z:
        z.writestr("OFD.xml", '<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">'
                   + "".join(f'<!ENTITY {c} "' + f"&{p};" * 10 + '">' for p, c in zip("abcdefgh", "bcdefghi"))
                   + ']><OFD><DocBody><DocRoot>&i;</DocRoot></DocBody></OFD>')
    assert "declares XML entities" in run_limited(ofd)
