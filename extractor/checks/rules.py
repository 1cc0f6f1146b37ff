"""Check a report's facts against rules kept as data (patterns/rules/*.yaml) and against itself.

Rule kinds: threshold and compare (national standards, each citing its source, binding the governments
and years `applies` gives), share / parts / repeated (internal consistency), completeness (the scheme's
items and the indicators it requires), claim (a sentence saying the standard is met near a number that
fails it), admission (a shortfall the report states) and rectification (problems found against fixed).
"""
from __future__ import annotations

import bisect
import functools
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Optional

import regex
import yaml

from .. import data, i18n
from ..text import metrics
from ..text.layout import Positions
from ..errors import InputError
from ..records import plain_value
from . import statements

FINDING_FIELDS = ("doc", "rule", "status", "severity", "section", "item", "indicator", "value", "values",
                  "threshold", "message", "source", "raw", "start", "end", "page", "places", "heading")
STATUSES = ("pass", "fail", "inconsistent", "missing", "not-applicable", "admitted")
OPS = (">=", "<=", ">", "<", "==")
KINDS = {"threshold", "compare", "share", "parts", "repeated", "completeness", "claim", "admission", "rectification"}
NUMERIC_KINDS = {"count", "money", "percent", "number", "duration"}


@dataclass
class Finding:
    doc: str
    rule: str
    status: str
    severity: str
    section: Optional[int] = None
    item: Optional[int] = None
    indicator: str = ""
    value: object = None
    values: list = field(default_factory=list)
    threshold: object = None
    message: str = ""
    source: str = ""
    raw: str = ""
    start: Optional[int] = None
    end: Optional[int] = None
    page: Optional[int] = None
    places: list = field(default_factory=list)    # every place the evidence stands ({raw, start, end, page})
    heading: str = ""         # the headings the evidence stands under, outermost first, joined by " > "

    def to_dict(self) -> dict:
        """The fields read directly: dataclasses.asdict's deep copy was a third of a batch re-check."""
        d = {k: getattr(self, k) for k in FINDING_FIELDS}
        d["value"] = plain_value(self.value)
        d["values"] = [plain_value(v) for v in self.values]
        d["threshold"] = plain_value(self.threshold)
        return d


# ---------------- loading ----------------

class _LineLoader(yaml.SafeLoader):
    """Records the line of every mapping so errors can name it."""


def _mapping_with_line(loader, node, deep=False):
    m = yaml.SafeLoader.construct_mapping(loader, node, deep=deep)
    m["__line__"] = node.start_mark.line + 1
    return m


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_with_line)


@dataclass(frozen=True)
class RuleSet:
    rules: tuple          # dicts, each with id, kind, … and `origin` (file:line)

    @functools.cached_property
    def metrics(self) -> frozenset:
        """Catalog ids the rules name: facts linked to these are found by metric, not by another rule's regex."""
        return frozenset(m["metric"] for r in self.rules for m in (r.get("match"), r.get("left"), r.get("right"))
                         if isinstance(m, dict) and m.get("metric"))


def _parse_file(path: Path) -> dict:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as e:
        raise InputError("missing", path, "rules file not found") from e
    except UnicodeDecodeError as e:
        raise InputError("invalid-config", path, "rules file is not UTF-8 text") from e
    try:
        spec = yaml.load(text, Loader=_LineLoader)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark else ""
        raise InputError("invalid-config", path, f"{where}not valid YAML ({getattr(e, 'problem', None) or e})") from e
    if not isinstance(spec, dict) or not (spec.get("rules") or spec.get("consistency")):
        raise InputError("invalid-config", path, "line 1: a rules file needs a `rules:` (or `consistency:`) list")
    return spec


