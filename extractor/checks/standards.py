"""Standards: a figure against a threshold (`threshold`), two figures against each other (`compare`), and the
direction a figure moved against the year before (`trend`); and the standard and status of each row of the
metrics table. Only the reporting government's own figures are judged (text/scope.py): a part's figure that
falls short is a `low` note, another government's is not read.
"""
from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Optional

from ..text import grid, metadata, metrics, scope
from ..text.indicators import CARRIED_RULES, STANDARD_RULES
from .findings import Finding, dec, finding, fmt, msg, place, place_of, squeeze
from .loading import load_rules
from .view import DocView, is_baseline, rx, words

OP_CODES = (">=", "<=", ">", "<", "==")
QUOTED_NOT = STANDARD_RULES + CARRIED_RULES     # a standard is no figure of the report's; a carried measure is unsure


# ---------------- which facts a rule reads ----------------

def matches(f, m: dict, claimed=frozenset()) -> bool:
    """A fact is read by a matcher: the catalog indicator it is linked to (and level), or, for a rule without a
    metric, its words (`text`, `not`, searched in "subject indicator") when no other rule names its metric."""
    # A fact whose metric value is not its written value (支出下降2.3%: the growth is -2.3) is judged by the rules
    # that read its words (spending.no-decrease), never by its metric's rule on the number as written.
    signed = getattr(f, "metric_value", None) is not None
    if m.get("not_in_sentence") and rx(m["not_in_sentence"]).search(f.sentence):
        return False            # 保持在国家基本均衡标准以内: the sentence holds it to another standard
    if m.get("metric"):
        if signed or f.metric_id != m["metric"] or (m.get("level") and f.metric_level != m["level"]):
            return False
        return not (m.get("not") and rx(m["not"]).search(f"{f.subject} {f.indicator}")) and not not_its_value(f)
    if f.metric_id in claimed and not signed:
        return False            # the catalog says it is the indicator another rule names
    if m.get("kinds") and f.kind not in m["kinds"]:
        return False
    if m.get("unit") and f.unit != m["unit"]:
        return False
    t = f"{f.subject} {f.indicator}"
    if not rx(m["text"]).search(t):
        return False
    return not (m.get("not") and rx(m["not"]).search(t))


def _read_by(facts, m: dict, claimed) -> list:
    """The facts a matcher reads, in their order: those of its metric, or of its kinds, tried."""
    if m.get("metric"):
        facts = [f for f in facts if f.metric_id == m["metric"]]
    elif m.get("kinds"):
        facts = [f for f in facts if f.kind in m["kinds"]]
    return [f for f in facts if matches(f, m, claimed)]


def not_its_value(f) -> bool:
    """每百名学生拥有高于规定学历教师数差异系数0.35 is a coefficient of the indicator, not its value."""
    if not rx(words()["coefficient"]).search(f.indicator):
        return False
    e = metrics.load_catalog().get(f.metric_id)
    return e is not None and e.unit != words()["coefficient_unit"]


def _candidates(rule, view: DocView) -> list:
    m = rule["match"]
    if m.get("metric"):
        return view.by_metric.get(m["metric"], [])
    kinds = m.get("kinds")
    if not kinds:
        return list(view.result.facts)
    picked = [f for k in kinds for f in view.by_kind.get(k, ())]
    return sorted(picked, key=lambda f: (f.start, f.end)) if len(kinds) > 1 else picked


def binds(rule, government: str, year) -> bool:
    """A standard binds the governments and the years (`since`, `until`) its rule or source names."""
    if government and rule.get("governments") and government not in rule["governments"]:
        return False
    if year and rule.get("since") and int(year) < int(rule["since"]):
        return False
    return not (year and rule.get("until") and int(year) > int(rule["until"]))


# ---------------- judging a value ----------------

def meets(rule, value) -> Optional[bool]:
    """True / False against the rule's standard; None when the value is no number the standard reads."""
    if "max_per_one" in rule:
        a, _, b = str(value).partition(":")
        a, b = dec(a), dec(b)
        if not a or b is None:
            return None
        return b / a <= rule["max_per_one"]
    v = dec(value)
    if v is None:
        return None
    return compare(v, rule["op"], rule["threshold"])


