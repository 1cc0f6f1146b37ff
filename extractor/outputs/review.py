"""The review site: a static HTML site an inspector opens in a browser, no server needed.

index.html has one row per report (a verdict that says what was checked, counts, the
standards not met by title), sortable and filterable by assets/index.js, and one chart per
key indicator (outputs/chart.py). One page per report shows its findings, failures first,
and its text with every fact highlighted and its page number for paged input.

Every page carries a Content-Security-Policy: only the site's own files under assets/ load,
and report text is always escaped. All words come from the message catalog.
"""
from __future__ import annotations

import functools
import hashlib
import html
import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote

from .. import data, i18n
from ..i18n import t

ASSETS = Path(__file__).resolve().parent / "assets"
# Nothing in a page may load or run except the site's own files under review/assets/.
CSP = ("default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; "
       "base-uri 'none'; form-action 'none'")
GROUPS = ("fail", "inconsistent", "admitted", "missing", "unstated", "not-applicable", "pass")


def _int(v):
    """An offset or page from a table row, or None where the row has none."""
    import pandas as pd
    return None if v is None or pd.isna(v) else int(v)


def _e(s) -> str:
    return html.escape("" if s is None else str(s))


def _page(title: str, body: str, script: str, up: str = "", before: str = "") -> str:
    """A page whose styles and script are files under assets/ (up: the way back to the site's root), after
    the script `before` if any."""
    first = f"<script src=\"{before}\"></script>" if before else ""
    return (f"<!doctype html><html lang=\"{i18n.lang()}\"><head><meta charset=\"utf-8\">"
            f"<meta http-equiv=\"Content-Security-Policy\" content=\"{CSP}\">"
            f"<meta name=\"referrer\" content=\"no-referrer\"><title>{_e(title)}</title>"
            f"<link rel=\"stylesheet\" href=\"{up}assets/site.css\"></head><body>{body}"
            f"{first}<script src=\"{up}assets/{script}\"></script></body></html>")


MANIFEST = ".pages.json"       # page → hash of what it shows: a page whose inputs are unchanged is not rendered again
# The batch's memos (selfeval memo, batch --memo) beside the site: a report's page links its memo when
# memos.js there names one for the same file, whenever the memos were written.
MEMOS = "../../memos/"


def _write(folder: Path, rel: str, text: str):
    """Write a page only inside the site's folder (paths come from report content), replacing it whole."""
    import os
    from ..paths import inside
    target = inside(folder, folder / rel)
    tmp = target.with_name(f".{target.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, target)


def write_site(store, folder: Path, ruleset=None, frames=None, decided=None) -> dict:
    """Bring the site in `folder` up to date with the database: a report's page is rendered again only when
    something it shows changed, pages of documents no longer there are removed, index.html is always
    written. frames: the documents, facts and findings tables and the reading warnings (path, doc, code,
    message) when the caller has them. decided (outputs.decisions): the inspectors' decisions shown, and the
    verdicts they make. Returns counts."""
    from ..paths import safe_name
    from ..checks.rules import load_rules
    ruleset = ruleset or load_rules()
    _assets(folder)
    frames = frames or {**{name: store.table(name) for name in ("documents", "facts", "findings")},
                        "warnings": store.warnings()}
    if decided is not None:                     # i32: corrected findings with their decisions, and their verdicts
        frames = {**frames, "findings": decided.findings.drop(columns=["key"]),
                  "documents": decided.verdict_tables(frames)["documents"]}
    docs, facts, findings = frames["documents"], frames["facts"], frames["findings"]
    errors = store.frame("SELECT path, kind, cause FROM errors ORDER BY path")
    n_facts = facts["doc"].value_counts().to_dict()
    taken = set()
    pages = {doc: f"docs/{safe_name(doc, taken)}.html" for doc in docs["doc"]}
    site = _Site(docs, n_facts, findings, ruleset, pages, _said_by_doc(frames.get("warnings")))
    site.final = {d: decided.verdict(d) for d in docs["doc"]} if decided is not None else {}      # i32
    keys = _page_keys(store, site, facts, findings)
    before = _manifest(folder)
    todo = [d for d in docs["doc"] if before.get(pages[d]) != keys[d] or not (folder / pages[d]).exists()]
    texts = _texts(store, todo)
    fact_rows, finding_rows = _rows_by_doc(facts, todo), _rows_by_doc(findings, todo)
    with ThreadPoolExecutor(4) as disk:          # a page's rename waits on the disk; the next page is made meanwhile
        written = []
        for _, d in docs[docs["doc"].isin(todo)].iterrows():
            doc = d["doc"]
            page = site.report(d, fact_rows.get(doc, []), finding_rows.get(doc, []), texts.get(doc, ""))
            written.append(disk.submit(_write, folder, pages[doc], page))
        for w in written:
            w.result()
    removed = _remove_stale(folder, set(pages.values()))
    _write(folder, "index.html", site.index(errors, len(facts)))
    _write(folder, MANIFEST, json.dumps({pages[d]: keys[d] for d in pages}, ensure_ascii=False, sort_keys=True))
    return {"pages": len(pages), "rendered": len(todo), "removed": removed}


def _assets(folder: Path):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "docs").mkdir(exist_ok=True)
    (folder / "assets").mkdir(exist_ok=True)
    for f in ASSETS.iterdir():
        _write(folder, f"assets/{f.name}", f.read_text(encoding="utf-8"))