def _validate(rule, sources: dict, path, applies=None) -> dict:
    line = rule.get("__line__", "?") if isinstance(rule, dict) else "?"

    def bad(problem):
        rid = rule.get("id", "?") if isinstance(rule, dict) else "?"
        raise InputError("invalid-config", path, f"line {line}: rule '{rid}': {problem}")

    if not isinstance(rule, dict):
        raise InputError("invalid-config", path, f"line {line}: each rule is a mapping with id and kind")
    if not rule.get("id"):
        bad("missing `id`")
    kind = rule.get("kind")
    if kind not in KINDS:
        bad(f"unknown kind '{kind}' (one of {', '.join(sorted(KINDS))})")
    r = {k: v for k, v in rule.items() if k != "__line__"}
    r["origin"] = f"{_shown(path)}:{line}"
    r.setdefault("severity", "medium")
    r.setdefault("title", r["id"])
    if r.get("metric") and isinstance(r.get("match"), dict):
        # The rule's facts are those the catalog links to its metric (and level); `text` is the fallback.
        r["match"] = {**r["match"], "metric": r["metric"], "level": r.get("level", "")}
    for key in ("match", "left", "right"):
        if key in r:
            m = r[key]
            if m.get("metric") and metrics.load_catalog().get(m["metric"]) is None:
                bad(f"`metric` '{m['metric']}' is not in the indicator catalog")
            if not isinstance(m, dict) or not m.get("text"):
                bad(f"`{key}` needs a `text` pattern")
            for pat_key in ("text", "not"):
                if m.get(pat_key):
                    try:
                        regex.compile(m[pat_key])
                    except regex.error as e:
                        bad(f"`{key}.{pat_key}` is not a valid pattern ({e})")
            m.pop("__line__", None)
    if kind == "threshold":
        if "match" not in r:
            bad("a threshold rule needs `match`")
        if "max_per_one" in r:
            _number(r["max_per_one"], bad, "max_per_one")
        else:
            if r.get("op") not in OPS:
                bad(f"`op` must be one of {' '.join(OPS)}")
            r["threshold"] = _number(r.get("threshold"), bad, "threshold")
    if kind == "compare":
        if "left" not in r or "right" not in r or r.get("op") not in OPS:
            bad("a compare rule needs `left`, `right` and `op`")
        for side in ("left", "right"):      # the check compares values as numbers: a date or a ratio is none
            kinds = r[side].get("kinds")
            if not isinstance(kinds, list) or not kinds or not set(kinds) <= NUMERIC_KINDS:
                bad(f"`{side}.kinds` must list the kinds of number compared (of {', '.join(sorted(NUMERIC_KINDS))})")
    if kind == "share" and "tolerance" in r:
        r["tolerance"] = _number(r["tolerance"], bad, "tolerance")
    if kind == "claim":
        if not r.get("claim"):
            bad("a claim rule needs its `claim` pattern")
        try:
            regex.compile(r["claim"])
        except regex.error as e:
            bad(f"`claim` is not a valid pattern ({e})")
    src = r.get("source", "")
    for key, v in ((applies or {}).get(src) or {}).items():     # the governments and years the source binds
        if key != "__line__":
            r.setdefault(key, v)
    if "governments" in r and not isinstance(r["governments"], list):
        bad("`governments` lists the levels of government bound")
    if "message" in r and r["message"] not in data.load("messages.yaml")["rules"]:
        bad(f"`message` '{r['message']}' is not a template in messages.yaml")
    r["source_text"] = sources.get(src, src)            # the source alone, listed once by `selfeval rules`
    r["source"] = r["source_text"] + (f"，{r['note']}" if r.get("note") and src else "")
    if kind in ("threshold", "compare") and not r["source"]:
        bad("a standard needs its `source`")
    return r


def _shown(path) -> str:
    """A built-in rules file by its place in the project, not by where it was installed."""
    p = Path(path).resolve()
    root = data.PATTERNS_DIR.resolve()
    return f"patterns/{p.relative_to(root).as_posix()}" if root in p.parents else str(path)


def _number(v, bad, name):
    try:
        return Decimal(str(v))
    except (InvalidOperation, ValueError):
        bad(f"`{name}` must be a number (got {v!r})")


def load_rules(extra=()) -> RuleSet:
    """Built-in rules, then each --rules file; a rule with an existing id replaces it."""
    files = sorted((data.PATTERNS_DIR / "rules").glob("*.yaml")) + [Path(p) for p in extra]
    by_id = {}
    for path in files:
        spec = _parse_file(path)
        sources = {k: v for k, v in (spec.get("sources") or {}).items() if k != "__line__"}
        applies = spec.get("applies") or {}
        for rule in (spec.get("rules") or []) + (spec.get("consistency") or []):
            r = _validate(rule, sources, path, applies)
            by_id[r["id"]] = r
    return RuleSet(tuple(by_id.values()))


# ---------------- checking ----------------

def _text_of(f) -> str:
    return f"{f.subject} {f.indicator}"


