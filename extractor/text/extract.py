"""Find every numeric fact in normalized text: kind, value, unit, approx and span.

Patterns are data (patterns/kinds/*.yaml, patterns/lexicon/*.yaml); this module
compiles them, resolves overlaps and computes exact values (Decimal, never float).
"""
from __future__ import annotations

import functools
from dataclasses import replace
from decimal import Decimal
from typing import Optional

import cn2an
import regex

from .. import data
from ..records import Span
from .layout import Intervals, longest_match_wins

KINDS = ("date", "money", "percent", "ratio", "age", "duration", "count", "number")
PRIORITY = {k: i for i, k in enumerate(KINDS)}   # on equal length, earlier kinds win


@functools.lru_cache(maxsize=1)
def _lexicon():
    return data.load("lexicon/units.yaml")


def placeholders() -> dict:
    """The shared pattern pieces ({count_units} …) that kinds and period expressions fill in."""
    lex = _lexicon()
    ph = dict(lex["placeholders"])
    ph["count_units"] = data.alternation(lex["count_units"])
    ph["cn_count_units"] = data.alternation(lex["cn_count_units"])
    ph["duration_units"] = data.alternation(lex["duration_units"])
    ph["money_units"] = data.alternation(lex["money_units"])
    # used inside a lookbehind: (?<=连续|每|…); the regex module allows its alternatives to differ in width
    ph["year_duration_prefixes"] = "|".join(regex.escape(w) for w in lex["year_duration_prefixes"])
    return ph


def expand(pattern: str, ph: dict) -> str:
    """Fill {name} placeholders; regex quantifiers such as {1,2} are left alone."""
    def sub(m):
        name = m.group(1)
        return f"(?:{ph[name]})" if name in ph else m.group(0)
    prev = None
    while prev != pattern:
        prev, pattern = pattern, regex.sub(r"\{([a-z_]+)\}", sub, pattern)
    return pattern


@functools.lru_cache(maxsize=1)
def rules():
    """[(kind, name, compiled, spec)] for every rule of every kind."""
    ph = placeholders()
    out = []
    for kind in KINDS:
        spec = data.load(f"kinds/{kind}.yaml")
        local = dict(ph)
        for key, val in spec.items():
            if isinstance(val, str) and key not in ("kind",):
                local[key] = val
        for r in spec["rules"]:
            pat = expand(r["pattern"], local)
            out.append((kind, r["name"], regex.compile(pat, regex.V1), r, spec))
    return out


class _AnyOf:
    """Spans matched by any of several patterns. Searched one by one, they run several times faster
    in `regex` than one alternation of them all; overlapping matches only protect more."""

    def __init__(self, patterns):
        self.patterns = patterns

    def finditer(self, text):
        for p in self.patterns:
            yield from p.finditer(text)


@functools.lru_cache(maxsize=1)
def _protect():
    spec = data.load("lexicon/negatives.yaml")
    pats = [p["pattern"] for p in spec["protect"]] + [_places_pattern()]
    return _AnyOf([regex.compile(p, regex.V1) for p in pats])


def protected(text: str) -> Intervals:
    """Spans never read as numbers: the negatives lexicon and place names that begin with a numeral."""
    return Intervals((m.start(), m.end()) for m in _protect().finditer(text))


def _places_pattern() -> str:
    """Place names that begin with a numeral (五台县, 七台河市) are never numbers: the full name always,
    the short name (七台河) when it is long enough to be unambiguous or a level word follows it (九台区)."""
    spec = data.load("lexicon/places.yaml")
    full = [name for name, _short in spec["places"]]
    shorts = [short for _name, short in spec["places"]]
    always = full + [s for s in shorts if len(s) >= spec["short_alone_min_len"]]
    return (f"(?:{data.alternation(always)})"
            f"|(?:{data.alternation(shorts)})(?=(?:{data.alternation(spec['follow'])}))")


