"""Rules as data: patterns/rules/*.yaml (one file per source of standards, and the checks of a report against
itself), then each --rules file; each rule validated with the file and line of any problem.

A standard finds its facts by the catalog indicator they are linked to (`metric`, and `level`): the catalog
(patterns/indicators) holds the words, the rule the threshold. A rule without a metric (a province's own, or a
statement no catalog entry has) finds them by `match.text`, a pattern searched in "subject indicator".
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

import regex
import yaml

from .. import data, i18n
from ..errors import InputError
from ..i18n import said
from ..text import metrics

OPS = (">=", "<=", ">", "<", "==")
NUMERIC_KINDS = {"count", "money", "percent", "number", "duration"}
STANDARD_KINDS = ("threshold", "compare", "trend")      # a national standard: counted in a report's verdict
DIRECTIONS = ("increase", "decrease")


@dataclass(frozen=True)
class RuleSet:
    rules: tuple          # dicts, each with id, kind, … and `origin` (file:line)

    @functools.cached_property
    def metrics(self) -> frozenset:
        """Catalog ids the rules name: facts linked to these are found by metric, not by another rule's regex."""
        return frozenset(r["metric"] for r in self.rules if r.get("metric")) | frozenset(
            m["metric"] for r in self.rules for m in (r.get("left"), r.get("right")) if isinstance(m, dict) and m.get("metric"))

    def of_kind(self, *kinds) -> list:
        return [r for r in self.rules if r["kind"] in kinds]


class _LineLoader(yaml.SafeLoader):
    """Records the line of every mapping so errors can name it."""


def _mapping_with_line(loader, node, deep=False):
    m = yaml.SafeLoader.construct_mapping(loader, node, deep=deep)
    m["__line__"] = node.start_mark.line + 1
    return m


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_with_line)


def load_rules(extra=()) -> RuleSet:
    """Built-in rules, then each --rules file; a rule with an existing id replaces it. Read again only when a
    file changed (a batch asks once per report)."""
    return _load(_stamped(builtin_files()), _stamped(Path(p) for p in extra))


def _stamped(paths) -> tuple:
    """(path, modification time) of each file: the cache's key, so that an edited file is read again."""
    out = []
    for p in paths:
        try:
            out.append((str(p), p.stat().st_mtime_ns))
        except OSError:
            out.append((str(p), None))          # a missing file: _parse_file names it
    return tuple(out)


def builtin_files() -> list[Path]:
    """The rules shipped in patterns/rules, without the corpora beside them."""
    return sorted(p for p in (data.PATTERNS_DIR / "rules").glob("*.yaml") if not p.name.endswith(".corpus.yaml"))


@functools.lru_cache(maxsize=16)
def _load(builtin: tuple, extra: tuple) -> RuleSet:
    """The built-in files' rules in the files' `order`, then each --rules file's, as given."""
    by_id = {}
    shipped = sorted(_read(builtin), key=lambda ps: ps[1].get("order", 50))
    for path, spec in shipped + _read(extra):
        sources = {k: v for k, v in (spec.get("sources") or {}).items() if k != "__line__"}
        applies = spec.get("applies") or {}
        for rule in (spec.get("rules") or []) + (spec.get("consistency") or []):
            r = _validate(rule, sources, path, applies)
            by_id[r["id"]] = r
    return RuleSet(tuple(by_id.values()))


def _read(files: tuple) -> list:
    return [(Path(name), _parse_file(Path(name))) for name, _ in files]


def _parse_file(path: Path) -> dict:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as e:
        raise InputError("missing", path, said("errors.rules_missing")) from e
    except UnicodeDecodeError as e:
        raise InputError("invalid-config", path, said("errors.rules_utf8")) from e
    try:
        spec = yaml.load(text, Loader=_LineLoader)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        detail = str(getattr(e, "problem", None) or e)
        raise InputError("invalid-config", path, said("errors.yaml_line", line=mark.line + 1, detail=detail) if mark
                         else said("errors.yaml", detail=detail)) from e
    if not isinstance(spec, dict) or not (spec.get("rules") or spec.get("consistency")):
        raise InputError("invalid-config", path, said("errors.rules_list"))
    return spec