def _manifest(folder: Path) -> dict:
    try:
        got = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return got if isinstance(got, dict) else {}


def _rows_by_doc(df, docs: list) -> dict:
    """doc → its rows as dicts, in order, for these documents (pandas' to_dict was most of a page's time)."""
    want = set(docs)
    cols = list(df.columns)
    values = [df[c].tolist() for c in cols]
    out = {}
    for doc, idx in df.groupby("doc", sort=False).indices.items():
        if doc in want:
            out[doc] = [dict(zip(cols, (v[i] for v in values))) for i in idx]
    return out


def _said_by_doc(warnings) -> dict:
    """doc → the English messages of its file's reading warnings, in order."""
    out = {}
    if warnings is not None:
        for doc, message in zip(warnings["doc"].tolist(), warnings["message"].tolist()):
            out.setdefault(doc, []).append(message)
    return out


def _texts(store, docs: list) -> dict:
    if not docs:
        return {}
    return dict(store.con.execute("SELECT doc, text FROM texts WHERE doc IN (SELECT * FROM UNNEST(?))", [docs]).fetchall())


def _remove_stale(folder: Path, pages: set) -> int:
    """Pages of documents that left the folder or changed id, and files a stopped run left half-written."""
    n = 0
    for f in (folder / "docs").iterdir():
        if f"docs/{f.name}" not in pages:
            f.unlink()
            n += not f.name.startswith(".")
    return n


@functools.lru_cache(maxsize=None)
def _code_key() -> str:
    """The code and words a page is made with: a new version of either renders every page again."""
    from .. import __version__
    from . import tables
    h = hashlib.blake2b(__version__.encode(), digest_size=16)
    for f in (Path(__file__), Path(tables.__file__), Path(i18n.__file__),
              data.PATTERNS_DIR / "tables.yaml", data.PATTERNS_DIR / "verdicts.yaml",
              *sorted((data.PATTERNS_DIR / "messages").glob("*.yaml"))):
        h.update(f.read_bytes())
    return h.hexdigest()


def _row_hashes(df) -> dict:
    """doc → the bytes of its rows' hashes, in order (pandas hashes every column, vectorised)."""
    import pandas as pd
    if not len(df):
        return {}
    h = pd.util.hash_pandas_object(df, index=False).to_numpy()
    return {doc: h[idx].tobytes() for doc, idx in df.groupby("doc", sort=False).indices.items()}


