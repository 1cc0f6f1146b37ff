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

STATUS_ZH = {"pass": "达标", "fail": "未达标", "inconsistent": "不一致", "missing": "缺项"}
# Indicators compared across reports: rule id → label (the standard comes from the findings).
KEY_RULES = [
    ("preschool.gross-enrolment", "学前三年毛入园率(%)"),
    ("preschool.inclusive-coverage", "普惠性幼儿园覆盖率(%)"),
    ("preschool.public-share", "公办园在园幼儿占比(%)"),
    ("balanced.coefficient-primary", "小学综合差异系数"),
    ("balanced.coefficient-junior", "初中综合差异系数"),
]

ASSETS = Path(__file__).resolve().parent / "assets"
# Nothing in a page may load or run except the site's own files under review/assets/.
CSP = ("default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; "
       "base-uri 'none'; form-action 'none'")


def _int(v):
    """An offset from a table row, or None where the row has none."""
    import pandas as pd
    return None if v is None or pd.isna(v) else int(v)


def _e(s) -> str:
    return html.escape("" if s is None else str(s))


def _page(title: str, body: str, script: str, up: str = "") -> str:
    """A page whose styles and script are files under assets/ (up: the way back to the site's root)."""
    return (f"<!doctype html><html lang=\"zh\"><head><meta charset=\"utf-8\">"
            f"<meta http-equiv=\"Content-Security-Policy\" content=\"{CSP}\">"
            f"<meta name=\"referrer\" content=\"no-referrer\"><title>{_e(title)}</title>"
            f"<link rel=\"stylesheet\" href=\"{up}assets/site.css\"></head><body>{body}"
            f"<script src=\"{up}assets/{script}\"></script></body></html>")


def _write(folder: Path, rel: str, text: str):
    """Write a page only inside the site's folder (paths come from report content)."""
    from .paths import inside
    target = inside(folder, folder / rel)
    target.write_text(text, encoding="utf-8")


def write_site(store, folder: Path, ruleset=None):
    import shutil
    from .paths import safe_name
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "docs").mkdir(exist_ok=True)
    (folder / "assets").mkdir(exist_ok=True)
    for f in ASSETS.iterdir():
        shutil.copyfile(f, folder / "assets" / f.name)
    docs = store.table("documents")
    facts = store.table("facts")
    findings = store.table("findings")
    errors = store.frame("SELECT path, kind, cause FROM errors ORDER BY path")
    texts = dict(store.con.execute("SELECT doc, text FROM texts").fetchall())
    facts_by = {doc: g for doc, g in facts.groupby("doc", sort=False)}      # one pass, not one scan per report
    findings_by = {doc: g for doc, g in findings.groupby("doc", sort=False)}
    taken = set()
    pages = {doc: f"docs/{safe_name(doc, taken)}.html" for doc in docs["doc"]}
    _write(folder, "index.html", _index(docs, facts_by, findings_by, findings, errors, pages))
    for _, d in docs.iterrows():
        doc = d["doc"]
        page = _report(d, facts_by.get(doc, facts.iloc[:0]), findings_by.get(doc, findings.iloc[:0]),
                       texts.get(doc, ""))
        _write(folder, pages[doc], page)


def _labels(docs) -> dict:
    """District names for the comparison; the document id where two reports share one."""
    names = {d["doc"]: (d["county"] or d["city"] or d["issuer"] or d["doc"]) for _, d in docs.iterrows()}
    counts = {}
    for n in names.values():
        counts[n] = counts.get(n, 0) + 1
    return {doc: (n if counts[n] == 1 else doc) for doc, n in names.items()}


def _index(docs, facts_by, findings_by, findings, errors, pages) -> str:
    rows = []
    n_facts = sum(len(g) for g in facts_by.values())
    for _, d in docs.iterrows():
        f = findings_by.get(d["doc"], findings.iloc[:0])
        bad = f[f["status"].isin(["fail", "inconsistent"])]
        status = "有问题" if len(bad) else "通过"
        failed = "、".join(sorted(set(bad["rule"])))
        rows.append(
            f"<tr class=\"report\"><td><a href=\"{quote(pages[d['doc']])}\">{_e(d['doc'])}</a></td>"
            f"<td>{_e(d['issuer'])}</td><td>{_e(d['input_kind'])}</td>"
            f"<td class=\"{'fail' if len(bad) else 'pass'}\">{status}</td>"
            f"<td>{len(facts_by.get(d['doc'], ()))}</td>"
            f"<td>{int((f['status'] == 'fail').sum())}</td><td>{int((f['status'] == 'inconsistent').sum())}</td>"
            f"<td>{int((f['status'] == 'missing').sum())}</td><td class=\"small\">{_e(failed)}</td></tr>")
    err_rows = "".join(f"<tr><td>{_e(r.path)}</td><td>{_e(r.kind)}</td><td>{_e(r.cause)}</td></tr>"
                       for r in errors.itertuples())
    comp, chart = _comparison(docs, findings)
    body = (
        "<h1>履行教育职责自评报告 核查结果</h1>"
        f"<p class=\"small\">报告 {len(docs)} 份，数据 {n_facts} 条，核查 {len(findings)} 项，"
        f"无法读取的文件 {int((errors['kind'] != 'unsupported').sum()) if len(errors) else 0} 个。</p>"
        "<input id=\"filter\" placeholder=\"筛选报告…\">"
        "<table id=\"reports\"><thead><tr><th>报告</th><th>报送单位</th><th>格式</th><th>结论</th><th>数据</th>"
        "<th>未达标</th><th>不一致</th><th>缺项</th><th>未通过的规则</th></tr></thead><tbody>" + "".join(rows)
        + "</tbody></table>"
        "<h2>关键指标对比</h2>" + comp + chart +
        ("<h2>无法读取或不支持的文件</h2><table id=\"errors\"><tr><th>文件</th><th>类别</th><th>原因</th></tr>"
         + err_rows + "</table>" if err_rows else ""))
    return _page("核查结果", body, "index.js")


