"""The data in patterns/ stays consistent (dateparser keeps a test like this for its language data)."""

import regex
import yaml

from extractor.data import PATTERNS_DIR, load
from extractor.text.extract import KINDS, rules


def test_every_rule_compiles_and_uses_known_placeholders():
    compiled = rules()
    assert {k for k, *_ in compiled} == set(KINDS)
    for kind, name, pat, rule, spec in compiled:
        assert not regex.search(r"\{[a-z_]+\}", pat.pattern), f"{kind}/{name}: unfilled placeholder"


def test_every_kind_has_a_corpus_with_negatives():
    for kind in KINDS:
        spec = yaml.safe_load((PATTERNS_DIR / "kinds" / f"{kind}.corpus.yaml").read_text(encoding="utf-8"))
        assert spec.get("development"), kind
        assert spec.get("negatives"), kind


def test_units_lexicon_is_consistent():
    lex = load("lexicon/units.yaml")
    count = lex["count_units"]
    assert len(count) == len(set(count)), "duplicate count unit"
    assert set(lex["cn_count_units"]) <= set(count)
    words = [w for group in lex["approx"].values() for ws in group.values() for w in ws]
    assert len(words) == len(set(words)), "an approx word in two places"
    assert set(lex["money_units"]) and all(v > 0 for v in lex["money_units"].values())


def test_lexicon_patterns_compile():
    for name in ("negatives", "periods", "entities", "indicators", "headings"):
        spec = load(f"lexicon/{name}.yaml")
        assert spec


def test_scheme_numbers_are_unique_and_complete():
    spec = load("schemes/hegang-county-2024.yaml")
    sections = [s["number"] for s in spec["sections"]]
    items = [it["number"] for s in spec["sections"] for it in s["items"]]
    assert sections == list(range(1, spec["shape"]["sections"] + 1))
    assert sorted(items) == list(range(1, spec["shape"]["items"] + 1))
    keywords = [k for s in spec["sections"] for it in s["items"] for k in it["keywords"]]
    assert len(keywords) == len(set(keywords))


def test_places_begin_with_a_numeral_and_each_has_a_negative():
    spec = load("lexicon/places.yaml")
    numerals = set("一二三四五六七八九十百千万两")
    negatives = [text for kind in KINDS
                 for text in (yaml.safe_load((PATTERNS_DIR / "kinds" / f"{kind}.corpus.yaml")
                                             .read_text(encoding="utf-8")).get("negatives") or [])]
    fulls = [full for full, _short in spec["places"]]
    assert len(fulls) == len(set(fulls)), "a place listed twice"
    for full, short in spec["places"]:
        assert full[0] in numerals and full.startswith(short), full
        assert any(full in text for text in negatives), f"no negative example for {full}"


def test_multipliers_are_exact_decimals():
    from decimal import Decimal
    for word, value in load("lexicon/units.yaml")["multipliers"].items():
        assert Decimal(str(value)) > 0, word
