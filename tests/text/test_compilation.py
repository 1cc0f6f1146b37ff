"""A file that holds several reports becomes one document per report: where the cuts fall (the corpus of
patterns/lexicon/compilation.corpus.yaml), what never splits (the seed, the development documents), and that
each part of a compilation gives the facts, metadata, findings and pages its report gives alone."""
import sys

import pytest
import yaml

from conftest import EVAL, ROOT, SEED
from extractor.checks.rules import check, load_rules
from extractor.data import PATTERNS_DIR
from extractor.pipeline import process_file, process_path
from extractor.readers.ingest import read
from extractor.text import compilation
from extractor.text.metadata import describe
from extractor.text.schemes import load_scheme

sys.path.insert(0, str(EVAL))
import score  # noqa: E402  the dev gold scorer
from extractor.data import LOADER        # libyaml's safe loader, as the program reads patterns/

SCHEME, RULES = load_scheme(), load_rules(())
CORPUS = yaml.load((PATTERNS_DIR / "lexicon" / "compilation.corpus.yaml").read_text(encoding="utf-8"), Loader=LOADER)
# Three different reports, each with its gold: the seed (a full report with file header and sign-off) and
# two development documents (excerpts: a title and its opening, no sign-off).
REPORTS = ("xingan-2024.md", "r001.txt", "r026.txt")
META = ("title", "issuer", "province", "city", "county", "addressee", "doc_number", "signer", "report_date",
        "performance_year", "progress_year", "years", "sections_found", "items_found", "n_facts")


def _text(example) -> str:
    return "\n\n".join(CORPUS["blocks"][b] for b in example["blocks"])


def _first_line(text: str) -> str:
    return compilation._lines(text)[0].text


@pytest.mark.parametrize("example", CORPUS["split"], ids=lambda e: e["name"])
def test_a_compilation_is_cut_where_each_report_begins(example):
    text = _text(example)
    parts = compilation.split(text)
    assert [_first_line(text[p.start:p.end]) for p in parts] == example["starts"]
    assert [p.index for p in parts] == list(range(1, len(parts) + 1)) and {p.count for p in parts} == {len(parts)}
    assert parts[-1].end == len(text) and all(a.end == b.start for a, b in zip(parts, parts[1:]))


@pytest.mark.parametrize("example", CORPUS["one"], ids=lambda e: e["name"])
def test_one_report_is_never_cut(example):
    assert compilation.split(_text(example)) == ()


def test_every_corpus_block_is_used():
    used = {b for section in ("split", "one") for e in CORPUS[section] for b in e["blocks"]}
    assert used == set(CORPUS["blocks"])


@pytest.mark.parametrize("path", [SEED, *sorted((EVAL / "docs").iterdir()), ROOT / "corpus" / "xingan-2024.pdf",
                                  ROOT / "corpus" / "xingan-2024.docx", ROOT / "corpus" / "xingan-2024.ofd"],
                         ids=lambda p: p.name)
def test_the_seed_and_every_dev_document_stay_one_document(path):
    assert compilation.split(read(path).text) == ()
    assert [r.part for r in process_file(path, SCHEME)] == [None]


def compile_reports(folder, names=REPORTS, sep="\n\n"):
    """A compilation file of the reports, and where each begins in it."""
    texts = [(EVAL / "docs" / n).read_text(encoding="utf-8") for n in names]
    offsets, pos = [], 0
    for t in texts:
        offsets.append(pos)
        pos += len(t) + len(sep)
    path = folder / "compilation.md"
    path.write_text(sep.join(texts), encoding="utf-8")
    return path, offsets


def _facts(result, shift=0):
    return [(f.kind, str(f.value), f.unit, f.approx, f.section, f.item, f.indicator, f.period, f.subject, f.raw,
             f.start - shift, f.end - shift, f.page, f.metric_id) for f in result.facts]


def _findings(result, shift=0):
    return sorted((f.rule, f.status, str(f.value), f.message, None if f.start is None else f.start - shift)
                  for f in check(result, RULES))


def gold_f1(stem: str, facts, shift: int) -> float:
    """F1 of a part's facts against its report's gold, with the part's offsets moved back to the report's."""
    pred = [dict(f.to_dict(), doc=stem, start=f.start - shift, end=f.end - shift) for f in facts]
    gold = [g for g in score.read_facts([EVAL / "gold"]) if g["doc"] == stem]
    return score.score(gold, pred)[0]["f1"]


