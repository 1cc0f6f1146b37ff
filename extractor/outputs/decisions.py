"""What the inspectors decided, folded from the events of outputs.decision_store, and applied to the tables.

A decision is tied to a finding by `identity`, the one function that names a finding (or a fact) stably: its
document, its rule (or kind) and its evidence, normalized, never its offsets. A re-run, a rule change or a
resubmission that gives the same finding back gives it the same key, so its decision carries over; a decision
whose key no current finding has is listed as no longer applying.

Decisions on findings: holds (成立), dismissed (不成立, a reason required), asks (待补充材料, what is asked of the
county required), each with a note. Corrections of facts: the corrected value and a reason, the original kept;
the report is checked again on the corrected value (checks.rules.check on the stored result) and its verdict
follows. Per report: a review status (todo, in_review, done) with who has it, and a final verdict an
inspector may set with a reason. The output writers get a `Decided` (prepare) and call the small functions
below; the codes stay English, the words come from the catalogs.
"""
from __future__ import annotations

import dataclasses
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from .. import i18n
from . import decision_store

CHOICES = ("holds", "dismissed", "asks")
STATUSES = ("todo", "in_review", "done")
VERDICTS = ("fail", "inconsistent", "unverified", "pass")
NOTE_MAX = 2000                         # characters of a note or reason: a paragraph, not a document
# Findings made across documents (duplicates, cross-year trends): kept as they are when a report is re-checked.
ACROSS = re.compile(r"^(batch\.|cross-year$)")


class Refused(ValueError):
    """A decision that cannot be recorded; the argument is a catalog key (decide.error.*)."""


# ---------------- identity ----------------

def _norm(v) -> str:
    """Text as compared across runs: NFKC (全角 digits and ％ fold), no white space; missing is ""."""
    if v is None or (isinstance(v, float) and v != v) or str(v) in ("<NA>", "nan", "None"):
        return ""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(v)))


def identity(doc, what, *evidence) -> str:
    """THE stable identity of a finding or a fact: its document, its rule (a finding) or kind (a fact), and its
    evidence normalized (status, scheme item, the words and value it rests on). Offsets are left out, so
    text moving about in a resubmitted report keeps the key."""
    text = "\x1f".join(_norm(x) for x in (doc, what, *evidence))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]


def _numbered(keys: list) -> list:
    """The second of two identical findings in one report is a finding of its own: key#2."""
    seen, out = {}, []
    for k in keys:
        seen[k] = seen.get(k, 0) + 1
        out.append(k if seen[k] == 1 else f"{k}#{seen[k]}")
    return out


def finding_keys(rows) -> list:
    """Keys of finding rows (dicts or a frame's records), in order."""
    return _numbered([identity(r["doc"], "finding:" + str(r["rule"]), r["status"], r.get("section"), r.get("item"),
                               r.get("raw"), r.get("value")) for r in rows])


def fact_keys(rows) -> list:
    """Keys of fact rows or Fact records, in order: document, kind and the words as written."""
    get = (lambda r, k: r[k]) if rows and isinstance(rows[0], dict) else getattr
    return _numbered([identity(get(r, "doc"), "fact:" + str(get(r, "kind")), get(r, "raw")) for r in rows])


def _records(df) -> list:
    cols = list(df.columns)
    return [dict(zip(cols, vals)) for vals in zip(*(df[c].tolist() for c in cols))] if len(df) else []


def records_by_doc(df) -> dict:
    """doc → the records of its rows, in the frame's order: _records of each report's slice, the frame turned once."""
    out = {}
    for r in _records(df):
        out.setdefault(r["doc"], []).append(r)
    return out


def keyed(findings):
    """The findings frame with its `key` column (computed per report, in the report's order)."""
    df = findings.copy()
    if "key" in df:
        return df
    keys = [""] * len(df)
    if len(df):
        records = _records(df)              # once for the frame: a frame's records per report cost more than the keys
        for _, idx in df.groupby("doc", sort=False).indices.items():
            for i, k in zip(idx, finding_keys([records[i] for i in idx])):
                keys[i] = k
    df["key"] = keys
    return df


# ---------------- what the events say now ----------------

