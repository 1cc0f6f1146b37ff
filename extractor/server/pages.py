"""What each page shows, as plain values for the templates (outputs/templates): the reports with their verdicts
after the inspectors' decisions, and one report with its findings, decisions, history and text."""
from __future__ import annotations

import functools
from dataclasses import dataclass

from .. import i18n
from ..checks.verdict import ORDER, from_row, with_verdicts
from ..outputs import decisions, templating
from ..outputs.decision_store import events
from ..outputs.decisions import when


@dataclass
class Checking:
    """The rules and scheme the batch checked with (its meta names them), for checking corrected values again."""
    ruleset: object
    scheme: object
    rules: dict
    titles: dict


@functools.lru_cache(maxsize=4)
def checking(rule_paths: str, scheme_path: str) -> Checking:
    from ..outputs.tables import rule_titles
    ruleset, scheme = decisions.checking_setup(rule_paths, scheme_path)
    return Checking(ruleset, scheme, {r["id"]: r for r in ruleset.rules}, rule_titles(ruleset))


def checking_of(snap) -> Checking:
    return checking(snap.meta.get("rule_paths", ""), snap.meta.get("scheme_path", ""))


def decided_for(snap, outdir, ck: Checking, doc: str | None = None):
    """Decided of one report (its events only) or of all."""
    tables = snap.tables if doc is None else snap.of(doc)
    state = decisions.fold(events(outdir, doc))
    return decisions.prepare(tables, state, snap.result, ck.ruleset, ck.scheme, snap.rechecked)


def index(snap, decided, ck: Checking) -> dict:
    from ..outputs.tables import district_names
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
                     "verdict": v, "changed": v.verdict != v0.verdict, "final": decided.verdict(d.doc),
                     "status": decided.status(d.doc), "decided": per_doc.get(d.doc, 0),
                     "facts": n_facts.get(d.doc, 0), "failed": [ck.titles.get(r, r) for r in v.failed_rules]})
    rows.sort(key=lambda r: (ORDER[r["verdict"].verdict], -r["verdict"].standards_failed, r["doc"]))
    stale = [_stale_item(e, ck) for e in decided.no_longer_applies()]
    return {"rows": rows, "stale": stale, "n_findings": len(snap.tables["findings"]),
            "n_errors": int((snap.errors["kind"] != "unsupported").sum()) if len(snap.errors) else 0}


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


def _records(df) -> list:
    return decisions._records(df)


def report(snap, doc: str, decided, ck: Checking) -> dict:
    docs = snap.tables["documents"]
    d = _records(docs[docs["doc"] == doc])[0]
    facts = _records(snap.of(doc)["facts"])
    fkeys = decided.fact_keys.get(doc, [])
    fixes = decided.state.corrections
    fact_at = {}
    for f, k in zip(facts, fkeys):
        fact_at.setdefault(int(f["start"]), {**f, "key": k, "correction": fixes.get((doc, k))})
    rows = _records(decided.findings[decided.findings["doc"] == doc])
    items = []
    for f in rows:
        start = templating._int(f.get("start"))
        fact = fact_at.get(start) if start is not None and str(f.get("value") or "") not in ("",) else None
        items.append({**f, "title": ck.titles.get(f["rule"], f["rule"]), "places": templating.places(f),
                      "page": templating._int(f.get("page")), "start": start,
                      "standing": _standing(decided.state.decision(doc, f["key"])), "fact": fact,
                      "history": decided.state.history.get((doc, f["key"]), [])
                      + (decided.state.history.get((doc, fact["key"]), []) if fact else [])})
    here = snap.of(doc)["documents"]
    v0 = from_row(here.iloc[0].to_dict())
    v = from_row(with_verdicts(here, decided.effective(), ck.ruleset).iloc[0].to_dict())
    base = templating._int(d.get("part_start")) or 0
    return {"d": d, "verdict": v, "verdict_before": v0, "final": decided.verdict(doc), "status": decided.status(doc),
            "groups": templating.grouped(items, ck.rules), "n_facts": len(facts),
            "segments": templating.segments(snap.texts.get(doc, ""), facts, rows, base),
            "warnings": [i18n.cause(m) for m in snap.warnings[snap.warnings["doc"] == doc]["message"]],
            "stale": [_stale_item(e, ck) for e in decided.no_longer_applies(doc)],
            "rechecks": snap.result(doc) is not None,
            "report_history": decided.state.history.get((doc, ""), []),
            "meta": _meta(d)}


def _meta(d) -> list:
    from ..outputs.tables import schema
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