def compare(a: Decimal, op: str, b: Decimal) -> bool:
    return {">=": a >= b, "<=": a <= b, ">": a > b, "<": a < b, "==": a == b}[op]


def standard_text(rule) -> str:
    """>=50, <=0.45, 1:15: the standard as the metrics table shows it."""
    if "max_per_one" in rule:
        return f"1:{fmt(rule['max_per_one'])}"
    return f"{rule['op']}{fmt(rule['threshold'])}"


def status(ok: Optional[bool]) -> str:
    return "" if ok is None else ("pass" if ok else "fail")


# ---------------- threshold ----------------

def check_threshold(rule, view: DocView) -> list[Finding]:
    """One finding per distinct value: the same 1.98% stated again is checked once (the later statements go
    to `view.echoes`, for the claim check to see). A part's figure is read only when it falls short."""
    out, seen = [], {}
    m = rule["match"]
    found = [f for f in _candidates(rule, view) if f.scope != "other" and matches(f, m, view.claimed)]
    if not found:
        return _class_statements(rule, view) if rule.get("statements") else []
    # last year's figure is history where the report's year is known or this year's stands beside it: the
    # standard judges the report's own year (扭转了2022年…下降2.1%的局面, in a report on 2023)
    history = bool(view.result.perf_year) or any(not view.earlier(f) for f in found)
    for f in found:
        if history and view.earlier(f):
            continue
        if not binds(rule, "", metrics.year_of(f.period, view.year)):
            continue
        # the same value of one standard, stated again, is one finding: its level says whose it is, not a subject
        # read beside it (交流比例8.33% in its part and again in the problems)
        key = _same_statement(seen, (str(f.value), f.period, f.metric_level, f.scope_word))
        if key in seen:
            if seen[key] is not None:
                view.echoes.append(replace(out[seen[key]], section=f.section, item=f.item, raw=f.raw, start=f.start,
                                           end=f.end, page=f.page))
            continue
        fd = _judged(rule, f, view)
        seen[key] = len(out) if fd is not None and fd.status in ("pass", "fail") else None
        if fd is not None:
            out.append(fd)
    if rule.get("statements"):
        out += _class_statements(rule, view)
    return out


def _same_statement(seen: dict, key: tuple) -> tuple:
    """The key of the same value stated before: of the same period, or of one that a statement without a period
    does not contradict (a table's 5.10 of 2023 and the text's 5.10人 after it)."""
    if key in seen:
        return key
    value, period, *rest = key
    return next((k for k in seen if k[0] == value and list(k[2:]) == rest and (not period or not k[1])), key)


def _judged(rule, f, view: DocView) -> Optional[Finding]:
    ok = meets(rule, f.value)
    if ok is None:
        return None
    if f.scope == "part":
        if ok:
            return None
        if not (rule.get("op") == "<=" and rule.get("threshold") == 0):
            return _part_note(rule, f, view)
        # A part above a standard of none (大班额 in 城区) puts the whole above it too: the government's failure.
    said = _sentence(rule, f, ok)
    return finding(view.doc, rule["id"], "pass" if ok else "fail", rule["severity"], said, section=f.section,
                   item=f.item, indicator=f.indicator, value=f.value, source=rule.get("source", ""), raw=f.raw,
                   start=f.start, end=f.end, page=f.page, threshold=_threshold_value(rule))


def _threshold_value(rule):
    return f"1:{fmt(rule['max_per_one'])}" if "max_per_one" in rule else rule["threshold"]


def _verdict(ok: bool) -> dict:
    return msg("met" if ok else "not_met")


def _sentence(rule, f, ok: bool) -> dict:
    """The finding's message: the figure, the verdict and the standard."""
    raw = squeeze(f.raw)
    if "max_per_one" in rule:
        a, _, b = str(f.value).partition(":")
        return msg("ratio", title=rule["title"], raw=raw, per_one=fmt(dec(b) / dec(a)), verdict=_verdict(ok),
                   limit=fmt(rule["max_per_one"]))
    if rule.get("message"):        # a rule with its own sentence (下降2.3% is not "不减为2.3%")
        return msg(rule["message"], title=rule["title"], indicator=squeeze(f.indicator), raw=raw,
                   verdict=msg(f"{rule['message']}_{'pass' if ok else 'fail'}"))
    subject = f.scope_word or f.subject
    return msg("threshold", title=rule["title"],
               subject=msg("threshold_subject", subject=subject) if subject and subject not in rule["title"] else "",
               raw=raw, verdict=_verdict(ok), op=msg(f"ops.{rule['op']}"), threshold=fmt(rule["threshold"]),
               unit=_unit(f))