@dataclass
class State:
    decisions: dict = field(default_factory=dict)     # (doc, finding key) → its latest decision event
    corrections: dict = field(default_factory=dict)   # (doc, fact key) → its latest correction (withdrawn: absent)
    status: dict = field(default_factory=dict)        # doc → latest status event
    verdicts: dict = field(default_factory=dict)      # doc → latest final verdict (cleared: absent)
    history: dict = field(default_factory=dict)       # (doc, target) → every event on it, oldest first
    events: list = field(default_factory=list)

    def decision(self, doc, key):
        return self.decisions.get((doc, key))

    def corrections_of(self, doc) -> dict:
        """fact key → corrected value (text) for one report."""
        return {k: e["data"]["value"] for (d, k), e in self.corrections.items() if d == doc}


def fold(events) -> State:
    s = State(events=list(events))
    for e in s.events:
        where = (e["doc"], e["target"])
        s.history.setdefault(where, []).append(e)
        if e["kind"] == "decision":
            s.decisions[where] = e
        elif e["kind"] == "correction":
            if e["data"].get("value") in (None, ""):
                s.corrections.pop(where, None)
            else:
                s.corrections[where] = e
        elif e["kind"] == "status":
            s.status[e["doc"]] = e
        elif e["kind"] == "verdict":
            if e["data"].get("verdict"):
                s.verdicts[e["doc"]] = e
            else:
                s.verdicts.pop(e["doc"], None)
    return s


def load(outdir) -> State:
    return fold(decision_store.events(outdir))


# ---------------- recording: every change checked here, once ----------------

def _text(v, required: bool, missing_key: str) -> str:
    s = "" if v is None else str(v).strip()
    if required and not s:
        raise Refused(missing_key)
    if len(s) > NOTE_MAX:
        raise Refused("decide.error.too_long")
    return s


def decision_data(choice, note, reason="", request="", finding: dict | None = None) -> dict:
    if choice not in CHOICES:
        raise Refused("decide.error.choice")
    return {"choice": choice, "note": _text(note, False, ""),
            "reason": _text(reason, choice == "dismissed", "decide.error.reason"),
            "request": _text(request, choice == "asks", "decide.error.request"), "finding": finding or {}}


def parse_value(text, kind: str) -> str:
    """A corrected value as the tables hold it: a plain number (41.94, 12, -3.5), or a:b for a ratio."""
    s = _norm(text).replace(",", "").rstrip("%")
    if kind == "ratio":
        if not re.fullmatch(r"\d+(\.\d+)?:\d+(\.\d+)?", s):
            raise Refused("decide.error.value")
        return s
    try:
        d = Decimal(s)
    except InvalidOperation:
        raise Refused("decide.error.value") from None
    if not d.is_finite():
        raise Refused("decide.error.value")
    return format(d.normalize(), "f") if d != d.to_integral_value() else str(int(d))


def correction_data(value, reason, fact: dict) -> dict:
    """fact: the row of the fact corrected (kind, raw, value, unit, indicator): kept beside the new value."""
    value = "" if value in (None, "") else parse_value(value, str(fact.get("kind", "")))
    return {"value": value, "reason": _text(reason, bool(value), "decide.error.reason"),
            "original": _norm(fact.get("value")), "raw": str(fact.get("raw") or ""),
            "kind": str(fact.get("kind") or ""), "unit": str(fact.get("unit") or ""),
            "indicator": str(fact.get("indicator") or "")}


def status_data(status, assignee: str) -> dict:
    if status not in STATUSES:
        raise Refused("decide.error.status")
    return {"status": status, "assignee": _text(assignee, False, "")}


def verdict_data(verdict, reason) -> dict:
    if verdict not in VERDICTS + ("",):
        raise Refused("decide.error.verdict")
    return {"verdict": verdict, "reason": _text(reason, bool(verdict), "decide.error.reason")}


# ---------------- re-checking on corrected values ----------------

