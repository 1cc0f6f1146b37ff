"""The review site: a static HTML site an inspector opens in a browser, no server needed.

index.html has one row per report (status, counts, failed rules) and a comparison of
key indicators across reports (a table and an SVG chart with the standards drawn in).
One page per report shows its text with every fact highlighted (hover for value,
indicator, period, subject and rule results) and its findings linked to their evidence.
"""
from __future__ import annotations

import html
from pathlib import Path
from urllib.parse import quote

from .. import data



def _t(key: str, **kw):
    """A label of the site, from the message catalog (patterns/messages.yaml)."""
    text = data.load("messages.yaml")["review"][key]
    return text.format(**kw) if kw else text


def _status(status: str) -> str:
    return _t("status").get(status, status)


CSS = """
body{font-family:"Noto Sans CJK SC","WenQuanYi Micro Hei",sans-serif;margin:24px;color:#222;line-height:1.6}
table{border-collapse:collapse;margin:12px 0}td,th{border:1px solid #ccc;padding:4px 8px;font-size:14px}
th{background:#f3f3f3}.fail,.inconsistent{color:#b00020;font-weight:bold}.pass{color:#1b7f3b}.missing{color:#8a6d00}
mark.fact{background:#fff2a8;border-bottom:2px solid #e0b000;cursor:help}mark.fact.bad{background:#ffd6d6;border-bottom-color:#b00020}
mark.claim{background:#e8e0ff}pre.text{white-space:pre-wrap;font-family:inherit;font-size:15px;max-width:60em}
.bar.fail{fill:#d33}.bar.pass{fill:#3a8}.std{stroke:#333;stroke-dasharray:4 3}.small{color:#666;font-size:13px}
"""


def _int(v):
    """An offset from a table row, or None where the row has none."""
    import pandas as pd
    return None if v is None or pd.isna(v) else int(v)


def _e(s) -> str:
    return html.escape("" if s is None else str(s))


def _page(title: str, body: str, script: str = "") -> str:
    return (f"<!doctype html><html lang=\"zh\"><head><meta charset=\"utf-8\"><title>{_e(title)}</title>"
            f"<style>{CSS}</style></head><body>{body}<script>{script}</script></body></html>")


def write_site(store, folder: Path):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "docs").mkdir(exist_ok=True)
    docs = store.table("documents")
    facts = store.table("facts")
    findings = store.table("findings")
    errors = store.frame("SELECT path, kind, cause FROM errors ORDER BY path")
    texts = dict(store.con.execute("SELECT doc, text FROM texts").fetchall())
    facts_by = {doc: g for doc, g in facts.groupby("doc", sort=False)}      # one pass, not one scan per report
    findings_by = {doc: g for doc, g in findings.groupby("doc", sort=False)}
    (folder / "index.html").write_text(_index(docs, facts_by, findings_by, findings, errors), encoding="utf-8")
    for _, d in docs.iterrows():
        doc = d["doc"]
        page = _report(d, facts_by.get(doc, facts.iloc[:0]), findings_by.get(doc, findings.iloc[:0]),
                       texts.get(doc, ""))
        (folder / "docs" / f"{doc}.html").write_text(page, encoding="utf-8")


def _labels(docs) -> dict:
    """District names for the comparison; the document id where two reports share one."""
    names = {d["doc"]: (d["county"] or d["city"] or d["issuer"] or d["doc"]) for _, d in docs.iterrows()}
    counts = {}
    for n in names.values():
        counts[n] = counts.get(n, 0) + 1
    return {doc: (n if counts[n] == 1 else doc) for doc, n in names.items()}


