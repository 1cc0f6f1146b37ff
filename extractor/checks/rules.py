"""Check a report's facts against rules kept as data (patterns/rules/*.yaml) and against itself.

Rule kinds: threshold and compare (national standards, each citing its source),
share / parts / repeated (internal consistency), completeness (the scheme's items),
claim (a sentence saying the standard is met near a number that fails it).
"""
from __future__ import annotations

import bisect
from dataclasses import dataclass, asdict, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Optional

import regex
import yaml

from .. import data
from ..text.attach import Layout
from ..errors import InputError
from ..records import plain_value

FINDING_FIELDS = ("doc", "rule", "status", "severity", "section", "item", "indicator", "value", "values",
                  "threshold", "message", "source", "raw", "start", "end", "page")
STATUSES = ("pass", "fail", "inconsistent", "missing")
OPS = {">=": "不低于", "<=": "不高于", ">": "高于", "<": "低于", "==": "等于"}
KINDS = {"threshold", "compare", "share", "parts", "repeated", "completeness", "claim"}


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

    def to_dict(self) -> dict:
        d = asdict(self)
        d["value"] = plain_value(self.value)
        d["values"] = [plain_value(v) for v in self.values]
        d["threshold"] = plain_value(self.threshold)
        return {k: d[k] for k in FINDING_FIELDS}


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


def _parse_file(path: Path) -> dict:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(path, "rules file not found")
    except UnicodeDecodeError:
        raise InputError(path, "rules file is not UTF-8 text")
    try:
        spec = yaml.load(text, Loader=_LineLoader)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark else ""
        raise InputError(path, f"{where}not valid YAML ({getattr(e, 'problem', None) or e})")
    if not isinstance(spec, dict) or not (spec.get("rules") or spec.get("consistency")):
        raise InputError(path, "line 1: a rules file needs a `rules:` (or `consistency:`) list")
    return spec


def _validate(rule, sources: dict, path) -> dict:
    line = rule.get("__line__", "?") if isinstance(rule, dict) else "?"

    def bad(problem):
        rid = rule.get("id", "?") if isinstance(rule, dict) else "?"
        raise InputError(path, f"line {line}: rule '{rid}': {problem}")

    if not isinstance(rule, dict):
        raise InputError(path, f"line {line}: each rule is a mapping with id and kind")
    if not rule.get("id"):
        bad("missing `id`")
    kind = rule.get("kind")
    if kind not in KINDS:
        bad(f"unknown kind '{kind}' (one of {', '.join(sorted(KINDS))})")
    r = {k: v for k, v in rule.items() if k != "__line__"}
    r["origin"] = f"{path}:{line}"
    r.setdefault("severity", "medium")
    r.setdefault("title", r["id"])
    for key in ("match", "left", "right"):
        if key in r:
            m = r[key]
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
    if kind == "claim":
        try:
            regex.compile(r.get("claim", ""))
        except regex.error as e:
            bad(f"`claim` is not a valid pattern ({e})")
    src = r.get("source", "")
    r["source"] = sources.get(src, src) + (f"，{r['note']}" if r.get("note") and src else "")
    if kind in ("threshold", "compare") and not r["source"]:
        bad("a standard needs its `source`")
    return r


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
        for rule in (spec.get("rules") or []) + (spec.get("consistency") or []):
            r = _validate(rule, sources, path)
            by_id[r["id"]] = r
    return RuleSet(tuple(by_id.values()))


# ---------------- checking ----------------

def _text_of(f) -> str:
    return f"{f.subject} {f.indicator}"


def _matches(f, m) -> bool:
    if m.get("kinds") and f.kind not in m["kinds"]:
        return False
    if m.get("unit") and f.unit != m["unit"]:
        return False
    t = _text_of(f)
    if not regex.search(m["text"], t):
        return False
    return not (m.get("not") and regex.search(m["not"], t))


def _cmp(a: Decimal, op: str, b: Decimal) -> bool:
    return {">=": a >= b, "<=": a <= b, ">": a > b, "<": a < b, "==": a == b}[op]


def _dec(v) -> Optional[Decimal]:
    try:
        return Decimal(str(v))
    except (InvalidOperation, ValueError):
        return None


def _finding(rule, f, status, **kw) -> Finding:
    base = dict(doc=f.doc, rule=rule["id"], status=status, severity=rule["severity"], section=f.section,
                item=f.item, indicator=f.indicator, value=f.value, source=rule.get("source", ""),
                raw=f.raw, start=f.start, end=f.end, page=f.page)
    base.update(kw)
    return Finding(**base)


def _unit_text(f) -> str:
    return "%" if f.unit == "%" else ("元" if f.kind == "money" else f.unit)


