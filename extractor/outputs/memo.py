"""Draft feedback memos (督导评估反馈意见) for the inspector to edit, as Word files.

One memo per report, `反馈意见-<county>-<year>.docx`: title, addressee (the issuing government), an opening
paragraph naming the report, then 一、基本情况 二、主要成效 三、存在的问题 四、整改意见 as Word heading styles,
and a closing block with a blank signature and date. One summary across the reports, `汇总反馈意见.docx`:
per standard how many districts met it and which did not, with their values; per district its verdict and
its number of problems; a chart of the same counts as a PNG when a Chinese font is found to label it.

Every sentence is a template of patterns/memo.yaml, every number comes from the findings, and nothing is
written that the findings do not support. Report text goes in as plain runs (never a field code or a
hyperlink), stripped of characters XML cannot hold; file names made from report content are sanitized
and every path is checked to resolve inside the output folder.

Reads a batch's DuckDB (OUTDIR/selfeval.duckdb, with the report texts for quoting whole sentences),
an .xlsx workbook or a Parquet folder of the tables.
"""
from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

from .. import data
from ..errors import InputError
from . import tables

# Characters XML 1.0 cannot hold, and the Unicode controls that reorder text on screen.
_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff\ud800-\udfff\u202a-\u202e\u2066-\u2069]")
# In a file name: separators, what Windows forbids, controls.
_NAME_BAD = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|\u202a-\u202e\u2066-\u2069]')
_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(10)), *(f"LPT{i}" for i in range(10))}
NAME_MAX = 80          # characters of a file name's stem, well under every file system's 255 bytes
MANIFEST = "memos.json"
SITE_SCRIPT = "memos.js"
STANDARD_WIDTHS = (38, 22, 16, 16, 48, 16)       # millimetres of the summary's tables, within the 156 mm text width
DISTRICT_WIDTHS = (32, 58, 22, 14, 30)


def _m() -> dict:
    return data.load("memo.yaml")


def clean(text) -> str:
    """Report text as XML can hold it: no control characters, no bidi overrides."""
    if text is None:
        return ""
    s = str(text)
    return "" if s in ("<NA>", "nan", "None") else _XML_BAD.sub("", s)


class _Blank(dict):
    def __missing__(self, key):
        return ""


def _fmt(template: str, **kw) -> str:
    return template.format_map(_Blank({k: ("" if v is None else v) for k, v in kw.items()}))


# ---------------- reading ----------------

def load(source) -> dict:
    """The tables (documents, facts, findings …) and `texts` (doc → text, empty when the source has none)."""
    p = Path(source)
    if p.is_dir() and (p / "selfeval.duckdb").is_file():
        p = p / "selfeval.duckdb"
    if p.suffix.lower() == ".duckdb" and p.is_file():
        import duckdb
        try:
            con = duckdb.connect(str(p), read_only=True)
        except duckdb.Error as e:
            raise InputError("corrupt", p, f"not a readable selfeval database ({str(e).splitlines()[0]})") from e
        try:
            have = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
            missing = [t for t in tables.TABLES if t not in have]
            if missing:
                raise InputError("corrupt", p, f"not a selfeval database (no {', '.join(missing)} table)")
            out = {t: tables.typed(con.execute(f"SELECT * FROM {t} ORDER BY rowid").df(), t) for t in tables.TABLES}
            out["texts"] = dict(con.execute("SELECT doc, text FROM texts").fetchall()) if "texts" in have else {}
            from . import decisions                 # i32: the inspectors' decisions kept beside the database
            out["decided"] = decisions.from_database(con, out, p.parent) if "meta" in have else None
        finally:
            con.close()
        return out
    if p.suffix.lower() == ".xlsx" and p.is_file():
        out = tables.read_excel(p)
    elif p.is_dir() and (p / "documents.parquet").is_file():
        out = tables.read_parquet_dir(p)
    elif not p.exists():
        raise InputError("missing", p, "no such file or folder")
    else:
        raise InputError("unsupported", p, "not a batch output folder, .duckdb, .xlsx or Parquet folder of selfeval tables")
    out["texts"] = {}
    return out