def _page_keys(store, site, facts, findings) -> dict:
    """doc → a hash of everything its page shows: the document's row, facts, findings, text, verdict, the titles
    and kinds of its rules, its page name, the language, and the code and words that render it."""
    texts = dict(store.con.execute("SELECT doc, md5(text) FROM texts").fetchall())
    fact_h, finding_h = _row_hashes(facts), _row_hashes(findings)
    rules_of = {}
    for doc, rule in zip(findings["doc"].tolist(), findings["rule"].tolist()):
        rules_of.setdefault(doc, set()).add(rule)
    base = f"{_code_key()}|{i18n.lang()}|".encode()
    keys = {}
    for d in site.docs.itertuples(index=False):
        rules = sorted(rules_of.get(d.doc, ()))
        said = [(r, site.rules.get(r, {}).get("title"), site.rules.get(r, {}).get("kind")) for r in rules]
        h = hashlib.blake2b(base, digest_size=16)
        for part in (repr(tuple(d)), site.pages[d.doc], texts.get(d.doc), repr(site.verdicts[d.doc]), repr(said),
                     repr(site.warnings.get(d.doc, [])), repr(site.final.get(d.doc))):
            h.update(str(part).encode("utf-8", "replace") + b"\x00")
        h.update(fact_h.get(d.doc, b"") + b"\x00" + finding_h.get(d.doc, b""))
        keys[d.doc] = h.hexdigest()
    return keys


def _places(f) -> list:
    return json.loads(f["places"]) if f.get("places") else []


def _place_links(places) -> str:
    """第3页“2394万元”，第7页“2400万元”: each place in words, linking to it in the text."""
    from .tables import place_label
    return " " + t("msg.list_sep").join(f"<a class=\"place\" href=\"#f-{_int(p['start'])}\">{_e(place_label(p))}</a>"
                                        for p in places)


def _verdict_detail(v) -> str:
    """What stands behind a verdict that is not plain: the standards checked of those in force, the pages not read."""
    if v.verdict == "unverified":
        return t("verdict.unverified_detail", checked=v.standards_checked, total=v.standards_total)
    if v.unread_pages:
        return t("verdict.unreadable_detail", pages=v.unread_pages)
    return ""