def check_threshold(rule, facts, doc) -> list[Finding]:
    out = []
    for f in facts:
        if not _matches(f, rule["match"]):
            continue
        if f.kind == "ratio":
            a, _, b = str(f.value).partition(":")
            a, b = _dec(a), _dec(b)
            if not a or b is None:
                continue
            per_one = b / a
            limit = Decimal(str(rule["max_per_one"]))
            ok = per_one <= limit
            msg = (f"{rule['title']}为{f.raw.replace(' ', '')}（每名教师{fmt(per_one)}人），"
                   f"{'达到' if ok else '未达到'}标准（不高于1:{fmt(limit)}）")
            out.append(_finding(rule, f, "pass" if ok else "fail", threshold=f"1:{fmt(limit)}", message=msg))
            continue
        v = _dec(f.value)
        if v is None:
            continue
        ok = _cmp(v, rule["op"], rule["threshold"])
        unit = _unit_text(f)
        msg = (f"{rule['title']}{(' ' + f.subject) if f.subject and f.subject not in rule['title'] else ''}"
               f"为{f.raw.replace(' ', '')}，{'达到' if ok else '未达到'}标准（{OPS[rule['op']]}"
               f"{fmt(rule['threshold'])}{unit if unit in ('%', '元') else ''}）")
        out.append(_finding(rule, f, "pass" if ok else "fail", threshold=rule["threshold"], message=msg))
    if not out:
        out.append(Finding(doc=doc, rule=rule["id"], status="missing", severity="info",
                           threshold=rule.get("threshold") if "max_per_one" not in rule else f"1:{rule['max_per_one']}",
                           message=f"报告未陈述{rule['title']}", source=rule.get("source", "")))
    return out


def check_compare(rule, facts, doc) -> list[Finding]:
    lefts = [f for f in facts if _matches(f, rule["left"])]
    rights = [f for f in facts if _matches(f, rule["right"])]
    out = []
    for lf in lefts:
        cands = [r for r in rights if not lf.period or not r.period or r.period == lf.period]
        if not cands:
            continue
        rf = min(cands, key=lambda r: abs(r.start - lf.start))
        a, b = _dec(lf.value), _dec(rf.value)
        ok = _cmp(a, rule["op"], b)
        msg = (f"{rule['title']}：{lf.subject or '教师'}{lf.raw}，{rf.subject or '公务员'}{rf.raw}，"
               f"{'达到' if ok else '未达到'}要求")
        out.append(_finding(rule, lf, "pass" if ok else "fail", values=[a, b], threshold=b, message=msg))
    if not out:
        out.append(Finding(doc=doc, rule=rule["id"], status="missing", severity="info",
                           message=f"报告未同时陈述{rule['title']}所需的两项数据", source=rule.get("source", "")))
    return out


class _DocView:
    """Facts placed back in the normalized text, with its paragraphs and sentences."""

    def __init__(self, result):
        self.result = result
        self.text = result.norm.text
        self.layout = Layout.of(self.text)
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
    for p in facts:
        if p.kind != "percent" or p.unit != "%" or not regex.search(r"占比|比例|比重|占|率", p.indicator):
            continue
        pv = _dec(p.value)
        counts = [c for c in facts if c.kind == "count" and view.para(c) == view.para(p) and c.start < p.start
                  and not any(q.kind == "percent" and c.start < q.start < p.start for q in facts)]
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
                                message=f"{p.indicator}{p.raw.replace(' ', '')}与{hit[0].raw.replace(' ', '')}/"
                                        f"{hit[1].raw.replace(' ', '')}={(a / b * 100).quantize(Decimal('0.01'))}%相符"))
            continue
        # A stated total and a part introduced by 其中: the share must follow from them.
        text = view.text
        pair = None
        for i, total in enumerate(counts[:-1]):
            part = counts[i + 1]
            between = text[view.nend[id(total)]:view.npos[id(part)]]
            if "其中" in between and part.unit == total.unit:
                pair = (part, total)
        if pair:
            a, b = _dec(pair[0].value), _dec(pair[1].value)
            if b:
                expect = (a / b * 100).quantize(Decimal("0.01"))
                out.append(_finding(rule, p, "inconsistent", values=[a, b, pv], threshold=expect,
                                    message=f"{p.indicator}写为{p.raw.replace(' ', '')}，但按{pair[0].raw.replace(' ', '')}/"
                                            f"{pair[1].raw.replace(' ', '')}计算应为{expect}%"))
    return out


def check_parts(rule, view: _DocView) -> list[Finding]:
    facts = [f for f in view.result.facts if f.kind == "count"]
    text = view.text
    out = []
    for t in facts:
        te = view.nend[id(t)]
        noun = regex.match(r"\p{Han}{0,8}", text[te:]).group()
        after = text[te + len(noun):te + len(noun) + 1]
        parts = []
        if after and after in "(（":
            te += len(noun)
            close = text.find(")" if after == "(" else "）", te)
            if close < 0:
                continue
            parts = [f for f in facts if te < view.npos[id(f)] < close and f.unit == t.unit]
        else:
            s0, s1 = view.layout.sentences[view.sent(t)]
            follow = text[te:te + 4]
            if "其中" not in follow:
                continue
            end = s1 if "其中" in text[te:s1] else view.layout.sentences[view.layout.index("sentences", s1)][1]
            parts = [f for f in facts if te < view.npos[id(f)] < end and f.unit == t.unit
                     and _depth(text, te, view.npos[id(f)]) == 0]
        if len(parts) < 2:
            continue
        total = Decimal(0)
        for f in parts:
            total += _dec(f.value) * _each(text, view.npos[id(f)])
        tv = _dec(t.value)
        ok = total == tv
        msg = (f"{t.indicator}{t.raw.replace(' ', '')}，分项合计{fmt(total)}{t.unit}"
               f"{'，相符' if ok else '，与总数不符'}")
        out.append(_finding(rule, t, "pass" if ok else "inconsistent",
                            values=[_dec(f.value) for f in parts], threshold=total, message=msg))
    return out


