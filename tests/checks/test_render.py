"""A finding's sentence: rendered in the language chosen when a report's check begins, and a sentence of words and
whole numbers made once per language, never confusing values that are equal but written differently."""
from decimal import Decimal

from extractor.checks.findings import msg, one_language, render
from extractor.checks.rules import check, load_rules
from extractor.pipeline import process_path


def test_the_language_is_read_once_when_the_check_begins(monkeypatch):
    monkeypatch.setenv("SELFEVAL_LANG", "en")
    with one_language():
        monkeypatch.setenv("SELFEVAL_LANG", "zh")
        inside = render(msg("threshold_missing", title="X"))
    outside = render(msg("threshold_missing", title="X"))
    assert inside == "The report does not state X"
    assert outside != inside and "X" in outside


def test_an_explicit_language_wins_over_the_checks_one(monkeypatch):
    monkeypatch.setenv("SELFEVAL_LANG", "zh")
    with one_language():
        assert render(msg("threshold_missing", title="X"), "en") == "The report does not state X"


def test_the_same_sentence_again_is_the_same_text_in_each_language(monkeypatch):
    m = msg("threshold_missing", title="Y")
    monkeypatch.setenv("SELFEVAL_LANG", "en")
    en = render(m), render(m)
    monkeypatch.setenv("SELFEVAL_LANG", "zh")
    zh = render(m), render(m)
    assert en[0] == en[1] and zh[0] == zh[1] and en[0] != zh[0]


def test_equal_values_written_differently_are_not_one_sentence(monkeypatch):
    monkeypatch.setenv("SELFEVAL_LANG", "en")
    one = render(msg("item_with_data", k=1, title="T", n=1))
    decimal = render(msg("item_with_data", k=1, title="T", n=Decimal("1.0")))
    flag = render(msg("item_with_data", k=1, title="T", n=True))
    assert "1.0" in decimal and "1.0" not in one
    assert "True" in flag and "True" not in one


def test_a_reports_findings_are_the_same_checked_twice(tmp_path):
    report = tmp_path / "r.md"
    report.write_text("全县学前三年毛入园率为92.5%，义务教育巩固率为98.1%。本县共有学校41所，其中小学28所、初中13所。"
                      "全县学前三年毛入园率为92.5%。", encoding="utf-8")
    result, rules = process_path(report), load_rules()
    first = [f.to_dict() for f in check(result, rules)]
    assert first and first == [f.to_dict() for f in check(result, rules)]


def test_a_margin_line_number_inside_a_statement_is_not_shown():
    from extractor.checks.findings import squeeze
    assert squeeze("九年一贯制学校4\n 14  所") == "九年一贯制学校4所"
    assert squeeze("1: 15") == "1:15" and squeeze("2394\n万元") == "2394万元"
