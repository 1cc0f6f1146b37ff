"""The data in patterns/ stays consistent (dateparser keeps a test like this for its language data)."""

import regex
import yaml

from extractor.data import LOADER, PATTERNS_DIR, load      # LOADER: libyaml's safe loader, as the program's
from extractor.text.extract import KINDS, rules


def test_every_rule_compiles_and_uses_known_placeholders():
    compiled = rules()
    assert {k for k, *_ in compiled} == set(KINDS)
    for kind, name, pat, rule, spec in compiled:
        assert not regex.search(r"\{[a-z_]+\}", pat.pattern), f"{kind}/{name}: unfilled placeholder"


def test_every_kind_has_a_corpus_with_negatives():
    for kind in KINDS:
        spec = yaml.load((PATTERNS_DIR / "kinds" / f"{kind}.corpus.yaml").read_text(encoding="utf-8"), Loader=LOADER)
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
                 for text in (yaml.load((PATTERNS_DIR / "kinds" / f"{kind}.corpus.yaml")
                                             .read_text(encoding="utf-8"), Loader=LOADER).get("negatives") or [])]
    fulls = [full for full, _short in spec["places"]]
    assert len(fulls) == len(set(fulls)), "a place listed twice"
    for full, short in spec["places"]:
        assert full[0] in numerals and full.startswith(short), full
        assert any(full in text for text in negatives), f"no negative example for {full}"


def test_numerals_are_consistent():
    """The numeral data parse_mixed and the numeral runs read: ten digits, places inside a section of four, sections
    largest first, variants onto digits, and every place and digit a token of a numeral run."""
    spec = load("lexicon/units.yaml")
    num, run = spec["numerals"], spec["numeral_run"]
    assert len(num["digits"]) == 10 and len(set(num["digits"])) == 10 and num["digits"][0] == num["zero"]
    assert sorted(num["places"].values()) == [1, 2, 3]
    assert list(num["sections"].values()) == sorted(num["sections"].values(), reverse=True)
    assert all(v in num["digits"] for v in num["variants"].values())
    for ch in list(num["digits"][1:]) + list(num["variants"]):
        assert regex.fullmatch(run["digit"], ch) or regex.fullmatch(run["place"], ch), ch
    for ch in list(num["places"]) + list(num["sections"]) + [num["zero"]]:
        assert regex.fullmatch(run["place"], ch), ch
    assert not set(num["places"]) & set(num["sections"])


def test_multipliers_are_exact_decimals():
    from decimal import Decimal
    for word, value in load("lexicon/units.yaml")["multipliers"].items():
        assert Decimal(str(value)) > 0, word


# ---------------- integrity of every data file (dateparser checks its language data this way) ----------------

import pytest  # noqa: E402

from extractor.text.extract import expand, placeholders, find_spans  # noqa: E402
from extractor.text.normalize import normalize  # noqa: E402