# ---------------- each kind's own keys ----------------

def _threshold(r, bad):
    if not r.get("metric") and "match" not in r:
        bad(said("errors.rule_threshold"))
    if "max_per_one" in r:
        r["max_per_one"] = number(r["max_per_one"], bad, "max_per_one")
    else:
        if r.get("op") not in OPS:
            bad(said("errors.rule_op", ops=" ".join(OPS)))
        r["threshold"] = number(r.get("threshold"), bad, "threshold")
    if r.get("statements") and not isinstance(data.load("lexicon/checks.yaml").get(r["statements"]), dict):
        bad(said("errors.rule_statements", block=r["statements"]))


def _compare(r, bad):
    if "left" not in r or "right" not in r or r.get("op") not in OPS:
        bad(said("errors.rule_compare"))
    for side in ("left", "right"):      # the check compares values as numbers: a date or a ratio is none
        kinds = r[side].get("kinds")
        if not isinstance(kinds, list) or not kinds or not set(kinds) <= NUMERIC_KINDS:
            bad(said("errors.rule_compare_kinds", side=side, kinds=", ".join(sorted(NUMERIC_KINDS))))


def _trend(r, bad):
    if not r.get("metric") or r.get("direction") not in DIRECTIONS:
        bad(said("errors.rule_trend", directions=" / ".join(DIRECTIONS)))


def _share(r, bad):
    if "tolerance" in r:
        r["tolerance"] = number(r["tolerance"], bad, "tolerance")
    terms = r.get("terms") or {}
    if not isinstance(terms, dict):
        bad(said("errors.rule_terms"))
    for mid, t in terms.items():
        if mid == "__line__":
            continue
        if not isinstance(t, dict) or not t.get("part") or not t.get("whole"):
            bad(said("errors.rule_terms_parts", metric=mid))
        if metrics.load_catalog().get(mid) is None and not t.get("indicator"):
            bad(said("errors.rule_terms_metric", metric=mid))     # a rate no catalog entry names: by its words
        for k in ("part", "whole", "indicator"):
            if k in t:
                _pattern(t[k], bad, f"terms.{mid}.{k}")
        for k, pat in enumerate(t.get("sum_of", ())):         # the counts the part adds up, each by its words
            _pattern(pat, bad, f"terms.{mid}.sum_of.{k}")
    r["terms"] = {k: {f: v[f] for f in ("part", "whole", "indicator", "kind", "sum_of", "any_period") if f in v}
                  for k, v in terms.items() if k != "__line__"}


def _claim(r, bad):
    if not r.get("claim"):
        bad(said("errors.rule_claim"))
    _pattern(r["claim"], bad, "claim")


def _growth(r, bad):
    if not r.get("growth") or not r.get("of"):
        bad(said("errors.rule_growth"))


def _quoted(r, bad):
    better = r.get("better")
    if not isinstance(better, dict) or not better:
        bad(said("errors.rule_quoted"))
    for mid, op in better.items():
        if mid != "__line__" and (metrics.load_catalog().get(mid) is None or op not in (">=", "<=")):
            bad(said("errors.rule_quoted"))
    r["better"] = {k: v for k, v in better.items() if k != "__line__"}


def _nothing(r, bad):
    pass


SCHEMAS = {"threshold": _threshold, "compare": _compare, "trend": _trend, "share": _share, "parts": _nothing,
           "change": _nothing, "points": _nothing, "growth": _growth, "repeated": _nothing, "scores": _nothing, "plausible": _nothing,
           "completeness": _nothing, "claim": _claim, "admission": _nothing, "rectification": _nothing, "quoted": _quoted}
KINDS = set(SCHEMAS)