def _matches(f, m, claimed=frozenset()) -> bool:
    # A fact whose metric value is not its written value (支出下降2.3%: the growth is -2.3) is judged by the rules
    # that read its words (spending.no-decrease), never by its metric's rule on the number as written.
    signed = getattr(f, "metric_value", None) is not None
    if m.get("metric") and f.metric_id and not signed:
        return f.metric_id == m["metric"] and (not m.get("level") or f.metric_level == m["level"])
    if f.metric_id in claimed and not signed:
        return False            # the catalog says it is the indicator another rule names
    if m.get("kinds") and f.kind not in m["kinds"]:
        return False
    if m.get("unit") and f.unit != m["unit"]:
        return False
    t = _text_of(f)
    if not _rx(m["text"]).search(t):
        return False
    return not (m.get("not") and _rx(m["not"]).search(t))


@functools.lru_cache(maxsize=None)
def _rx(pattern: str):
    """Compiled once: regex.search looks its cache up on every call, which is most of checking's time."""
    return regex.compile(pattern)


def _cmp(a: Decimal, op: str, b: Decimal) -> bool:
    return {">=": a >= b, "<=": a <= b, ">": a > b, "<": a < b, "==": a == b}[op]


def _dec(v) -> Optional[Decimal]:
    try:
        return Decimal(str(v))
    except (InvalidOperation, ValueError):
        return None


def _msg(key: str, **kw) -> str:
    return data.load("messages.yaml")["rules"][key].format(**kw)


def _verdict(ok: bool) -> str:
    return data.load("messages.yaml")["rules"]["met" if ok else "not_met"]


def _words() -> dict:
    return data.load("lexicon/checks.yaml")


def _finding(rule, f, status, **kw) -> Finding:
    base = dict(doc=f.doc, rule=rule["id"], status=status, severity=rule["severity"], section=f.section,
                item=f.item, indicator=f.indicator, value=f.value, source=rule.get("source", ""),
                raw=f.raw, start=f.start, end=f.end, page=f.page)
    base.update(kw)
    return Finding(**base)


def _unit_text(f) -> str:
    return "%" if f.unit == "%" else (data.load("messages.yaml")["rules"]["money_unit"] if f.kind == "money" else f.unit)


def _in_force(rule, f, year):
    """(op, threshold): the catalog's standard for the fact's level and year where the rule says
    `standards: catalog` (基本均衡 0.65 before 优质均衡 0.50), else the rule's own."""
    if rule.get("standards") == "catalog" and f.metric_id:
        entry = metrics.load_catalog().get(f.metric_id)
        s = entry and metrics.standard_for(entry, f.metric_level, metrics.year_of(f.period, year))
        if s and "value" in s:
            return s["op"], Decimal(str(s["value"]))
    return rule["op"], rule["threshold"]


def _binds(rule, government: str, year) -> bool:
    """A standard binds the governments and the years (`since`, `until`) its rule or source names."""
    if government and rule.get("governments") and government not in rule["governments"]:
        return False
    if year and rule.get("since") and int(year) < int(rule["since"]):
        return False
    return not (year and rule.get("until") and int(year) > int(rule["until"]))