def _unit(f):
    """The unit shown after a threshold: % and 元; a count's own unit is in its raw text already."""
    if f.unit == "%":
        return "%"
    return msg("money_unit") if f.kind == "money" else ""


def _part_note(rule, f, view: DocView) -> Finding:
    """城区公办园在园幼儿占比38.5%: below the standard, but a part's figure, not the government's."""
    said = msg("part_below", title=rule["title"], part=f.scope_word, raw=squeeze(f.raw),
               standard=_standard_words(rule))
    return finding(view.doc, rule["id"], "not-applicable", "low", said, section=f.section, item=f.item,
                   indicator=f.indicator, value=f.value, source=rule.get("source", ""), raw=f.raw, start=f.start,
                   end=f.end, page=f.page, threshold=_threshold_value(rule))


def _standard_words(rule) -> dict:
    if "max_per_one" in rule:
        return msg("standard_ratio", limit=fmt(rule["max_per_one"]))
    return msg("standard_op", op=msg(f"ops.{rule['op']}"), threshold=fmt(rule["threshold"]))


def missing(rule, doc: str) -> Finding:
    """The standard is not stated: an `info` row, or the scheme's severity where the scheme asks for it."""
    if rule["kind"] == "compare":
        return finding(doc, rule["id"], "missing", "info", msg("compare_missing", title=rule["title"]),
                       source=rule.get("source", ""))
    return finding(doc, rule["id"], "missing", "info", msg("threshold_missing", title=rule["title"]),
                   source=rule.get("source", ""), threshold=_threshold_value(rule))


# ---------------- large classes stated as counts ----------------

def _class_statements(rule, view: DocView) -> list[Finding]:
    """N个班级学生数超过55人 / 最多的58人 / 大班额3个: classes over the size of a 大班额, a failure of a
    standard of none. A count the report says was removed (消除大班额12个) is progress, not a class."""
    lx = words()[rule["statements"]]
    size = int(lx["size"])
    taken, out = [], []
    if lx["cue"] not in view.text:
        return out
    for name in ("largest", "over", "reached", "over_size_first", "named", "count_first"):
        for m in rx(lx[name]).finditer(view.text):
            if any(m.start() < b and a < m.end() for a, b in taken):     # one statement, read by two patterns
                continue
            before = view.clause_before(m.start())
            if rx(lx["remedied"]).search(before) or scope.of_words(before, view.government)[0] == "other":
                continue
            s1 = view.sentence_bounds_at(m.start())[1]
            if rx(lx["remedied_after"]).search(view.text, m.end(), s1) or view.earlier_words(before):
                continue            # 2023年尚有大班额3个，2024年已全部消除: last year's, since removed
            g = m.groupdict()
            n = int(g["n"])
            over = (int(g["max"]) >= size if g.get("max") else
                    int(g["limit"]) + 1 >= size if g.get("limit") else True)
            if n <= 0 or not over:
                continue
            taken.append((m.start(), m.end()))
            ev = view.evidence(m.start(), m.end())
            said = msg("large_classes", said=squeeze(ev["raw"]), size=size, title=rule["title"])
            reg = view.result.seg.region_at(m.start())
            out.append(finding(view.doc, rule["id"], "fail", rule["severity"], said, section=reg.section,
                               item=reg.item, indicator=rule["title"], value=Decimal(n), threshold=rule["threshold"],
                               source=rule.get("source", ""), **ev))
    return out + _largest_in_tables(rule, view, lx, size)


