"""One verdict per report and the counts behind it, decided here once (patterns/verdicts.yaml) and stored on the
report's row, so the terminal, the workbook, the site and both memos say the same numbers.

fail          a national standard (or a claim of meeting one) failed                 未达标
unreadable    no standard failed, but pages with ink could not be read              未能完整读取
inconsistent  no standard failed, but the report's numbers disagree                  数据不一致
unverified    too few standards could be checked to say it meets them                待核实
pass          enough standards checked and none failed                               达标
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

from .. import data
from .loading import STANDARD_KINDS

ORDER = {"fail": 0, "unreadable": 1, "inconsistent": 2, "unverified": 3, "pass": 4}
PROBLEMS = ("fail", "inconsistent", "admitted")         # what a memo lists under 存在的问题, one each


@dataclass(frozen=True)
class Verdict:
    verdict: str
    standards_checked: int  # standards with a stated value (pass or fail)
    standards_total: int    # standards in force
    standards_failed: int   # standards failed (distinct rules; a claim of meeting them is not counted again)
    inconsistent: int       # findings that the report's own numbers disagree
    missing_items: int      # the scheme's required items not found
    admitted: int           # shortfalls the report states itself
    problems: int           # findings an inspector must act on: fail, inconsistent and admitted findings
    unread_pages: str = ""  # pages with ink that gave no text, as the reader named them ("3, 7-9")
    failed_rules: tuple = field(default_factory=tuple)     # ids of the standards failed, in rule order

    def columns(self) -> dict:
        """The documents table's verdict columns."""
        d = asdict(self)
        d["failed_rules"] = ";".join(self.failed_rules)
        return d


COLUMNS = ("verdict", "standards_checked", "standards_total", "standards_failed", "inconsistent", "missing_items",
           "admitted", "problems", "unread_pages", "failed_rules")


def standard_ids(ruleset) -> list:
    return [r["id"] for r in ruleset.rules if r["kind"] in STANDARD_KINDS]


def _spec() -> dict:
    return data.load("verdicts.yaml")


def required_rule() -> str:
    """The rule whose `missing` findings are the scheme's required items (缺项)."""
    return _spec()["required_rule"]


def of(rules, statuses, ruleset, unread_pages: str = "") -> Verdict:
    """rules, statuses: one report's findings, side by side (lists or columns); unread_pages: the pages its
    reader could not read, as named in its reading warning ("" when every page was read)."""
    spec = _spec()
    standards = standard_ids(ruleset)
    std = set(standards) | set(spec["trend_rules"])
    claims = {r["id"] for r in ruleset.rules if r["kind"] == "claim"}
    not_data = set(spec["not_inconsistency"])
    pairs = list(zip(rules, statuses))
    checked = {r for r, s in pairs if r in std and s in ("pass", "fail")}
    failed = [r for r, s in pairs if s == "fail" and r in std]
    claim_failed = any(s == "fail" and r in claims for r, s in pairs)     # implies a standard failed near it
    inconsistent = sum(1 for r, s in pairs if s == "inconsistent" and r not in not_data)
    missing = sum(1 for r, s in pairs if r == spec["required_rule"] and s == "missing")
    admitted = sum(1 for _, s in pairs if s == "admitted")
    problems = sum(1 for r, s in pairs if s in PROBLEMS and r not in not_data)
    if failed or claim_failed:
        v = "fail"
    elif unread_pages:
        v = "unreadable"
    elif inconsistent:
        v = "inconsistent"
    elif len(checked & set(standards)) < min(spec["min_checked"], len(standards)) or not checked:
        v = "unverified"
    else:
        v = "pass"
    order = {rid: i for i, rid in enumerate(r["id"] for r in ruleset.rules)}
    return Verdict(v, len(checked & set(standards)), len(standards), len(set(failed)), inconsistent, missing,
                   admitted, problems, unread_pages, tuple(sorted(set(failed), key=lambda r: order.get(r, 1e9))))


def unread_pages(warnings) -> str:
    """The pages a reader said it could not read, joined: "3, 7-9"; "" when none. warnings: its messages (i18n.Said),
    or (key, params) as a table keeps them."""
    codes = {f"errors.{c}" for c in _spec()["unread_warnings"]}
    pages = []
    for w in warnings:
        key, params = (w.key, w.params) if hasattr(w, "key") else w
        if str(key).removesuffix("_many") in codes and (params or {}).get("pages"):
            pages.append(str(params["pages"]))
    return ", ".join(pages)


def from_row(row) -> Verdict:
    """The verdict stored on a documents-table row (a dict or a namedtuple), as checks decided it."""
    get = row.get if isinstance(row, dict) else (lambda k, default=None: getattr(row, k, default))

    def text(k) -> str:
        v = get(k)
        return "" if v is None or str(v) in ("", "<NA>", "nan", "None") else str(v)

    def n(k) -> int:
        return int(float(text(k))) if text(k) else 0
    return Verdict(text("verdict") or "unverified", n("standards_checked"), n("standards_total"),
                   n("standards_failed"), n("inconsistent"), n("missing_items"), n("admitted"), n("problems"),
                   text("unread_pages"), tuple(r for r in text("failed_rules").split(";") if r))


def page_count(pages) -> int:
    """How many pages "3, 7-9" names (4)."""
    n = 0
    for part in str(pages or "").split(","):
        a, _, b = part.strip().partition("-")
        if a.isdigit():
            n += int(b) - int(a) + 1 if b.isdigit() else 1
    return n


def of_reports(docs, findings, ruleset, unread: dict) -> dict:
    """doc → Verdict of each of `docs`, from (doc, rule, status) of all their findings and doc → the pages not read:
    what the batch stores, and what the review server's decisions make of it."""
    by_doc = {d: ([], []) for d in docs}
    for doc, rule, status in findings:
        if doc in by_doc:
            by_doc[doc][0].append(rule)
            by_doc[doc][1].append(status)
    return {d: of(rs, ss, ruleset, unread.get(d, "")) for d, (rs, ss) in by_doc.items()}


def _stored_pages(u) -> str:
    return "" if str(u) in ("", "<NA>", "nan") else str(u)


def with_verdicts(documents, findings, ruleset):
    """The documents frame with its verdict columns decided again from these findings (the pages not read stay as
    stored): for findings changed after the batch (dismissed by an inspector, or checked on a corrected value)."""
    unread = {d: _stored_pages(u) for d, u in zip(documents["doc"], documents["unread_pages"])}
    got = of_reports(list(documents["doc"]), zip(findings["doc"], findings["rule"], findings["status"]), ruleset, unread)
    df = documents.copy()
    cols = [got[d].columns() for d in df["doc"]]
    for col in COLUMNS:
        df[col] = [c[col] for c in cols]
    return df


def row_again(row: dict, findings, ruleset) -> Verdict:
    """with_verdicts for one report's documents row (a dict) and its findings ((doc, rule, status) of each), read
    back as from_row reads the frame's row: what a site's page shows, without a frame per report."""
    doc = row["doc"]
    got = of_reports([doc], findings, ruleset, {doc: _stored_pages(row["unread_pages"])})[doc]
    return from_row({**row, **got.columns()})