def check_threshold(rule, facts, doc, claimed=frozenset(), year=None, echoes=None) -> list[Finding]:
    """One finding per distinct value: the same 1.98% stated again is checked once (the later
    statements go to `echoes`, for the claim check to see)."""
    out, seen = [], {}
    for f in facts:
        if not _matches(f, rule["match"], claimed):
            continue
        if not _binds(rule, "", metrics.year_of(f.period, year)):
            continue
        key = (str(f.value), f.period, f.subject, f.metric_level)
        if key in seen:
            if echoes is not None and seen[key] < len(out):
                echoes.append(replace(out[seen[key]], section=f.section, item=f.item, raw=f.raw, start=f.start,
                                      end=f.end, page=f.page))
            continue
        seen[key] = len(out)
        if f.kind == "ratio":
            a, _, b = str(f.value).partition(":")
            a, b = _dec(a), _dec(b)
            if not a or b is None:
                continue
            per_one = b / a
            limit = Decimal(str(rule["max_per_one"]))
            ok = per_one <= limit
            msg = _msg("ratio", title=rule["title"], raw=f.raw.replace(" ", ""), per_one=fmt(per_one),
                       verdict=_verdict(ok), limit=fmt(limit))
            out.append(_finding(rule, f, "pass" if ok else "fail", threshold=f"1:{fmt(limit)}", message=msg))
            continue
        v = _dec(f.value)
        if v is None:
            continue
        op, threshold = _in_force(rule, f, year)
        ok = _cmp(v, op, threshold)
        if rule.get("message"):        # a rule with its own sentence (下降2.3% is not "不减为2.3%")
            msg = _msg(rule["message"], title=rule["title"], indicator="".join(f.indicator.split()),
                       raw=f.raw.replace(" ", ""), verdict=_msg(rule["message"] + "_" + ("pass" if ok else "fail")))
            out.append(_finding(rule, f, "pass" if ok else "fail", threshold=threshold, message=msg))
            continue
        unit = _unit_text(f)
        shown_unit = unit in ("%", data.load("messages.yaml")["rules"]["money_unit"])
        msg = _msg("threshold", title=rule["title"],
                   subject=_msg("threshold_subject", subject=f.subject)
                   if f.subject and f.subject not in rule["title"] else "",
                   raw=f.raw.replace(" ", ""), verdict=_verdict(ok),
                   op=data.load("messages.yaml")["rules"]["ops"][op], threshold=fmt(threshold),
                   unit=unit if shown_unit else "")
        out.append(_finding(rule, f, "pass" if ok else "fail", threshold=threshold, message=msg))
    if not out:
        out.append(Finding(doc=doc, rule=rule["id"], status="missing", severity="info",
                           threshold=rule.get("threshold") if "max_per_one" not in rule else f"1:{rule['max_per_one']}",
                           message=_msg("threshold_missing", title=rule["title"]), source=rule.get("source", "")))
    return out


def check_compare(rule, facts, doc, claimed=frozenset()) -> list[Finding]:
    lefts = [f for f in facts if _matches(f, rule["left"], claimed)]
    rights = [f for f in facts if _matches(f, rule["right"], claimed)]
    out = []
    for lf in lefts:
        cands = [r for r in rights if not lf.period or not r.period or r.period == lf.period]
        if not cands:
            continue
        rf = min(cands, key=lambda r: abs(r.start - lf.start))
        a, b = _dec(lf.value), _dec(rf.value)
        ok = _cmp(a, rule["op"], b)
        msg = _msg("compare", title=rule["title"],
                   left_subject=lf.subject or data.load("messages.yaml")["rules"]["compare_left_subject"], left=lf.raw,
                   right_subject=rf.subject or data.load("messages.yaml")["rules"]["compare_right_subject"],
                   right=rf.raw, verdict=_verdict(ok))
        out.append(_finding(rule, lf, "pass" if ok else "fail", values=[a, b], threshold=b, message=msg))
    if not out:
        out.append(Finding(doc=doc, rule=rule["id"], status="missing", severity="info",
                           message=_msg("compare_missing", title=rule["title"]), source=rule.get("source", "")))
    return out


class _DocView:
    """Facts placed back in the normalized text, with its paragraphs and sentences."""

    def __init__(self, result):
        self.result = result
        self.text = result.norm.text
        self.layout = result.layout
        omap = result.norm.omap
        self.npos = {id(f): bisect.bisect_left(omap, f.start) for f in result.facts}
        self.nend = {id(f): bisect.bisect_left(omap, f.end - 1) + 1 for f in result.facts}

    def para(self, f):
        return self.layout.index("paragraphs", self.npos[id(f)])

    def sent(self, f):
        return self.layout.index("sentences", self.npos[id(f)])


def fmt(d) -> str:
    """80 not 8E+1; 0.45 not 0.450."""
    if isinstance(d, Decimal):
        return format(d.normalize(), "f")
    return str(d)


def _decimals(raw_value: Decimal) -> int:
    exp = raw_value.as_tuple().exponent
    return -exp if exp < 0 else 0