def _largest_in_tables(rule, view: DocView, lx: dict, size: int) -> list[Finding]:
    """学校 | 学段 | … | 最大班额（人） with 57 in a primary or junior school's row: a class of a 大班额's size."""
    out = []
    for cell in grid.cells(view.text):
        if not rx(lx["largest_column"]).fullmatch(cell.column.strip()) or not rx(lx["compulsory_row"]).search(
                cell.label) or rx(lx["other_row"]).search(cell.label):
            continue
        got = grid.number_cell(view.text, cell)
        if got is None or got[2] or int(Decimal(view.text[got[0]:got[1]].replace(",", ""))) < size:
            continue
        ev = view.evidence(cell.start, cell.end)
        said = msg("large_classes_table", label=squeeze(cell.label), column=squeeze(cell.column), raw=squeeze(ev["raw"]),
                   size=size, title=rule["title"])
        reg = view.result.seg.region_at(cell.start)
        out.append(finding(view.doc, rule["id"], "fail", rule["severity"], said, section=reg.section, item=reg.item,
                           indicator=rule["title"], value=Decimal(1), threshold=rule["threshold"],
                           source=rule.get("source", ""), **ev))
    return out


# ---------------- a standard the report quotes ----------------

def check_quoted(rule, view: DocView) -> list[Finding]:
    """基准定额（小学650元、初中850元），…初中生均公用经费拨付820元: each level's figure after the standards a report quotes
    in brackets, in their paragraph, against its level's; only for the indicators whose better direction the rule
    gives (`better`), only the government's own figures, and only where the figure's own words name its level."""
    better = rule["better"]
    out = []
    for q in view.result.facts:
        if q.fired.get("indicator") != "standard_in_brackets" or not q.subject:
            continue
        for v in view.result.facts:
            if v.start <= q.start or view.para(v) != view.para(q) or v.metric_id not in better or v.scope \
                    or v.subject != q.subject or v.metric_level != q.subject or (v.kind, v.unit) != (q.kind, q.unit) \
                    or is_baseline(v) or v.fired.get("indicator") in QUOTED_NOT:
                continue
            a, b = dec(v.value), dec(q.value)
            if a is None or b is None:
                continue
            ok = compare(a, better[v.metric_id], b)
            said = msg("quoted", indicator=squeeze(v.indicator), raw=squeeze(v.raw), verdict=_verdict(ok),
                       standard=squeeze(q.subject + q.raw))
            out.append(finding(view.doc, rule["id"], "pass" if ok else "fail", rule["severity"], said,
                               section=v.section, item=v.item, indicator=v.indicator, value=v.value, threshold=b,
                               raw=v.raw, start=v.start, end=v.end, page=v.page,
                               places=[place_of(q, "standard"), place_of(v, "figure")]))
    return out


# ---------------- compare ----------------

def check_compare(rule, view: DocView) -> list[Finding]:
    """Each left figure against the nearest right one of the same period (teachers' pay ≥ civil servants')."""
    facts = [f for f in view.result.facts if f.scope != "other"]
    lefts = _read_by(facts, rule["left"], view.claimed)
    rights = _read_by(facts, rule["right"], view.claimed)
    out = []
    monthly = {id(f): _monthly(view, f) for f in lefts + rights} if lefts and rights else {}
    for lf in lefts:
        cands = [r for r in rights if (not lf.period or not r.period or r.period == lf.period)
                 and monthly[id(r)] == monthly[id(lf)]]
        if not cands:
            continue
        rf = min(cands, key=lambda r: abs(r.start - lf.start))
        a, b = dec(lf.value), dec(rf.value)
        ok = compare(a, rule["op"], b)
        said = msg("compare", title=rule["title"], left_subject=lf.subject or msg("compare_left_subject"),
                   left=lf.raw, right_subject=rf.subject or msg("compare_right_subject"), right=rf.raw,
                   verdict=_verdict(ok))
        out.append(finding(view.doc, rule["id"], "pass" if ok else "fail", rule["severity"], said,
                           section=lf.section, item=lf.item, indicator=lf.indicator, value=lf.value, values=[a, b],
                           threshold=b, source=rule.get("source", ""), raw=lf.raw, start=lf.start, end=lf.end,
                           page=lf.page, places=[place_of(lf, "left"), place_of(rf, "right")]))
    return out


def _monthly(view: DocView, f) -> bool:
    """Pay stated per month (月平均工资收入8462元), which a year's pay is never compared with."""
    return bool(rx(words()["monthly"]).search(f"{f.indicator} {view.clause_before(view.npos[id(f)])}"))