def test_each_part_gives_what_its_report_gives_alone(tmp_path):
    path, offsets = compile_reports(tmp_path)
    parts = process_file(path, SCHEME)
    assert [r.source.doc for r in parts] == ["compilation#1", "compilation#2", "compilation#3"]
    for r, name, off in zip(parts, REPORTS, offsets):
        alone = process_path(EVAL / "docs" / name, SCHEME)
        assert r.part.start <= off and r.text.strip() == alone.source.text.strip()
        assert _facts(r, off) == _facts(alone)                  # offsets into the file: the report's, moved
        assert all(path.read_text(encoding="utf-8")[f.start:f.end] == f.raw for f in r.facts)
        mine, its = describe(r), describe(alone)
        assert {k: mine[k] for k in META} == {k: its[k] for k in META}
        assert (mine["part"], mine["part_start"], mine["part_end"]) == (r.part.index, r.part.start, r.part.end)
        assert _findings(r, off) == _findings(alone)
        assert gold_f1(name.split(".")[0], r.facts, off) >= 0.97


def test_no_finding_across_the_parts(tmp_path):
    """Read whole, the compilation states one measure twice with two values (the seed and the seed of another
    county, which found 8 building hazards, not 6); split, no report contradicts another."""
    path, _ = compile_reports(tmp_path)
    seed = SEED.read_text(encoding="utf-8")
    other = seed.replace("兴安", "向阳").replace("建筑安全隐患6项", "建筑安全隐患8项")
    path.write_text(path.read_text(encoding="utf-8") + "\n\n" + other, encoding="utf-8")
    whole = check(process_path(path, SCHEME), RULES)
    assert any(f.status == "inconsistent" for f in whole)
    for r in process_file(path, SCHEME):
        for f in check(r, RULES):
            assert f.status != "inconsistent"
            assert f.start is None or r.part.start <= f.start < r.part.end


def test_a_cover_belongs_to_no_part_and_misleads_no_metadata(tmp_path):
    cover = CORPUS["blocks"]["cover"]
    path, offsets = compile_reports(tmp_path)
    text = cover + "\n\n" + path.read_text(encoding="utf-8")
    path.write_text(text, encoding="utf-8")
    parts = process_file(path, SCHEME)
    assert len(parts) == 3 and parts[0].part.start > len(cover)
    assert describe(parts[0])["title"] == describe(process_path(SEED, SCHEME))["title"]
    assert all(f.start >= parts[0].part.start for r in parts for f in r.facts)     # the cover's 2024年8月 is no fact


def test_identical_reports_are_as_many_parts():
    """The seed written four times over (benchmarks/bench_scale.py) is four reports, each the seed's."""
    text = SEED.read_text(encoding="utf-8")
    parts = compilation.split("\n\n".join([text] * 4))
    assert len(parts) == 4
    assert len({"\n\n".join([text] * 4)[p.start:p.end].strip() for p in parts}) == 1


def test_a_bound_compilation_splits_at_each_new_page_title_after_a_sign_off(tmp_path):
    """Three reports bound into one PDF, each on new pages; the second titled …工作报告, not …自评报告: the first
    ends with its sign-off, date and 印发 line, and each report reads as it reads alone."""
    import pypdfium2
    sys.path.insert(0, str(ROOT / "corpus"))
    import build
    texts = [(EVAL / "docs" / name).read_text(encoding="utf-8") for name in ("r001.txt", "r006.txt", "r029.txt")]
    texts[0] += "\n\n方正县人民政府\n\n2024年3月26日\n\n方正县人民政府办公室 2024年3月26日印发\n"
    second = texts[1].split("\n", 1)[1]
    texts[1] = "某某区人民政府2022年度教育工作报告\n\n" + second + "\n\n某某区人民政府\n\n2022年12月30日\n"
    bound = pypdfium2.PdfDocument.new()
    for n, text in enumerate(texts):
        one = tmp_path / f"{n}.pdf"
        build.render_pdf(text, one)
        bound.import_pages(pypdfium2.PdfDocument(str(one)))
        alone = process_file(one)
        assert len(alone) == 1
    path = tmp_path / "bound.pdf"
    bound.save(str(path))
    parts = process_file(path)
    assert len(parts) == 3
    for part, text in zip(parts, texts):
        assert part.part is not None and len(part.facts) > 5
    assert parts[1].document.title.endswith("工作报告")