def check_share(rule, view: _DocView) -> list[Finding]:
    facts = view.result.facts
    out = []
    tol = Decimal(str(rule.get("tolerance", 0.01)))
    by_para = {}          # a fact between two of one paragraph is in that paragraph: offsets map in order
    for f in facts:
        by_para.setdefault(view.para(f), []).append(f)
    for p in facts:
        if p.kind != "percent" or p.unit != "%" or not _rx(_words()["share_indicator"]).search(p.indicator):
            continue
        pv = _dec(p.value)
        same_para = by_para[view.para(p)]
        counts = [c for c in same_para if c.kind == "count" and c.start < p.start
                  and not any(q.kind == "percent" and c.start < q.start < p.start for q in same_para)]
        if len(counts) < 2:
            continue
        slack = Decimal(1).scaleb(-_decimals(_dec(p.raw.rstrip("%％ ").replace("，", ",").replace(",", "")) or pv)) / 2 + tol
        hit = None
        for part in counts:
            for total in counts:
                a, b = _dec(part.value), _dec(total.value)
                if part is total or not b or a > b or part.unit != total.unit:
                    continue
                if abs(a / b * 100 - pv) <= slack:
                    hit = (part, total)
                    break
            if hit:
                break
        if hit:
            a, b = _dec(hit[0].value), _dec(hit[1].value)
            out.append(_finding(rule, p, "pass", values=[a, b, pv], threshold=None,
                                message=_msg("share_consistent", indicator=p.indicator, raw=p.raw.replace(" ", ""),
                                             part=hit[0].raw.replace(" ", ""), total=hit[1].raw.replace(" ", ""),
                                             computed=(a / b * 100).quantize(Decimal("0.01")))))
            continue
        # A stated total and a part introduced by 其中: the share must follow from them.
        text = view.text
        pair = None
        for i, total in enumerate(counts[:-1]):
            part = counts[i + 1]
            between = text[view.nend[id(total)]:view.npos[id(part)]]
            if _words()["part_of"] in between and part.unit == total.unit:
                pair = (part, total)
        if pair:
            a, b = _dec(pair[0].value), _dec(pair[1].value)
            if b:
                expect = (a / b * 100).quantize(Decimal("0.01"))
                out.append(_finding(rule, p, "inconsistent", values=[a, b, pv], threshold=expect,
                                    message=_msg("share_inconsistent", indicator=p.indicator,
                                                 raw=p.raw.replace(" ", ""), part=pair[0].raw.replace(" ", ""),
                                                 total=pair[1].raw.replace(" ", ""), expect=expect)))
    return out


def check_parts(rule, view: _DocView) -> list[Finding]:
    facts = [f for f in view.result.facts if f.kind == "count"]
    by_pos = Positions(facts, key=lambda f: view.npos[id(f)])
    text = view.text
    out = []
    for t in facts:
        te = view.nend[id(t)]
        noun = _rx(r"\p{Han}{0,8}").match(text, te).group()
        after = text[te + len(noun):te + len(noun) + 1]
        parts = []
        if after and after in "(（":
            te += len(noun)
            close = text.find(")" if after == "(" else "）", te)
            if close < 0:
                continue
            parts = [f for f in by_pos.within(te + 1, close) if f.unit == t.unit]
        else:
            s0, s1 = view.layout.sentences[view.sent(t)]
            follow = text[te:te + 4]
            if _words()["part_of"] not in follow:
                continue
            end = s1 if _words()["part_of"] in text[te:s1] else view.layout.sentences[view.layout.index("sentences", s1)][1]
            parts = [f for f in by_pos.within(te + 1, end) if f.unit == t.unit
                     and _depth(text, te, view.npos[id(f)]) == 0]
        if len(parts) < 2:
            continue
        total = Decimal(0)
        for f in parts:
            total += _dec(f.value) * _each(text, view.npos[id(f)])
        tv = _dec(t.value)
        ok = total == tv
        msg = _msg("parts", indicator=t.indicator, raw=t.raw.replace(" ", ""), total=fmt(total), unit=t.unit,
                   verdict=_msg("parts_consistent" if ok else "parts_inconsistent"))
        out.append(_finding(rule, t, "pass" if ok else "inconsistent",
                            values=[_dec(f.value) for f in parts], threshold=total, message=msg))
    return out


def _depth(text, a, b) -> int:
    seg = text[a:b]
    return seg.count("(") + seg.count("（") - seg.count(")") - seg.count("）")


def _each(text, pos) -> int:
    """含电大、教师进修学校、素质教育学校、特殊学校各1所: 各 multiplies by the names listed."""
    if not text[max(0, pos - 1):pos] == _words()["each"]:
        return 1
    start = max(text.rfind(c, 0, pos) for c in "，,；;。（(")
    return text[start + 1:pos].count("、") + 1