# ---------------- trend stated against the year before ----------------

def check_trend(rule, view: DocView) -> list[Finding]:
    """近视率为53.6%，较上年上升1.2个百分点: the direction the text states for the metric's own figure, against
    the direction the standard asks (近视率 falls, spending grows). No direction stated: nothing."""
    out = []
    m = rule["match"]
    for f in _candidates(rule, view):
        if f.scope or not matches(f, m, view.claimed):
            continue
        if not binds(rule, "", metrics.year_of(f.period, view.year)):
            continue
        stated = _direction(view, f)
        by_values = [fd for fd in _trend_of_values(rule, view, f) if fd.values not in [o.values for o in out]]
        if stated is None:
            out += by_values
            continue                    # a table and the text: the same two figures judged once
        direction, n0, n1 = stated
        ok = direction == ("up" if rule["direction"] == "increase" else "down")
        if any((fd.status == "pass") != ok for fd in by_values):
            out += by_values            # 52.8%，较上年的51.9%下降0.9个百分点: the figures, not the word, say which way
            continue
        ev = view.evidence(n0, n1)
        said = msg("trend", title=rule["title"], indicator=squeeze(f.indicator), raw=squeeze(f.raw),
                   said=squeeze(ev["raw"]), verdict=msg(f"trend_{rule['direction']}_{'pass' if ok else 'fail'}"))
        out.append(finding(view.doc, rule["id"], "pass" if ok else "fail", rule["severity"], said, section=f.section,
                           item=f.item, indicator=f.indicator, value=f.value, source=rule.get("source", ""),
                           raw=f.raw, start=f.start, end=f.end, page=f.page,
                           places=[place_of(f, "figure"), place(ev["raw"], ev["start"], ev["end"], ev["page"], "trend")],
                           because=[ev]))
    return out


# Two years of one indicator differ by less than this factor; more is a misread scale, so nothing is said.
TREND_SPAN = 2


def _trend_of_values(rule, view: DocView, f) -> list[Finding]:
    """No direction stated, but the figure of the year before beside it (11281元（2022年为11340元）, 109.87亿元 after
    112.46亿元 of 2023): the direction the two figures make. Both periods written, the same indicator, level and
    whose figure; an unchanged figure says nothing of a fall."""
    before = _year_before(view, f)
    if before is None or any(view.part_of_year(g) for g in (f, before)):
        return []                   # 2022年1—6月…2.13亿元 is half a year's, not the year's
    a, b = dec(f.value), dec(before.value)
    if not a or not b or (a == b and rule["direction"] != "increase") or not 1 / TREND_SPAN <= a / b <= TREND_SPAN:
        return []                   # a year's figure ten times the other's is one read in 万元 against one in 元
    ok = a >= b if rule["direction"] == "increase" else a < b
    said = msg("trend_values", title=rule["title"], indicator=squeeze(f.indicator), raw=squeeze(f.raw), period=f.period,
               before=squeeze(before.raw), before_period=before.period,
               verdict=msg(f"trend_{rule['direction']}_{'pass' if ok else 'fail'}"))
    return [finding(view.doc, rule["id"], "pass" if ok else "fail", rule["severity"], said, section=f.section,
                    item=f.item, indicator=f.indicator, value=f.value, values=[a, b], threshold=b,
                    source=rule.get("source", ""), raw=f.raw, start=f.start, end=f.end, page=f.page,
                    places=[place_of(f, "figure"), place_of(before, "year_before")])]


def _year_before(view: DocView, f):
    """The same indicator's figure of the year before f's, stated in the report: None unless exactly one."""
    if not (f.period or "").isdigit() or view.earlier(f):
        return None
    want = str(int(f.period) - 1)
    same = [g for g in view.by_metric.get(f.metric_id, []) if g.period == want and not g.scope
            and (g.metric_level, g.subject, g.unit) == (f.metric_level, f.subject, f.unit)]
    if not same:                    # 52.8%，较上年的51.9%…: last year's figure as the sentence's own baseline
        same = [g for g in view.result.facts if g.metric_id == f.metric_id and is_baseline(g) and g.period == want
                and not g.scope and (g.metric_level, g.subject, g.unit) == (f.metric_level, f.subject, f.unit)
                and view.sent(g) == view.sent(f)]
    values = {dec(g.value) for g in same}
    return same[0] if len(values) == 1 else None