def _rules() -> dict:
    from ..checks.rules import load_rules
    return {r["id"]: r for r in load_rules().rules}


# ---------------- what a memo says ----------------

def _int(v):
    try:
        import pandas as pd
        return None if v is None or pd.isna(v) else int(v)
    except (TypeError, ValueError):
        return None


def _s(v) -> str:
    return clean(v)


def _date(iso: str) -> str:
    m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", iso or "")
    if not m:
        return clean(iso)
    return _fmt(_m()["date"], y=m[1], m=int(m[2]), d=int(m[3]))


def _year(d) -> str:
    for k in ("performance_year", "progress_year"):
        y = _int(d.get(k))
        if y:
            return str(y)
    m = re.match(r"(\d{4})", _s(d.get("report_date")))
    return m[1] if m else ""


def district(d) -> str:
    """The district a report is from: county, else city, else the issuer, else the document id."""
    for k in ("county", "city", "issuer", "doc"):
        if _s(d.get(k)):
            return _s(d[k])
    return ""


def quote_for(f, text: str) -> str:
    """The sentence the evidence stands in (from the report's text), else the evidence itself."""
    start, end = _int(f.get("start")), _int(f.get("end"))
    raw = _s(f.get("raw"))
    if not text or start is None or end is None or not (0 <= start <= end <= len(text)):
        return raw
    cfg = _m()
    ends, cap = cfg["sentence_end"], int(cfg["quote_max"])
    a = start
    while a > 0 and text[a - 1] not in ends and start - a < cap:
        a -= 1
    b = end
    while b < len(text) and text[b - 1] not in ends and b - end < cap:
        b += 1
    q = text[a:b].strip()
    if a > 0 and text[a - 1] not in ends:
        q = cfg["ellipsis"] + q
    if b < len(text) and text[b - 1] not in ends:
        q = q + cfg["ellipsis"]
    return clean(q) or raw


def where(f, text: str) -> str:
    """Page for paged input, else the line of the text, else the character offset."""
    t = _m()["memo"]
    page, start = _int(f.get("page")), _int(f.get("start"))
    if page:
        return _fmt(t["where_page"], page=page)
    if start is None:
        return ""
    if text and start <= len(text):
        return _fmt(t["where_line"], line=text.count("\n", 0, start) + 1)
    return _fmt(t["where_offset"], offset=start + 1)


def _standard(f, rule: dict) -> str:
    thr = _s(f.get("threshold"))
    if not thr:
        return ""
    if ":" in thr:
        return thr
    unit = re.sub(r"^[\d.,\s+-]+", "", _s(f.get("raw"))) if re.match(r"[\d.]", _s(f.get("raw"))) else ""
    return _m()["op_words"].get(rule.get("op", ""), "") + thr + unit


def _title(rule_id: str, rules: dict) -> str:
    from ..i18n import word
    r = rules.get(rule_id) or {}
    return clean(r.get("title") or word("rule_titles", rule_id, "zh"))


def _problem_title(rule_id: str, rules: dict) -> str:
    """What the problem is called: memo.yaml's problem_titles (a check's title says what it checks), else the rule's title."""
    return clean(_m()["problem_titles"].get(rule_id) or _title(rule_id, rules))


def recommendation(f, rules: dict, d) -> str:
    """The template for the problem's rule id, else its rule's kind, else its status, else the default."""
    rec = _m()["recommendations"]
    rule = rules.get(f["rule"]) or {}
    t = (rule.get("recommendation") or rec["by_rule"].get(f["rule"]) or rec["by_kind"].get(rule.get("kind", ""))
         or rec["by_status"].get(f["status"]) or rec["default"])
    return _fmt(t, title=_title(f["rule"], rules), indicator=_s(f.get("indicator")) or _title(f["rule"], rules),
                raw=_s(f.get("raw")), value=_s(f.get("value")), standard=_standard(f, rule),
                issuer=_s(d.get("issuer")), county=district(d), source=_s(f.get("source")))