# file → its keys, each with what its value is: "pattern" (compiles), "words" (strings, none twice),
# "alternation" (a pattern that is a list of words: none twice), "patterns" (a list of patterns, none twice, each
# compiles: their alternation is the pattern), or a Python type.
SCHEMA = {
    "lexicon/checks.yaml": {"parts": dict, "share_of_part": "pattern", "share_of_whole": dict, "local": "alternation",
                            "list_values": "alternation", "monthly": "alternation", "earlier": "pattern",
                            "held_by": "pattern", "whole": "pattern", "score_unit": str, "repeated_not": "pattern", "year_named": "pattern",
                            "action_result": "pattern", "table_change": dict,
                            "share_whole_not": "pattern", "aimed": "pattern", "points_unit": str, "points_between": "pattern",
                            "growth_baseline": "pattern", "growth_word": "pattern",
                            "partial_year": "pattern", "plan_heading": "pattern",
                            "coefficient": "alternation", "coefficient_unit": str, "trend": dict,
                            "large_classes": dict, "not_applicable": "pattern", "admission": dict,
                            "rectification": dict},
    "lexicon/scores.yaml": {"cue": "alternation", "pair": "pattern", "line_pair": "pattern", "marker": "pattern",
                            "marker_window": int,
                            "listed": "pattern", "deducted": "pattern", "total": "pattern", "score": "pattern",
                            "table_max": "pattern", "table_got": "pattern", "table_total": "pattern",
                            "table_max_points": int, "deduction": "pattern", "deducted_window": int,
                            "deduction_after": str, "full_marks": int, "no_bonus": "pattern"},
    "lexicon/scope.yaml": {"part": "alternation", "other": dict, "window": int, "province": "pattern", "level_of": dict,
                           "province_char": str, "respectively": "pattern", "breakdown": "pattern",
                           "sub_unit": "pattern", "each_of": "pattern", "lower_unit": dict,
                           "continues": "pattern"},
    "lexicon/checks.corpus.yaml": {"admitted": "words", "not_admitted": "words"},
    "lexicon/entities.corpus.yaml": {"found": list, "not_found": list, "held_out": dict},
    "lexicon/metadata.corpus.yaml": {"development": list, "held_out": list},
    "lexicon/numerals.corpus.yaml": {"read": dict, "refused": "words", "written": dict, "loose": dict, "loose_refused": "words"},
    "lexicon/compilation.yaml": {
        "line_noise": "pattern", "title": "pattern", "title_max": int, "page_title": "pattern", "title_tail_max": int,
        "title_excluded": "pattern",
        "head_line": "pattern", "head_back": int, "fragment": "pattern", "not_fragment": "pattern", "addressee": "pattern",
        "opening": "pattern", "opening_lines": int, "opening_chars": int, "signoff_date": "pattern", "signoff_lines": int,
        "min_body": int, "cover_max": int},
    "lexicon/compilation.corpus.yaml": {"blocks": dict, "split": list, "one": list},
    "lexicon/entities.yaml": {
        "schools": dict, "bodies": dict, "groups": "words", "levels": "pattern", "level_link": "pattern",
        "provinces": "words", "towns": dict, "law": "pattern", "persons": dict, "known_bodies": "words",
        "own_prefix": "pattern", "own_body_suffixes": "words", "level_in_phrase": "pattern",
        "level_per_student": "pattern",
        "levelled_count_units": "words", "levelled_per_head_units": "words", "left_stops": "words",
        "left_stop_date_tail": "pattern", "school_ordinal": str, "school_not_a_name_suffix": str,
        "sibling_group": "pattern"},
    "lexicon/headings.yaml": {"markers": list, "title_end": str, "max_title_len": int, "cn_number": "pattern",
                              "declared_shape": "pattern", "points": "pattern", "opening_chars": int,
                              "outside_parts": "pattern", "frame_parts": "pattern",
                              "container_parts": "pattern", "fit_share": float, "own_min_parts": int},
    "lexicon/indicators.yaml": {
        "known": "words", "generic_rates": "words", "generic_changes": "words", "stoppers": "words",
        "noun_stoppers": "words", "trim_left": "words", "trim_right": "words", "stopper_exceptions": "words",
        "stopper_compounds": "words", "comparison": "pattern", "year_on_year": "pattern", "change_filler": "pattern",
        "self_counted": "words", "noun_after_units": "words", "short_forms": dict, "ratio_link": str,
        "respectively": "pattern", "list_joiners": "words", "whole_name_ends": "words", "list_rest": "pattern", "list_heads": "pattern",
        "level_list": "pattern", "level_joiner": "pattern", "aside": "pattern",
        "modifier": str, "signoff": str, "windows": dict, "table": dict,
        "purpose_after_money": "pattern", "purpose_lead": "words", "purpose_head": "pattern", "purpose_tail": "words",
        "purpose_projects": "words", "per_unit": "pattern", "per_unit_verb": "pattern", "per_unit_after": "pattern",
        "by_criterion": "pattern", "change_to": "pattern", "baseline": "pattern", "rate_end": "pattern",
        "standard_after": "pattern", "compared": "pattern", "final_joiners": "words", "unmet": "pattern",
        "unmet_word": str,
        "standard_bracket": "pattern", "share_of_other": "pattern", "approx_after": "words",
        "score_unit": str, "score_in_title": "pattern", "full_marks": str, "holder": "pattern",
        "threshold_words": "words", "names_nothing": "words", "value_joiner": "pattern", "item_number": "pattern",
        "rate_link": "pattern", "every": str, "per_hundred": "pattern", "word_edges": str,
        "label_marks": str, "label_predicate": "pattern",
        "per_head_alone": "words", "level_code": "pattern", "baseline_bracket": "pattern", "lead_close": "pattern",
        "year_item": "pattern", "noun_heads": "words",
        "rest_lead": "pattern"},
    "lexicon/metadata.yaml": {
        "head_lines": int, "title_words": "words", "title_excluded": "pattern", "title_not_joined": "pattern",
        "title_join_max": int, "file_header": "pattern", "government_line": "pattern", "signoff_lines": int,
        "title_issuer": "pattern", "title_issuer_noise": "pattern", "government_name": "pattern",
        "not_a_name": "pattern", "name_left": "pattern", "title_place": "pattern", "city_named": "pattern", "scheme_title": "pattern",
        "head_chars": int, "government_suffix": str, "self_name": "pattern", "addressee_max": int,
        "addressee_excluded": "words", "report_date_indicators": "words", "signoff_date": "pattern",
        "signoff_window": int, "report_year_head": int, "performance_year": "pattern", "progress_year": "pattern",
        "level_issuer": "pattern", "level_issuer_window": int, "level_self": "pattern", "places": "pattern",
        "places_window": int},
    "lexicon/negatives.yaml": {"protect": list},
    "lexicon/levels.yaml": {"levels": dict, "school": "pattern", "overall": "pattern", "place_row": "pattern"},
    "lexicon/places.yaml": {"short_alone_min_len": int, "follow": "words", "places": list},
    "lexicon/periods.yaml": {
        "expressions": list, "not_after": "pattern", "topic_followers": "pattern", "carry_breakers": "alternation",
        "enumeration": "pattern", "month_frame_before": "pattern", "quarter_numbers": dict, "half_numbers": dict,
        "frame_lead": "pattern", "context_year_window": int, "year_mention": "pattern",
        "year_cn": "pattern", "baseline": str, "baseline_bound": dict, "change": "alternation",
        "respectively": "pattern", "year_joiner": "pattern", "listed_number": "pattern"},
    "lexicon/readers.yaml": {"page_number": "pattern", "period_header": "pattern", "docx_heading_style": "pattern",
                             "docx_list_styles": "words"},
    "lexicon/report.yaml": {"min_han": int, "vocabulary": "words"},
    "lexicon/units.yaml": {
        "placeholders": dict, "count_units": "words", "cn_count_units": "words", "duration_units": dict,
        "year_duration_prefixes": "words", "money_units": dict, "multipliers": dict, "approx": dict, "approx_list_rest": "pattern",
        "range_low": "pattern", "range_kinds": "words", "range_number": "pattern", "numerals": dict,
        "numeral_run": dict, "money_unit": str},
}
NESTED = {   # mappings inside a file: key path → the same kinds of value
    ("lexicon/checks.yaml", "admission"): {"phrases": "patterns", **{k: "pattern" for k in ("remedy", "resolved", "problem_heading",
                                                                   "remedy_heading", "heading_marker", "feedback",
                                                                   "feedback_action", "unfinished")}},
    ("lexicon/checks.yaml", "rectification"): {**{k: "pattern" for k in ("pair", "all_fixed", "found", "reason", "open_ones",
                                                                          "split_found", "split_fixed", "split_left")},
                                               "split_window": int, "split_word": str, "count": "pattern"},
    ("lexicon/checks.yaml", "parts"): {"tie": "alternation", "tie_window": int,
                                       "tie_after_clause": "pattern", "all_of_it": "pattern", "cut_off": "pattern",
                                       "tie_complete": "pattern",
                                       "parts_share": "pattern",
                                       "new_statement": "alternation", "each": str, "categories": dict, "partitions": list, "wholes": list,
                                       "rest": "pattern", "table_total": "pattern", "table_subtotal": "pattern",
                                       "table_group_subtotal": "pattern", "all_kinds": "pattern", "all_kinds_min": int,
                                       "closed_by": "pattern", "included": "pattern",
                                       "table_not_additive": "pattern", "subdivided": "pattern", "subdivided_within": int,
                                       "subdivision_split": "pattern", "subdivision_count": "pattern", "subdivision": "pattern",
                                       "list_joiner": "pattern", "qualifier": str},
    ("lexicon/checks.yaml", "trend"): {"against": "alternation", "up": "alternation", "down": "alternation", "gap": int,
                                       "amount": "pattern"},
    ("lexicon/checks.yaml", "share_of_whole"): {"before": "pattern", "after": "pattern"},
    ("lexicon/checks.yaml", "table_change"): {"column": "pattern", "rate_column": "pattern"},
    ("lexicon/checks.yaml", "large_classes"): {"size": int, "cue": str, "largest": "pattern", "over": "pattern", "reached": "pattern",
                                               "largest_column": "pattern", "compulsory_row": "pattern",
                                               "other_row": "pattern",
                                               "over_size_first": "pattern", "named": "pattern", "count_first": "pattern",
                                               "remedied_after": "pattern", "remedied": "alternation"},
    ("lexicon/entities.yaml", "schools"): {"suffix": "pattern", "name": "pattern", "generic": "alternation"},
    ("lexicon/entities.yaml", "bodies"): {"suffix": "pattern", "name": "pattern", "generic": "pattern"},
    ("lexicon/entities.yaml", "towns"): {"name": "pattern", "suffix": "pattern", "generic": "pattern"},
    ("lexicon/entities.yaml", "persons"): {"signer": "pattern", "titled": "pattern"},
    ("lexicon/units.yaml", "numerals"): {"digits": str, "variants": dict, "zero": str, "point": str, "places": dict,
                                         "sections": dict, "bare_places": "words"},
    ("lexicon/units.yaml", "numeral_run"): {k: "pattern" for k in ("arabic", "digit", "place", "point", "fraction",
                                                                    "minus")},
    ("lexicon/indicators.yaml", "table"): {"unitless": "words", "measure_words": "words", "standard_words": "words",
                                           "year_in_header": "pattern", "holder_rows": "pattern", "total_rows": "pattern",
                                           "score_columns": "pattern",
                                           "index_columns": "words", "unit_columns": "words", "column_units": dict,
                                           "group_columns": "words", "label_columns": "words", "index_cell": "pattern",
                                           "remark_columns": "words", "title_units": "words", "empty_cells": "words",
                                           "change_columns": "pattern",
                                           "unit_aside": "pattern", "title_trim": list, "title_topic_len": list,
                                           "bare_standard": str, "last_year_column": "pattern"},
    ("lexicon/indicators.yaml", "windows"): {k: int for k in ("phrase", "rest_of_clause", "base", "long_phrase",
                                                               "event_name", "noun", "signoff_rest", "action_list", "label_min",
                                                               "after_title", "lead_in", "word_back", "noun_head_reach")},
}
RULE_KEYS = {"name", "pattern", "unit", "value"}   # value: a rule that states it (八成)
EXAMPLE_KEYS = {"text", "raw", "value", "unit", "approx", "why"}     # why: a strict known failure
CORPUS_SECTIONS = {"development", "held_out", "regression", "negatives"}