class _Site:
    def __init__(self, docs, n_facts, findings, ruleset, pages, warnings=None):
        from ..checks.verdict import from_row
        from .tables import district_names, rule_titles
        self.docs, self.n_facts, self.findings = docs, n_facts, findings
        self.ruleset, self.pages, self.warnings = ruleset, pages, warnings or {}
        self.rules = {r["id"]: r for r in ruleset.rules}
        self.titles = rule_titles(ruleset)
        self.names = district_names(docs)
        self.final = {}                  # i32: doc → the final verdict an inspector set
        self.verdicts = {d.doc: from_row(d) for d in docs.itertuples(index=False)}

    def title(self, rid) -> str:
        return self.titles.get(rid, rid)

    # ----- index -----
    def index(self, errors, n_facts) -> str:
        from . import chart
        from ..checks.verdict import ORDER
        order = sorted(self.docs.itertuples(), key=lambda d: (ORDER[self.verdicts[d.doc].verdict],
                                                               -self.verdicts[d.doc].standards_failed, d.doc))
        rows = "".join(self._row(d) for d in order)
        options = "".join(f"<option value=\"{v}\">{_e(i18n.word('verdict', v))}</option>" for v in ORDER)
        heads = [("report", ""), ("district", ""), ("issuer", ""), ("year", ""), ("format", ""), ("verdict", ""),
                 ("facts", "num"), ("fails", "num"), ("inconsistent", "num"), ("missing", "num"),
                 ("failed_titles", "")]
        head = "".join(f"<th class=\"{c}\">{_e(self._head(k))}</th>" for k, c in heads)
        n_err = int((errors["kind"] != "unsupported").sum()) if len(errors) else 0
        summary = t("site.summary", reports=len(self.docs), facts=n_facts, findings=len(self.findings), errors=n_err)
        body = (f"<h1>{_e(t('site.title'))}</h1>"
                f"<p class=\"small\">{_e(summary)}</p>"
                f"<div class=\"filters\"><input id=\"filter\" placeholder=\"{_e(t('site.filter'))}\">"
                f"<select id=\"verdict-filter\"><option value=\"\">{_e(t('site.all_verdicts'))}</option>{options}</select></div>"
                f"<table id=\"reports\"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
                f"<h2>{_e(t('site.compare'))}</h2>"
                + chart.charts(self._series()) + self._errors(errors))
        return _page(t("site.index_title"), body, "index.js")

    def _head(self, key) -> str:
        return t(f"columns.{key}") if key in ("fails", "inconsistent", "missing") else t(f"site.{key}")

    def _row(self, d) -> str:
        v = self.verdicts[d.doc]
        from ..checks.verdict import ORDER
        said = _verdict_detail(v)
        detail = f"<br><span class=\"small\">{_e(said)}</span>" if said else ""
        page = self.pages[d.doc]
        failed = i18n.t("msg.list_sep").join(
            f"<a href=\"{quote(page)}#rule-{_e(r)}\">{_e(self.title(r))}</a>" for r in v.failed_rules)
        year = "" if _int(d.performance_year) is None else _int(d.performance_year)
        return (f"<tr class=\"report\" data-verdict=\"{v.verdict}\">"
                f"<td><a href=\"{quote(page)}\">{_e(d.doc)}</a></td><td>{_e(self.names[d.doc])}</td>"
                f"<td>{_e(d.issuer)}</td><td data-sort=\"{year}\">{year}</td>"
                f"<td>{_e(i18n.word('input_kind', d.input_kind))}</td>"
                f"<td class=\"verdict {v.verdict}\" data-sort=\"{ORDER[v.verdict]}\">{_e(i18n.word('verdict', v.verdict))}{detail}</td>"
                f"<td data-sort=\"{self.n_facts.get(d.doc, 0)}\">{self.n_facts.get(d.doc, 0)}</td>"
                f"<td class=\"fails\" data-sort=\"{v.standards_failed}\">{v.standards_failed}</td>"
                f"<td data-sort=\"{v.inconsistent}\">{v.inconsistent}</td>"
                f"<td data-sort=\"{v.missing_items}\">{v.missing_items}</td>"
                f"<td class=\"small\">{failed}</td></tr>")

    def _errors(self, errors) -> str:
        if not len(errors):
            return ""
        rows = "".join(f"<tr><td>{_e(r.path)}</td><td>{_e(i18n.word('error_kind', r.kind))}</td>"
                       f"<td>{_e(i18n.cause(r.cause))}</td></tr>" for r in errors.itertuples())
        return (f"<h2>{_e(t('site.errors_title'))}</h2><table id=\"errors\"><thead><tr><th>{_e(t('site.file'))}</th>"
                f"<th>{_e(t('site.kind'))}</th><th>{_e(t('site.cause'))}</th></tr></thead><tbody>{rows}</tbody></table>")

    def _series(self) -> list:
        """Per key indicator: title, unit, op, standard, and (district, value, status) per report stating it."""
        from .rule_table import _unit
        out = []
        f = self.findings
        for rid in data.load("verdicts.yaml")["key_indicators"]:
            rule = self.rules.get(rid)
            if rule is None:
                continue
            sel = f[(f["rule"] == rid) & f["status"].isin(["pass", "fail"])]
            first = {}
            for doc, value, status in zip(sel["doc"], sel["value"], sel["status"]):
                first.setdefault(doc, (value, status))                   # the first stated value per report
            points = []
            for doc, (value, status) in first.items():
                try:
                    points.append((self.names.get(doc, doc), float(value), status, str(value)))
                except (TypeError, ValueError):
                    continue
            std = float(rule["threshold"]) if "threshold" in rule else None
            out.append({"id": rid, "title": rule["title"], "unit": _unit(rule), "op": rule.get("op", ""),
                        "standard": std, "points": points, "reports": len(self.docs)})
        return out

    # ----- one report -----
    def report(self, d, facts: list, findings: list, text: str) -> str:
        """d: the document's row; facts and findings: its rows as dicts."""
        v = self.verdicts[d["doc"]]
        by_pos = {}
        for f in findings:
            if _int(f["start"]) is not None:
                by_pos.setdefault(_int(f["start"]), []).append(f)
        body_text = self._marked(text, facts, by_pos, _int(d.get("part_start")) or 0)
        from .tables import schema
        zh = {c[0]: c[2] for c in schema()["documents"]}
        meta = "".join(f"<tr><th>{_e(zh[k])}</th><td>{_e(d[k])}</td></tr>" for k in
                       ("issuer", "addressee", "doc_number", "signer", "report_date", "performance_year",
                        "progress_year", "scheme", "items_missing", "pages") if str(d[k]) not in ("", "<NA>"))
        detail = (" " + _verdict_detail(v)) if _verdict_detail(v) else ""
        memo = (f"<p id=\"memo\" data-doc=\"{_e(d['doc'])}\" data-path=\"{_e(d['path'])}\" "
                f"data-folder=\"{MEMOS}\" hidden>"
                f"<a>{_e(t('site.memo'))}</a></p>")
        body = (f"<p><a href=\"../index.html\">{_e(t('site.back'))}</a></p><h1>{_e(d['title'] or d['doc'])}</h1>{memo}"
                f"<p class=\"verdict {v.verdict}\" id=\"verdict\">{_e(t('site.verdict'))}{_e(t('site.colon'))}"
                f"{_e(i18n.word('verdict', v.verdict))}{_e(detail)}</p>{_final(self.final.get(d['doc']))}"
                f"{self._warnings(d['doc'])}"
                f"<table class=\"meta\">{meta}</table><h2>{_e(t('site.findings'))}</h2>{self._grouped(findings)}"
                f"<h2>{_e(t('site.text', n=len(facts)))}</h2><pre class=\"text\">{body_text}</pre>")
        return _page(d["doc"], body, "report.js", up="../", before=MEMOS + "memos.js")

    def _warnings(self, doc) -> str:
        """What could not be read of the report's file (damaged pages), before anything drawn from the rest."""
        said = self.warnings.get(doc)
        if not said:
            return ""
        items = "".join(f"<li>{_e(i18n.cause(m))}</li>" for m in said)
        return f"<div id=\"warnings\" class=\"warnings\"><h2>{_e(t('site.warnings'))}</h2><ul>{items}</ul></div>"

    def _group_of(self, f) -> str:
        if f["status"] == "missing" and self.rules.get(f["rule"], {}).get("kind") in ("threshold", "compare"):
            return "unstated"                # a standard the report need not state: not a 缺项
        return f["status"] if f["status"] in GROUPS else "inconsistent"

    def _grouped(self, findings) -> str:
        """Failures and inconsistencies first, then missing items, standards not stated, and passes folded."""
        groups = {g: [] for g in GROUPS}
        seen_rules = set()
        for f in findings:
            anchor = ""
            if f["rule"] not in seen_rules and f["status"] in ("fail", "inconsistent"):
                seen_rules.add(f["rule"])
                anchor = f" id=\"rule-{_e(f['rule'])}\""
            start, page = _int(f["start"]), _int(f["page"])
            link = f" <a href=\"#f-{start}\">{_e(t('site.evidence'))}</a>" if start is not None else ""
            pg = f" <span class=\"page\">{_e(t('site.page', n=page))}</span>" if page is not None else ""
            if len(_places(f)) > 1:          # the same measure stated in several places: a link to each
                pg, link = "", _place_links(_places(f))
            src = f"{_e(t('site.source_sep'))}{_e(f['source'])}" if f["source"] else ""
            groups[self._group_of(f)].append(
                f"<li class=\"finding {f['status']}\"{anchor}><b>{_e(self.title(f['rule']))}</b>{_e(t('site.colon'))}{_e(f['message'])}"
                f"{pg}{link} <span class=\"small\">{_e(f['rule'])}{src}</span>{_decision(f)}</li>")
        out = []
        for g in GROUPS:
            if not groups[g]:
                continue
            head = t("site.group_count", label=t("site.group_" + g), n=len(groups[g]))
            items = f"<ul class=\"findings group-{g}\">{''.join(groups[g])}</ul>"
            if g in ("pass", "unstated", "not-applicable"):
                out.append(f"<details class=\"group-{g}\"><summary>{_e(head)}</summary>{items}</details>")
            else:
                out.append(f"<h3 class=\"{g}\">{_e(head)}</h3>{items}")
        return f"<div id=\"findings\">{''.join(out)}</div>"

    def _marked(self, text, facts, by_pos, base: int = 0) -> str:
        """The text with its facts and claims marked; `base`: where the text begins in its file (a part of a
        compilation), as offsets are the file's."""
        spans = []
        c = t("site.colon")
        value, indicator, period, subject = (t(f"site.{k}") + c for k in ("value", "indicator", "period", "subject"))
        for f in facts:
            s, e = int(f["start"]), int(f["end"])
            rules = by_pos.get(s, [])
            bad = any(r["status"] in ("fail", "inconsistent") for r in rules)
            page = _int(f["page"])
            tip = (f"{value}{f['value']}{f['unit']}\n{indicator}{f['indicator']}\n"
                   f"{period}{f['period']}\n{subject}{f['subject']}"
                   + (f"\n{t('site.page', n=page)}" if page is not None else "")
                   + "".join(f"\n{self.title(r['rule'])}{c}{i18n.word('status', r['status'])}" for r in rules))
            after = f"<sup class=\"page\">{_e(t('site.page', n=page))}</sup>" if page is not None else ""
            spans.append((s, e, f"<mark id=\"f-{s}\" class=\"fact kind-{_e(f['kind'])}{' bad' if bad else ''}\" "
                                f"data-value=\"{_e(f['value'])}\" data-indicator=\"{_e(f['indicator'])}\" "
                                f"title=\"{_e(tip)}\">", after))
        fact_starts = {s for s, *_ in spans}
        fact_spans = [(s, e) for s, e, *_ in spans]
        for s, rs in by_pos.items():
            r = rs[0]
            e = _int(r["end"])
            # A sentence as evidence (an admission) that holds facts is not marked over them.
            if s not in fact_starts and e is not None and not any(s < fe and fs < e for fs, fe in fact_spans):
                spans.append((s, e, f"<mark id=\"f-{s}\" class=\"claim\" title=\"{_e(r['message'])}\">", ""))
        spans.sort()
        out, pos = [], 0
        for s, e, tag, after in ((s - base, e - base, tag, after) for s, e, tag, after in spans):
            if s < pos or e > len(text):
                continue
            out.append(_e(text[pos:s]) + tag + _e(text[s:e]) + "</mark>" + after)
            pos = e
        out.append(_e(text[pos:]))
        return "".join(out)


# ---------------- i32: the inspectors' decisions on the static page (the review server's templates show more) ----------------

def _decision(f) -> str:
    """核实：不成立（理由） after a finding an inspector decided on; the value the report gave where it was corrected."""
    out = ""
    if f.get("original_value"):
        out += f" <span class=\"corrected\">{_e(t('decide.original_was', value=f['original_value']))}</span>"
    if f.get("decision"):
        said = i18n.word("decision", f["decision"]) + (t("site.source_sep") + f["decision_note"] if f.get("decision_note") else "")
        out += f"<div class=\"standing {_e(f['decision'])}\">{_e(t('decide.verified', said=said))}</div>"
    return out


def _final(final) -> str:
    if not final:
        return ""
    return (f"<p class=\"final verdict {_e(final['verdict'])}\" id=\"final-verdict\">{_e(t('columns.verified'))}"
            f"{_e(t('site.colon'))}{_e(i18n.word('verdict', final['verdict']))}{_e(t('site.source_sep'))}{_e(final['reason'])}</p>")
