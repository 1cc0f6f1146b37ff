"""One verdict per report, saying what was checked (patterns/verdicts.yaml).

fail          a national standard (or a claim of meeting one) failed          未达标
inconsistent  no standard failed, but the report's numbers disagree           数据不一致
unverified    too few standards could be checked to say it meets them         待核实
pass          enough standards checked and none failed                        达标
`missing` counts only the scheme's required items, not standards a report need not state.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .. import data

ORDER = {"fail": 0, "inconsistent": 1, "unverified": 2, "pass": 3}
STANDARD_KINDS = ("threshold", "compare")


@dataclass
class Verdict:
    verdict: str
    checked: int            # standards with a stated value (pass or fail)
    total: int              # standards in force
    fails: int              # failed standards and claims (findings)
    inconsistent: int
    missing: int            # required items missing
    failed_rules: list = field(default_factory=list)     # rule ids, in rule order


def standard_ids(ruleset) -> list:
    return [r["id"] for r in ruleset.rules if r["kind"] in STANDARD_KINDS]


def of(findings, ruleset) -> Verdict:
    """findings: a DataFrame of one report's findings (rule, status)."""
    spec = data.load("verdicts.yaml")
    standards = standard_ids(ruleset)
    std = set(standards)
    claims = {r["id"] for r in ruleset.rules if r["kind"] == "claim"}
    rules = list(findings["rule"])
    status = list(findings["status"])
    checked = {r for r, s in zip(rules, status) if r in std and s in ("pass", "fail")}
    failed = [r for r, s in zip(rules, status) if s == "fail" and (r in std or r in claims)]
    inconsistent = sum(1 for s in status if s == "inconsistent")
    missing = sum(1 for r, s in zip(rules, status) if r == spec["required_rule"] and s == "missing")
    if failed:
        v = "fail"
    elif inconsistent:
        v = "inconsistent"
    elif len(checked) < min(spec["min_checked"], len(standards)) or not checked:
        v = "unverified"
    else:
        v = "pass"
    order = {rid: i for i, rid in enumerate(r["id"] for r in ruleset.rules)}
    return Verdict(v, len(checked), len(standards), len(failed), inconsistent, missing,
                   sorted(set(failed), key=lambda r: order.get(r, 1e9)))