def _group_of(f, rules: dict, groups) -> int:
    kind = (rules.get(f["rule"]) or {}).get("kind", "")
    for i, g in enumerate(groups):
        if ("statuses" not in g or f["status"] in g["statuses"]) and ("kinds" not in g or kind in g["kinds"]):
            return i
    return len(groups) - 1


def problems_of(findings, rules: dict) -> list:
    """The report's problems, grouped in the order of memo.yaml's problem_groups, each group in text order."""
    groups = _m()["memo"]["problem_groups"]
    rows = [r for _, r in findings.iterrows() if r["status"] in _m()["problem_statuses"]]
    keyed = [(_group_of(r, rules, groups), _int(r.get("start")) if _int(r.get("start")) is not None else 1 << 60, i, r)
             for i, r in enumerate(rows)]
    return [(g, r) for g, _, _, r in sorted(keyed, key=lambda k: k[:3])]


def achievements_of(findings, rules: dict) -> list:
    """(rule id, [findings]) per standard met, in the order of the rules; a rule failed anywhere is no achievement."""
    cfg = _m()
    ok = findings[findings["status"].isin(cfg["achievement_statuses"])]
    failed = set(findings[findings["status"].isin(cfg["problem_statuses"])]["rule"])
    by = {}
    for _, r in ok.iterrows():
        if (rules.get(r["rule"]) or {}).get("kind") in cfg["achievement_kinds"] and r["rule"] not in failed:
            by.setdefault(r["rule"], []).append(r)
    order = list(rules)
    return sorted(by.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else len(order))


# ---------------- Word ----------------