def _validate(rule, sources: dict, path, applies=None) -> dict:
    line = rule.get("__line__", "?") if isinstance(rule, dict) else "?"

    def bad(problem):
        rid = rule.get("id", "?") if isinstance(rule, dict) else "?"
        raise InputError("invalid-config", path, said("errors.rule_bad", line=line, rid=rid, detail=problem))

    if not isinstance(rule, dict):
        raise InputError("invalid-config", path, said("errors.rule_not_mapping", line=line))
    if not rule.get("id"):
        bad(said("errors.rule_no_id"))
    kind = rule.get("kind")
    if kind not in KINDS:
        bad(said("errors.rule_kind", kind=kind, kinds=", ".join(sorted(KINDS))))
    r = {k: v for k, v in rule.items() if k != "__line__"}
    r["origin"] = f"{_shown(path)}:{line}"
    r.setdefault("severity", "medium")
    r.setdefault("title", r["id"])
    if r.get("metric"):
        r["match"] = _by_metric(r, bad)
    for key in ("match", "left", "right"):
        if key in r:
            r[key] = _matcher(r[key], key, bad)
    SCHEMAS[kind](r, bad)
    src = r.get("source", "")
    for key, v in ((applies or {}).get(src) or {}).items():     # the governments and years the source binds
        if key != "__line__":
            r.setdefault(key, v)
    if "governments" in r and not isinstance(r["governments"], list):
        bad(said("errors.rule_governments"))
    if "message" in r and f"findings.{r['message']}" not in i18n.catalog("zh"):
        bad(said("errors.rule_message", message=r["message"]))
    r["source_text"] = sources.get(src, src)            # the source alone, listed once by `selfeval rules`
    r["source"] = r["source_text"] + (f"，{r['note']}" if r.get("note") and src else "")
    if kind in STANDARD_KINDS and not r["source"]:
        bad(said("errors.rule_source"))
    return r


def _by_metric(r, bad) -> dict:
    """A rule naming a catalog indicator reads the facts linked to it (and its level); the kinds and unit of its
    values are the catalog's, for `selfeval rules` to show."""
    e = metrics.load_catalog().get(r["metric"])
    if e is None:
        bad(said("errors.rule_metric", metric=r["metric"]))
    m = {"metric": e.id, "level": r.get("level", ""), "kinds": list(e.kinds)}
    if e.units is not None and len(e.units) == 1:
        m["unit"] = e.units[0]
    for key in ("not", "not_in_sentence"):
        if r.get(key):
            m[key] = r[key]
    return m


def _matcher(m, key, bad) -> dict:
    """`match`, `left`, `right`: the facts a rule reads, by metric or by text."""
    if not isinstance(m, dict):
        bad(said("errors.rule_mapping", key=key))
    m = {k: v for k, v in m.items() if k != "__line__"}
    if m.get("metric") and metrics.load_catalog().get(m["metric"]) is None:
        bad(said("errors.rule_metric", metric=m["metric"]))
    if not m.get("metric") and not m.get("text"):
        bad(said("errors.rule_match_needs", key=key))
    for pat_key in ("text", "not", "not_in_sentence"):
        if m.get(pat_key):
            _pattern(m[pat_key], bad, f"{key}.{pat_key}")
    return m


def _pattern(p, bad, where):
    try:
        regex.compile(p)
    except (regex.error, TypeError) as e:
        bad(said("errors.rule_pattern", key=where, detail=str(e)))


def _shown(path) -> str:
    """A built-in rules file by its place in the project, not by where it was installed."""
    p = Path(path).resolve()
    root = data.PATTERNS_DIR.resolve()
    return f"patterns/{p.relative_to(root).as_posix()}" if root in p.parents else str(path)


def number(v, bad, name):
    try:
        return Decimal(str(v))
    except (InvalidOperation, ValueError):
        bad(said("errors.rule_number", name=name, got=repr(v)))