def corrected_result(result, doc: str, corrections: dict):
    """The stored result with its corrected facts' values (and words, so messages quote them), or None when no
    fact of it is corrected. corrections: fact key → value text."""
    facts = list(result.facts)
    keys = fact_keys([dataclasses.replace(f, doc=doc) for f in facts])
    changed = False
    for i, (f, k) in enumerate(zip(facts, keys)):
        if k in corrections:
            v = corrections[k]
            value = v if f.kind == "ratio" else Decimal(v)
            facts[i] = dataclasses.replace(f, value=value, raw=f"{v}{f.unit}")
            changed = True
    return dataclasses.replace(result, facts=tuple(facts)) if changed else None


def recheck(result, doc: str, corrections: dict, ruleset, scheme):
    """The findings frame of one report checked again on its corrected facts, by the project's own checks; None
    when nothing of it is corrected."""
    from ..checks.report import findings_of
    from .tables import findings_frame
    fixed = corrected_result(result, doc, corrections)
    if fixed is None:
        return None
    df = findings_frame(findings_of(fixed, ruleset))
    df["doc"] = doc
    return df


def corrected(findings, facts, state: State, result_of, ruleset, scheme, cache: dict | None = None):
    """The findings frame with every corrected report's findings made again on its corrected values. Each new
    finding keeps the key of the original at the same place and rule, so its decision stays with it;
    `original_value` holds what the report said where a value was corrected. result_of: doc → stored result;
    cache: re-checks kept by report and corrections, for a caller that asks again (the server)."""
    import pandas as pd
    cache = {} if cache is None else cache
    df = keyed(findings)
    df["original_value"] = [""] * len(df)
    docs = sorted({d for d, _ in state.corrections} & set(df["doc"]))
    if not docs:
        return df
    parts = [df[~df["doc"].isin(docs)]]
    for doc in docs:
        fixes = state.corrections_of(doc)
        ck = (doc, tuple(sorted(fixes.items())), id(ruleset))
        if ck not in cache:
            result = result_of(doc)
            cache[ck] = recheck(result, doc, fixes, ruleset, scheme) if result is not None else None
        old = df[df["doc"] == doc]
        if cache[ck] is None:
            parts.append(old)
            continue
        new = keyed(cache[ck])
        parts.append(_carry_keys(old, new, _corrected_places(facts, doc, state)))
    return pd.concat(parts, ignore_index=True)


def _corrected_places(facts, doc, state) -> dict:
    """start → original value of each corrected fact of the report."""
    rows = _records(facts[facts["doc"] == doc])
    fixed = state.corrections_of(doc)
    return {int(r["start"]): str(r["value"]) for r, k in zip(rows, fact_keys(rows)) if k in fixed}


def _carry_keys(old, new, places: dict):
    """New findings take the key of the original finding of the same rule at the same place; findings made
    across documents are kept as they were."""
    import pandas as pd
    at = {(r, int(s)): k for r, s, k in zip(old["rule"], old["start"], old["key"]) if not pd.isna(s)}
    starts = [None if pd.isna(s) else int(s) for s in new["start"]]
    new["key"] = [at.get((r, s), k) if s is not None else k for r, s, k in zip(new["rule"], starts, new["key"])]
    new["original_value"] = [places.get(s, "") if s is not None else "" for s in starts]
    across = old[old["rule"].map(lambda r: bool(ACROSS.match(str(r))))]
    return pd.concat([new, across], ignore_index=True)


# ---------------- applied: what the writers get ----------------

