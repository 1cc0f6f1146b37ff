"""Check a report's facts against rules kept as data (patterns/rules/*.yaml) and against itself.

Each kind of rule is checked by one function of its family, found through `CHECKS` (as Duckling lists rules
per dimension): standards.py (threshold, compare, trend), consistency.py (share, parts, repeated; the tables'
totals and change columns in table_totals.py, table_changes.py), growth.py (a growth rate against its amounts),
points.py (a change in points against its rates), scores.py, plausible.py, statements.py (claim, admission,
rectification), and completeness here. loading.py reads and validates the
rules; findings.py is the record they all return, its message a catalog key with parameters.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Optional

from . import consistency, growth, phrases, plausible, points, scores, standards, statements
from .findings import FINDING_FIELDS, STATUSES, Finding, fmt, msg, one_language
from .loading import KINDS, STANDARD_KINDS, RuleSet, load_rules
from ..text import metrics
from .view import DocView, government

__all__ = ["FINDING_FIELDS", "KINDS", "STATUSES", "Finding", "RuleSet", "check", "fmt", "government", "load_rules"]


def _said(key: str, **params) -> dict:
    """The fields of a finding's message: its catalog key and parameters (the sentence is rendered when read)."""
    m = msg(key, **params)
    return dict(key=m["key"], params=m["params"])


def _completeness(rule, view: DocView) -> list[Finding]:
    return check_completeness(rule, view.result, view.scheme, view)


CHECKS = {**standards.CHECKS, **consistency.CHECKS, **growth.CHECKS, **points.CHECKS, **scores.CHECKS, **plausible.CHECKS,
          **statements.CHECKS, "completeness": _completeness}


def check(result, ruleset: RuleSet) -> list[Finding]:
    """Every finding of one report: its standards first (claims are read against them), then the rest."""
    with one_language():
        return _check(result, ruleset)


def _check(result, ruleset: RuleSet) -> list[Finding]:
    view = DocView(result, ruleset)
    gov = view.government
    scheme = result.seg.scheme          # the scheme the report follows (segment.choose), or none
    if _scheme_binds(scheme, gov):
        view.scheme = scheme            # a county scheme says nothing of a province's report
    view.standards = _standards(view, ruleset, gov)
    out = list(view.standards)
    for rule in ruleset.rules:
        if rule["kind"] not in STANDARD_KINDS:
            out += CHECKS[rule["kind"]](rule, view)
    return _once(out)


def _standards(view: DocView, ruleset: RuleSet, gov: str) -> list[Finding]:
    """The standards that bind the government, in rule order. One not stated is `missing` where the scheme the
    report follows asks for it (with its severity), an `info` row where the report follows no scheme that asks
    (none known, its own, or one that does not bind the government), and nothing where the scheme does not ask
    for it or a finding of a rule it is `covered_by` states it."""
    scheme = view.scheme                     # followed, and binding the government
    required = required_indicators(scheme) if scheme is not None else {}
    rules = ruleset.of_kind(*STANDARD_KINDS)
    by_rule = {r["id"]: CHECKS[r["kind"]](r, view) for r in rules if standards.binds(r, gov, None)}
    out = []
    for rule in rules:
        found = by_rule.get(rule["id"])
        if found is None:
            continue
        out += found
        if rule["kind"] == "trend" or (found and any(f.status in ("pass", "fail") for f in found)):
            continue
        covered = rule.get("covered_by")
        stated = bool(covered) and any(f.status in ("pass", "fail") for c in covered for f in by_rule.get(c, ()))
        unasked = rule["id"] not in required and scheme is not None and not scheme.printed
        if stated or unasked or not standards.binds(rule, "", view.year):
            continue
        absent = standards.missing(rule, view.doc)
        if rule["id"] in required:
            sev, sec, item = required[rule["id"]]
            # its indicator is stated at a level not told (综合差异系数为0.30 after a ；), or named where no value
            # was read (一是每百名学生拥有高于规定学历教师数。…每百名学生拥有5.86人): unsure, so no alarm
            sev = "info" if _named(view, (rule.get("match") or {}).get("metric") or "") else sev
            absent = replace(absent, severity=sev, section=sec, item=item)
        out.append(absent)
    return out


def _named(view: DocView, metric_id: str) -> bool:
    """The report states the indicator's value at some level, or names the indicator at all."""
    if not metric_id:
        return False
    if view.by_metric.get(metric_id):
        return True
    e = metrics.load_catalog().get(metric_id)
    return e is not None and any(p.search(view.text) for p in e.phrasings)


