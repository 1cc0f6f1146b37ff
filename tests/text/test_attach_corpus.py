"""The attach corpora: patterns/attach/{periods,subjects,indicators}.corpus.yaml, each example read with a fixed
context. Known failures run as strict xfail, so a fix that makes one pass must move it to the examples."""
import pytest
import yaml

from extractor.data import PATTERNS_DIR
from extractor.pipeline import process_source
from extractor.records import Source

FIELDS = {"periods": "period", "subjects": "subject", "indicators": "indicator"}
KEYS = {"text", "expect", "rule", "context", "why"}


def _cases():
    for stem, field in FIELDS.items():
        spec = yaml.safe_load((PATTERNS_DIR / "attach" / f"{stem}.corpus.yaml").read_text(encoding="utf-8"))
        assert set(spec) == {"context", "examples", "known_failures"}, stem
        for i, ex in enumerate(spec["examples"]):
            yield pytest.param(field, spec["context"], ex, id=f"{stem}-{i}")
        for i, ex in enumerate(spec["known_failures"]):
            assert ex.get("why"), f"{stem} known failure {i} says why"
            yield pytest.param(field, spec["context"], ex, id=f"{stem}-known-{i}",
                               marks=pytest.mark.xfail(strict=True, reason=ex["why"]))


@pytest.mark.parametrize("field,context,ex", list(_cases()))
def test_attach_corpus(field, context, ex):
    assert set(ex) <= KEYS, f"unknown keys {set(ex) - KEYS}"
    result = process_source(Source(path="t.txt", doc="t", text=ex["text"]), context={**context, **ex.get("context", {})})
    facts = {f.raw: f for f in result.facts}
    for raw, want in ((str(k), v) for k, v in ex["expect"].items()):
        assert raw in facts, f"no fact {raw!r} in {sorted(facts)}"
        assert getattr(facts[raw], field) == str(want), raw
    if ex.get("rule"):
        fired = {facts[str(raw)].fired[field] for raw in ex["expect"]}
        assert ex["rule"] in fired, fired
