"""The summary memo across a batch's reports: the years and levels it covers, each district counted once (a
duplicate submission is folded into the district's latest report), per standard the districts that met it and did
not with their values, and per district its verdict and problems, as checks decided and stored them."""
from __future__ import annotations

from collections import Counter

from ... import i18n
from ...checks.verdict import from_row
from ...ids import district, labels
from . import word
from .common import sep, group_heading, problems_of, report_title, rule_title, s, standard, w, words, year

STANDARD_WIDTHS = (38, 22, 16, 16, 48, 16)       # millimetres, within the 156 mm text width
DISTRICT_WIDTHS = (30, 60, 22, 14, 30)


def _title(docs) -> str:
    ys = sorted({int(y) for y in (year(d) for d in docs) if y})
    years = "" if not ys else (w("year_one", "memo_summary", year=ys[0]) if len(ys) == 1 else
                               w("year_span", "memo_summary", first=ys[0], last=ys[-1]))
    levels = words("levels", "memo_summary")
    have = [lv for lv in ("county", "city", "province") if any(_level(d) == lv for d in docs)]
    return w("title", "memo_summary", years=years,
             levels=w("levels_sep", "memo_summary").join(levels[lv] for lv in have))


def _level(d) -> str:
    return "county" if s(d.get("county")) else "city" if s(d.get("city")) else "province"


def _report_name(d) -> str:
    t = report_title(d)
    y = year(d)
    return t or w("untitled", "memo_summary", district=district(d), year_text=w("year_text", year=y) if y else "")


def summary_document(docs: list, findings: dict, rules: dict, n_errors: int = 0):
    """docs: the documents rows; findings: doc → its findings rows; n_errors: files that could not be read."""
    doc = word.new_document()
    kept = [d for d in docs if not s(d.get("duplicate_of"))]         # each district once: its latest report
    word.title(doc, _title(docs))
    word.centered(doc, w("draft_note", "memo_summary"))
    parts = words("parts", "memo_summary")
    names = labels(kept, i18n.t("site.name_with_id"))
    word.heading(doc, parts[0], 1)
    word.para(doc, *_overall(docs, kept, findings, rules, n_errors))
    word.heading(doc, parts[1], 1)
    _standards(doc, kept, findings, rules, names)
    word.heading(doc, parts[2], 1)
    word.para(doc, w("districts_intro", "memo_summary"))
    rows = []
    for d in kept:
        v = from_row(d)
        failed = sep().join(rule_title(r, rules) for r in v.failed_rules)
        rows.append((names[d["doc"]], _report_name(d), i18n.word("verdict", v.verdict), str(v.problems), failed))
    word.table(doc, words("districts_header", "memo_summary"), rows, DISTRICT_WIDTHS)
    word.closing(doc, words("closing", "memo_summary"))
    return doc


def _overall(docs, kept, findings, rules, n_errors) -> list:
    verdicts = [from_row(d) for d in kept]
    with_problems = [v for v in verdicts if v.problems]
    unchecked = sum(1 for v in verdicts if not v.problems and v.standards_checked == 0)
    clean = sum(1 for v in verdicts if not v.problems and v.standards_checked and not v.unread_pages)
    out = [w("overall", "memo_summary", n_reports=len(docs), n_districts=len({district(d) for d in kept}))]
    for key, count, extra in (("overall_problems", len(with_problems), sum(v.problems for v in with_problems)),
                              ("overall_clean", clean, 0), ("overall_unchecked", unchecked, 0),
                              ("overall_unread", sum(1 for v in verdicts if v.unread_pages), 0),
                              ("overall_duplicates", len(docs) - len(kept), 0), ("overall_errors", n_errors, 0)):
        if count:
            out.append(w(key, "memo_summary", n=count, m=extra))
    out[-1] = out[-1].rstrip("；; ") + w("overall_end", "memo_summary")
    groups = Counter(g for d in kept for g, _ in problems_of(findings.get(d["doc"], []), rules))
    if groups:
        out.append(w("by_group_intro", "memo_summary") + sep().join(
            w("by_group", "memo_summary", heading=group_heading(g), n=k) for g, k in sorted(groups.items()))
            + w("overall_end", "memo_summary"))
    return out


def _standards(doc, kept, findings, rules, names):
    """Per standard some report states: met (a pass and no failure), not met (as the verdict counts it) with the
    values, not stated."""
    rows = []
    for rid, rule in rules.items():
        if rule.get("kind") not in ("threshold", "compare"):
            continue
        met, not_met, none, std = [], [], [], ""
        for d in kept:
            fs = [f for f in findings.get(d["doc"], []) if f["rule"] == rid]
            if rid in from_row(d).failed_rules:
                bad = [f for f in fs if f["status"] == "fail"]
                not_met.append((names[d["doc"]], list(dict.fromkeys(s(f["raw"]) for f in bad if s(f["raw"])))))
            elif any(f["status"] == "pass" for f in fs):
                met.append(names[d["doc"]])
            else:
                none.append(names[d["doc"]])
            std = std or next((standard(f, rule) for f in fs if f["status"] in ("pass", "fail")), "")
        if met or not_met:
            rows.append((rule_title(rid, rules), std, str(len(met)), str(len(not_met)),
                         sep().join(w("not_met_entry", "memo_summary", district=k,
                                              values=sep().join(v)) for k, v in not_met), str(len(none))))
    if not rows:
        word.para(doc, w("no_standards", "memo_summary"))
        return
    word.para(doc, w("standards_intro", "memo_summary"))
    word.table(doc, words("standards_header", "memo_summary"), rows, STANDARD_WIDTHS)