def _scheme_binds(scheme, gov: str) -> bool:
    govs = getattr(scheme, "governments", ()) if scheme else ()
    return not (gov and govs and gov not in govs)


def _once(findings) -> list[Finding]:
    """A table that restates the text (a DOCX rendering repeats 41.49%) is one statement: one finding."""
    seen, out = {}, []
    for fd in findings:
        said = seen.setdefault((fd.rule, fd.status, str(fd.value), str(fd.threshold)), [])
        # the sentences are rendered only where the rest agrees: most findings are told apart without them
        if not said or fd.message not in [x.message for x in said]:
            said.append(fd)
            out.append(fd)
    return out


# ---------------- completeness ----------------

def _quoted(title: str) -> str:
    """A title inside “…”: its own quotes become the inner ‘…’ (第1项“‘教育强国’战略落实情况”)."""
    return title.replace("“", "‘").replace("”", "’")


def _not_applicable(view: DocView, regions, seen: Optional[dict] = None) -> Optional[tuple]:
    """The sentence in these regions saying the item does not apply (辖区内没有职业教育学校), as a span. `seen`
    keeps each region's answer, for the items of one section that read the same regions."""
    seen = {} if seen is None else seen
    for r in regions:
        key = (r.nstart, r.nend)
        if key not in seen:
            seen[key] = phrases.not_applicable(view.text[r.nstart:r.nend])
        m = seen[key]
        if m:
            return view.sentence_span(r.nstart + m.start())
    return None


def check_completeness(rule, result, scheme, view=None) -> list[Finding]:
    """Each item of the scheme the report follows: addressed with numbers (`requires: numbers`, the default) or
    with text (`requires: text`); said not to apply (not-applicable); or missing, with the item's `severity`.
    A scheme the report prints itself asks nothing; one a user named and the report does not follow is said."""
    doc = result.source.doc
    asked = result.seg.asked
    if result.seg.scheme is None and asked is not None:
        return [Finding(doc=doc, rule=rule["id"], status="missing", severity=rule["severity"],
                        **_said("scheme_not_followed", scheme=asked.name or asked.id))]
    if scheme is None or scheme.printed:
        return []
    view = view or DocView(result)
    out = []
    regions = result.seg.regions
    by_section, by_item, facts_of = {}, {}, {}     # each list in the report's order, as a scan would give it
    for r in regions:
        by_section.setdefault(r.section, []).append(r)
        by_item.setdefault(r.item, []).append(r)
    for f in result.facts:
        facts_of.setdefault(f.item, []).append(f)
    seen = {}
    for sec in scheme.sections:
        n = sec["number"]
        sec_regions = by_section.get(n, [])
        if not sec_regions and not scheme.report_sections:     # its parts are the report's own grouping
            out.append(Finding(doc=doc, rule=rule["id"], status="missing", severity=sec.get("severity", "medium"),
                               section=n, **_said("section_missing", n=n, title=_quoted(sec["title"]))))
        for it in sec.get("items", []) if scheme.items_asked else ():
            k = it["number"]
            title = _quoted(it["title"])
            have = by_item.get(k, [])
            nums = facts_of.get(k, [])
            base = dict(doc=doc, rule=rule["id"], section=n, item=k)
            if nums:
                out.append(Finding(**base, status="pass", severity="info", values=[len(nums)],
                                   **_said("item_with_data", k=k, title=title, n=len(nums))))
                continue
            # An item the report says does not apply: in its own text, or (no heading of its own) in its section's.
            na = _not_applicable(view, have or [r for r in sec_regions if r.item is None], seen)
            if na:
                ev = view.evidence(*na)
                out.append(Finding(**base, status="not-applicable", severity="info", **ev,
                                   **_said("item_not_applicable", k=k, title=title, said=ev["raw"])))
            elif not have:
                out.append(Finding(**base, status="missing", severity=it.get("severity", "medium"),
                                   **_said("item_missing", k=k, title=title)))
            elif it.get("requires", "numbers") == "text":
                out.append(Finding(**base, status="pass", severity="info",
                                   **_said("item_with_text", k=k, title=title)))
            else:
                out.append(Finding(**base, status="missing", severity=it.get("data_severity", rule["severity"]),
                                   **_said("item_without_data", k=k, title=title)))
    return out


def required_indicators(scheme) -> dict:
    """rule id → (severity, section, item): the standards the scheme asks a report to state."""
    out = {}
    for sec in scheme.sections if scheme else ():
        for it in sec.get("items", []):
            for ind in it.get("indicators") or ():
                out[ind["rule"]] = (ind.get("severity", "medium"), sec["number"], it["number"])
    return out