def _check(where: str, value, want) -> list[str]:
    bad = []
    if want == "pattern":
        try:
            regex.compile(value, regex.V1)
        except (regex.error, TypeError) as e:
            bad.append(f"{where}: does not compile ({e})")
    elif want == "alternation":
        words = value.split("|")
        bad += [f"{where}: '{w}' listed twice" for w in sorted({w for w in words if words.count(w) > 1})]
        bad += _check(where, value, "pattern")
    elif want == "patterns":
        if not isinstance(value, list) or not value:
            bad.append(f"{where}: a list of patterns")
        else:
            bad += [f"{where}: '{p}' listed twice" for p in sorted({p for p in value if value.count(p) > 1})]
            bad += [b for i, p in enumerate(value) for b in _check(f"{where}[{i}]", p, "pattern")]
    elif want == "words":
        if not isinstance(value, list) or not all(isinstance(w, str) and w for w in value):
            bad.append(f"{where}: a list of words")
        else:
            bad += [f"{where}: '{w}' listed twice" for w in sorted({w for w in value if value.count(w) > 1})]
    elif not isinstance(value, want):
        bad.append(f"{where}: a {want.__name__}")
    return bad


def schema_problems(name: str, spec: dict) -> list[str]:
    schema = SCHEMA[name]
    bad = [f"{name}: unknown key '{k}'" for k in spec if k not in schema]
    bad += [f"{name}: missing key '{k}'" for k in schema if k not in spec]
    for key, want in schema.items():
        if key in spec:
            bad += _check(f"{name}:{key}", spec[key], want)
        nested = NESTED.get((name, key))
        if nested and isinstance(spec.get(key), dict):
            bad += [f"{name}:{key}: unknown key '{k}'" for k in spec[key] if k not in nested]
            bad += [p for k, w in nested.items() for p in _check(f"{name}:{key}.{k}", spec[key].get(k), w)]
    return bad


