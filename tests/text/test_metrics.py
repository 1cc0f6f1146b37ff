"""The indicator catalog (patterns/indicators): its data, its corpus of phrasings, and linking in reports."""
import re

import pytest
import yaml

from conftest import SHARED
from extractor.data import PATTERNS_DIR
from extractor.errors import InputError
from extractor.pipeline import process_source
from extractor.records import Source
from extractor.text import metrics
from extractor.text.schemes import load_scheme
from corpus_rates import corpus_case_id, corpus_rates  # noqa: F401  (the summary of pass rates)
from extractor.data import LOADER        # libyaml's safe loader, as the program reads patterns/

CORPORA = sorted((PATTERNS_DIR / "indicators").glob("*.corpus.yaml"))


def facts_of(text):
    return process_source(Source(path="t.md", doc="t", text=text), load_scheme(None)).facts


def fact_at(text, raw):
    r0 = text.index(raw)
    hits = [f for f in facts_of(text) if f.start < r0 + len(raw) and r0 < f.end]
    assert len(hits) == 1, f"want one fact over {raw!r}, got {[f.raw for f in hits]}"
    return hits[0]


def _cases(section, split=None):
    """The examples of `section` (link, no_link): development ones at the top of each corpus, held-out ones (written
    apart from the rules, not tuned against) under `held_out`; an example that says `why` is a strict known failure."""
    for path in CORPORA:
        spec = yaml.load(path.read_text(encoding="utf-8"), Loader=LOADER)
        splits = [split] if split else ["development", "held_out"]
        for sp in splits:
            examples = spec.get(section) if sp == "development" else (spec.get("held_out") or {}).get(section)
            for i, ex in enumerate(examples or []):
                marks = [pytest.mark.xfail(strict=True, reason=ex["why"])] if ex.get("why") else []
                yield pytest.param(ex, id=corpus_case_id(path.name.split(".")[0], sp, i, f"{section}-{ex['raw']}"), marks=marks)


@pytest.mark.parametrize("ex", list(_cases("link")))
def test_phrasing_links(ex):
    f = fact_at(ex["text"], ex["raw"])
    cat = metrics.load_catalog(())
    entry = cat.get(ex["metric"])
    assert entry is not None, f"corpus names an unknown id {ex['metric']}"
    assert (f.metric_id, f.metric) == (entry.id, entry.title), f.indicator
    if "level" in ex:
        assert f.metric_level == ex["level"]
    assert all(cat.get(m) is not None for m in ex.get("also", ())), "corpus names an unknown id"
    assert tuple(m for m, _level in f.metric_also) == tuple(ex.get("also", ()))
    assert str(f.metric_value) == ex["value"] if "value" in ex else f.metric_value is None


@pytest.mark.parametrize("ex", list(_cases("no_link")))
def test_phrasing_does_not_link(ex):
    f = fact_at(ex["text"], ex["raw"])
    assert (f.metric_id, f.metric) == ("", ""), f.indicator


# ---------------- the data ----------------

def _reference_titles():
    text = (SHARED / "reference" / "indicators.md").read_text(encoding="utf-8")
    return [m.group(1).strip() for m in re.finditer(r"^\| ([^|]+?) \| [^|]+ \| [^|]+ \| [^|]+ \| [^|]+ \|$", text, re.M)
            if m.group(1).strip() not in ("metric (title)",) and not set(m.group(1)) <= set("-")]


def test_catalog_titles_are_exactly_those_of_the_reference():
    cat = metrics.load_catalog(())
    ref = _reference_titles()
    assert len(ref) >= 30
    assert sorted(e.title for e in cat.entries) == sorted(ref)


def test_ids_unique_and_every_entry_has_an_example():
    ids = []
    for path in metrics.builtin_files():
        ids += [e["id"] for e in yaml.load(path.read_text(encoding="utf-8"), Loader=LOADER)["indicators"]]
    assert len(ids) == len(set(ids))
    linked = {ex.values[0]["metric"] for ex in _cases("link", "development")}
    assert set(ids) <= linked, f"entries without an example: {set(ids) - linked}"


def test_entries_are_well_formed():
    cat = metrics.load_catalog(())
    for e in cat.entries:
        assert e.kinds and e.phrasings, e.id
        assert set(e.kinds) <= {"percent", "money", "count", "number", "ratio", "duration"}, e.id


# ---------------- a province's own entries ----------------

def test_a_province_overrides_and_adds_entries(tmp_path):
    prov = tmp_path / "prov.yaml"
    prov.write_text(
        "indicators:\n"
        "  - {id: preschool.gross-enrolment, title: 学前三年毛入园率, unit: '%', levels: [学前], kinds: [percent],\n"
        "     units: ['%'], phrasings: ['毛入园率']}\n"
        "  - {id: prov.kindergartens-per-town, title: 乡镇公办中心园覆盖率, unit: '%', kinds: [percent],\n"
        "     units: ['%'], phrasings: ['乡镇公办中心(?:幼儿)?园覆盖率']}\n", encoding="utf-8")
    cat = metrics.load_catalog([prov])
    assert [p.pattern for p in cat.get("preschool.gross-enrolment").phrasings] == ["毛入园率"]
    assert cat.get("prov.kindergartens-per-town").title == "乡镇公办中心园覆盖率"
    assert len(cat.entries) == len(metrics.load_catalog(()).entries) + 1


