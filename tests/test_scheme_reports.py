"""Reports written apart under five schemes (tests/data/schemes, truth beside each): each follows the scheme it
names or prints, its sections are the truth's, and every fail or inconsistent finding is one the truth calls
true (issue 28)."""
import json
from collections import Counter

import pytest
import regex
import yaml

from conftest import ROOT
from extractor.pipeline import process_path
from helpers import invoke
from extractor.data import LOADER        # libyaml's safe loader, as the program reads patterns/

DATA = ROOT / "tests" / "data" / "schemes"
EXPECTED = yaml.load((DATA / "expected.yaml").read_text(encoding="utf-8"), Loader=LOADER)


@pytest.fixture(scope="module")
def findings(tmp_path_factory):
    out = tmp_path_factory.mktemp("schemes") / "findings.jsonl"
    r = invoke("check", *(DATA / f"{n}.md" for n in EXPECTED), "-o", out)     # in this process: what it writes is tested
    assert r.returncode == 0, r.stderr
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_only_true_findings_are_flagged(findings, name):
    flagged = [(f["rule"], f["message"]) for f in findings if f["doc"] == name and f["status"] in ("fail", "inconsistent")]
    allowed = EXPECTED[name]["flags"]
    unexpected = [f for f in flagged if not any(f[0] == rule and words in f[1] for rule, words in allowed)]
    assert unexpected == []
    for rule, words in allowed:                   # and each true one is still found
        assert any(f[0] == rule and words in f[1] for f in flagged), (rule, words)
    assert not [f for f in findings if f["doc"] == name and f["status"] == "missing"
                and f["severity"] not in ("info", "low")]                 # no 缺项 the report does not owe


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_the_scheme_and_each_part_of_it(name):
    r = process_path(DATA / f"{name}.md")
    assert [r.seg.scheme_id, r.seg.why] == EXPECTED[name]["scheme"]
    text = r.norm.text

    def section_of(heading):
        at = regex.search(r"(?m)^[^\n]{0,6}" + regex.escape(heading.replace(" ", "")), text)
        assert at is not None, heading
        return r.seg.region_at(at.end() - 1).section
    sections = [section_of(h) for h in EXPECTED[name]["parts"]]
    assert None not in sections and sections == sorted(set(sections)), sections
    assert [section_of(h) for h in EXPECTED[name]["outside"]] == [None] * len(EXPECTED[name]["outside"])


def test_self_scores_are_read_under_their_headings():
    from extractor.pipeline import score_rows
    rows = score_rows(process_path(DATA / "s4-points.md"))
    truth = yaml.load((DATA / "s4-points.truth.yaml").read_text(encoding="utf-8"), Loader=LOADER)
    stated = Counter((float(s["max"]), float(s["claimed"])) for s in truth["scores"]
                     if s["code"] not in ("total", "base", "bonus"))
    got = Counter((r["max"], r["claimed"]) for r in rows)
    assert not stated - got                         # every item's and section's score the truth lists, each time
    first = rows[0]
    assert first["section"] == 1 and first["raw"].startswith("一、党的全面领导")
