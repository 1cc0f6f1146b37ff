"""`extract` and `batch` on a compilation: one document per report in every output, each scored against its
report's gold, with the file's pages; a changed compilation replaces all its parts, a removed one drops them."""
import json
import shutil
import subprocess
import sys

import pypdfium2 as pdfium
import pytest

from conftest import EVAL, ROOT
from helpers import batch_db, batch_here, extract

sys.path.insert(0, str(ROOT / "corpus"))
import build  # noqa: E402  corpus/build.py: the renderer for the sample corpus

REPORTS = ("xingan-2024.md", "r001.txt", "r026.txt")
STEMS = [n.split(".")[0] for n in REPORTS]
RUNNING = "县级人民政府履行教育职责自评报告"          # a running header that is itself a title


def _texts(names=REPORTS):
    return [(EVAL / "docs" / n).read_text(encoding="utf-8") for n in names]


def _jsonl(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _as_gold_docs(facts, docs, shifts, out):
    """The facts of each part under its report's gold id, offsets moved back to the report's text."""
    with out.open("w", encoding="utf-8") as f:
        for x in facts:
            i = docs.index(x["doc"])
            f.write(json.dumps(dict(x, doc=STEMS[i], start=x["start"] - shifts[i], end=x["end"] - shifts[i]),
                               ensure_ascii=False) + "\n")
    return out


def score_each(pred) -> dict:
    """score.py's F1 of each report's part against that report's gold alone."""
    out = {}
    for stem in STEMS:
        s = subprocess.run([sys.executable, str(EVAL / "score.py"), "--gold", str(EVAL / "gold" / f"{stem}.jsonl"),
                            "--pred", str(pred), "--json"], capture_output=True, text=True, timeout=300)
        assert s.returncode == 0, s.stderr
        out[stem] = json.loads(s.stdout)["f1"]
    return out


def _documents(con):
    return con.execute("SELECT doc, path, part, part_start, part_end, county, performance_year, pages "
                       "FROM documents ORDER BY path, part").fetchall()


def test_extract_gives_a_document_per_report_in_every_output(tmp_path):
    texts = _texts()
    comp = tmp_path / "compilation.md"
    comp.write_text("\n\n".join(texts), encoding="utf-8")
    facts = _jsonl(extract(comp, tmp_path / "f.jsonl"))
    docs = list(dict.fromkeys(f["doc"] for f in facts))
    assert docs == ["兴安区-2023", "方正县-2024", "compilation#3"]   # its county and year, else file and part
    import duckdb
    from extractor.outputs import tables
    con = duckdb.connect(str(extract(comp, tmp_path / "t.duckdb")), read_only=True)
    rows = _documents(con)
    con.close()
    assert [r[:3] for r in rows] == [(d, str(comp), n) for n, d in enumerate(docs, 1)]
    assert [(r[5], r[6]) for r in rows] == [("兴安区", 2023), ("方正县", 2024), ("", 2021)]
    assert [r[4] for r in rows] == [r[3] for r in rows[1:]] + [len(comp.read_text(encoding="utf-8"))]
    book = tables.read_excel(extract(comp, tmp_path / "t.xlsx"))
    assert list(book["documents"]["doc"]) == docs and set(book["facts"]["doc"]) == set(docs)
    f1 = score_each(_as_gold_docs(facts, docs, [r[3] for r in rows], tmp_path / "gold-ids.jsonl"))
    assert min(f1.values()) >= 0.97, f1


def _pdf(md: str, out):
    build.render_pdf(md, out, running_header=RUNNING)
    return out


def test_a_compilation_pdf_gives_each_report_its_facts_and_pages(tmp_path):
    alone = tmp_path / "alone"
    alone.mkdir()
    pdfs = [_pdf(t, alone / f"{s}.pdf") for t, s in zip(_texts(), STEMS)]
    merged = pdfium.PdfDocument.new()
    first_pages = []
    for p in pdfs:                       # each report begins on a page of its own, as bound compilations do
        first_pages.append(len(merged))
        merged.import_pages(pdfium.PdfDocument(str(p)))
    comp = tmp_path / "compilation.pdf"
    merged.save(str(comp))
    facts = _jsonl(extract(comp, tmp_path / "comp.jsonl"))
    single = _jsonl(extract(alone, tmp_path / "alone.jsonl"))
    docs = list(dict.fromkeys(f["doc"] for f in facts))
    assert len(docs) == 3
    for doc, stem, before in zip(docs, STEMS, first_pages):
        mine = [(f["kind"], f["value"], f["raw"], f["section"], f["page"] - before) for f in facts if f["doc"] == doc]
        its = [(f["kind"], f["value"], f["raw"], f["section"], f["page"]) for f in single if f["doc"] == stem]
        assert mine == its, stem                    # the same facts, on the pages of the compilation
    pages = [doc.get_textpage().get_text_range().replace("\r\n", "").replace(" ", "") for doc in pdfium.PdfDocument(str(comp))]
    on_page = [f["raw"].replace(" ", "") in pages[f["page"] - 1] + pages[min(f["page"], len(pages) - 1)] for f in facts]
    assert sum(on_page) >= 0.97 * len(facts)
    import duckdb
    con = duckdb.connect(str(extract(comp, tmp_path / "t.duckdb")), read_only=True)
    rows = _documents(con)
    con.close()
    f1 = score_each(_as_gold_docs(facts, docs, [r[3] for r in rows], tmp_path / "gold-ids.jsonl"))
    assert min(f1.values()) >= 0.97, f1
    n_pages = [len(pdfium.PdfDocument(str(p))) for p in pdfs]
    assert [r[7] for r in rows] == n_pages       # each part spans its report's pages


@pytest.mark.slow
def test_batch_stores_a_document_per_report_and_replaces_or_drops_them_together(tmp_path):
    folder, out = tmp_path / "in", tmp_path / "out"
    folder.mkdir()
    comp = folder / "compilation.md"
    comp.write_text("\n\n".join(_texts()), encoding="utf-8")
    shutil.copy(EVAL / "docs" / "r010.txt", folder / "r010.txt")
    r = batch_here(folder, out, "-j", "1", "-q")
    assert r.returncode == 0, r.stderr
    con = batch_db(out)
    rows = _documents(con)
    files = con.execute("SELECT path, doc, part, sha256 FROM files ORDER BY path, part").fetchall()
    inconsistent = con.execute("SELECT count(*) FROM findings WHERE status = 'inconsistent'").fetchone()[0]
    sub = con.execute("SELECT doc FROM submissions WHERE path = 'compilation.md'").fetchone()[0]
    part2 = con.execute("SELECT text FROM texts WHERE doc = ?", [rows[1][0]]).fetchone()[0]
    raw2 = con.execute("SELECT raw FROM facts WHERE doc = ? ORDER BY start LIMIT 1", [rows[1][0]]).fetchone()[0]
    con.close()
    assert [(r[1], r[2], r[5], r[6]) for r in rows] == [
        ("compilation.md", 1, "兴安区", 2023), ("compilation.md", 2, "方正县", 2024), ("compilation.md", 3, "", 2021),
        ("r010.txt", None, "", None)]
    assert len({r[0] for r in rows}) == 4 and rows[0][0] == "兴安区-2023"
    assert [f[2] for f in files[:3]] == [1, 2, 3] and len({f[3] for f in files[:3]}) == 1   # one file, one sha
    assert inconsistent == 0
    assert sub == ";".join(r[0] for r in rows[:3])
    assert part2.strip() == _texts()[1].strip()
    page = (out / "review" / "docs" / f"{rows[1][0]}.html").read_text(encoding="utf-8")
    assert f">{raw2}</mark>" in page                  # the part's text, its facts marked at their offsets

    comp.write_text("\n\n".join(_texts(REPORTS[:2])), encoding="utf-8")         # one report taken out
    assert batch_here(folder, out, "-j", "1", "-q").returncode == 0
    con = batch_db(out)
    rows = _documents(con)
    left = con.execute("SELECT count(*) FROM facts WHERE doc NOT IN (SELECT doc FROM documents)").fetchone()[0]
    con.close()
    assert [(r[1], r[2]) for r in rows] == [("compilation.md", 1), ("compilation.md", 2), ("r010.txt", None)]
    assert left == 0

    comp.unlink()
    assert batch_here(folder, out, "-j", "1", "-q").returncode == 0
    con = batch_db(out)
    assert [r[1] for r in _documents(con)] == ["r010.txt"]
    assert con.execute("SELECT count(*) FROM files WHERE path = 'compilation.md'").fetchone()[0] == 0
    assert con.execute("SELECT count(*) FROM texts").fetchone()[0] == 1
    con.close()


def _stored_parts(folder, out):
    """{doc: stored result blob} of a batch over folder."""
    r = batch_here(folder, out)
    assert r.returncode == 0, r.stderr
    con = batch_db(out)
    try:
        return dict(con.execute("SELECT doc, result FROM files WHERE status = 'ok'").fetchall())
    finally:
        con.close()


def test_each_stored_part_holds_its_own_report_not_the_whole_file(tmp_path):
    """A city's compilation of many reports: each part's stored result (what a re-check reads and the
    batch sends between processes) holds its own report's text, blank elsewhere, not N copies of the file."""
    from extractor.pipeline import from_stored
    d = tmp_path / "in"
    d.mkdir()
    (d / "compilation.md").write_text("\n\n".join(_texts()[i % 3] for i in range(6)), encoding="utf-8")
    blobs = _stored_parts(d, tmp_path / "out")
    assert len(blobs) == 6
    for blob in blobs.values():
        res = from_stored(blob)
        whole, p = res.source.text, res.part
        assert (whole[:p.start] + whole[p.end:]).strip() == "" and whole[p.start:p.end] == res.text
        assert res.norm.original is whole or res.norm.original == whole
        assert res.facts and all(whole[f.start:f.end] == f.raw for f in res.facts)
    seed = _texts()[0].strip()
    first = min((from_stored(b) for b in blobs.values()), key=lambda r: r.part.start)
    assert first.text.strip()[:200] == seed[:200]
