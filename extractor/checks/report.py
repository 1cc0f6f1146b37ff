"""A report's findings and its verdict, from its analysis: what every caller (extract, check, a batch worker, a
re-check) asks of checks for one report."""
from __future__ import annotations

import bisect
from dataclasses import dataclass, replace

from . import rules, standards, verdict
from .view import government


@dataclass(frozen=True)
class Assessed:
    analysis: object          # pipeline.Analysis
    findings: tuple           # rules.Finding
    verdict: verdict.Verdict
    metrics: tuple            # the metrics table's rows: the government's own figures, each judged by its standard

    @property
    def document(self) -> dict:
        """The documents-table row with the verdict and its counts; the items missing are those the completeness
        check found missing (an item the report says does not apply is not missing)."""
        missing = [str(f.item) for f in self.findings
                   if f.rule == verdict.required_rule() and f.status == "missing" and f.item is not None]
        return {**self.analysis.document, **self.verdict.columns(), "items_missing": ";".join(missing)}


def findings_of(result, ruleset) -> tuple:
    """The report's findings, each with the headings its evidence stands under (a memo cites page and heading)."""
    omap, seg = result.norm.omap, result.seg
    out = []
    for f in rules.check(result, ruleset):
        if f.start is not None and not f.heading:
            f = replace(f, heading=" > ".join(seg.region_at(bisect.bisect_left(omap, f.start)).path))
        out.append(f)
    return tuple(out)


def assess(analysis, ruleset) -> Assessed:
    found = findings_of(analysis.result, ruleset)
    unread = verdict.unread_pages(analysis.result.source.warnings)
    v = verdict.of([f.rule for f in found], [f.status for f in found], ruleset, unread)
    rows = standards.metric_rows(analysis.result.facts, analysis.document, government(analysis.result), ruleset)
    return Assessed(analysis, found, v, tuple(rows))


def checking_setup(rule_paths: str = "", scheme_path: str = ""):
    """The ruleset and scheme a batch checked with, from what its meta table recorded (a JSON list of rule files,
    a scheme file); the built-in ones where it recorded none or the files are gone."""
    import json
    from pathlib import Path
    from ..errors import InputError
    from ..text.schemes import load_scheme
    paths = [p for p in (json.loads(rule_paths) if rule_paths else []) if Path(p).is_file()]
    try:
        ruleset = rules.load_rules(paths)
    except InputError:
        ruleset = rules.load_rules()
    try:
        scheme = load_scheme(scheme_path or None)
    except InputError:              # the file is gone: each report chooses again
        scheme = None
    return ruleset, scheme