@functools.lru_cache(maxsize=1)
def _approx():
    lex = _lexicon()["approx"]
    before = sorted(((w, code) for code, ws in lex["before"].items() for w in ws), key=lambda x: -len(x[0]))
    after = sorted(((w, code) for code, ws in lex["after"].items() for w in ws), key=lambda x: -len(x[0]))
    inside = {w: code for code, ws in lex["inside"].items() for w in ws}
    return before, after, inside


_CN_FIX = str.maketrans({"两": "二", "〇": "零"})


def parse_number(s: str) -> Decimal:
    """Arabic or Chinese numeral → exact Decimal (cn2an on the isolated numeral only).

    A Chinese numeral must be written the regular way: cn2an also reads 三四 (three or four) as 34
    and 一百二 as 120, so a numeral that does not come back the same from the value is refused."""
    s = s.replace(",", "")
    if regex.fullmatch(r"\d+(?:\.\d+)?", s):
        return Decimal(s)
    s = s.translate(_CN_FIX)
    v = Decimal(str(cn2an.cn2an(s, "smart")))
    if cn2an.an2cn(str(v)) != s:
        raise ValueError(f"irregular Chinese numeral {s}")
    return v


def _cn_digits(s: str) -> int:
    """二〇二四 → 2024 (digit by digit); 十二 → 12 (as a number)."""
    digits = "零一二三四五六七八九"
    s = s.replace("〇", "零")
    if "十" not in s:
        return int("".join(str(digits.index(c)) for c in s))
    return int(cn2an.cn2an(s, "smart"))


def _date_value(g: dict) -> str:
    def ymd(y, m, d):
        y = f"{int(y):04d}" if y else "????"
        return f"{y}-{int(m):02d}" + (f"-{int(d):02d}" if d else "")
    if g.get("cm"):      # a month in Chinese numerals, after a year in either script or none (九月一日)
        y = _cn_digits(g["cy"]) if g.get("cy") else g.get("y")
        return ymd(y, _cn_digits(g["cm"]), _cn_digits(g["cd"]) if g.get("cd") else None)
    first = ymd(g.get("y"), g["m"], g.get("d"))
    if g.get("m2") or g.get("d2"):
        second = ymd(g.get("y2") or g.get("y"), g.get("m2") or g["m"], g.get("d2"))
        return f"{first}/{second}"
    return first


def _is_clock(text: str, m, spec) -> bool:
    before = text[max(0, m.start() - 4):m.start()]
    after = text[m.end():m.end() + 8]
    a, b = m.group("a"), m.group("b")
    if not (a.isdigit() and b.isdigit() and len(b) == 2 and int(a) <= 24 and int(b) < 60):
        return False
    return bool(regex.search(spec["clock_before"], before) or regex.search(spec["clock_after"], after))


def _approx_of(text: str, start: int, end: int, groups: dict) -> str:
    before, after, inside = _approx()
    for key in ("mid", "mid2"):
        if groups.get(key):
            return inside[groups[key]]
    tail = text[end:end + 3]
    for w, code in after:
        if tail.startswith(w):
            return code
    head = text[max(0, start - 6):start]
    for w, code in before:
        i = head.rfind(w)
        if i < 0:
            continue
        gap = head[i + len(w):]
        # A one-character word (约, 近) must touch the number; longer ones may stand a few characters off.
        if (len(w) == 1 and gap == "") or (len(w) > 1 and not regex.search(r"[\d，。；、：,;:]", gap)):
            return code
    return ""


