"""Reports written apart by someone who had not read the rules (tests/data/fresh; a second round, tests/data/heldout;
a third to tenth, tests/data/round3 to round10; truth beside each): every fail or inconsistent
finding is one their truth files call true; nothing else is flagged (issue 26)."""
import json

import pytest
import yaml

from conftest import ROOT
from helpers import invoke
from extractor.data import LOADER        # libyaml's safe loader, as the program reads patterns/

ROUNDS = [ROOT / "tests" / "data" / name for name in (
    "fresh", "heldout", *(f"round{n}" for n in range(3, 15)))]
EXPECTED = {n: e for d in ROUNDS
            for n, e in yaml.load((d / "expected.yaml").read_text(encoding="utf-8"), Loader=LOADER).items()}
REPORTS = [p for d in ROUNDS for p in sorted(d.iterdir()) if p.suffix in (".txt", ".md") and ".truth" not in p.name]


@pytest.fixture(scope="module")
def findings(tmp_path_factory):
    out = tmp_path_factory.mktemp("fresh") / "findings.jsonl"
    assert sorted(p.stem for p in REPORTS) == sorted(EXPECTED)
    r = invoke("check", *REPORTS, "-o", out)            # in this process: only what it writes is tested
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