def check_repeated(rule, view: _DocView) -> list[Finding]:
    groups = {}
    for f in view.result.facts:
        ind = "".join(f.indicator.split())
        if len(ind) < 4 or f.kind == "date":
            continue
        groups.setdefault((f.kind, f.unit, ind, f.period, f.subject), []).append(f)
    out = []
    for key, fs in groups.items():
        if len(fs) < 2 or len({view.sent(f) for f in fs}) < 2:
            continue
        values = [f.value if isinstance(f.value, str) else _dec(f.value) for f in fs]     # text: 1:15, 3/6
        same = len(set(values)) == 1
        msg = _msg("repeated", indicator=key[2], period=_msg("repeated_period", period=key[3]) if key[3] else "",
                   n=len(fs), raws=i18n.t("msg.list_sep").join(_where(f) for f in fs),
                   verdict=_msg("repeated_consistent" if same else "repeated_inconsistent"))
        places = [dict(raw=f.raw, start=f.start, end=f.end, page=f.page) for f in fs]
        out.append(_finding(rule, fs[0], "pass" if same else "inconsistent", values=values, message=msg, places=places))
    return out


def _where(f) -> str:
    """A statement for the message: its words, and its page when the report has pages (2400万元（第7页）)."""
    raw = f.raw.replace(" ", "")
    return _msg("repeated_at", raw=raw, page=f.page) if f.page else raw


def _quoted(title: str) -> str:
    """A title inside “…”: its own quotes become the inner ‘…’ (第1项“‘教育强国’战略落实情况”)."""
    return title.replace("“", "‘").replace("”", "’")


def _evidence(view: "_DocView", n0: int, n1: int) -> dict:
    o0, o1 = view.result.norm.to_original(n0, n1)
    src = view.result.source
    return dict(raw=src.text[o0:o1], start=o0, end=o1, page=src.page_of(o0))


def _sentence_span(view: "_DocView", npos: int) -> tuple:
    s0, s1 = view.layout.sentences[view.layout.index("sentences", npos)]
    while s0 < s1 and view.text[s0] in " \n\t#":
        s0 += 1
    while s1 > s0 and view.text[s1 - 1] in " \n\t":
        s1 -= 1
    return s0, s1


def _not_applicable(view: "_DocView", regions) -> Optional[tuple]:
    """The sentence in these regions saying the item does not apply (辖区内没有职业教育学校), as a span."""
    for r in regions:
        m = statements.not_applicable(view.text[r.nstart:r.nend])
        if m:
            return _sentence_span(view, r.nstart + m.start())
    return None


def check_completeness(rule, result, scheme, view=None) -> list[Finding]:
    """Each item of the scheme: addressed with numbers (`requires: numbers`, the default) or with text
    (`requires: text`); said not to apply (not-applicable); or missing, with the item's `severity`."""
    doc = result.source.doc
    if scheme is None:
        return []
    if result.seg.scheme_id is None:
        return [Finding(doc=doc, rule=rule["id"], status="missing", severity=rule["severity"],
                        message=_msg("scheme_not_followed", scheme=scheme.name or scheme.id))]
    view = view or _DocView(result)
    out = []
    regions = result.seg.regions
    facts = result.facts
    for sec in scheme.sections:
        n = sec["number"]
        sec_regions = [r for r in regions if r.section == n]
        if not sec_regions:
            out.append(Finding(doc=doc, rule=rule["id"], status="missing", severity=sec.get("severity", "medium"),
                               section=n, message=_msg("section_missing", n=n, title=_quoted(sec["title"]))))
        for it in sec.get("items", []):
            k = it["number"]
            title = _quoted(it["title"])
            have = [r for r in regions if r.item == k]
            nums = [f for f in facts if f.item == k]
            base = dict(doc=doc, rule=rule["id"], section=n, item=k)
            if nums:
                out.append(Finding(**base, status="pass", severity="info", values=[len(nums)],
                                   message=_msg("item_with_data", k=k, title=title, n=len(nums))))
                continue
            # An item the report says does not apply: in its own text, or (no heading of its own) in its section's.
            na = _not_applicable(view, have or [r for r in sec_regions if r.item is None])
            if na:
                ev = _evidence(view, *na)
                out.append(Finding(**base, status="not-applicable", severity="info", **ev,
                                   message=_msg("item_not_applicable", k=k, title=title, said=ev["raw"])))
            elif not have:
                out.append(Finding(**base, status="missing", severity=it.get("severity", "medium"),
                                   message=_msg("item_missing", k=k, title=title)))
            elif it.get("requires", "numbers") == "text":
                out.append(Finding(**base, status="pass", severity="info",
                                   message=_msg("item_with_text", k=k, title=title)))
            else:
                out.append(Finding(**base, status="missing", severity=it.get("data_severity", rule["severity"]),
                                   message=_msg("item_without_data", k=k, title=title)))
    return out


