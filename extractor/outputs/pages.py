"""What each page shows, as plain values for the templates (outputs/templates): the reports with their verdicts
after the inspectors' decisions, and one report with its findings, decisions, history and text. The same for the
static site a batch writes (review.py) and for the review server (server/app.py): `data` is anything with the
batch's tables (`tables`, `of(doc)`), `texts`, `warnings`, `errors`, `meta` and `result(doc)`."""
from __future__ import annotations

import functools
from dataclasses import dataclass

from .. import i18n
from ..checks.verdict import ORDER, from_row, page_count, row_again, with_verdicts
from . import decisions, templating
from .decision_store import events
from .decisions import when


@dataclass
class Checking:
    """The rules and scheme the batch checked with (its meta names them), for checking corrected values again."""
    ruleset: object
    scheme: object
    rules: dict
    titles: dict


@functools.lru_cache(maxsize=4)
def checking(rule_paths: str, scheme_path: str) -> Checking:
    from .tables import rule_titles
    ruleset, scheme = decisions.checking_setup(rule_paths, scheme_path)
    return Checking(ruleset, scheme, {r["id"]: r for r in ruleset.rules}, rule_titles(ruleset))


def checking_of(snap) -> Checking:
    return checking(snap.meta.get("rule_paths", ""), snap.meta.get("scheme_path", ""))


def decided_for(snap, outdir, ck: Checking, doc: str | None = None):
    """Decided of one report (its events only) or of all."""
    tables = snap.tables if doc is None else snap.of(doc)
    state = decisions.fold(events(outdir, doc))
    return decisions.prepare(tables, state, snap.result, ck.ruleset, ck.scheme, snap.rechecked)


PAGE_SIZE = 200           # rows of the index shown at once (index.js pages the rest): one screen, not 60,000 px


def index(snap, decided, ck: Checking, report_url, decisions_on: bool = True) -> dict:
    """Everything the index shows: the summary first (verdict counts, districts, links to each chart and to the files
    that could not be read), the rows, the charts of the key indicators and the unreadable files."""
    from . import chart
    from .tables import district_names
    docs = snap.tables["documents"]
    names = district_names(docs)
    after = with_verdicts(docs, decided.effective(), ck.ruleset)        # as checks decide them after the decisions
    n_facts = snap.tables["facts"]["doc"].value_counts().to_dict()
    per_doc = decided.findings.groupby("doc")["decision"].apply(lambda s: int((s != "").sum())).to_dict() \
        if len(decided.findings) else {}
    rows = []
    for d, a in zip(docs.itertuples(index=False), after.itertuples(index=False)):
        v, v0 = from_row(a), from_row(d)
        rows.append({"doc": d.doc, "district": names[d.doc], "issuer": d.issuer, "year": templating._int(d.performance_year),
                     "format": d.input_kind, "verdict": v, "detail": verdict_detail(v), "changed": v.verdict != v0.verdict,
                     "final": decided.verdict(d.doc), "status": decided.status(d.doc), "decided": per_doc.get(d.doc, 0),
                     "facts": n_facts.get(d.doc, 0), "failed": [(ck.titles.get(r, r), f"rule-{r}") for r in v.failed_rules]})
    rows.sort(key=lambda r: (ORDER[r["verdict"].verdict], -r["verdict"].standards_failed, r["doc"]))
    kept = after[after["duplicate_of"].fillna("") == ""]
    counts = kept["verdict"].value_counts().to_dict()
    errors = snap.errors[snap.errors["kind"] != "unsupported"] if len(snap.errors) else snap.errors
    series = key_series(kept, decided.effective(), ck, report_url)
    return {"rows": rows, "stale": [_stale_item(e, ck) for e in decided.no_longer_applies()] if decisions_on else [],
            "n_findings": len(snap.tables["findings"]), "n_errors": len(errors), "n_facts": len(snap.tables["facts"]),
            "summary": {"counts": [(v, counts[v]) for v in ORDER if counts.get(v)],
                        "districts": kept["doc"].map(names).nunique() if len(kept) else 0,
                        "duplicates": len(after) - len(kept), "pages_unread": sum(page_count(u) for u in kept["unread_pages"])},
            "charts": [c for c in (chart.chart(x) for x in series) if c],
            "errors": [(r.path, i18n.word("error_kind", r.kind), i18n.shown(r.message_key, r.message_params, r.cause))
                       for r in snap.errors.itertuples()],
            "decisions_on": decisions_on, "page_size": PAGE_SIZE, "report_url": report_url,
            "verdict_codes": list(ORDER), "verdict_order": ORDER}


