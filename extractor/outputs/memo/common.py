"""What both memos say of a report: its words (the catalog's memo sections), its year and name, its problems in
groups, where each problem stands in the report and what to do about it. Every number comes from the findings and
from the verdict that checks decided and stored on the report's row."""
from __future__ import annotations

import re

from ... import data, i18n
from ...ids import district
from .word import cfg, clean


class _Blank(dict):
    def __missing__(self, key):
        return ""


def w(key: str, section: str = "memo", **kw) -> str:
    """The catalog's words for `section.key`, with every placeholder not given left empty."""
    template = i18n.t(f"{section}.{key}")
    return template.format_map(_Blank({k: ("" if v is None else v) for k, v in kw.items()}))


def sep() -> str:
    """Between the items of a list (、): the catalog's one list separator."""
    return i18n.t("msg.list_sep")


def words(key: str, section: str = "memo"):
    """A list or mapping of the catalog (parts, closing lines, header rows)."""
    return data.load(f"messages/{i18n.lang()}.yaml")[section][key]


def s(v) -> str:
    return clean(v)


def n(v):
    try:
        import pandas as pd
        return None if v is None or pd.isna(v) else int(v)
    except (TypeError, ValueError):
        return None


def date(iso: str) -> str:
    m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", iso or "")
    return w("date", y=m[1], m=int(m[2]), d=int(m[3])) if m else clean(iso)


def year(d) -> str:
    for k in ("performance_year", "progress_year"):
        y = n(d.get(k))
        if y:
            return str(y)
    m = re.match(r"(\d{4})", s(d.get("report_date")))
    return m[1] if m else ""


def report_title(d) -> str:
    """The report's own title, or "" where what was found is no title (a paragraph is not one)."""
    t = s(d.get("title"))
    return t if t and len(t) <= cfg()["title_max"] else ""


def trend_rules() -> set:
    return set(data.load("verdicts.yaml")["trend_rules"])


def kind_of(rule_id: str, rules: dict) -> str:
    """The rule's kind; a trend between years (made by the batch, in no ruleset) is a standard like a threshold."""
    if rule_id in trend_rules():
        return "threshold"
    return (rules.get(rule_id) or {}).get("kind", "")


def rule_title(rule_id: str, rules: dict) -> str:
    r = rules.get(rule_id) or {}
    return clean(r.get("title") or i18n.word("rule_titles", rule_id))


def problem_title(f, rules: dict) -> str:
    """What the problem is called: the catalog's problem title where the rule's title names what is checked."""
    key = "admitted" if f["status"] == "admitted" else f["rule"]
    said = i18n.catalog(i18n.lang()).get(f"memo.problem_titles.{key}")
    return clean(said or rule_title(f["rule"], rules))


def standard(f, rule: dict) -> str:
    """The standard as words: 不低于50%, 不高于1:15 (a ratio's "not above" is its pupils per teacher)."""
    thr = s(f.get("threshold"))
    if not thr:
        return thr
    op_code = rule.get("op") or ("<=" if rule.get("max_per_one") else "")
    op = i18n.catalog(i18n.lang()).get(f"memo.op_words.{op_code}", "")
    if ":" in thr:
        return op + thr
    raw = s(f.get("raw"))
    unit = re.sub(r"^[\d.,\s+-]+", "", raw) if re.match(r"[\d.]", raw) else ""
    return op + thr + unit


def group_of(f, rules: dict) -> int:
    groups = cfg()["problem_groups"]
    kind = kind_of(f["rule"], rules)
    for i, g in enumerate(groups):
        if ("statuses" not in g or f["status"] in g["statuses"]) and ("kinds" not in g or kind in g["kinds"]):
            return i
    return len(groups) - 1


def problems_of(findings: list, rules: dict) -> list:
    """(group index, finding) of each problem of one report, grouped in the order of memo.yaml's problem_groups,
    each group in text order; findings not about the report's figures (a duplicate submission) are none."""
    c = cfg()
    rows = [f for f in findings if f["status"] in c["problem_statuses"] and f["rule"] not in c["notes_only"]]
    keyed = [(group_of(f, rules), n(f.get("start")) if n(f.get("start")) is not None else 1 << 60, i, f)
             for i, f in enumerate(rows)]
    return [(g, f) for g, _, _, f in sorted(keyed, key=lambda k: k[:3])]


def group_heading(g: int) -> str:
    return w(f"groups.{cfg()['problem_groups'][g]['group']}")


def where(f) -> str:
    """Where the evidence stands, as the county holding the report can find it: its page and the heading it is
    under (第3页“教育经费保障”部分), never a line of selfeval's text."""
    page = n(f.get("page"))
    head = s(f.get("heading")).split(" > ")[-1].strip()
    if page and head:
        return w("where_page_heading", page=page, heading=head)
    if page:
        return w("where_page", page=page)
    return w("where_heading", heading=head) if head else w("where_none")


def quote_for(f, text: str) -> str:
    """The sentence the evidence stands in (from the report's text), else the evidence itself."""
    start, end = n(f.get("start")), n(f.get("end"))
    raw = s(f.get("raw"))
    if not text or start is None or end is None or not (0 <= start <= end <= len(text)):
        return raw
    ends, cap, dots = cfg()["sentence_end"], int(cfg()["quote_max"]), w("ellipsis")
    a = start
    while a > 0 and text[a - 1] not in ends and start - a < cap:
        a -= 1
    b = end
    while b < len(text) and text[b - 1] not in ends and b - end < cap:
        b += 1
    q = text[a:b].strip()
    if a > 0 and text[a - 1] not in ends:
        q = dots + q
    if b < len(text) and text[b - 1] not in ends:
        q = q + dots
    return clean(q) or raw


def recommendation(f, rules: dict, d) -> str:
    """The advice for the problem's rule, else its kind, else its status, else the default."""
    cat = i18n.catalog(i18n.lang())
    rule = rules.get(f["rule"]) or {}
    t = (rule.get("recommendation") or cat.get(f"memo.recommendations.by_rule.{f['rule']}")
         or cat.get(f"memo.recommendations.by_kind.{kind_of(f['rule'], rules)}")
         or cat.get(f"memo.recommendations.by_status.{f['status']}") or cat["memo.recommendations.default"])
    return t.format_map(_Blank(title=rule_title(f["rule"], rules),
                               indicator=s(f.get("indicator")) or rule_title(f["rule"], rules),
                               raw=s(f.get("raw")), value=s(f.get("value")), standard=standard(f, rule),
                               issuer=s(d.get("issuer")), county=district(d), source=s(f.get("source"))))


def numbers_text(numbers: list) -> str:
    """4至9, or 2、5: the problems one recommendation answers."""
    if len(numbers) > 2 and numbers == list(range(numbers[0], numbers[-1] + 1)):
        return w("numbers_range", first=numbers[0], last=numbers[-1])
    return w("numbers_sep").join(map(str, numbers))
