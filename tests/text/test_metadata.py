"""Who sent a report and for which district: the examples of patterns/lexicon/metadata.corpus.yaml, one test each
(held-out ones written apart from the rules; one that says `why` is a strict known failure), and every document
the project has: the development documents, the seed, the corpus in each format, the compilation corpus."""
import pytest
import yaml

from conftest import EVAL, ROOT, SEED
from extractor import data
from extractor.pipeline import process_file
from extractor.text import compilation, metadata
from extractor.text.normalize import normalize
from corpus_rates import corpus_case_id, corpus_rates  # noqa: F401  (the summary of pass rates)
from extractor.data import LOADER        # libyaml's safe loader, as the program reads patterns/

CORPUS = yaml.load((data.PATTERNS_DIR / "lexicon" / "metadata.corpus.yaml").read_text(encoding="utf-8"), Loader=LOADER)
FIELDS = ("issuer", "province", "city", "county")


def _cases():
    for split in ("development", "held_out"):
        for i, ex in enumerate(CORPUS.get(split) or []):
            marks = [pytest.mark.xfail(strict=True, reason=ex["why"])] if ex.get("why") else []
            yield pytest.param(ex, id=corpus_case_id("metadata", split, i, ex["text"].split("\n")[0][:16]), marks=marks)


@pytest.mark.parametrize("ex", list(_cases()))
def test_issuer_and_district(ex):
    assert set(ex["expect"]) == set(FIELDS)
    doc = metadata.document(normalize(ex["text"]).text)
    assert {k: getattr(doc, k) for k in FIELDS} == ex["expect"]


# ---------------- every document the project has ----------------

GOLD2 = ROOT / "tests" / "data" / "gold2" / "docs"
XINGAN = ("鹤岗市兴安区人民政府", "黑龙江省", "鹤岗市", "兴安区")
NOTHING = ("", "", "", "")
# (issuer, province, city, county) as each text says them: "" where it does not (r006 and r029 are anonymised).
DOCUMENTS = {
    EVAL / "docs" / "r001.txt": ("", "", "哈尔滨市", "方正县"),        # 方正县对照…, sent to 哈尔滨市教育局
    EVAL / "docs" / "r006.txt": NOTHING,                                # **区人民政府
    EVAL / "docs" / "r010.txt": ("湖南省人民政府", "湖南省", "", ""),
    EVAL / "docs" / "r026.txt": ("天津市人民政府", "天津市", "", ""),
    EVAL / "docs" / "r029.txt": NOTHING,                                # __区委、区政府
    EVAL / "docs" / "xingan-2024.md": XINGAN,
    SEED: XINGAN,
    ROOT / "corpus" / "xingan-2024.md": XINGAN,
    ROOT / "corpus" / "xingan-2024.pdf": XINGAN,
    ROOT / "corpus" / "xingan-2024.docx": XINGAN,
    ROOT / "corpus" / "xingan-2024.ofd": XINGAN,
    ROOT / "corpus" / "xingan-2024-p3.png": ("兴安区人民政府", "", "", "兴安区"),      # one page: its title
    # OCR of its first and last page, which name no province (the whole report does, on other pages)
    ROOT / "corpus" / "xingan-2024-scan.pdf": ("鹤岗市兴安区人民政府", "", "鹤岗市", "兴安区"),
    # The second development gold (invented places): the city from the addressee, a province only where the text says it.
    GOLD2 / "g2-01.txt": ("桐岗县人民政府", "", "瑞泉市", "桐岗县"),
    GOLD2 / "g2-02.txt": ("沂阳市东湖区人民政府", "", "沂阳市", "东湖区"),
    GOLD2 / "g2-03.txt": ("青峪县人民政府", "四川省", "嘉岷市", "青峪县"),
    GOLD2 / "g2-04.txt": ("卫南县人民政府", "河南省", "淇阳市", "卫南县"),
    GOLD2 / "g2-05.txt": ("溪宁市人民政府", "", "越川市", "溪宁市"),
    GOLD2 / "g2-06.txt": ("白岚市北沟区人民政府", "", "白岚市", "北沟区"),
    GOLD2 / "g2-07.txt": ("石川县人民政府", "", "陇安市", "石川县"),
    GOLD2 / "g2-08.txt": ("融江县人民政府", "", "桂岭市", "融江县"),
}
# The compilation corpus (patterns/lexicon/compilation.corpus.yaml): each report of each compilation, by its first line.
PARTS = {
    "东山县人民政府文件": ("东山县人民政府", "", "", "东山县"),
    "西河区人民政府关于2023年履行教育职责情况的自评报告": ("西河区人民政府", "", "", "西河区"),
    "南湖县2023年度履行教育职责自评报告": ("", "", "", "南湖县"),
    "北岭市人民政府履行教育职责": ("北岭市人民政府", "", "北岭市", ""),
    "篇一：义务教育优质均衡发展自查自评报告": ("东山县人民政府", "", "", "东山县"),       # its sign-off
}


def _fields(doc) -> tuple:
    return tuple(getattr(doc, k) for k in FIELDS)


def test_every_document_of_the_project_is_listed():
    on_disk = {*sorted((EVAL / "docs").iterdir()), SEED, *GOLD2.iterdir(),
               *(p for p in (ROOT / "corpus").iterdir() if p.suffix != ".py" and p.name != "__pycache__")}
    assert on_disk == set(DOCUMENTS)


def _first_and_last_page(pdf, out):
    """A scanned report's head and sign-off: its first and last page as a file of their own (OCR of the whole
    scan is minutes; these two pages hold every line the issuer and district are read from)."""
    import pypdfium2 as pdfium
    src, dst = pdfium.PdfDocument(str(pdf)), pdfium.PdfDocument.new()
    dst.import_pages(src, [0, len(src) - 1])
    dst.save(str(out))
    return out


def _documents():
    """Every document; a scan or an image is OCR'd: marked slow."""
    for p in sorted(DOCUMENTS):
        ocr = p.name.endswith("-scan.pdf") or p.suffix in (".png", ".jpg", ".tif", ".bmp")
        yield pytest.param(p, id=p.name, marks=[pytest.mark.slow] if ocr else [])


@pytest.mark.parametrize("path", list(_documents()))
def test_issuer_and_district_of_every_document(path, tmp_path):
    read = _first_and_last_page(path, tmp_path / path.name) if path.name.endswith("-scan.pdf") else path
    results = process_file(read)
    assert len(results) == 1
    assert _fields(results[0].document) == DOCUMENTS[path]


COMPILATIONS = yaml.load((data.PATTERNS_DIR / "lexicon" / "compilation.corpus.yaml").read_text(encoding="utf-8"), Loader=LOADER)


@pytest.mark.parametrize("example", COMPILATIONS["split"], ids=lambda e: e["name"])
def test_issuer_and_district_of_each_report_of_a_compilation(example):
    text = "\n\n".join(COMPILATIONS["blocks"][b] for b in example["blocks"])
    for part in compilation.split(text):
        first = compilation._lines(text[part.start:part.end])[0].text
        assert _fields(metadata.document(normalize(text[part.start:part.end]).text)) == PARTS[first], first