def verdict_detail(v) -> str:
    """What stands behind a verdict that is not plain: the standards checked of those in force, the pages not read."""
    if v.verdict == "unverified":
        return i18n.t("verdict.unverified_detail", checked=v.standards_checked, total=v.standards_total)
    if v.unread_pages:
        return i18n.t("verdict.unreadable_detail", pages=v.unread_pages)
    return ""


def key_series(docs, findings, ck: Checking, report_url) -> list:
    """Per key indicator (patterns/verdicts.yaml): its title, unit, standard and plausible range, and a point per
    district that states it (its first stated value), labelled by district and year."""
    from .. import data
    from .rule_table import _unit
    labels = point_labels(docs)
    keep = set(docs["doc"])
    out = []
    for rid in data.load("verdicts.yaml")["key_indicators"]:
        rule = ck.rules.get(rid)
        if rule is None:
            continue
        sel = findings[(findings["rule"] == rid) & findings["status"].isin(["pass", "fail"])]
        first = {}
        for doc, value, status in zip(sel["doc"], sel["value"], sel["status"]):
            if doc in keep:
                first.setdefault(doc, (value, status))
        points = []
        for doc, (value, status) in first.items():
            try:
                points.append({"name": labels[doc], "value": float(value), "exact": str(value), "status": status,
                               "url": report_url(doc)})
            except (TypeError, ValueError):
                continue
        std = float(rule["threshold"]) if rule.get("threshold") is not None else None
        out.append({"id": rid, "title": rule["title"], "unit": _unit(rule), "op": rule.get("op", ""), "standard": std,
                    "plausible": plausible(rule), "points": points})
    return out


def plausible(rule) -> tuple:
    """The values a key indicator can take in a real report (the catalog's range for its metric): outside, a slip to
    check, never a point to draw."""
    from ..checks.plausible import plausible as catalog_range
    got = catalog_range(rule.get("metric", ""))
    return (float(got[0]), float(got[1])) if got else (float("-inf"), float("inf"))


def point_labels(docs) -> dict:
    """doc → how a chart names its report: district and year, and where two share both, the report's format or,
    failing that, the end of its id, so no two labels read the same."""
    from .tables import district_names
    names = district_names(docs)
    base = {}
    for d in docs.itertuples(index=False):
        year = templating._int(d.performance_year)
        base[d.doc] = f"{_district_only(d)} {year}" if year else _district_only(d)
    seen = {}
    for b in base.values():
        seen[b] = seen.get(b, 0) + 1
    out = {}
    for d in docs.itertuples(index=False):
        b = base[d.doc]
        if seen[b] > 1:
            same = [x for x in docs.itertuples(index=False) if base[x.doc] == b]
            kinds = [x.input_kind for x in same]
            part = i18n.word("input_kind", d.input_kind) if kinds.count(d.input_kind) == 1 else d.doc[-8:]
            b = i18n.t("site.name_with_id", name=b, doc=part)
        out[d.doc] = b or names[d.doc]
    return out


def _district_only(d) -> str:
    from ..ids import district
    return district(d._asdict())


def _stale_item(e, ck: Checking) -> dict:
    d = e["data"]
    if e["kind"] == "decision":
        f = d.get("finding") or {}
        what = i18n.t("decide.about_finding", title=ck.titles.get(f.get("rule"), f.get("rule", "")), raw=f.get("raw", ""))
        said = i18n.word("decision", d["choice"])
    else:
        what = i18n.t("decide.about_fact", indicator=d.get("indicator", ""), raw=d.get("raw", ""))
        said = i18n.t("decide.corrected_to", value=d.get("value", ""), unit=d.get("unit", ""))
    return {"doc": e["doc"], "what": what, "said": said, "who": e["who"], "at": when(e["at"]),
            "note": decisions._note(d) if e["kind"] == "decision" else d.get("reason", "")}