def _index(docs, facts_by, findings_by, findings, errors) -> str:
    rows = []
    n_facts = sum(len(g) for g in facts_by.values())
    for _, d in docs.iterrows():
        f = findings_by.get(d["doc"], findings.iloc[:0])
        bad = f[f["status"].isin(["fail", "inconsistent"])]
        status = _t("report_has_problems") if len(bad) else _t("report_passes")
        failed = _t("list_sep").join(sorted(set(bad["rule"])))
        rows.append(
            f"<tr class=\"report\"><td><a href=\"docs/{quote(d['doc'])}.html\">{_e(d['doc'])}</a></td>"
            f"<td>{_e(d['issuer'])}</td><td>{_e(d['input_kind'])}</td>"
            f"<td class=\"{'fail' if len(bad) else 'pass'}\">{status}</td>"
            f"<td>{len(facts_by.get(d['doc'], ()))}</td>"
            f"<td>{int((f['status'] == 'fail').sum())}</td><td>{int((f['status'] == 'inconsistent').sum())}</td>"
            f"<td>{int((f['status'] == 'missing').sum())}</td><td class=\"small\">{_e(failed)}</td></tr>")
    err_rows = "".join(f"<tr><td>{_e(r.path)}</td><td>{_e(r.kind)}</td><td>{_e(r.cause)}</td></tr>"
                       for r in errors.itertuples())
    comp, chart = _comparison(docs, findings)
    n_errors = int((errors["kind"] != "unsupported").sum()) if len(errors) else 0
    summary = _t("index_summary", docs=len(docs), facts=n_facts, findings=len(findings), errors=n_errors)
    body = (
        f"<h1>{_e(_t('index_heading'))}</h1><p class=\"small\">{_e(summary)}</p>"
        f"<input id=\"filter\" placeholder=\"{_e(_t('filter_placeholder'))}\">"
        "<table id=\"reports\"><tr>" + "".join(f"<th>{_e(h)}</th>" for h in _t("reports_header")) + "</tr>"
        + "".join(rows) + "</table>"
        f"<h2>{_e(_t('comparison_heading'))}</h2>" + comp + chart +
        (f"<h2>{_e(_t('errors_heading'))}</h2><table id=\"errors\"><tr>"
         + "".join(f"<th>{_e(h)}</th>" for h in _t("errors_header")) + "</tr>"
         + err_rows + "</table>" if err_rows else ""))
    script = ("document.getElementById('filter').addEventListener('input',e=>{const q=e.target.value;"
              "document.querySelectorAll('tr.report').forEach(r=>r.style.display=r.textContent.includes(q)?'':'none')});"
              "document.body.dataset.reports=document.querySelectorAll('tr.report').length;"
              "document.body.dataset.bars=document.querySelectorAll('#indicator-chart rect.bar').length;")
    return _page(_t("index_title"), body, script)


def _comparison(docs, findings):
    key_rules = _t("key_indicators")
    head = "".join(f"<th>{_e(label)}</th>" for _, label in key_rules)
    rows, series = [], []
    labels = _labels(docs)
    for rid, label in key_rules:
        f = findings[(findings["rule"] == rid) & findings["status"].isin(["pass", "fail"])]
        std = f["threshold"].iloc[0] if len(f) else ""
        first = {}
        for doc, value, status in zip(f["doc"], f["value"], f["status"]):
            first.setdefault(doc, (value, status))                  # the first stated value per report
        vals = [(labels[doc],) + first.get(doc, ("", "")) for doc in docs["doc"]]
        series.append((label, std, vals))
    for i, (_, d) in enumerate(docs.iterrows()):
        cells = "".join(f"<td class=\"{s[2][i][2]}\">{_e(s[2][i][1])}</td>" for s in series)
        rows.append(f"<tr><td>{_e(labels[d['doc']])}</td>{cells}</tr>")
    std_row = "".join(f"<td>{_e(s[1])}</td>" for s in series)
    table = (f"<table id=\"indicators\"><tr><th>{_e(_t('district'))}</th>{head}</tr>{''.join(rows)}"
             f"<tr class=\"small\"><td>{_e(_t('national_standard'))}</td>{std_row}</tr></table>")
    return table, _chart(series)


def _chart(series) -> str:
    """Small multiples: per indicator one bar per district, the standard as a dashed line."""
    w, h, pad = 220, 160, 28
    panels = []
    for k, (label, std, vals) in enumerate(series):
        nums = [float(v) for _, v, _ in vals if v not in ("", None)]
        try:
            s = float(std) if std not in ("", None) else None
        except ValueError:
            s = None
        top = max(nums + ([s] if s is not None else []) + [1e-9]) * 1.15
        x0 = k * (w + 20)
        parts = [f"<g transform=\"translate({x0},0)\"><text x=\"0\" y=\"14\" font-size=\"12\">{_e(label)}</text>"]
        bw = (w - pad) / max(1, len(vals))
        for i, (name, v, status) in enumerate(vals):
            if v in ("", None):
                continue
            bh = float(v) / top * (h - pad - 20)
            parts.append(f"<rect class=\"bar {status}\" x=\"{pad + i * bw + 2:.1f}\" y=\"{h - pad - bh:.1f}\" "
                         f"width=\"{max(2, bw - 4):.1f}\" height=\"{bh:.1f}\"><title>{_e(name)}: {_e(v)}</title></rect>")
            parts.append(f"<text x=\"{pad + i * bw + bw / 2:.1f}\" y=\"{h - pad + 12}\" font-size=\"9\" "
                         f"text-anchor=\"middle\">{_e(name[-6:])}</text>")
        if s is not None:
            y = h - pad - s / top * (h - pad - 20)
            parts.append(f"<line class=\"std\" x1=\"{pad}\" x2=\"{w}\" y1=\"{y:.1f}\" y2=\"{y:.1f}\"/>"
                         f"<text x=\"{w}\" y=\"{y - 3:.1f}\" font-size=\"10\" text-anchor=\"end\">{_e(_t('standard', value=std))}</text>")
        parts.append(f"<line x1=\"{pad}\" x2=\"{w}\" y1=\"{h - pad}\" y2=\"{h - pad}\" stroke=\"#999\"/></g>")
        panels.append("".join(parts))
    total_w = len(series) * (w + 20)
    return (f"<svg id=\"indicator-chart\" width=\"{total_w}\" height=\"{h}\" role=\"img\" "
            f"aria-label=\"{_e(_t('comparison_heading'))}\">{''.join(panels)}</svg>")


