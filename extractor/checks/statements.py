"""What a report says of itself, checked: a claim that the standards are met beside a figure that fails one
(`claim`), the shortfalls it admits (`admission`), and problems found against problems fixed
(`rectification`). The words are read by checks/phrases.py.
"""
from __future__ import annotations

import bisect
from decimal import Decimal

from . import phrases
from .findings import Finding, finding, msg, squeeze
from .view import CLAUSE_END, DocView, after_last, rx


def check_claims(rule, view: DocView) -> list[Finding]:
    """全部达到了国家规定的标准, in the sentence of a standard's figure or the one after it: failed if one failed."""
    text = view.text
    out = []
    by_sent = {}
    for fd in view.standards + view.echoes:
        if fd.start is None or fd.status not in ("pass", "fail"):
            continue
        pos = bisect.bisect_left(view.result.norm.omap, fd.start)
        by_sent.setdefault(view.layout.index("sentences", pos), []).append(fd)
    for m in rx(rule["claim"]).finditer(text):
        si = view.layout.index("sentences", m.start())
        s0, s1 = view.layout.sentences[si]
        if phrases.admits(text[s0:s1]):
            continue        # 小学达到国家标准、初中尚未达到: a sentence that owns its shortfall claims nothing false
        near = _in_scope(by_sent.get(si, []) + by_sent.get(si - 1, []), text, m.start(), view)
        if not near:
            continue
        failed = [fd for fd in near if fd.status == "fail"]
        ev = view.evidence(m.start(), m.end())
        target = failed[0] if failed else near[0]
        said = (msg("claim_failed", claim=ev["raw"],
                    failures={"each": [{"key": fd.key, "params": fd.params} for fd in failed],
                              "sep": "findings.claim_failed_sep"})
                if failed else msg("claim_passed", claim=ev["raw"]))
        out.append(finding(target.doc, rule["id"], "fail" if failed else "pass", rule["severity"], said,
                           section=target.section, item=target.item, indicator=target.indicator,
                           value=target.value, values=[fd.value for fd in near], threshold=target.threshold,
                           source=_sources(failed or near), **ev))
    return out


def _sources(findings: list) -> str:
    """Each document the findings rest on once: a source that another one extends (its note added) is that one."""
    srcs = sorted({fd.source for fd in findings if fd.source})
    return "; ".join(x for x in srcs if not any(y != x and y.startswith(x) for y in srcs))


def _in_scope(findings: list, text: str, at: int, view: DocView) -> list:
    """The standards a claim speaks of: those of the school level its clause names (小学达到国家标准), else all."""
    levels = {r["id"]: r.get("level") for r in view.ruleset.rules} if view.ruleset is not None else {}
    clause = text[after_last(text, CLAUSE_END | {"\u3001"}, max(at - 40, 0), at):at]
    named = {lv for lv in levels.values() if lv and lv in clause}
    return [fd for fd in findings if levels.get(fd.rule) in named] if named else findings


def check_admissions(rule, view: DocView) -> list[Finding]:
    """Shortfalls the report states: every paragraph under a 存在问题 heading, and elsewhere each sentence
    the lexicon finds (财力有限，暂无法实现同工同酬), the sentence as evidence."""
    result, text = view.result, view.text
    section_titles = [(h.nstart, h.nend + 1) for h in result.seg.headings if phrases.is_section_title(h.title)]
    spans = []
    for p0, p1 in view.layout.paragraphs:
        reg = result.seg.region_at(p0)
        if phrases.is_problem_section(reg.path):
            lead = len(text[p0:p1]) - len(text[p0:p1].lstrip(" \n\t#"))
            body = text[p0 + lead:p1].rstrip()
            if body and not phrases.is_problem_heading(body):
                spans.append((p0 + lead, p0 + lead + len(body), reg))
    sentences = view.layout.sentences
    for i in sorted({view.layout.index("sentences", pos) for pos in phrases.admission_starts(text)}):
        s0, s1 = sentences[i]
        if not phrases.admits(text[s0:s1]):
            continue
        reg = result.seg.region_at(s0)
        if phrases.is_problem_section(reg.path) or any(h0 <= s0 < h1 for h0, h1 in section_titles):
            continue        # read whole above; 四、存在问题及整改措施 only names a section
        spans.append((*view.sentence_span(s0), reg))
    out = []
    for n0, n1, reg in sorted(spans, key=lambda x: x[0]):
        ev = view.evidence(n0, n1)
        out.append(finding(view.doc, rule["id"], "admitted", rule["severity"], msg("admitted", said=squeeze(ev["raw"])),
                           section=reg.section, item=reg.item, **ev))
    return out


def check_rectification(rule, view: DocView) -> list[Finding]:
    """排查出建筑安全隐患6项，已整改2项 → fail (4 open), with the reason the report gives quoted."""
    out = []
    for r in phrases.rectifications(view.text, view.layout):
        ev = view.evidence(r.nstart, r.nend)
        reg = view.result.seg.region_at(r.nstart)
        what = squeeze(r.what)
        if r.left is not None and r.fixed + r.left != r.found:
            status, said = "inconsistent", msg("rectification_split", what=what, n=r.found, m=r.fixed, k=r.left,
                                               total=r.fixed + r.left, unit=r.unit)
        elif r.fixed < r.found:
            status = "fail"
            reason = msg("rectification_reason", reason=squeeze(r.reason)) if r.reason else msg("rectification_no_reason")
            said = msg("rectification_open", what=what, n=r.found, m=r.fixed, open=r.found - r.fixed, unit=r.unit,
                       reason=reason)
        elif r.fixed == r.found:
            status, said = "pass", msg("rectification_done", what=what, n=r.found, unit=r.unit)
        else:
            status, said = "inconsistent", msg("rectification_over", what=what, n=r.found, m=r.fixed, unit=r.unit)
        out.append(finding(view.doc, rule["id"], status, rule["severity"], said, section=reg.section, item=reg.item,
                           value=Decimal(r.found - r.fixed), values=[Decimal(r.found), Decimal(r.fixed)],
                           threshold=Decimal(r.found), source=rule.get("source", ""), **ev))
    return out


CHECKS = {"claim": check_claims, "admission": check_admissions, "rectification": check_rectification}
