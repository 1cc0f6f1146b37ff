"""A report's findings and its verdict, from its analysis: what every caller (extract, check, a batch worker, a
re-check) asks of checks for one report."""
from __future__ import annotations

import bisect
from dataclasses import dataclass, replace

from . import rules, verdict


@dataclass(frozen=True)
class Assessed:
    analysis: object          # pipeline.Analysis
    findings: tuple           # rules.Finding
    verdict: verdict.Verdict

    @property
    def document(self) -> dict:
        """The documents-table row with the verdict and its counts; the items missing are those the completeness
        check found missing (an item the report says does not apply is not missing)."""
        missing = [str(f.item) for f in self.findings
                   if f.rule == verdict.required_rule() and f.status == "missing" and f.item is not None]
        return {**self.analysis.document, **self.verdict.columns(), "items_missing": ";".join(missing)}


def findings_of(result, ruleset, scheme=None) -> tuple:
    """The report's findings, each with the headings its evidence stands under (a memo cites page and heading)."""
    omap, seg = result.norm.omap, result.seg
    out = []
    for f in rules.check(result, ruleset, scheme):
        if f.start is not None and not f.heading:
            f = replace(f, heading=" > ".join(seg.region_at(bisect.bisect_left(omap, f.start)).path))
        out.append(f)
    return tuple(out)


def assess(analysis, ruleset, scheme=None) -> Assessed:
    found = findings_of(analysis.result, ruleset, scheme)
    unread = verdict.unread_pages(analysis.result.source.warnings)
    v = verdict.of([f.rule for f in found], [f.status for f in found], ruleset, unread)
    return Assessed(analysis, found, v)