def _report(d, facts, findings, text: str) -> str:
    by_pos = {}
    for _, f in findings.iterrows():
        if _int(f["start"]) is not None:
            by_pos.setdefault(_int(f["start"]), []).append(f)
    spans = []
    for _, f in facts.iterrows():
        s, e = int(f["start"]), int(f["end"])
        rules = by_pos.get(s, [])
        bad = any(r["status"] in ("fail", "inconsistent") for r in rules)
        tip = (_t("fact_tip", value=f["value"], unit=f["unit"], indicator=f["indicator"], period=f["period"],
                  subject=f["subject"])
               + "".join(_t("rule_tip", rule=r["rule"], status=_status(r["status"])) for r in rules))
        spans.append((s, e, f"<mark id=\"f-{s}\" class=\"fact kind-{_e(f['kind'])}{' bad' if bad else ''}\" "
                            f"data-value=\"{_e(f['value'])}\" data-indicator=\"{_e(f['indicator'])}\" "
                            f"title=\"{_e(tip)}\">"))
    fact_starts = {s for s, _, _ in spans}
    fact_spans = [(s, e) for s, e, _ in spans]
    for s, rs in by_pos.items():
        r = rs[0]
        e = _int(r["end"])
        # A sentence as evidence (an admission) that holds facts is not marked over them.
        if s not in fact_starts and e is not None and not any(s < fe and fs < e for fs, fe in fact_spans):
            spans.append((s, _int(r["end"]), f"<mark id=\"f-{s}\" class=\"claim\" title=\"{_e(r['message'])}\">"))
    spans.sort()
    out, pos = [], 0
    for s, e, tag in spans:
        if s < pos or e > len(text):
            continue
        out.append(_e(text[pos:s]) + tag + _e(text[s:e]) + "</mark>")
        pos = e
    out.append(_e(text[pos:]))
    items = []
    for _, f in findings.iterrows():
        link = f" <a href=\"#f-{_int(f['start'])}\">{_e(_t('evidence_link'))}</a>" if _int(f["start"]) is not None else ""
        items.append(f"<li class=\"finding {f['status']}\"><span class=\"{f['status']}\">"
                     f"{_e(_status(f['status']))}</span> {_e(f['message'])}"
                     f" <span class=\"small\">{_e(f['rule'])}{(_e(_t('source_sep')) + _e(f['source'])) if f['source'] else ''}"
                     f"</span>{link}</li>")
    from .tables import schema
    zh = {c[0]: c[2] for c in schema()["documents"]}
    meta = "".join(f"<tr><th>{_e(zh[k])}</th><td>{_e(d[k])}</td></tr>" for k in
                   ("issuer", "addressee", "doc_number", "signer", "report_date", "performance_year",
                    "progress_year", "scheme", "items_missing", "input_kind", "pages") if str(d[k]) not in ("", "<NA>"))
    body = (f"<p><a href=\"../index.html\">{_e(_t('back_to_index'))}</a></p><h1>{_e(d['title'] or d['doc'])}</h1>"
            f"<table class=\"meta\">{meta}</table><h2>{_e(_t('findings_heading'))}</h2>"
            f"<ul id=\"findings\">{''.join(items)}</ul>"
            f"<h2>{_e(_t('text_heading', n=len(facts)))}</h2><pre class=\"text\">{''.join(out)}</pre>")
    script = "document.body.dataset.facts=document.querySelectorAll('mark.fact').length;"
    return _page(d["doc"], body, script)
