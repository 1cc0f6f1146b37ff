"""Link each fact to the standard indicator it is the value of: the catalog in patterns/indicators/*.yaml.

A stage after attach: it reads a fact's subject and indicator and the clause before its number,
never a position in one report. Only the facts whose kind and unit can be an indicator's value
link, so a count that feeds a share (the 899 children) never becomes the share.
"""
from __future__ import annotations

import bisect
import functools
import os
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path
from typing import Optional

import regex

from .. import data
from ..errors import InputError
from ..i18n import said
from .indicators import STANDARD_RULES
from .subjects import PART_RULES

ENV = "SELFEVAL_INDICATORS"          # extra catalog files (os.pathsep-separated): reach batch workers too
_CLAUSE_END = set("，,；;。！？!?\n\t")
_LOOKBACK = 60                        # a clause longer than this is not one indicator's phrase
_SENTENCE_END = "。！？!?\n；;"
_SENTENCE_LOOKBACK = 200               # how far back a sentence may name the level of its numbers
_RESPECTIVELY = "respectively"        # the indicator rule (text/indicators) that names the i-th number of a list


@dataclass(frozen=True)
class Indicator:
    id: str
    title: str
    unit: str
    levels: tuple
    kinds: tuple
    units: Optional[tuple]            # fact units that can be its value; None: any
    phrasings: tuple                  # compiled patterns
    exclude: Optional[object]         # compiled `not`
    change: bool
    origin: str = ""
    plausible: Optional[tuple] = None  # (low, high): the values a real report can give (the catalog's, by unit)
    sentence_not: Optional[object] = None   # its value is not in a sentence naming these words before it …
    sentence_unless: Optional[object] = None  # … unless the number's own words say this (综合)
    short: Optional[object] = None    # the number's own words abbreviate it (小学生均 after 按在校学生人数平均的…教育支出)
    topic: Optional[object] = None    # … after these words rather than the full name (入学率 after 适龄残疾儿童少年112人)

    def match_len(self, text: str, change_re, baseline_re) -> int:
        """Length of the longest phrasing found in text (0: none); a change after it, or a
        comparison before it (比当地公务员…高0.3万元: the baseline), excluded."""
        if not text or (self.exclude is not None and self.exclude.search(text)):
            return 0
        best = 0
        for p in self.phrasings:
            for m in p.finditer(text):
                if not self.change and change_re.search(text, m.end()):
                    continue
                if baseline_re.search(text[:m.start()]):
                    continue
                best = max(best, m.end() - m.start())
        return best


@dataclass(frozen=True)
class Catalog:
    entries: tuple
    change: object                    # compiled change pattern
    baseline: object                  # compiled: a comparison just before a phrase
    decline: object = None            # compiled: a change word that says a fall (下降): a growth's value is negative
    shared: object = None             # compiled: a list of indicators before a predicate they share (…、…均达到)
    list_split: object = None         # compiled: what separates the items of that list
    target: object = None             # compiled: a plan or goal before the number (力争…达到52%): no value yet
    share_lead: object = None         # compiled: a share whose part the sentence named before (…1263万元，占…的比例)
    quoted: object = None             # compiled: a clause that only compares (小学不高于0.50, …，高于75%): a standard

    def get(self, metric_id: str) -> Optional[Indicator]:
        return next((e for e in self.entries if e.id == metric_id), None)


# ---------------- loading ----------------

def builtin_files() -> list[Path]:
    return sorted(p for p in (data.PATTERNS_DIR / "indicators").glob("*.yaml") if not p.name.endswith(".corpus.yaml"))


def env_files() -> tuple:
    return tuple(p for p in os.environ.get(ENV, "").split(os.pathsep) if p)


def load_catalog(extra=None) -> Catalog:
    """Built-in entries, then each extra file (default: $SELFEVAL_INDICATORS); an entry with an existing id replaces it."""
    return _load(tuple(str(p) for p in (env_files() if extra is None else extra)))


