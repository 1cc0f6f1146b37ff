"""The findings' corpus (patterns/rules/findings.corpus.yaml): passages whose numbers look related and are not
give no `inconsistent` or `fail`; true inconsistencies and failures are still found. As the extraction's
negatives: one test per passage."""
import pytest
import yaml

from extractor import data
from extractor.checks.rules import check, load_rules
from extractor.pipeline import process_source
from extractor.records import Source
from extractor.text.schemes import load_scheme
from extractor.data import LOADER        # libyaml's safe loader, as the program reads patterns/

CORPUS = yaml.load((data.PATTERNS_DIR / "rules" / "findings.corpus.yaml").read_text(encoding="utf-8"), Loader=LOADER)
SECTIONS = [s for s in ("development", "held_out", "regression") if s in CORPUS]
SCHEME = load_scheme()
FALSE = ("inconsistent", "fail")


def findings(text):
    if "报告" not in text.split("\n", 1)[0]:
        text = CORPUS["header"] + text
    return check(process_source(Source(path="p.txt", doc="p", text=text), SCHEME), load_rules(()))


def _text(p) -> str:
    return p if isinstance(p, str) else p["text"]


def _negatives():
    for section in SECTIONS:
        for group in CORPUS[section].get("negatives", []):
            for i, p in enumerate(group["passages"]):
                yield pytest.param(_text(p), id=f"{section}-{group['class']}-{i + 1}")


def _positives(key="positives"):
    for section in SECTIONS:
        for i, case in enumerate(CORPUS[section].get(key, [])):
            marks = [pytest.mark.xfail(strict=True, reason=case["why"])] if key == "known_failures" else []
            yield pytest.param(case["text"], case["expect"], case.get("never", []),
                               id=f"{section}-{case.get('class', 'case')}-{i + 1}", marks=marks)


@pytest.mark.parametrize("text", list(_negatives()))
def test_no_false_alarm(text):
    bad = [(f.rule, f.status, f.message) for f in findings(text) if f.status in FALSE]
    assert bad == []


@pytest.mark.parametrize("text,expect,never", list(_positives()) + list(_positives("known_failures")))
def test_true_finding_is_found(text, expect, never):
    fs = findings(text)
    assert [(f.rule, f.status) for f in fs if f.rule in never] == []
    for e in expect:
        hits = [f for f in fs if f.rule == e.get("rule", f.rule) and f.status == e["status"]
                and ("raw" not in e or f.raw == str(e["raw"]))]
        assert hits, (e, [(f.rule, f.status, f.raw) for f in fs if f.status in ("pass", *FALSE)])


def test_every_class_has_several_passages_and_tempts_a_rule_that_exists():
    ids = {r["id"] for r in load_rules(()).rules}
    for section in SECTIONS:
        for group in CORPUS[section]["negatives"]:
            assert len(group["passages"]) >= 4 or section == "regression", group["class"]
            assert group["tempts"] in ids, group["tempts"]
        for case in CORPUS[section]["positives"] + CORPUS[section].get("known_failures", []):
            assert {e.get("rule", "consistency.parts-sum") for e in case["expect"]} <= ids
            assert {e["status"] for e in case["expect"]} <= set(FALSE) | {"pass", "not-applicable"}


def test_the_corpus_test_can_fail():
    """A passage that is a true inconsistency, read as a negative, would be reported."""
    case = CORPUS["development"]["positives"][0]
    assert [f for f in findings(case["text"]) if f.status in FALSE]