def _set_font(style_or_run, spec: dict, bold=None):
    from docx.oxml.ns import qn
    from docx.shared import Pt
    font = style_or_run.font
    font.name = spec["latin"]
    if spec.get("size"):
        font.size = Pt(spec["size"])
    if bold is not None:
        font.bold = bold
    rpr = style_or_run.element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.insert(0, rfonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs"):
        rfonts.set(qn(attr), spec["latin"])
    rfonts.set(qn("w:eastAsia"), spec["east_asia"])
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        rfonts.attrib.pop(qn(theme), None)


def new_document():
    """A blank document with the official page, fonts and black headings in its styles."""
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.shared import Mm, Pt, RGBColor
    cfg = _m()
    doc = docx.Document()
    sec = doc.sections[0]
    sec.page_height, sec.page_width = Mm(297), Mm(210)
    p = cfg["page"]
    sec.top_margin, sec.bottom_margin, sec.left_margin, sec.right_margin = Mm(p["top"]), Mm(p["bottom"]), Mm(p["left"]), Mm(p["right"])
    fonts = cfg["fonts"]
    normal = doc.styles["Normal"]
    _set_font(normal, fonts["body"])
    pf = normal.paragraph_format
    pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    pf.line_spacing = Pt(p["line_spacing"])
    pf.space_after = Pt(0)
    for name, spec in (("Title", fonts["title"]), ("Heading 1", fonts["heading"]), ("Heading 2", fonts["heading2"]),
                       ("Heading 3", fonts["body"])):
        st = doc.styles[name]
        _set_font(st, spec, bold=name == "Heading 3")
        st.font.color.rgb = RGBColor(0, 0, 0)
        st.font.italic = False
        st.paragraph_format.space_before = Pt(6 if name != "Title" else 0)
        st.paragraph_format.space_after = Pt(6)
        st.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE if name == "Title" else WD_LINE_SPACING.EXACTLY
        if name != "Title":
            st.paragraph_format.line_spacing = Pt(p["line_spacing"])
    title = doc.styles["Title"]
    title.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    pr = title.element.get_or_add_pPr()
    from docx.oxml.ns import qn
    for b in pr.findall(qn("w:pBdr")):            # the default Title has a blue rule under it
        pr.remove(b)
    return doc


def para(doc, *texts, style=None, indent=True, align=None):
    """A paragraph of plain runs, one per piece of text (a quote from the report is one run of its own)."""
    from docx.shared import Pt
    p = doc.add_paragraph(style=style)
    if indent and style is None:
        p.paragraph_format.first_line_indent = Pt(32)          # two characters of 三号
    if align is not None:
        p.alignment = align
    for t in texts:
        t = clean(t)
        if t:
            p.add_run(t)
    return p


def heading(doc, text: str, level: int):
    p = doc.add_paragraph(style=f"Heading {level}")
    p.add_run(clean(text))
    return p


def _closing(doc, lines):
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    para(doc, "")
    for line in lines:
        para(doc, line, indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT)


def _scope(d, findings, rules, n_problems) -> list:
    t = _m()["memo"]
    out = []
    if _s(d.get("scheme")):
        secs = [s for s in _s(d.get("sections_found")).split(";") if s]
        items = [s for s in _s(d.get("items_found")).split(";") if s]
        out.append(_fmt(t["scope_scheme"], n_sections=len(secs), n_items=len(items)))
        missing = [s for s in _s(d.get("items_missing")).split(";") if s]
        if missing:
            out.append(_fmt(t["scope_missing_items"], items=_m()["list_sep"].join(missing)))
    else:
        out.append(t["scope_no_scheme"])
    if _int(d.get("pages")):
        out.append(_fmt(t["scope_pages"], pages=_int(d["pages"])))
    if _int(d.get("n_facts")) is not None:
        out.append(_fmt(t["scope_facts"], n_facts=_int(d["n_facts"])))
    std = findings[findings["rule"].map(lambda r: (rules.get(r) or {}).get("kind") in _m()["achievement_kinds"])]
    verdicts = per_rule_verdicts(std)
    n_met = sum(1 for v in verdicts.values() if v == "met")
    n_not = sum(1 for v in verdicts.values() if v == "not_met")
    out.append(_fmt(t["scope_checks"], n_standards=n_met + n_not, n_met=n_met, n_not_met=n_not, n_problems=n_problems))
    return out


def per_rule_verdicts(findings) -> dict:
    """rule → met / not_met for one report: not met when any of its findings is a problem, met when one passes."""
    cfg = _m()
    out = {}
    for rule, g in findings.groupby("rule", sort=False):
        st = set(g["status"])
        if st & set(cfg["problem_statuses"]):
            out[rule] = "not_met"
        elif st & set(cfg["achievement_statuses"]):
            out[rule] = "met"
    return out


def memo_document(d, findings, text: str, rules: dict, asked=()):
    """The memo of one report as a python-docx Document, and its number of problems. asked: (finding, request)
    of what the inspectors ask the county for (outputs.decisions)."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    cfg = _m()
    t = cfg["memo"]
    issuer = _s(d.get("issuer")) or district(d)
    year = _year(d)
    doc = new_document()
    doc.core_properties.title = clean(_fmt(t["title"], issuer=issuer, year_text=_fmt(t["year_text"], year=year) if year else ""))
    doc.add_paragraph(style="Title").add_run(doc.core_properties.title)
    para(doc, t["draft_note"], indent=False, align=WD_ALIGN_PARAGRAPH.CENTER)
    para(doc, _fmt(t["addressee"], issuer=issuer), indent=False)
    ref = [p for p in (_fmt(t["ref_number"], doc_number=_s(d.get("doc_number"))) if _s(d.get("doc_number")) else "",
                       _fmt(t["ref_date"], date=_date(_s(d.get("report_date")))) if _s(d.get("report_date")) else "") if p]
    para(doc, _fmt(t["opening"], title=_s(d.get("title")) or _s(d.get("doc")),
                   ref=_fmt(t["ref"], parts=t["ref_sep"].join(ref)) if ref else ""))

    problems = problems_of(findings, rules)
    parts = t["parts"]
    heading(doc, parts[0], 1)
    for sentence in _scope(d, findings, rules, len(problems)):
        para(doc, sentence)

    heading(doc, parts[1], 1)
    achievements = achievements_of(findings, rules)
    if not achievements:
        para(doc, t["no_achievements"])
    for i, (rule_id, fs) in enumerate(achievements, 1):
        messages = list(dict.fromkeys(_s(f["message"]) for f in fs if _s(f["message"])))
        src = _s(fs[0].get("source"))
        title, message = _title(rule_id, rules), cfg["clause_sep"].join(messages)
        para(doc, f"{i}. ", message + cfg["full_stop"] if message.startswith(title) else
             _fmt(t["achievement"], title=title, message=message),
             _fmt(t["achievement_source"], source=src) if src else "")

    heading(doc, parts[2], 1)
    if not problems:
        para(doc, t["no_problems"])
    groups = t["problem_groups"]
    last_group = None
    for n, (g, f) in enumerate(problems, 1):
        if g != last_group:
            k = sum(1 for gg in dict.fromkeys(x for x, _ in problems) if gg <= g)   # groups shown so far
            heading(doc, _fmt(t["group_heading"], n=cfg["cn_numerals"][k - 1], heading=groups[g]["heading"]), 2)
            last_group = g
        heading(doc, f"{n}. " + _fmt(t["problem_heading"], title=_problem_title(f["rule"], rules)), 3)
        src = _s(f.get("source"))
        pieces = []
        q = quote_for(f, text)
        if q:
            pieces += [_fmt(t["problem_said"], where=where(f, text)), _fmt(t["problem_quote"], quote=q)]
        if _s(f.get("message")):
            pieces.append(_fmt(t["problem_finding"], message=_s(f["message"]).rstrip(cfg["sentence_end"])))
        if src:
            pieces.append(_fmt(t["problem_source"], source=src))
        if _s(f.get("original_value")):          # i32: corrected by an inspector
            pieces.append(_fmt(t["corrected"], value=_s(f.get("raw")), original=_s(f.get("original_value"))))
        para(doc, *pieces)

    heading(doc, parts[3], 1)
    if not problems:
        para(doc, t["no_recommendations"])
    for n, (_, f) in enumerate(problems, 1):
        para(doc, _fmt(t["recommendation"], n=n, title=_problem_title(f["rule"], rules), text=recommendation(f, rules, d)))
    _asked(doc, asked, rules)
    _closing(doc, t["closing"])
    return doc, len(problems)


def _asked(doc, asked, rules: dict):
    """i32: 五、请补充的材料, what the inspectors asked the county for, one numbered line each."""
    if not asked:
        return
    t = _m()["memo"]
    heading(doc, t["asked_heading"], 1)
    para(doc, t["asked_intro"])
    for n, (f, request) in enumerate(asked, 1):
        para(doc, _fmt(t["asked_item"], n=n, request=request, title=_problem_title(f["rule"], rules)))


# ---------------- file names ----------------

def safe_name(stem: str, suffix: str, taken: set) -> str:
    """A file name from report content: no separators, no `..`, no controls, no Windows reserved name,
    capped in length, unique among `taken` (compared case-insensitively); added to `taken`."""
    s = _NAME_BAD.sub("_", clean(stem))
    s = re.sub(r"\.{2,}", "_", s)
    s = re.sub(r"_+", "_", s).strip(" ._-") or "_"
    if s.split(".")[0].upper() in _WINDOWS_RESERVED:
        s = "_" + s
    s = s[:NAME_MAX].rstrip(" .")
    name, k = s + suffix, 2
    while name.lower() in taken:
        name = f"{s}-{k}{suffix}"
        k += 1
    taken.add(name.lower())
    return name


def inside(folder: Path, name: str) -> Path:
    """folder/name, refused unless it resolves inside folder."""
    root = folder.resolve()
    p = (root / name).resolve()
    if p.parent != root:
        raise InputError("invalid-output", folder / name, "a file name from report content would leave the output folder")
    return p


# ---------------- the summary ----------------

def _labels(docs) -> dict:
    names = {d["doc"]: district(d) for _, d in docs.iterrows()}
    counts = Counter(names.values())
    return {doc: (n if counts[n] == 1 else _fmt(_m()["summary"]["same_district"], district=n, doc=doc)) for doc, n in names.items()}


def standard_table(docs, findings, rules: dict) -> list:
    """Per standard that any report states: (rule id, standard, met [district], not met [(district, values)], not stated [district])."""
    cfg = _m()
    labels = _labels(docs)
    std_ids = [rid for rid, r in rules.items() if r.get("kind") in cfg["achievement_kinds"]]
    out = []
    for rid in std_ids:
        fr = findings[findings["rule"] == rid]
        met, not_met, none = [], [], []
        standard = ""
        for doc in docs["doc"]:
            g = fr[fr["doc"] == doc]
            v = per_rule_verdicts(g).get(rid)
            if v == "met":
                met.append(labels[doc])
            elif v == "not_met":
                bad = g[g["status"].isin(cfg["problem_statuses"])]
                not_met.append((labels[doc], list(dict.fromkeys(_s(x) for x in bad["raw"] if _s(x)))))
            else:
                none.append(labels[doc])
            if v and not standard:
                standard = _standard(g.iloc[0], rules[rid])
        if met or not_met:
            out.append((rid, standard, met, not_met, none))
    return out


def _table(doc, header, rows, widths_mm=None):
    from docx.enum.text import WD_LINE_SPACING
    from docx.shared import Mm, Pt
    tb = doc.add_table(rows=1, cols=len(header))
    tb.style = doc.styles["Table Grid"]
    tb.autofit = False
    for cell, h in zip(tb.rows[0].cells, header):
        cell.text = ""
        cell.paragraphs[0].add_run(clean(h)).bold = True
    for row in rows:
        cells = tb.add_row().cells
        for cell, v in zip(cells, row):
            cell.text = ""
            cell.paragraphs[0].add_run(clean(v))
    size = Pt(_m()["fonts"]["table"]["size"])
    for k, col in enumerate(tb.columns if widths_mm else ()):
        col.width = Mm(widths_mm[k])            # the grid, which LibreOffice and WPS lay out by
    for row in tb.rows:
        for k, cell in enumerate(row.cells):
            if widths_mm:
                cell.width = Mm(widths_mm[k])
            for p in cell.paragraphs:
                p.paragraph_format.first_line_indent = None
                p.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
                for r in p.runs:
                    r.font.size = size
    return tb


def chart_png(std_rows, rules: dict, path: Path):
    """Horizontal bars: per standard, districts that met it (green) and did not (red). None without a Chinese font."""
    from PIL import Image, ImageDraw, ImageFont
    cfg = _m()
    font = None
    for f in cfg["chart_fonts"]:
        try:
            font = ImageFont.truetype(f, 22)
            small = ImageFont.truetype(f, 18)
            break
        except OSError:
            continue
    if font is None or not std_rows:
        return None
    n_max = max(len(m) + len(nm) for _, _, m, nm, _ in std_rows) or 1
    label_w, bar_w, row_h, top = 560, 600, 40, 60
    img = Image.new("RGB", (label_w + bar_w + 80, top + row_h * len(std_rows) + 30), "white")
    dr = ImageDraw.Draw(img)
    s = cfg["summary"]
    dr.rectangle([label_w, 15, label_w + 20, 35], fill=(58, 170, 136))
    dr.text((label_w + 28, 14), s["chart_met"], font=small, fill="black")
    dr.rectangle([label_w + 120, 15, label_w + 140, 35], fill=(211, 51, 51))
    dr.text((label_w + 148, 14), s["chart_not_met"], font=small, fill="black")
    for i, (rid, _, met, not_met, _) in enumerate(std_rows):
        y = top + i * row_h
        label = _title(rid, rules)
        while dr.textlength(label, font=font) > label_w - 20 and len(label) > 2:
            label = label[:-2] + cfg["ellipsis"][0]
        dr.text((10, y + 6), label, font=font, fill="black")
        x = label_w
        for n, color in ((len(met), (58, 170, 136)), (len(not_met), (211, 51, 51))):
            w = int(bar_w * n / n_max)
            if n:
                dr.rectangle([x, y + 6, x + w, y + row_h - 6], fill=color)
                dr.text((x + w / 2 - 6, y + 8), str(n), font=small, fill="white")
            x += w
    img.save(path, "PNG")
    return path


def summary_document(docs, findings, rules: dict, chart_path: Path | None = None):
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.shared import Mm
    cfg = _m()
    s = cfg["summary"]
    years = Counter(y for y in (_year(d) for _, d in docs.iterrows()) if y)
    year = years.most_common(1)[0][0] if years else ""
    doc = new_document()
    doc.core_properties.title = clean(_fmt(s["title"], year_text=_fmt(s["year_text"], year=year) if year else ""))
    doc.add_paragraph(style="Title").add_run(doc.core_properties.title)
    para(doc, s["draft_note"], indent=False, align=WD_ALIGN_PARAGRAPH.CENTER)

    labels = _labels(docs)
    per_doc = []
    group_counts = Counter()
    groups = cfg["memo"]["problem_groups"]
    for _, d in docs.iterrows():
        probs = problems_of(findings[findings["doc"] == d["doc"]], rules)
        group_counts.update(g for g, _ in probs)
        failed = [_title(f["rule"], rules) for g, f in probs if groups[g].get("kinds") and "threshold" in groups[g]["kinds"]]
        per_doc.append((labels[d["doc"]], _s(d.get("title")) or d["doc"], len(probs), list(dict.fromkeys(failed))))
    n_with = sum(1 for p in per_doc if p[2])
    heading(doc, s["parts"][0], 1)
    para(doc, _fmt(s["overall"], n_reports=len(docs), n_districts=len({district(d) for _, d in docs.iterrows()}),
                   n_with_problems=n_with, n_problems=sum(p[2] for p in per_doc), n_clean=len(per_doc) - n_with))
    if group_counts:
        para(doc, s["by_group_intro"] + cfg["list_sep"].join(
            _fmt(s["by_group"], heading=groups[g]["heading"], n=n) for g, n in sorted(group_counts.items())) + s["by_group_end"])

    heading(doc, s["parts"][1], 1)
    rows = standard_table(docs, findings, rules)
    if not rows:
        para(doc, s["no_standards"])
    else:
        para(doc, s["standards_intro"])
        _table(doc, s["standards_header"], [
            (_title(rid, rules), std, str(len(met)), str(len(nm)),
             cfg["list_sep"].join(_fmt(s["not_met_entry"], district=n, values=cfg["list_sep"].join(v)) for n, v in nm),
             str(len(none))) for rid, std, met, nm, none in rows], STANDARD_WIDTHS)
        if chart_path is not None and chart_png(rows, rules, chart_path) is not None:
            doc.add_picture(str(chart_path), width=Mm(150))
            pic = doc.paragraphs[-1].paragraph_format
            pic.line_spacing_rule, pic.alignment = WD_LINE_SPACING.SINGLE, WD_ALIGN_PARAGRAPH.CENTER
            para(doc, s["chart_caption"], indent=False, align=WD_ALIGN_PARAGRAPH.CENTER)

    heading(doc, s["parts"][2], 1)
    para(doc, s["districts_intro"])
    _table(doc, s["districts_header"], [
        (name, title, s["verdict_problems"] if n else s["verdict_clean"], str(n), cfg["list_sep"].join(failed))
        for name, title, n, failed in per_doc], DISTRICT_WIDTHS)
    _closing(doc, s["closing"])
    return doc


# ---------------- the entry point ----------------

def write_memos(source, out_dir=None, docs=None, summary: bool = True) -> dict:
    """Write one memo per report (or the reports `docs` names) and the summary into out_dir
    (default: SOURCE/memos for a batch folder). Returns {"memos": {doc: path}, "summary": path or None,
    "chart": path or None, "problems": {doc: n}}; memos.json in out_dir maps each document id to its memo."""
    src = Path(source)
    t = load(src)
    if out_dir is None:
        out_dir = (src if src.is_dir() else src.parent) / "memos"
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise InputError("invalid-output", out, "not a folder")
    out.mkdir(parents=True, exist_ok=True)
    documents, findings = t["documents"], t["findings"]
    decided = t.get("decided")
    if decided is not None:                  # i32: dismissed findings dropped, corrected values checked again
        findings = decided.effective()
    if docs:
        unknown = [x for x in docs if x not in set(documents["doc"])]
        if unknown:
            raise InputError("missing", src, "no document " + ", ".join(unknown) + " in it")
        documents = documents[documents["doc"].isin(docs)].reset_index(drop=True)
    rules = _rules()
    cfg = _m()
    taken = {cfg["summary_file_name"].lower() + ".docx", MANIFEST}
    before = _manifest(out)
    if docs:            # the other reports keep their memos and names
        for doc, name in before.items():
            if doc not in set(documents["doc"]):
                taken.add(name.lower())
    result = {"memos": {}, "summary": None, "chart": None, "problems": {}}
    for _, d in documents.iterrows():
        f = findings[findings["doc"] == d["doc"]]
        base = _int(d.get("part_start")) or 0             # a part of a compilation: its text begins there
        if base:
            f = f.assign(start=f["start"] - base, end=f["end"] - base)
        asked = decided.asked(d["doc"]) if decided is not None else ()
        document, n = memo_document(d, f, t["texts"].get(d["doc"], ""), rules, asked)
        stem = _fmt(cfg["file_name"], county=district(d), year=_year(d))
        stem = re.sub(r"-{2,}", "-", stem).strip("-")
        path = inside(out, safe_name(stem, ".docx", taken))
        document.save(str(path))
        result["memos"][d["doc"]] = path
        result["problems"][d["doc"]] = n
    if summary and len(documents):
        chart = inside(out, safe_name(cfg["summary_file_name"], ".png", taken))
        sdoc = summary_document(documents, findings[findings["doc"].isin(set(documents["doc"]))], rules, chart)
        path = inside(out, cfg["summary_file_name"] + ".docx")
        sdoc.save(str(path))
        result["summary"] = path
        result["chart"] = chart if chart.is_file() else None
    names = {doc: p.name for doc, p in result["memos"].items()}
    if docs:
        names = {**{k: v for k, v in before.items() if k not in names}, **names}
    for doc, name in before.items():        # memos of reports no longer in the source, or renamed
        if name not in names.values() and name.endswith(".docx"):
            old = inside(out, safe_name(name[:-len(".docx")], ".docx", set()))
            if old.name == name and old.is_file():
                old.unlink()
    inside(out, MANIFEST).write_text(json.dumps(names, ensure_ascii=False, indent=1), encoding="utf-8")
    # The same map as a script, for the review site's pages (file:// pages read no JSON): each links its
    # memo when the memo was made from the same file (an id reassigned since names another report).
    paths = {} if "path" not in t["documents"] else dict(zip(t["documents"]["doc"], t["documents"]["path"]))
    site = {doc: {"memo": name, "path": _s(paths.get(doc))} for doc, name in names.items()}
    inside(out, SITE_SCRIPT).write_text(f"window.selfevalMemos = {json.dumps(site, ensure_ascii=False)};\n",
                                        encoding="utf-8")
    return result


def _manifest(out: Path) -> dict:
    try:
        m = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in m.items()} if isinstance(m, dict) else {}