def required_indicators(scheme) -> dict:
    """rule id → (severity, section, item): the standards the scheme asks a report to state."""
    out = {}
    for sec in scheme.sections if scheme else ():
        for it in sec.get("items", []):
            for ind in it.get("indicators") or ():
                out[ind["rule"]] = (ind.get("severity", "medium"), sec["number"], it["number"])
    return out


def check_admissions(rule, view: "_DocView") -> list[Finding]:
    """Shortfalls the report states: every paragraph under a 存在问题 heading, and elsewhere each sentence
    the lexicon finds (财力有限，暂无法实现同工同酬), the sentence as evidence."""
    result, text = view.result, view.text
    section_titles = [(h.nstart, h.nend + 1) for h in result.seg.headings if statements.is_section_title(h.title)]
    spans = []
    for p0, p1 in view.layout.paragraphs:
        reg = result.seg.region_at(p0)
        if statements.is_problem_section(reg.path):
            lead = len(text[p0:p1]) - len(text[p0:p1].lstrip(" \n\t#"))
            body = text[p0 + lead:p1].rstrip()
            if body and not statements.is_problem_heading(body):
                spans.append((p0 + lead, p0 + lead + len(body), reg))
    sentences = view.layout.sentences
    for i in sorted({view.layout.index("sentences", pos) for pos in statements.admission_starts(text)}):
        s0, s1 = sentences[i]
        if not statements.admits(text[s0:s1]):
            continue
        reg = result.seg.region_at(s0)
        if statements.is_problem_section(reg.path) or any(h0 <= s0 < h1 for h0, h1 in section_titles):
            continue        # read whole above; 四、存在问题及整改措施 only names a section
        spans.append((*_sentence_span(view, s0), reg))
    out = []
    for n0, n1, reg in sorted(spans, key=lambda x: x[0]):
        ev = _evidence(view, n0, n1)
        out.append(Finding(doc=result.source.doc, rule=rule["id"], status="admitted",
                           severity=rule["severity"], section=reg.section, item=reg.item, **ev,
                           message=_msg("admitted", said="".join(ev["raw"].split()))))
    return out


def check_rectification(rule, view: "_DocView") -> list[Finding]:
    """排查出建筑安全隐患6项，已整改2项 → fail (4 open), with the reason the report gives quoted."""
    out = []
    for r in statements.rectifications(view.text, view.layout):
        ev = _evidence(view, r.nstart, r.nend)
        reg = view.result.seg.region_at(r.nstart)
        what = "".join(r.what.split())
        if r.fixed < r.found:
            status = "fail"
            reason = (_msg("rectification_reason", reason="".join(r.reason.split())) if r.reason
                      else _msg("rectification_no_reason"))
            msg = _msg("rectification_open", what=what, n=r.found, m=r.fixed, open=r.found - r.fixed, unit=r.unit,
                       reason=reason)
        elif r.fixed == r.found:
            status, msg = "pass", _msg("rectification_done", what=what, n=r.found, unit=r.unit)
        else:
            status, msg = "inconsistent", _msg("rectification_over", what=what, n=r.found, m=r.fixed, unit=r.unit)
        out.append(Finding(doc=view.result.source.doc, rule=rule["id"], status=status, severity=rule["severity"],
                           section=reg.section, item=reg.item, value=Decimal(r.found - r.fixed),
                           values=[Decimal(r.found), Decimal(r.fixed)], threshold=Decimal(r.found),
                           message=msg, source=rule.get("source", ""), **ev))
    return out


def check_claims(rule, view: _DocView, threshold_findings) -> list[Finding]:
    text = view.text
    out = []
    by_sent = {}
    for fd in threshold_findings:
        if fd.start is None or fd.status not in ("pass", "fail"):
            continue
        pos = bisect.bisect_left(view.result.norm.omap, fd.start)
        by_sent.setdefault(view.layout.index("sentences", pos), []).append(fd)
    for m in _rx(rule["claim"]).finditer(text):
        si = view.layout.index("sentences", m.start())
        near = by_sent.get(si, []) + by_sent.get(si - 1, [])
        if not near:
            continue
        failed = [fd for fd in near if fd.status == "fail"]
        o0, o1 = view.result.norm.to_original(m.start(), m.end())
        claim = view.result.source.text[o0:o1]
        target = failed[0] if failed else near[0]
        status = "fail" if failed else "pass"
        sep = data.load("messages.yaml")["rules"]["claim_failed_sep"]
        msg = (_msg("claim_failed", claim=claim, failures=sep.join(fd.message for fd in failed)) if failed
               else _msg("claim_passed", claim=claim))
        out.append(Finding(doc=target.doc, rule=rule["id"], status=status, severity=rule["severity"],
                           section=target.section, item=target.item, indicator=target.indicator,
                           value=target.value, values=[fd.value for fd in near], threshold=target.threshold,
                           message=msg, source="; ".join(sorted({fd.source for fd in near})),
                           raw=claim, start=o0, end=o1, page=view.result.source.page_of(o0)))
    return out