@functools.lru_cache(maxsize=8)
def _load(extra: tuple) -> Catalog:
    by_id = {}
    patterns = dict.fromkeys(_PATTERN_KEYS)
    for path in builtin_files() + [Path(p) for p in extra]:
        spec = _read(path)
        for key in _PATTERN_KEYS:
            if spec.get(key):
                patterns[key] = _compile(spec[key], path, key)
        by_unit = {str(u): _range(r, path, u) for u, r in (spec.get("plausible") or {}).items()}
        for i, raw in enumerate(spec.get("indicators") or []):
            e = _entry(raw, path, i)
            if e.plausible is None and str(e.unit) in by_unit:
                e = replace(e, plausible=by_unit[str(e.unit)])
            by_id.pop(e.id, None)         # an override takes the overridden entry's place at the end
            by_id[e.id] = e
    never = data.compile(r"(?!)")
    p = {k: v or never for k, v in patterns.items()}
    return Catalog(tuple(by_id.values()), **p)


# The linking patterns a catalog file may set (the last file that sets one wins).
_PATTERN_KEYS = ("change", "baseline", "decline", "shared", "list_split", "target", "share_lead", "quoted")


def _read(path: Path) -> dict:
    try:
        # the built-in catalog as patterns/ is read (libyaml's loader, what it made kept in the cache folder); a user's
        # file with PyYAML's own, whose messages its errors give
        if Path(path) in builtin_files():
            spec = data.load(Path(path).relative_to(data.PATTERNS_DIR).as_posix())
        else:
            spec = data.yaml().safe_load(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError("invalid-config", path, said("errors.indicators_missing")) from None
    except UnicodeDecodeError:
        raise InputError("invalid-config", path, said("errors.indicators_utf8")) from None
    except data.yaml().YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        detail = str(getattr(e, "problem", None) or e)
        raise InputError("invalid-config", path, said("errors.yaml_line", line=mark.line + 1, detail=detail) if mark
                         else said("errors.yaml", detail=detail)) from e
    if not isinstance(spec, dict) or not isinstance(spec.get("indicators"), list):
        raise InputError("invalid-config", path, said("errors.indicators_list"))
    return spec


def _compile(pattern, path, what):
    """`what`: the key, or (catalog key, parameters) of the message naming it, made only when it does not compile."""
    try:
        return data.compile(pattern)
    except (regex.error, TypeError) as e:
        what = said(what[0], **what[1]) if isinstance(what, tuple) else what
        raise InputError("invalid-config", path, said("errors.indicators_pattern", what=what, detail=str(e))) from e


def _entry(raw, path, i) -> Indicator:
    if not isinstance(raw, dict) or not raw.get("id") or not raw.get("title"):
        raise InputError("invalid-config", path, said("errors.indicators_id", n=i + 1))
    rid = raw["id"]
    phrasings = raw.get("phrasings") or []
    if not phrasings or not raw.get("kinds"):
        raise InputError("invalid-config", path, said("errors.indicators_kinds", id=rid))
    for key in ("standards", "trend", "compare"):        # a threshold read by nobody would be lost in silence
        if key in raw:
            raise InputError("invalid-config", path, said("errors.indicators_rules", id=rid, key=key))
    units = raw.get("units")
    return Indicator(
        id=rid, title=raw["title"], unit=str(raw.get("unit", "")), levels=tuple(raw.get("levels") or ()),
        kinds=tuple(raw["kinds"]), units=tuple(str(u) for u in units) if units is not None else None,
        phrasings=tuple(_compile(p, path, ("errors.indicators_phrasing", {"id": rid})) for p in phrasings),
        exclude=_compile(raw["not"], path, ("errors.indicators_not", {"id": rid})) if raw.get("not") else None,
        change=bool(raw.get("change")), origin=f"{path}#{rid}", plausible=_range(raw.get("plausible"), path, rid),
        **_sentence_not(raw.get("sentence_not"), path, rid),
        short=_compile(raw["short"], path, ("errors.indicators_not", {"id": rid})) if raw.get("short") else None,
        topic=_compile(raw["topic"], path, ("errors.indicators_not", {"id": rid})) if raw.get("topic") else None)


def _sentence_not(spec, path, rid) -> dict:
    if not spec:
        return {}
    where = ("errors.indicators_not", {"id": rid})
    return {"sentence_not": _compile(spec["words"], path, where),
            "sentence_unless": _compile(spec["unless"], path, where) if spec.get("unless") else None}


def _range(v, path, where) -> Optional[tuple]:
    if v is None:
        return None
    if not (isinstance(v, list) and len(v) == 2 and all(isinstance(x, (int, float)) for x in v) and v[0] < v[1]):
        raise InputError("invalid-config", path, said("errors.indicators_range", id=where))
    return (Decimal(str(v[0])), Decimal(str(v[1])))


@functools.lru_cache(maxsize=1)
def _level_words():
    spec = data.load("lexicon/levels.yaml")
    return {name: data.compile(p) for name, p in spec["levels"].items()}, data.compile(spec["school"])


@functools.lru_cache(maxsize=1)
def _place_row():
    return data.compile(data.load("lexicon/levels.yaml")["place_row"])


@functools.lru_cache(maxsize=1)
def _overall():
    return data.compile(data.load("lexicon/levels.yaml")["overall"])


# ---------------- linking ----------------

def level_in(text: str, allowed) -> str:
    """The allowed level named last in text (nearest the number)."""
    words, _ = _level_words()
    best = (-1, "")
    for name, pat in words.items():
        for m in pat.finditer(text or ""):
            best = max(best, (m.end(), name))
    return best[1] if best[1] in allowed else ""


def any_level(text: str) -> str:
    """The school level named last in text, any of the lexicon's."""
    return level_in(text, _level_words()[0])


def _level(e: Indicator, subject: str, key: str, clause: str, sentence: str = "", heading: str = "") -> str:
    """The level the number is stated for: named by its subject or words, its clause, the sentence before it
    (全县小学7项指标县域均值分别为：…骨干教师数1.36人), else the nearest heading that names one (（二）初中)."""
    if len(e.levels) <= 1:
        return e.levels[0] if e.levels else ""
    headings = [h for h in reversed((heading or "").split(_PATH_SEP)) if len(h) <= _LEVEL_HEADING_MAX]
    if _overall().search(key or ""):
        return ""               # 学生总体近视率 after 高中生近视率 in its sentence: the whole's figure, no level's
    for t in (subject, key, clause, sentence, *headings):
        lv = level_in(t, e.levels)
        if lv:
            return lv
    return ""


_PATH_SEP = " > "          # between the headings of a fact's path (pipeline)
_LEVEL_HEADING_MAX = 8     # a heading that names a level is short (（二）初中, 小学阶段); a long one names a topic


def _sentence_before(text: str, pos: int) -> str:
    """The sentence before pos, from its last ； (村小学…；县特殊教育学校…7000元: the level named before ； is not its)."""
    start = max(text.rfind(c, max(pos - _SENTENCE_LOOKBACK, 0), pos) for c in _SENTENCE_END) + 1
    return text[max(start, pos - _SENTENCE_LOOKBACK):pos]


def _clause_before(text: str, pos: int, floor: int) -> str:
    """The text before pos back to the last clause end (not included), not before floor, at most _LOOKBACK long."""
    lo = max(pos - _LOOKBACK, floor)
    return text[max(max(text.rfind(c, lo, pos) for c in _CLAUSE_END) + 1, lo):pos]


def best_entry(cat: Catalog, kind: str, unit: str, texts) -> Optional[Indicator]:
    """The entry whose phrasing is longest in the first text that any phrasing is found in (the fact's
    own indicator before the clause, which may name a list: 毛入园率、覆盖率分别为…); catalog order on a tie."""
    cands = [e for e in cat.entries if kind in e.kinds and (e.units is None or unit in e.units)
             and not (e.exclude is not None and any(e.exclude.search(t) for t in texts if t))]
    for t in texts:
        best, best_len = None, 0
        for e in cands:
            n = e.match_len(t, cat.change, cat.baseline)
            if n > best_len:
                best, best_len = e, n
        if best is not None:
            return best
    return None


_FULL_STOP = "。！？!?\n"
_COEFFICIENT = "coefficient"      # the catalog's unit of a coefficient (patterns/indicators)


def _listed_after(text: str, end: int, p: int) -> bool:
    """Only a list's 、 stands between the number before (ending at end) and this one's clause."""
    between = text[end:p]
    return "、" in between and not any(c in between for c in "，,；;。\n")


def _abbreviated(cat: Catalog, f, text: str, p: int) -> Optional[Indicator]:
    """An entry the number's own words only abbreviate (其中小学生均14236元), named in full earlier in its sentence
    (按在校学生人数平均的一般公共预算教育支出逐年只增不减，其中…)."""
    start = max(text.rfind(c, max(p - _SENTENCE_LOOKBACK, 0), p) for c in _FULL_STOP) + 1
    sentence = text[start:p]              # the whole sentence: the full name may stand before its ；
    for e in cat.entries:
        if e.short is not None and e.short.fullmatch(f.indicator) and f.kind in e.kinds \
                and (e.units is None or f.unit in e.units) \
                and (any(ph.search(sentence) for ph in e.phrasings) or (e.topic is not None and e.topic.search(sentence))):
            return e
    return None


def _not_in_sentence(e: Indicator, f, own: str, sentence: str) -> bool:
    """The sentence says the number is something else: a bare number where it names what the entry is not
    (七项指标校际差异系数中，生均体育运动场馆面积为0.56), or what the entry's `sentence_not` names (全县小学骨干教师
    222人，…，校际差异系数为0.532: that indicator's coefficient, not the 综合 one) unless its own words say it is."""
    if not f.unit and e.unit != _COEFFICIENT and e.exclude is not None and e.exclude.search(sentence):
        return True
    if e.sentence_not is None or not e.sentence_not.search(sentence):
        return False
    return not (e.sentence_unless is not None and e.sentence_unless.search(own))


def link(facts, norm, catalog: Optional[Catalog] = None, schools=()) -> tuple:
    """The facts with metric, metric_id and metric_level set where a catalog entry fits; `schools` (ner's SCHOOL
    entities, offsets in normalized text) mark one school's figures, which are no indicator's value."""
    cat = catalog or load_catalog()
    words, school = _level_words()
    text, omap = norm.text, norm.omap
    npos = [bisect.bisect_left(omap, f.start) for f in facts]
    nend = sorted(bisect.bisect_left(omap, max(f.end - 1, f.start)) + 1 for f in facts)
    schools = sorted(schools, key=lambda e: e.start)
    school_starts = [e.start for e in schools]
    out, prev, school_end = [], None, None
    for i, (f, p) in enumerate(zip(facts, npos)):
        k = bisect.bisect_right(nend, p) - 1
        clause = _clause_before(text, p, nend[k] if k >= 0 else 0)
        # the schools named in the clause: those that start in it and end by the number (found by where they start)
        named = [e for e in schools[bisect.bisect_left(school_starts, p - len(clause)):
                                    bisect.bisect_right(school_starts, p)] if e.end <= p]
        if not named and school_end is not None and _listed_after(text, school_end, p):
            named = [school_end]        # 县实验小学…5.12平方米、生均体育运动场馆面积8.4平方米: still that school's
        school_end = bisect.bisect_left(omap, max(f.end - 1, f.start)) + 1 if named else None
        if not _can_be_value(f, clause, cat, words, school, named):
            out.append(f)
            continue
        key = f"{f.subject}{f.indicator}"
        # the i-th number of a respectively-list (小学、初中、普通高中…分别为…) is named by its item alone: the clause
        # names the other items too (普通高中 would exclude the 小学 amount from a compulsory metric)
        own = f.fired.get("indicator") == _RESPECTIVELY
        texts = (key,) if own else (key, clause)
        if cat.share_lead.match(f.indicator) or cat.share_lead.match(clause):
            part = _part_named_before(facts, i, cat)    # 教师培训经费支出1263万元，占学校公用经费的比例为6.3%
            texts = (part + f.indicator, part + clause) + texts if part else texts
        e = best_entry(cat, f.kind, f.unit, texts) or _abbreviated(cat, f, text, p)
        if e is not None and _only_as_baseline(e, clause, cat):
            e = None                         # 比当地公务员平均工资收入高0.3万元: a difference, not the pay
        elif e is None and prev is not None and _same_list(prev, f):
            e = cat.get(prev.metric_id)      # 小学2.5间、初中2.1间: the list's next item is the same indicator
        listed = _shared_list(cat, f, clause)
        if listed:                           # 毛入园率、覆盖率均达到90%: the value of each, the first the fact's metric
            e = listed[0][0]
        sentence = _sentence_before(text, p)
        if e is not None and _not_in_sentence(e, f, key + clause, sentence):
            e = None
        if e is None:
            out.append(f)
            prev = None
            continue
        f = replace(f, metric=e.title, metric_id=e.id, metric_level=_level(e, f.subject, key, clause, sentence, f.heading),
                    metric_value=_metric_value(e, f, clause, cat),
                    metric_also=tuple((x.id, _level(x, f.subject, item, clause)) for x, item in listed[1:]))
        out.append(f)
        prev = f
    return tuple(out)


def _can_be_value(f, clause: str, cat: Catalog, words, school, schools=()) -> bool:
    """Whether a fact can be an indicator's value for the area: not a date, one school's figure (its subject, or a
    school the clause names: `schools`, spans of the clause's text), a standard it is held to or quoted (小学不高于0.50),
    a bound (不足1人, 低于50%), nor a target (力争…达到52%)."""
    if f.kind == "date" or f.fired.get("indicator") in STANDARD_RULES or f.approx in _BOUNDS:
        return False
    if f.fired.get("subject") in PART_RULES:       # 中班96.2%: a part's figure
        return False
    if school.search(f.subject) and not any(w.fullmatch(f.subject) for w in words.values()):
        return False
    if _place_row().fullmatch(f.subject or ""):
        return False                # a table's row of one county or town (岚城区 | 12.02 | 12.46): that unit's figure
    if schools or cat.quoted.search(clause):
        return False
    return not cat.target.search(clause)


_BOUNDS = ("less",)           # approximations that make a number a ceiling it stays under, not a value


def _part_named_before(facts, i: int, cat: Catalog) -> str:
    """The indicator of the sentence's last number before facts[i] that is not a change: the part a share after it
    (，占…的比例为…) is of."""
    f = facts[i]
    for g in reversed(facts[:i]):
        if g.sentence != f.sentence or g.start >= f.start:
            break
        if g.kind != "date" and not cat.change.search(g.indicator):
            return g.indicator
    return ""


def _shared_list(cat: Catalog, f, clause: str) -> list:
    """(entry, item) for each item of a list before a predicate they share (学前三年毛入园率、普惠性幼儿园覆盖率均达到)
    that links, in the list's order, each entry once; empty when the clause has no such list."""
    m = cat.shared.search(clause)
    if not m:
        return []
    out = []
    for item in cat.list_split.split(m.group("list")):
        e = best_entry(cat, f.kind, f.unit, (item,))
        if e is not None and all(e is not x for x, _ in out):
            out.append((e, item))
    return out


def _metric_value(e: Indicator, f, clause: str, cat: Catalog):
    """The metric's value where it is not the fact's: a change stated as a fall in words (支出下降1.7% → -1.7)."""
    if not e.change or not isinstance(f.value, Decimal) or f.value <= 0:
        return None
    last = max(((m.end(), False) for m in cat.change.finditer(clause)), default=None)
    fall = max(((m.end(), True) for m in cat.decline.finditer(clause)), default=None)
    return -f.value if fall and (last is None or fall >= last) else None


_NEVER = data.compile(r"(?!)")
_YEAR = data.compile(r"(?:19|20)\d{2}")


def _only_as_baseline(e: Indicator, clause: str, cat: Catalog) -> bool:
    return e.match_len(clause, cat.change, _NEVER) > 0 and e.match_len(clause, cat.change, cat.baseline) == 0


def _same_list(prev, f) -> bool:
    return (prev.sentence == f.sentence and prev.indicator == f.indicator and prev.kind == f.kind
            and prev.unit == f.unit and prev.subject != f.subject)


# ---------------- values and periods ----------------

def _plain(d) -> str:
    return format(d.normalize(), "f") if isinstance(d, Decimal) else str(d)


def year_of(period: str, fallback: Optional[int]) -> Optional[int]:
    m = _YEAR.match(period or "")
    return int(m.group()) if m else fallback


# ---------------- the dashboard table ----------------

def metric_rows(facts, document: dict, catalog: Optional[Catalog] = None) -> list[dict]:
    """One row per metric × level × period of one report: its first statement in the report. Its standard,
    status and source are the checks' to fill (extractor/checks/standards.py)."""
    cat = catalog or load_catalog()
    fallback = document.get("performance_year") or document.get("progress_year")
    seen, rows = set(), []
    for f in facts:
        value = f.value if getattr(f, "metric_value", None) is None else f.metric_value
        for metric_id, level in ((getattr(f, "metric_id", ""), f.metric_level), *getattr(f, "metric_also", ())):
            e = cat.get(metric_id)
            if e is None or (e.id, level, f.period) in seen:
                continue
            seen.add((e.id, level, f.period))
            rows.append({
                "doc": f.doc, "province": document.get("province", ""), "city": document.get("city", ""),
                "county": document.get("county", ""), "issuer": document.get("issuer", ""), "year": fallback,
                "metric_id": e.id, "metric": e.title, "level": level, "period": f.period,
                "value": _plain(value) if isinstance(value, Decimal) else str(value), "unit": e.unit,
                "raw": f.raw, "standard": "", "status": "", "source": "",
                "start": f.start, "end": f.end, "page": f.page})
    return rows