@dataclass
class Decided:
    findings: object        # every finding, corrected, with key, decision, decision_note, original_value
    state: State
    fact_keys: dict         # doc → [fact key] in the facts table's order
    ruleset: object = None  # the rules the batch checked with: verdicts after the decisions are decided by them

    def effective(self):
        """The findings a verdict and a memo rest on: those not dismissed."""
        return self.findings[self.findings["decision"] != "dismissed"].reset_index(drop=True)

    def of(self, doc):
        """One report's findings, the whole frame grouped once (a site of many reports asks for each)."""
        if not hasattr(self, "_by_doc"):
            self._by_doc = self.findings.groupby("doc", sort=False).indices
        return self.findings.iloc[self._by_doc.get(doc, [])].reset_index(drop=True)

    def rows_of(self, doc) -> list:
        """One report's findings as records (_records of of(doc)), the whole frame turned once."""
        if not hasattr(self, "_rows"):
            self._rows = records_by_doc(self.findings)
        return self._rows.get(doc, [])

    def verdict(self, doc):
        e = self.state.verdicts.get(doc)
        return e["data"] if e else None

    def status(self, doc):
        e = self.state.status.get(doc)
        return e["data"] if e else {"status": "todo", "assignee": ""}

    def asked(self, doc) -> list:
        """(finding row, what is asked) of each finding whose standing decision asks the county for more."""
        out = []
        for r in _records(self.findings[self.findings["doc"] == doc]):
            e = self.state.decision(doc, r["key"])
            if e and e["data"]["choice"] == "asks":
                out.append((r, e["data"]["request"]))
        return out

    def no_longer_applies(self, doc=None) -> list:
        """Events (decisions and corrections) whose finding or fact no current report has."""
        events = [(d, k, e) for (d, k), e in {**self.state.decisions, **self.state.corrections}.items()
                  if doc is None or d == doc]
        if not events:              # a site's page per report asks for each: no whole-batch set where none could go
            return []
        live = set(zip(self.findings["doc"], self.findings["key"]))
        live |= {(d, k) for d, ks in self.fact_keys.items() for k in ks}
        return [e for d, k, e in events if (d, k) not in live]

    # what the workbook's writer (tables.people_workbook) calls: methods, so that it imports nothing of this module
    def verdict_tables(self, tables: dict) -> dict:
        return with_decisions(tables, self)

    def summary(self, summary, lang: str = "zh"):
        return summary_columns(summary, self, lang)

    def findings_sheet(self, lang: str = "zh"):
        return findings_for_sheet(self, lang)

    def record(self, titles: dict, lang: str = "zh"):
        return record_frame(self, titles, lang)


def apply(findings, state: State):
    """decision and decision_note columns (codes, words in the note) from the standing decision of each finding."""
    df = findings if "key" in findings else keyed(findings)
    got = [state.decision(d, k) for d, k in zip(df["doc"], df["key"])]
    df["decision"] = [e["data"]["choice"] if e else "" for e in got]
    df["decision_note"] = [_note(e["data"]) if e else "" for e in got]
    df["decided_by"] = [e["who"] if e else "" for e in got]
    return df


def _note(d: dict) -> str:
    sep = i18n.t("msg.list_sep")
    return sep.join(x for x in (d.get("reason"), d.get("request"), d.get("note")) if x)


def prepare(tables: dict, state: State, result_of, ruleset, scheme, cache: dict | None = None) -> Decided:
    """Everything the writers show of the decisions, from the batch's tables and the folded events."""
    facts = tables["facts"]
    df = apply(corrected(tables["findings"], facts, state, result_of, ruleset, scheme, cache), state)
    fkeys = {}
    if len(facts):
        records = _records(facts)           # once for the frame, as in keyed
        for doc, idx in facts.groupby("doc", sort=False).indices.items():
            fkeys[doc] = fact_keys([records[i] for i in idx])
    return Decided(df, state, fkeys, ruleset)


def with_decisions(tables: dict, decided: Decided | None) -> dict:
    """The tables a verdict is made from: the findings corrected and without the dismissed ones."""
    if decided is None:
        return tables
    from ..checks.verdict import with_verdicts
    findings = decided.effective().drop(columns=["key", "decision", "decision_note", "decided_by", "original_value"])
    return {**tables, "findings": findings,
            "documents": with_verdicts(tables["documents"], findings, decided.ruleset)}


# ---------------- for people: the workbook's record and columns ----------------

def when(at: str) -> str:
    """A stored UTC time as this machine's local time, to the second."""
    import datetime as dt
    try:
        return dt.datetime.fromisoformat(at).astimezone().strftime("%Y-%m-%d %H:%M:%S")
    except ValueError:
        return at