def _value_unit(kind: str, g: dict, spec: dict, rule: dict):
    lex = _lexicon()
    if kind == "date":
        return _date_value(g), ""
    if kind == "ratio":
        return f"{g['a']}:{g['b']}", ""
    # A rule may state its value (百分之百); else the numeral, scaled by its multiplier
    # (万, 千万, 成, 千分之 …), plus a smaller part (2万5000), a half (七成半, 3岁半) and a sign.
    num = Decimal(rule["value"]) if "value" in rule else parse_number(g["num"])
    scale = Decimal(str(lex["multipliers"][g["mult"]])) if g.get("mult") else Decimal(1)
    num *= scale
    if g.get("num2"):
        num += parse_number(g["num2"]) * Decimal(str(lex["multipliers"][g["mult2"]] if g.get("mult2") else 1))
    if g.get("half"):
        num += scale / 2
    if g.get("den"):      # 三分之一: a percentage rounded to two decimals (FACTS.md); raw keeps the fraction
        num = (num * 100 / parse_number(g["den"])).quantize(Decimal("0.01"))
        num = num.to_integral_value() if num == num.to_integral_value() else num.normalize()
    if g.get("sign"):
        num = -num
    if kind == "money":
        return num * (lex["money_units"][g["unit"]] if g.get("unit") else 1), "元"
    if kind == "duration":
        return num, lex["duration_units"].get(g["unit"], g["unit"])
    if kind == "percent":
        return num, rule.get("unit", "%")
    if kind == "age" and g.get("to"):      # 3至6岁: a range, as text low/high
        return f"{num}/{parse_number(g['to'])}", g["unit"]
    if kind in ("count", "age"):
        return num, g["unit"]
    return num, ""


def find_spans(text: str) -> list[Span]:
    is_protected = protected(text).overlaps

    cands = []
    for kind, name, pat, rule, spec in rules():
        for m in pat.finditer(text):
            s, e = m.span()
            if e == s or is_protected(s, e):
                continue
            if kind == "ratio" and _is_clock(text, m, spec):
                continue
            cands.append((s, e, kind, name, m, rule, spec))

    # Longest span wins; on a tie the kind listed first in KINDS.
    def build(c):
        s, e, kind, name, m, rule, spec = c
        g = {k: v for k, v in m.groupdict().items() if v}
        try:
            value, unit = _value_unit(kind, g, spec, rule)
        except (ValueError, KeyError, ArithmeticError):
            return None      # a numeral we cannot read (三四个, 一两次) is no fact, nor is any part of it
        return Span(kind=kind, value=value, unit=unit, approx=_approx_of(text, s, e, g), nstart=s, nend=e, rule=name)

    spans = longest_match_wins(cands, span=lambda c: (c[0], c[1]), rank=lambda c: PRIORITY[c[2]], build=build,
                               refusal_blocks=True)
    return _ranges(text, spans)


@functools.lru_cache(maxsize=1)
def _range_low():
    return regex.compile(expand(_lexicon()["range_low"], placeholders()), regex.V1)


def _ranges(text: str, spans: list) -> list:
    """60至70人 is one fact 60/70 (not 70 with 60至 before it); the low end takes the high end's unit and
    multiplier when it has none (1.2-1.5万元 → 12000/15000). A low end in another unit leaves both alone."""
    kinds = _lexicon()["range_kinds"]
    out = []
    for sp in spans:
        m = _range_low().search(text, max(0, sp.nstart - 16), sp.nstart) if sp.kind in kinds else None
        joined = m and _range(text, sp, m)
        if joined:
            while out and out[-1].nend > joined.nstart:
                out.pop()                   # the low end read alone (3% of 3%-5%)
            out.append(joined)
        else:
            out.append(sp)
    return out


def _range(text: str, sp: Span, m) -> Optional[Span]:
    high = text[sp.nstart:sp.nend]
    lead = regex.match(_lexicon()["range_number"], high)
    unit_text = high[lead.end():] if lead else ""
    tail = m.group("tail")
    if tail and not unit_text.startswith(tail):
        return None
    low = [s for s in find_spans(m.group("low") + unit_text) if s.kind == sp.kind and s.nstart == 0]
    if not low or isinstance(low[0].value, str) or isinstance(sp.value, str):
        return None
    value = f"{_plain(low[0].value)}/{_plain(sp.value)}"
    return replace(sp, value=value, nstart=m.start(), rule=sp.rule + "+range")


def _plain(d: Decimal) -> str:
    return format(d.normalize(), "f")