def test_every_lexicon_file_is_described():
    on_disk = {p.relative_to(PATTERNS_DIR).as_posix() for p in (PATTERNS_DIR / "lexicon").glob("*.yaml")}
    assert on_disk == set(SCHEMA)


@pytest.mark.parametrize("name", sorted(SCHEMA))
def test_lexicon_keys_are_known_patterns_compile_and_no_word_is_listed_twice(name):
    assert schema_problems(name, load(name)) == []


def test_the_schema_check_catches_a_misspelled_key_a_duplicate_and_a_broken_pattern():
    spec = dict(load("lexicon/checks.yaml"), coefficent="差异系数", coefficient="差异系数|变异系数|差异系数")
    spec.pop("local")
    assert schema_problems("lexicon/checks.yaml", spec) == [
        "lexicon/checks.yaml: unknown key 'coefficent'", "lexicon/checks.yaml: missing key 'local'",
        "lexicon/checks.yaml:coefficient: '差异系数' listed twice"]
    assert schema_problems("lexicon/readers.yaml", dict(load("lexicon/readers.yaml"), page_number="(")) \
        [0].startswith("lexicon/readers.yaml:page_number: does not compile")
    checks = load("lexicon/checks.yaml")
    phrases = checks["admission"]["phrases"]
    planted = dict(checks, admission=dict(checks["admission"], phrases=phrases + [phrases[0], "未(能"]))
    assert schema_problems("lexicon/checks.yaml", planted)[:2] == [
        f"lexicon/checks.yaml:admission.phrases: '{phrases[0]}' listed twice",
        f"lexicon/checks.yaml:admission.phrases[{len(phrases) + 1}]: does not compile (missing ) at position 3)"]