def report(snap, doc: str, decided, ck: Checking, decisions_on: bool = True, editable: bool = True) -> dict:
    d = snap.rows("documents", doc)[0]
    facts = snap.rows("facts", doc)
    fkeys = decided.fact_keys.get(doc, [])
    fixes = decided.state.corrections
    fact_at = {}
    for f, k in zip(facts, fkeys):
        fact_at.setdefault(int(f["start"]), {**f, "key": k, "correction": fixes.get((doc, k))})
    rows = decided.rows_of(doc)
    items, anchored = [], set()
    for f in rows:
        start = templating._int(f.get("start"))
        fact = fact_at.get(start) if start is not None and str(f.get("value") or "") not in ("",) else None
        anchor = f["status"] in ("fail", "inconsistent") and f["rule"] not in anchored   # the index links here
        anchored |= {f["rule"]} if anchor else set()
        items.append({**f, "title": ck.titles.get(f["rule"], f["rule"]), "places": templating.places(f),
                      "anchor": f"rule-{f['rule']}" if anchor else "",
                      "page": templating._int(f.get("page")), "start": start,
                      "standing": _standing(decided.state.decision(doc, f["key"])), "fact": fact,
                      "history": decided.state.history.get((doc, f["key"]), [])
                      + (decided.state.history.get((doc, fact["key"]), []) if fact else [])})
    v0 = from_row(d)
    v = row_again(d, [(f["doc"], f["rule"], f["status"]) for f in rows if f["decision"] != "dismissed"], ck.ruleset)
    base = templating._int(d.get("part_start")) or 0
    return {"d": d, "verdict": v, "verdict_before": v0, "detail": verdict_detail(v), "decisions_on": bool(decided.state.events)
            or decisions_on, "final": decided.verdict(doc), "status": decided.status(doc),
            "groups": templating.grouped(items, ck.rules), "n_facts": len(facts),
            "segments": templating.segments(snap.texts.get(doc, ""), facts, rows, base),
            "warnings": [i18n.shown(w.message_key, w.message_params, w.message)
                         for w in snap.warnings_of(doc)],
            "stale": [_stale_item(e, ck) for e in decided.no_longer_applies(doc)],
            "rechecks": snap.result(doc) is not None if editable else False,     # only the forms need to know
            "report_history": decided.state.history.get((doc, ""), []),
            "meta": _meta(d)}


def _meta(d) -> list:
    from .tables import schema
    zh = {c[0]: c[2] for c in schema()["documents"]}
    return [(zh[k], d[k]) for k in ("issuer", "addressee", "doc_number", "signer", "report_date", "performance_year",
                                    "progress_year", "scheme", "items_missing", "pages")
            if str(d.get(k, "")) not in ("", "<NA>", "None", "nan")]


def describe(e, ck: Checking) -> str:
    """One event of a history in words."""
    d = e["data"]
    sep = i18n.t("site.source_sep")
    if e["kind"] == "decision":
        return sep.join(x for x in (i18n.word("decision", d["choice"]), d.get("reason"), d.get("request"), d.get("note")) if x)
    if e["kind"] == "correction":
        if not d.get("value"):
            return i18n.t("decide.correction_withdrawn")
        return sep.join(x for x in (i18n.t("decide.corrected_to", value=d["value"], unit=d.get("unit", "")),
                                    i18n.t("decide.original_was", value=d.get("original", "")), d.get("reason")) if x)
    if e["kind"] == "status":
        return sep.join(x for x in (i18n.word("review_status", d["status"]),
                                    i18n.t("decide.held_by", name=d["assignee"]) if d.get("assignee") else "") if x)
    said = i18n.word("verdict", d.get("verdict")) if d.get("verdict") else i18n.t("decide.verdict_cleared")
    return sep.join(x for x in (i18n.t("columns.verified") + i18n.t("site.colon") + said, d.get("reason")) if x)


def described(ctx: dict, ck: Checking) -> dict:
    """The page's histories with each event in words."""
    def items(es):
        return [{"at": when(e["at"]), "who": e["who"], "text": describe(e, ck)} for e in es]
    for _, _, fs in ctx["groups"]:
        for f in fs:
            f["history"] = items(f["history"])
    ctx["report_history"] = items(ctx["report_history"])
    return ctx


def _standing(e):
    return {**e, "at": when(e["at"])} if e else None