def record_frame(decided: Decided, titles: dict, lang: str = "zh"):
    """核实记录: every event, oldest first, with what it was about and whether its finding still applies."""
    import pandas as pd
    stale = {(e["doc"], e["target"]) for e in decided.no_longer_applies()}
    rows = []
    for e in decided.state.events:
        d = e["data"]
        what, decision, detail, value, original = "", "", "", "", ""
        if e["kind"] == "decision":
            f = d.get("finding") or {}
            what = i18n.t("decide.about_finding", lang, title=titles.get(f.get("rule"), f.get("rule", "")),
                          raw=f.get("raw", ""))
            decision, detail = i18n.word("decision", d["choice"], lang), _note(d)
        elif e["kind"] == "correction":
            what = i18n.t("decide.about_fact", lang, indicator=d.get("indicator", ""), raw=d.get("raw", ""))
            decision = i18n.t("decide.corrected" if d.get("value") else "decide.correction_withdrawn", lang)
            detail, value, original = d.get("reason", ""), d.get("value", ""), d.get("original", "")
        elif e["kind"] == "status":
            decision, detail = i18n.word("review_status", d["status"], lang), d.get("assignee", "")
        else:
            decision = i18n.word("verdict", d.get("verdict"), lang) or i18n.t("decide.verdict_cleared", lang)
            detail = d.get("reason", "")
        applies = i18n.t("decide.stale" if (e["doc"], e["target"]) in stale else "decide.applies", lang) \
            if e["kind"] in ("decision", "correction") else ""
        rows.append([when(e["at"]), e["who"], e["doc"], i18n.word("decision_kind", e["kind"], lang), what, decision,
                     detail, value, original, applies])
    return pd.DataFrame(rows, columns=i18n.catalog(lang)["decide.record_columns"])


def summary_columns(summary, decided: Decided, lang: str = "zh"):
    """汇总 with the final verdict an inspector set (核实结论) and the review status beside each report."""
    doc_col = summary.columns[0]
    final = [decided.verdict(d) for d in summary[doc_col]]
    summary = summary.copy()
    at = list(summary.columns).index(i18n.t("columns.verdict", lang)) + 1
    summary.insert(at, i18n.t("columns.verified", lang),
                   [i18n.word("verdict", v["verdict"], lang) if v else "" for v in final])
    summary.insert(at + 1, i18n.t("columns.review_status", lang),
                   [i18n.word("review_status", decided.status(d)["status"], lang) for d in summary[doc_col]])
    return summary


def findings_for_sheet(decided: Decided, lang: str = "zh"):
    """The findings sheet's frame: corrected findings with 核实结论 (the decision's word), its note, and the
    value as the report gave it where it was corrected."""
    df = decided.findings.copy()
    df["verified"] = df["decision"].map(lambda v: i18n.word("decision", v, lang))
    df = df.rename(columns={"decision_note": "verified_note"})
    return df.drop(columns=["key", "decision", "decided_by"])


# ---------------- from a batch's database ----------------

def checking_setup(rule_paths: str = "", scheme_path: str = ""):
    from ..checks.report import checking_setup as setup
    return setup(rule_paths, scheme_path)


def from_database(con, tables: dict, outdir) -> Decided | None:
    """The decisions of a batch folder applied to its tables, reading stored results from its DuckDB connection
    for the corrected reports; None where nobody decided anything yet."""
    from ..pipeline import from_stored
    state = load(outdir)
    if not state.events:
        return None
    meta = dict(con.execute("SELECT key, value FROM meta").fetchall())
    ruleset, scheme = checking_setup(meta.get("rule_paths", ""), meta.get("scheme_path", ""))

    def result_of(doc):
        row = con.execute("SELECT result FROM files WHERE doc = ? AND status = 'ok'", [doc]).fetchone()
        try:
            return from_stored(row[0], scheme) if row and row[0] else None
        except ValueError:          # not data this version stored: shown uncorrected
            return None
    return prepare(tables, state, result_of, ruleset, scheme)


def from_folder(db, tables: dict) -> Decided | None:
    """The decisions kept beside a batch's database file, applied to its tables (None when there are none)."""
    import duckdb
    from pathlib import Path
    from . import decision_store
    if not decision_store.path_in(Path(db).parent).exists():
        return None
    con = duckdb.connect(str(db), read_only=True)
    try:
        return from_database(con, tables, Path(db).parent)
    finally:
        con.close()