def test_every_rectification_account_names_the_word_paragraphs_are_skipped_without():
    rect = load("lexicon/checks.yaml")["rectification"]
    for key in ("pair", "all_fixed", "split_fixed"):
        bare = regex.sub(r"\(\?<!.*?\)|\(\?:[^()]*\)\?", "", rect[key])     # lookbehinds and optional groups cannot vouch
        assert rect["split_word"] in bare, key


def test_every_placeholder_pattern_and_expression_compiles():
    ph = placeholders()
    for name, pat in ph.items():
        regex.compile(pat, regex.V1)
    for e in load("lexicon/periods.yaml")["expressions"]:
        assert set(e) == {"name", "pattern", "period"}, e
        regex.compile(expand(e["pattern"], ph), regex.V1)
    for m in load("lexicon/headings.yaml")["markers"]:
        assert set(m) == {"style", "pattern"}, m
        regex.compile(m["pattern"])
    for p in load("lexicon/negatives.yaml")["protect"]:
        assert set(p) in ({"name", "pattern"}, {"name", "pattern", "lead"}), p
        assert p["pattern"].startswith(p.get("lead", "")), p      # the lead is the pattern's own start
        regex.compile(p["pattern"], regex.V1)


def _corpus(kind):
    return yaml.load((PATTERNS_DIR / "kinds" / f"{kind}.corpus.yaml").read_text(encoding="utf-8"), Loader=LOADER)


def test_rules_and_examples_have_only_known_keys():
    for kind in KINDS:
        spec = load(f"kinds/{kind}.yaml")
        names = [r["name"] for r in spec["rules"]]
        assert len(names) == len(set(names)), f"{kind}: a rule name twice"
        for r in spec["rules"]:
            assert set(r) <= RULE_KEYS, f"{kind}/{r['name']}: unknown keys {set(r) - RULE_KEYS}"
        corpus = _corpus(kind)
        assert set(corpus) <= CORPUS_SECTIONS, f"{kind}: unknown sections {set(corpus) - CORPUS_SECTIONS}"
        for section in ("development", "held_out", "regression"):
            for ex in corpus.get(section) or []:
                assert set(ex) <= EXAMPLE_KEYS, f"{kind} {section} {ex}: unknown keys"
        assert all(isinstance(t, str) for t in corpus["negatives"]), kind


def test_every_extraction_rule_has_an_example():
    fired = set()
    for kind in KINDS:
        corpus = _corpus(kind)
        for section in ("development", "held_out", "regression"):
            for ex in corpus.get(section) or []:
                text = normalize(ex["text"]).text
                fired |= {(sp.kind, sp.rule) for sp in find_spans(text)}
    missing = [(k, r["name"]) for k in KINDS for r in load(f"kinds/{k}.yaml")["rules"] if (k, r["name"]) not in fired]
    assert missing == [], "rules without an example in their corpus"


def test_every_protected_span_has_an_example():
    texts = [t for kind in KINDS for t in _corpus(kind)["negatives"]]
    unmatched = [p["name"] for p in load("lexicon/negatives.yaml")["protect"]
                 if not any(regex.search(p["pattern"], normalize(t).text, flags=regex.V1) for t in texts)]
    assert unmatched == [], "protected spans without a negative example"