def test_a_bad_indicators_file_names_the_problem(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("indicators:\n  - {id: x, title: 某率, kinds: [percent], phrasings: ['(']}\n", encoding="utf-8")
    with pytest.raises(InputError, match="indicator 'x' phrasing: not a valid pattern"):
        metrics.load_catalog([bad])
    with pytest.raises(InputError, match="not found"):
        metrics.load_catalog([tmp_path / "missing.yaml"])


# ---------------- the dashboard table ----------------

def test_seed_metrics_table(seed_rows):
    rows = {(m["metric_id"], m["level"], m["period"]): m for m in seed_rows["metrics"]}
    assert len(rows) == len(seed_rows["metrics"])          # one row per metric × level × period
    share = rows[("preschool.public-share", "学前", "2023")]
    assert (share["value"], share["standard"], share["status"], share["raw"]) == ("41.49", ">=50", "fail", "41.49%")
    assert share["county"] == "兴安区" and share["year"] == 2023 and share["start"] == 1553
    assert rows[("balanced.coefficient", "初中", "2023")]["status"] == "fail"        # 0.561 > 0.45
    assert rows[("balanced.coefficient", "小学", "2023")]["standard"] == "<=0.5"
    assert rows[("spending.education", "", "2024Q1")]["value"] == "23940000"       # 2394万元, in 元
    pay = rows[("pay.teachers", "义务教育", "2023")]
    assert (pay["standard"], pay["status"]) == (">=87110", "pass")
    assert rows[("preschool.teacher-child-ratio", "学前", "2024-07")]["standard"] == "1:15"
    # the summary repeats 1.98% and 2394万元: the first statement is the row
    assert rows[("spending.growth", "", "2023")]["start"] == 1108


@pytest.fixture(scope="module")
def seed_rows():
    from conftest import SEED
    from extractor.batch.run import assess_all
    from extractor.pipeline import process_path
    return {"metrics": list(assess_all([process_path(SEED)], entities=False)[0].metrics)}


def test_indicators_option_reaches_extraction(tmp_path):
    import json
    import subprocess
    import sys
    from conftest import ROOT
    prov = tmp_path / "prov.yaml"
    prov.write_text("indicators:\n  - {id: prov.town-centres, title: 乡镇公办中心园覆盖率, unit: '%', kinds: [percent],\n"
                    "     units: ['%'], phrasings: ['乡镇公办中心(?:幼儿)?园覆盖率']}\n", encoding="utf-8")
    rep = tmp_path / "r.md"
    rep.write_text("一、学前教育\n2024年全县教育工作稳步推进，乡镇公办中心园覆盖率达到100%，学前三年毛入园率90%。", encoding="utf-8")
    r = subprocess.run([sys.executable, str(ROOT / "cli.py"), "--indicators", str(prov), "extract", str(rep)],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    got = {f["raw"]: f["metric_id"] for f in map(json.loads, r.stdout.splitlines())}
    assert (got["100%"], got["90%"]) == ("prov.town-centres", "preschool.gross-enrolment")
    bad = subprocess.run([sys.executable, str(ROOT / "cli.py"), "--indicators", str(tmp_path / "none.yaml"), "extract", str(rep)],
                         capture_output=True, text=True, timeout=120)
    assert bad.returncode != 0 and "none.yaml: 找不到指标目录文件" in bad.stderr and "Traceback" not in bad.stderr


def test_metric_rows_take_each_shared_link_and_a_fall_as_negative():
    """学前三年毛入园率、普惠性幼儿园覆盖率均达到… gives a row for each metric; 支出下降1.7% is the growth -1.7 (fails >=0),
    while the fact itself keeps 1.7 as written."""
    text = ("2023年，全县学前三年毛入园率、普惠性幼儿园覆盖率均达到92%。2023年一般公共预算教育支出同比下降1.7%。")
    facts = facts_of(text)
    from extractor.checks.standards import metric_rows          # the rows text/metrics links, judged by checks
    rows = {r["metric_id"]: r for r in metric_rows(facts, {"performance_year": 2023}, "县")}
    assert rows["preschool.gross-enrolment"]["value"] == rows["preschool.inclusive-coverage"]["value"] == "92"
    assert rows["preschool.inclusive-coverage"]["level"] == "学前"
    growth = rows["spending.growth"]
    assert (growth["value"], growth["standard"], growth["status"], growth["raw"]) == ("-1.7", ">=0", "fail", "1.7%")
    assert next(f for f in facts if f.raw == "1.7%").to_dict()["value"] == 1.7