def government(result) -> str:
    """省 / 市 / 县 / 区: the level of the reporting government; a report citing the scheme for provinces is a
    province's whatever its name (天津市)."""
    if _rx(_words()["province"]).search(result.norm.text[:2000]):
        return _words()["province_char"]
    return result.level_char


def _scheme_binds(scheme, gov: str) -> bool:
    govs = getattr(scheme, "governments", ()) if scheme else ()
    return not (gov and govs and gov not in govs)


def _of_kinds(by_kind: dict, kinds, linked) -> list:
    """The facts of these kinds, and those the catalog links (a metric's facts may be of any kind), in text order."""
    if not linked and len(kinds) == 1:
        return by_kind.get(kinds[0], [])
    picked = {id(f): f for k in kinds for f in by_kind.get(k, ())}
    picked.update((id(f), f) for f in linked)
    return sorted(picked.values(), key=lambda f: (f.start, f.end))


def check(result, ruleset: RuleSet, scheme=None) -> list[Finding]:
    doc = result.source.doc
    facts = list(result.facts)
    view = _DocView(result)
    gov = government(result)
    year = result.perf_year or result.report_year
    if not _scheme_binds(scheme, gov):
        scheme = None                   # a county scheme says nothing of a province's report
    # The standards a scheme asks for are `missing` when absent (with its severity); without a
    # scheme every absent standard is an `info` row.
    required = required_indicators(scheme) if scheme is not None and result.seg.scheme_id else {}
    standards, echoes, by_rule = [], [], {}
    claimed = ruleset.metrics
    by_kind, linked = {}, [f for f in facts if f.metric_id]
    for f in facts:
        by_kind.setdefault(f.kind, []).append(f)
    for rule in ruleset.rules:
        kind = rule["kind"]
        if kind not in ("threshold", "compare") or not _binds(rule, gov, None):
            continue
        if kind == "threshold":
            m = rule["match"]          # only the kinds the rule reads (or its metric's facts) are tried
            cands = facts if not m.get("kinds") else _of_kinds(by_kind, m["kinds"], linked if m.get("metric") else ())
            found = check_threshold(rule, cands, doc, claimed, year, echoes)
        else:
            found = check_compare(rule, facts, doc, claimed)
        by_rule[rule["id"]] = found
    for rule in ruleset.rules:
        found = by_rule.get(rule["id"], [])
        if not all(f.status == "missing" for f in found):
            standards += found
            continue
        covered = any(f.status != "missing" for c in rule.get("covered_by", ()) for f in by_rule.get(c, ()))
        if covered or (scheme is not None and rule["id"] not in required) or not _binds(rule, "", year):
            continue
        if rule["id"] in required:
            sev, sec, item = required[rule["id"]]
            found = [replace(f, severity=sev, section=sec, item=item) for f in found]
        standards += found
    out = list(standards)
    for rule in ruleset.rules:
        kind = rule["kind"]
        if kind == "share":
            out += check_share(rule, view)
        elif kind == "parts":
            out += check_parts(rule, view)
        elif kind == "repeated":
            out += check_repeated(rule, view)
        elif kind == "completeness":
            out += check_completeness(rule, result, scheme, view)
        elif kind == "claim":
            out += check_claims(rule, view, standards + echoes)
        elif kind == "admission":
            out += check_admissions(rule, view)
        elif kind == "rectification":
            out += check_rectification(rule, view)
    return _once(out)


def _once(findings) -> list[Finding]:
    """A table that restates the text (a DOCX rendering repeats 41.49%) is one statement: one finding."""
    seen, out = set(), []
    for fd in findings:
        key = (fd.rule, fd.status, str(fd.value), str(fd.threshold), fd.message)
        if key not in seen:
            seen.add(key)
            out.append(fd)
    return out