def _depth(text, a, b) -> int:
    seg = text[a:b]
    return seg.count("(") + seg.count("（") - seg.count(")") - seg.count("）")


def _each(text, pos) -> int:
    """含电大、教师进修学校、素质教育学校、特殊学校各1所: 各 multiplies by the names listed."""
    if not text[max(0, pos - 1):pos] == "各":
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
        values = [_dec(f.value) if f.kind not in ("ratio",) else f.value for f in fs]
        same = len(set(values)) == 1
        first = fs[0]
        msg = (f"{key[2]}{('（' + key[3] + '）') if key[3] else ''}先后{len(fs)}次表述为"
               f"{'、'.join(f.raw.replace(' ', '') for f in fs)}{'，一致' if same else '，前后不一致'}")
        out.append(_finding(rule, first, "pass" if same else "inconsistent", values=values, message=msg))
    return out


def check_completeness(rule, result, scheme) -> list[Finding]:
    doc = result.source.doc
    if scheme is None:
        return []
    if result.seg.scheme_id is None:
        return [Finding(doc=doc, rule=rule["id"], status="missing", severity=rule["severity"],
                        message=f"未按评价方案《{scheme.name or scheme.id}》的结构撰写，无法逐项核对")]
    out = []
    regions = result.seg.regions
    facts = result.facts
    for sec in scheme.sections:
        n = sec["number"]
        if not any(r.section == n for r in regions):
            out.append(Finding(doc=doc, rule=rule["id"], status="missing", severity="medium", section=n,
                               message=f"缺少第{n}部分“{sec['title']}”"))
        for it in sec.get("items", []):
            k = it["number"]
            have = [r for r in regions if r.item == k]
            nums = [f for f in facts if f.item == k]
            if not have:
                out.append(Finding(doc=doc, rule=rule["id"], status="missing", severity="medium", section=n, item=k,
                                   message=f"未找到第{k}项“{it['title']}”"))
            elif not nums:
                out.append(Finding(doc=doc, rule=rule["id"], status="missing", severity="low", section=n, item=k,
                                   message=f"第{k}项“{it['title']}”有文字，没有数据"))
            else:
                out.append(Finding(doc=doc, rule=rule["id"], status="pass", severity="info", section=n, item=k,
                                   values=[len(nums)], message=f"第{k}项“{it['title']}”有{len(nums)}项数据"))
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
    for m in regex.finditer(rule["claim"], text):
        si = view.layout.index("sentences", m.start())
        near = by_sent.get(si, []) + by_sent.get(si - 1, [])
        if not near:
            continue
        failed = [fd for fd in near if fd.status == "fail"]
        o0, o1 = view.result.norm.to_original(m.start(), m.end())
        claim = view.result.source.text[o0:o1]
        target = failed[0] if failed else near[0]
        status = "fail" if failed else "pass"
        msg = (f"报告称“{claim}”，但{'；'.join(fd.message for fd in failed)}" if failed
               else f"报告称“{claim}”，所涉数据均达标")
        out.append(Finding(doc=target.doc, rule=rule["id"], status=status, severity=rule["severity"],
                           section=target.section, item=target.item, indicator=target.indicator,
                           value=target.value, values=[fd.value for fd in near], threshold=target.threshold,
                           message=msg, source="; ".join(sorted({fd.source for fd in near})),
                           raw=claim, start=o0, end=o1, page=view.result.source.page_of(o0)))
    return out


def check(result, ruleset: RuleSet, scheme=None) -> list[Finding]:
    doc = result.source.doc
    facts = list(result.facts)
    view = _DocView(result)
    out, standards = [], []
    for rule in ruleset.rules:
        kind = rule["kind"]
        if kind == "threshold":
            standards += check_threshold(rule, facts, doc)
        elif kind == "compare":
            standards += check_compare(rule, facts, doc)
    out += standards
    for rule in ruleset.rules:
        kind = rule["kind"]
        if kind == "share":
            out += check_share(rule, view)
        elif kind == "parts":
            out += check_parts(rule, view)
        elif kind == "repeated":
            out += check_repeated(rule, view)
        elif kind == "completeness":
            out += check_completeness(rule, result, scheme)
        elif kind == "claim":
            out += check_claims(rule, view, standards)
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
