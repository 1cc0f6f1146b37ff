"""The draft memo of one report: addressed to its issuer, citing it by title and 文号, its problems each once (with
page and heading), admitted shortfalls listed together, one recommendation per distinct piece of advice."""
from __future__ import annotations

from ...checks.verdict import from_row
from ...ids import district
from . import word
from .common import (sep, date, n, numbers_text, problem_title, problems_of, quote_for, recommendation, report_title, s,
                     w, where, words, year)
from .word import cfg


def memo_document(d: dict, findings: list, text: str, rules: dict, others: dict | None = None, asked=()):
    """The memo of one report as a python-docx Document, and its number of problems. d: its documents row;
    findings: its findings rows (offsets into `text`); others: doc → (district, title) of the reports it duplicates;
    asked: (finding, request) of what the inspectors ask the county for (outputs.decisions)."""
    doc = word.new_document()
    issuer = s(d.get("issuer"))
    y = year(d)
    year_text = w("year_text", year=y) if y else ""
    word.title(doc, w("title", issuer=issuer or district(d), year_text=year_text))
    word.centered(doc, w("draft_note"))
    word.para(doc, w("addressee", issuer=issuer) if issuer else w("addressee_blank"), indent=False)
    word.para(doc, _opening(d, year_text))
    parts = words("parts")
    problems = problems_of(findings, rules)
    word.heading(doc, parts[0], 1)
    word.para(doc, *_scope(d, findings, len(problems), others or {}))
    word.heading(doc, parts[1], 1)
    _achievements(doc, findings, rules)
    word.heading(doc, parts[2], 1)
    _problems(doc, problems, text, rules)
    word.heading(doc, parts[3], 1)
    _recommendations(doc, problems, rules, d)
    _asked(doc, asked, rules)
    word.closing(doc, words("closing"))
    return doc, len(problems)


def _opening(d, year_text) -> str:
    title = report_title(d)
    report = w("report_titled", title=title) if title else w("report_untitled", year_text=year_text)
    ref = [x for x in (s(d.get("doc_number")), date(s(d.get("report_date"))) if s(d.get("report_date")) else "") if x]
    return w("opening", report=report, ref=w("ref", parts=w("ref_sep").join(ref)) if ref else "")


def _scope(d, findings, n_problems, others) -> list:
    """一、基本情况 as one paragraph: the scheme and what is missing, pages, facts, the standards checked and the
    problems found (the counts checks stored), and what the inspector must know before reading on."""
    v = from_row(d)
    out = []
    if s(d.get("scheme")):
        secs = [x for x in s(d.get("sections_found")).split(";") if x]
        items = [x for x in s(d.get("items_found")).split(";") if x]
        out.append(w("scope_scheme", scheme=s(d.get("scheme_name")) or s(d.get("scheme")), n_sections=len(secs),
                     n_items=len(items)))
        missing = [f for f in findings if f["status"] == "missing" and n(f.get("item")) is not None
                   and f["rule"] == "completeness.items"]
        if missing:
            out.append(w("scope_missing_items", items=sep().join(s(f["message"]) for f in missing)))
    else:
        out.append(w("scope_no_scheme"))
    if n(d.get("pages")):
        out.append(w("scope_pages", pages=n(d["pages"])))
    out.append(w("scope_facts", n_facts=n(d.get("n_facts")) or 0))
    out.append(w("scope_checks", n_standards=v.standards_checked, n_met=v.standards_checked - v.standards_failed,
                 n_not_met=v.standards_failed))
    out.append(w("scope_problems", n_problems=n_problems) if n_problems else w("scope_no_problems"))
    if v.verdict == "unverified":
        out.append(w("scope_too_few", checked=v.standards_checked, total=v.standards_total))
    if v.unread_pages:
        out.append(w("scope_unread", pages=v.unread_pages))
    if others:
        named = sep().join(w("duplicate_other", district=dist, report=w("report_titled", title=t) if t else
                                     w("report_untitled")) for dist, t in others.values())
        out.append(w("scope_duplicate", others=named))
    return out


def _achievements(doc, findings, rules):
    """Standards met (a standard failed anywhere in the report is no achievement), in the rules' order."""
    c = cfg()
    failed = {f["rule"] for f in findings if f["status"] in c["problem_statuses"]}
    by = {}
    for f in findings:
        if (f["status"] in c["achievement_statuses"] and (rules.get(f["rule"]) or {}).get("kind") in c["achievement_kinds"]
                and f["rule"] not in failed):
            by.setdefault(f["rule"], []).append(f)
    order = list(rules)
    met = sorted(by.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else len(order))
    if not met:
        word.para(doc, w("no_achievements"))
    for i, (_, fs) in enumerate(met, 1):
        message = w("clause_sep").join(dict.fromkeys(s(f["message"]) for f in fs if s(f["message"])))
        source = s(fs[0].get("source"))
        word.para(doc, w("achievement", n=i, message=message), w("achievement_source", source=source) if source else "")


def _problems(doc, problems, text, rules):
    if not problems:
        word.para(doc, w("no_problems"))
        return
    groups = cfg()["problem_groups"]
    shown, last = [], None
    for k, (g, f) in enumerate(problems, 1):
        if not shown or shown[-1] != groups[g]["group"]:
            shown.append(groups[g]["group"])
            word.heading(doc, w("group_heading", n=w(f"numerals.{len(shown)}") or len(shown),
                                heading=w(f"groups.{groups[g]['group']}")), 2)
        quote = quote_for(f, text)
        if groups[g].get("compact"):              # an admitted shortfall: the quote is the problem
            word.para(doc, f"{k}. ", where(f), w("quote", quote=quote))
            continue
        word.heading(doc, w("problem_heading", n=k, title=problem_title(f, rules)), 3)
        pieces = [] if not quote else [w("quote_same")] if quote == last else [where(f), w("quote", quote=quote)]
        last = quote
        if s(f.get("message")):
            pieces.append(w("finding", message=s(f["message"]).rstrip(cfg()["sentence_end"])))
        if s(f.get("source")):
            pieces.append(w("source", source=s(f["source"])))
        if s(f.get("original_value")):          # corrected by an inspector (selfeval serve)
            pieces.append(w("corrected", value=s(f.get("raw")), original=s(f.get("original_value"))))
        word.para(doc, *pieces)


def _recommendations(doc, problems, rules, d):
    """One recommendation per distinct piece of advice, naming the problems it answers (针对问题4至9)."""
    if not problems:
        word.para(doc, w("no_recommendations"))
        return
    advice = {}
    for k, (_, f) in enumerate(problems, 1):
        text = recommendation(f, rules, d)
        advice.setdefault(text, (problem_title(f, rules), []))[1].append(k)
    for i, (text, (title, numbers)) in enumerate(advice.items(), 1):
        word.para(doc, w("recommendation", n=i, numbers=numbers_text(numbers), title=title, text=text))


def _asked(doc, asked, rules):
    """五、请补充的材料: what the inspectors asked the county for, one numbered line each."""
    if not asked:
        return
    word.heading(doc, w("asked_heading"), 1)
    word.para(doc, w("asked_intro"))
    for k, (f, request) in enumerate(asked, 1):
        word.para(doc, w("asked_item", n=k, request=request, title=problem_title(f, rules)))