def _direction(view: DocView, f) -> Optional[tuple]:
    """('up' | 'down', start, end) of the direction stated in the figure's clause (较上年下降…) or in the clause
    right after it (，较上年上升1.2个百分点; ，上升1.2个百分点); None when no direction is stated."""
    before, after = _trend_patterns()
    p, e = view.npos[id(f)], view.nend[id(f)]
    clause = view.clause_before(p)
    found = None
    for m in before.finditer(clause):
        found = m
    if found is not None:
        start = p - len(clause)
        return _dir_of(found), start + found.start(), start + found.end()
    m = after.match(view.text, e)
    if m is None:
        return None
    end = m.end()
    while end < len(view.text) and view.text[end] not in "，,；;。！？!?\n" and end - m.end() < 12:
        end += 1
    return _dir_of(m), m.start() + (1 if view.text[m.start()] in "，," else 0), end


def _dir_of(m) -> str:
    return "up" if m.group("up") else "down"


def _trend_patterns():
    t = words()["trend"]
    direction = f"(?:(?P<up>{t['up']})|(?P<down>{t['down']}))"
    gap = int(t["gap"])
    before = rx(f"(?:{t['against']})[^，,。；;]{{0,{gap}}}?{direction}")
    after = rx(f"[，,]?\\s*(?:(?:{t['against']})[^，,。；;]{{0,{gap}}}?{direction}|{direction}(?={t['amount']}))")
    return before, after


# ---------------- the metrics table ----------------

def metric_rows(facts, document: dict, government: str = "", ruleset=None) -> list[dict]:
    """The metrics table's rows (text/metrics.py links them), each with the standard in force for its level, year
    and government, its status and source. Only the government's own figures make rows."""
    rules = ruleset or load_rules()
    gov = government or _government_of(document)
    own = [f for f in facts if not f.scope and not not_its_value(f) and not is_baseline(f)]
    rows = metrics.metric_rows(own, document)
    for row in rows:
        rule = _in_force(rules, row, gov)
        if rule is not None:
            row.update(standard=standard_text(rule), status=status(meets(rule, row["value"])),
                       source=rule["source_text"])
    for rule in rules.of_kind("compare"):
        _compared_rows(rule, rows)
    return rows


def standards_of(metric_id: str, ruleset=None) -> str:
    """The thresholds the rules set for a catalog indicator, for `selfeval indicators`: 小学<=0.5 (2017); …"""
    rules = (ruleset or load_rules()).of_kind("threshold")
    return "; ".join(f"{r.get('level', '')}{standard_text(r)} ({r.get('since', '')})"
                     for r in rules if r.get("metric") == metric_id)


def _in_force(rules, row, gov):
    """The threshold rule for the row's metric and level that binds its government and year (the latest)."""
    year = metrics.year_of(row["period"], row["year"])
    cands = [r for r in rules.of_kind("threshold") if r.get("metric") == row["metric_id"]
             and (not r.get("level") or r["level"] == row["level"]) and binds(r, gov, year)]
    return max(cands, key=lambda r: int(r.get("since") or 0), default=None)


def _compared_rows(rule, rows):
    """A metric set against another of the same period (teachers' pay ≥ civil servants'): that one is its standard."""
    left, right = rule["left"].get("metric"), rule["right"].get("metric")
    for row in rows:
        if row["metric_id"] != left:
            continue
        other = next((o for o in rows if o["metric_id"] == right and o["period"] == row["period"]), None)
        a, b = dec(row["value"]), dec(other["value"]) if other else None
        if a is not None and b is not None:
            row.update(standard=f"{rule['op']}{other['value']}", status=status(compare(a, rule["op"], b)),
                       source=rule["source_text"])


def _government_of(document: dict) -> str:
    """The level of the government of a documents-table row, as metadata reads it from the issuer's name
    (and the title's)."""
    return metadata.level_char(f"{document.get('issuer') or ''} {document.get('title') or ''}")


CHECKS = {"threshold": check_threshold, "compare": check_compare, "trend": check_trend, "quoted": check_quoted}