def _comparison(docs, findings):
    head = "".join(f"<th>{_e(label)}</th>" for _, label in KEY_RULES)
    rows, series = [], []
    labels = _labels(docs)
    for rid, label in KEY_RULES:
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
    table = (f"<table id=\"indicators\"><tr><th>地区</th>{head}</tr>{''.join(rows)}"
             f"<tr class=\"small\"><td>国家标准</td>{std_row}</tr></table>")
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
            parts.append(f"<rect class=\"mark bar {status}\" x=\"{pad + i * bw + 2:.1f}\" y=\"{h - pad - bh:.1f}\" "
                         f"width=\"{max(2, bw - 4):.1f}\" height=\"{bh:.1f}\"><title>{_e(name)}: {_e(v)}</title></rect>")
            parts.append(f"<text x=\"{pad + i * bw + bw / 2:.1f}\" y=\"{h - pad + 12}\" font-size=\"9\" "
                         f"text-anchor=\"middle\">{_e(name[-6:])}</text>")
        if s is not None:
            y = h - pad - s / top * (h - pad - 20)
            parts.append(f"<line class=\"std\" x1=\"{pad}\" x2=\"{w}\" y1=\"{y:.1f}\" y2=\"{y:.1f}\"/>"
                         f"<text x=\"{w}\" y=\"{y - 3:.1f}\" font-size=\"10\" text-anchor=\"end\">标准 {_e(std)}</text>")
        parts.append(f"<line x1=\"{pad}\" x2=\"{w}\" y1=\"{h - pad}\" y2=\"{h - pad}\" stroke=\"#999\"/></g>")
        panels.append("".join(parts))
    total_w = len(series) * (w + 20)
    return (f"<svg id=\"indicator-chart\" width=\"{total_w}\" height=\"{h}\" role=\"img\" "
            f"aria-label=\"关键指标对比\">{''.join(panels)}</svg>")


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
        tip = (f"值：{f['value']}{f['unit']}\n指标：{f['indicator']}\n时期：{f['period']}\n对象：{f['subject']}"
               + "".join(f"\n{r['rule']}：{STATUS_ZH.get(r['status'], r['status'])}" for r in rules))
        spans.append((s, e, f"<mark id=\"f-{s}\" class=\"fact kind-{_e(f['kind'])}{' bad' if bad else ''}\" "
                            f"data-value=\"{_e(f['value'])}\" data-indicator=\"{_e(f['indicator'])}\" "
                            f"title=\"{_e(tip)}\">"))
    fact_starts = {s for s, _, _ in spans}
    for s, rs in by_pos.items():
        r = rs[0]
        if s not in fact_starts and _int(r["end"]) is not None:
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
        link = f" <a href=\"#f-{_int(f['start'])}\">原文</a>" if _int(f["start"]) is not None else ""
        items.append(f"<li class=\"finding {f['status']}\"><span class=\"{f['status']}\">"
                     f"{STATUS_ZH.get(f['status'], f['status'])}</span> {_e(f['message'])}"
                     f" <span class=\"small\">{_e(f['rule'])}{('；' + _e(f['source'])) if f['source'] else ''}</span>{link}</li>")
    from .tables import schema
    zh = {c[0]: c[2] for c in schema()["documents"]}
    meta = "".join(f"<tr><th>{_e(zh[k])}</th><td>{_e(d[k])}</td></tr>" for k in
                   ("issuer", "addressee", "doc_number", "signer", "report_date", "performance_year",
                    "progress_year", "scheme", "items_missing", "input_kind", "pages") if str(d[k]) not in ("", "<NA>"))
    body = (f"<p><a href=\"../index.html\">← 全部报告</a></p><h1>{_e(d['title'] or d['doc'])}</h1>"
            f"<table class=\"meta\">{meta}</table><h2>核查结果</h2><ul id=\"findings\">{''.join(items)}</ul>"
            f"<h2>原文（共 {len(facts)} 条数据）</h2><pre class=\"text\">{''.join(out)}</pre>")
    return _page(d["doc"], body, "report.js", up="../")
