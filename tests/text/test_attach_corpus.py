"""The attach corpora: patterns/attach/{periods,subjects,indicators}.corpus.yaml, each example read with a fixed
context. Known failures run as strict xfail, so a fix that makes one pass must move it to the examples. `not_rule`
names a rule that must not fire on any expected fact (a negative: text near the rule's class).

`held_out` examples were written apart from the rules and not tuned against; a held-out example that says `why`
is a strict known failure too. Their indicators and subjects are compared as score.py compares them (one
contains the other and is not much longer), periods exactly."""
import pytest
import yaml

from extractor.data import PATTERNS_DIR
from extractor.pipeline import process_source
from extractor.records import Source
from corpus_rates import corpus_case_id, corpus_rates  # noqa: F401  (the summary of pass rates)
from extractor.data import LOADER        # libyaml's safe loader, as the program reads patterns/

FIELDS = {"periods": "period", "subjects": "subject", "indicators": "indicator"}
KEYS = {"text", "expect", "rule", "not_rule", "context", "why"}


def _xfail(ex):
    return [pytest.mark.xfail(strict=True, reason=ex["why"])] if ex.get("why") else []


def _cases():
    for stem, field in FIELDS.items():
        spec = yaml.load((PATTERNS_DIR / "attach" / f"{stem}.corpus.yaml").read_text(encoding="utf-8"), Loader=LOADER)
        assert set(spec) == {"context", "examples", "held_out", "known_failures"}, stem
        for i, ex in enumerate(spec["examples"]):
            yield pytest.param(field, spec["context"], ex, False, id=corpus_case_id(stem, "development", i))
        for i, ex in enumerate(spec["known_failures"]):
            assert ex.get("why"), f"{stem} known failure {i} says why"
            yield pytest.param(field, spec["context"], ex, False, id=corpus_case_id(stem, "development", i, "known"),
                               marks=_xfail(ex))
        for i, ex in enumerate(spec["held_out"]):
            yield pytest.param(field, spec["context"], ex, True, id=corpus_case_id(stem, "held_out", i), marks=_xfail(ex))


def scored_alike(a: str, b: str) -> bool:
    """score.py's overlap: one contains the other, and the longer is at most 4 characters or 2.5 times longer."""
    a, b = "".join(a.split()), "".join(b.split())
    if not a or not b:
        return a == b
    if not (a in b or b in a):
        return False
    short, long_ = sorted((len(a), len(b)))
    return long_ - short <= 4 or short / long_ >= 0.4


@pytest.mark.parametrize("field,context,ex,held_out", list(_cases()))
def test_attach_corpus(field, context, ex, held_out):
    assert set(ex) <= KEYS, f"unknown keys {set(ex) - KEYS}"
    result = process_source(Source(path="t.txt", doc="t", text=ex["text"]), context={**context, **ex.get("context", {})})
    facts = {f.raw: f for f in result.facts}
    for raw, want in ((str(k), v) for k, v in ex["expect"].items()):
        assert raw in facts, f"no fact {raw!r} in {sorted(facts)}"
        got = getattr(facts[raw], field)
        if held_out and field != "period":
            assert scored_alike(got, str(want)), (raw, got)
        else:
            assert got == str(want), raw
    fired = {facts[str(raw)].fired[field] for raw in ex["expect"]}
    if ex.get("rule"):
        assert ex["rule"] in fired, fired
    if ex.get("not_rule"):          # a negative: text near a rule's class, where the rule must not fire
        assert ex["not_rule"] not in fired, fired
