"""Find every numeric fact in normalized text: kind, value, unit, approx and span.

Patterns are data (patterns/kinds/*.yaml, patterns/lexicon/*.yaml); this module
compiles them, resolves overlaps and computes exact values (Decimal, never float).
"""
from __future__ import annotations

import bisect
import functools
from dataclasses import replace
from decimal import Decimal
from typing import Optional

import regex

from .. import data
from ..records import Span
from . import grid, numerals
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
            out.append((kind, r["name"], data.compile(pat, regex.V1), r, spec))
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
    shapes = [data.Shape(p["lead"], p["pattern"][len(p["lead"]):]) if p.get("lead") else data.compile(p["pattern"], regex.V1)
              for p in spec["protect"]]
    return _AnyOf(shapes + [data.compile(_places_pattern(), regex.V1)])


@functools.lru_cache(maxsize=8)
def protected(text: str) -> Intervals:
    """Spans never read as numbers: the negatives lexicon and place names that begin with a numeral. Made once per
    text: find_spans and periods both ask (the Intervals are only read)."""
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
    # any word of before, or of after: most numbers have none near them, and then the lists need no walk
    any_of = (data.compile(data.alternation(w for w, _ in before)) if before else None,
              data.compile(data.alternation(w for w, _ in after)) if after else None)
    return before, after, inside, data.compile(_lexicon()["approx_list_rest"]), any_of


@functools.lru_cache(maxsize=1)
def _numerals() -> dict:
    spec = dict(_lexicon()["numerals"])
    spec["_fix"] = str.maketrans(spec["variants"])
    spec["_arabic"] = data.compile(r"\d+(?:\.\d+)?")
    digits = regex.escape(spec["digits"][1:] + "".join(k for k, v in spec["variants"].items() if v != spec["zero"]))
    spec["_term"] = data.compile(rf"(\d+(?:\.\d+)?|[{digits}])([{''.join(spec['places'])}])?")
    return spec


@functools.lru_cache(maxsize=1)
def _standard_after():
    return data.compile(placeholders()["standard_after"])


_ARABIC = data.compile(r"\d+(?:\.\d+)?")
_GAP_BREAK = data.compile(r"[\d，。；、：,;:]")     # between an approx word and its number: not across these


def parse_number(s: str) -> Decimal:
    """Arabic or Chinese numeral → exact Decimal. A Chinese numeral must be written the regular way
    (numerals.read: 三四, three or four, and 一百二 are refused)."""
    s = s.replace(",", "")
    if _ARABIC.fullmatch(s):
        return Decimal(s)
    return numerals.read(s)


def parse_mixed(s: str) -> Decimal:
    """Arabic digits with Chinese places (5万4千6百 → 54600, 2千零30万 → 20300000, 1亿零500万, 2万5000), read
    as a Chinese numeral is read, section by section (亿, 万, units). Only the regular forms: a skipped place is
    said with 零 (1千零24, not 1千24), a trailing number fills the places left (6百50, not 2千30: 2030 or 2300?),
    a section after the first is four digits or opens with 零 (2万5000, 2万零50; not 2万50), and only a lone
    leading number has a decimal (1.2万, not 1.2万5000). Anything else raises ValueError: no fact, no part."""
    spec = _numerals()
    rest, total, leading, decimal = s.replace(",", ""), Decimal(0), True, False
    for unit, power in [*spec["sections"].items(), ("", 0)]:
        if unit:
            if unit not in rest:
                continue
            part, rest = rest.split(unit, 1)
            if not part:
                raise ValueError(f"no number before {unit} in {s}")
        else:
            part, rest = rest, ""
            if not part:
                break
        if decimal:
            raise ValueError(f"a decimal before a further section in {s}")
        value, decimal = _section(part, leading, spec)
        total += value * 10 ** power
        leading = False
    return total


def _section(part: str, leading: bool, spec) -> tuple[Decimal, bool]:
    """One section of parse_mixed (below 万): its value and whether it was written as a decimal."""
    zero = part.startswith(spec["zero"])
    if zero:
        if leading:
            raise ValueError(f"a numeral opening with zero: {part}")
        part = part[len(spec["zero"]):]
    if _ARABIC.fullmatch(part):
        if leading:
            return Decimal(part), "." in part
        if "." in part or (len(part) >= 4 if zero else (len(part) != 4 or part[0] == "0")):
            raise ValueError(f"a section that does not fill its places: {part}")
        return Decimal(part), False
    value, last, pos, zero_before = Decimal(0), 4, 0, zero and not leading
    while pos < len(part):
        if part.startswith(spec["zero"], pos):
            zero_before, pos = True, pos + len(spec["zero"])
            continue
        m = spec["_term"].match(part, pos)
        if not m:
            raise ValueError(f"not a numeral: {part}")
        digits, place = m.group(1), m.group(2)
        pos = m.end()
        if place:
            p = spec["places"][place]
            # the next place down, or a lower one after zero (1千零5十); the first place of a leading section is free
            fits = p < last - 1 if zero_before else p == last - 1
            if not (fits or (leading and last == 4 and not zero_before)) or not _one_digit(digits, spec):
                raise ValueError(f"places out of order or a skipped place without zero: {part}")
            value += _digit(digits, spec) * 10 ** p
            last, zero_before = p, False
            continue
        # a trailing number: after zero, below the place skipped; else filling every place left
        if pos != len(part) or "." in digits or not digits.isdigit():
            raise ValueError(f"a trailing numeral that is not a whole number: {part}")
        if digits[0] == "0" or (len(digits) > last - 1 if zero_before else len(digits) != last):
            raise ValueError(f"a trailing number that does not fill its places: {part}")
        value += Decimal(digits)
    return value, False


def _one_digit(d: str, spec) -> bool:
    return (len(d) == 1 and d != "0") or d in spec["digits"][1:] or d in spec["variants"]


def _digit(d: str, spec) -> int:
    d = d.translate(spec["_fix"])
    return int(d) if d.isdigit() else spec["digits"].index(d)


def cn_digits(s: str) -> int:
    """二〇二四 → 2024 (digit by digit); 十二 → 12 (as a number)."""
    spec = _numerals()
    s = s.translate(spec["_fix"])
    if not any(c in spec["places"] for c in s):
        return int("".join(str(spec["digits"].index(c)) for c in s))
    return numerals.loose(s)


_DATE_PARTS = ("y", "m", "d", "y2", "m2", "d2")


def _date_value(g: dict) -> str:
    """Year, month and day of each end, in digits (y, m, d …) or Chinese numerals (cy, cm, cd …), as ISO text;
    the second end of a range takes what it does not say from the first (7月1日至3日)."""
    v = {}
    for k in _DATE_PARTS:
        raw = g.get(k) or g.get("c" + k)
        if raw:
            v[k] = int(raw) if raw.isdigit() else cn_digits(raw)

    def ymd(y, m, d):
        y = f"{y:04d}" if y else "????"
        return f"{y}-{m:02d}" + (f"-{d:02d}" if d else "")
    first = ymd(v.get("y"), v["m"], v.get("d"))
    if "m2" in v or "d2" in v:
        second = ymd(v.get("y2") or v.get("y"), v.get("m2") or v["m"], v.get("d2"))
        return f"{first}/{second}"
    return first


@functools.lru_cache(maxsize=1)
def _clock():
    spec = data.load("kinds/ratio.yaml")
    return tuple(data.compile(spec[k]) for k in ("clock_before", "clock_after", "clock_leading_zero", "glued_to_date"))


def _is_clock(text: str, m) -> bool:
    before_re, after_re, zero_re, glued_re = _clock()
    before = text[max(0, m.start() - 10):m.start()]
    if glued_re.search(before):
        return True              # 2022-10-189:30: the day's digits and a time, no ratio
    after = text[m.end():m.end() + 8]
    a, b = m.group("a"), m.group("b")
    if not (a.isdigit() and b.isdigit() and len(b) == 2 and int(a) <= 24 and int(b) < 60):
        return False
    return bool(zero_re.match(a) or before_re.search(before) or after_re.search(after))


@functools.lru_cache(maxsize=1)
def _glued_clock():
    return data.compile(data.load("kinds/date.yaml")["clock"])


def _one_split(day: str, clock: str) -> bool:
    """Whether the digits of a day glued to a time split one way only (1809:30 → 18 and 09:30; not 110:30)."""
    digits = day + clock
    return sum(1 for k in (1, 2) if 1 <= int(digits[:k]) <= 31 and _glued_clock().fullmatch(digits[k:])) == 1


def _approx_of(text: str, start: int, end: int, groups: dict) -> str:
    before, after, inside, list_rest, (any_before, any_after) = _approx()
    for key in ("mid", "mid2"):
        if groups.get(key):
            return inside[groups[key]]
    rest = list_rest.match(text, end)
    tail = text[rest.end() if rest else end:][:3]
    for w, code in (after if any_after is not None and any_after.match(tail) else ()):
        if tail.startswith(w):
            return code
    if _standard_after().match(text, end):
        return ""            # 高于1:15的标准: the standard itself, which the text compares with
    head = text[max(0, start - 6):start]
    for w, code in (before if any_before is not None and any_before.search(head) else ()):
        i = head.rfind(w)
        if i < 0:
            continue
        gap = head[i + len(w):]
        # A one-character word (约, 近) must touch the number; longer ones may stand a few characters off.
        if (len(w) == 1 and gap == "") or (len(w) > 1 and not _GAP_BREAK.search(gap)):
            return code
    return ""


def _value_unit(kind: str, g: dict, spec: dict, rule: dict):
    lex = _lexicon()
    if kind == "date":
        return _date_value(g), ""
    if kind == "ratio":             # 1:15, or 一比十四点六 as 1:14.6
        a, b = (x if x[0].isdigit() else format(parse_number(x).normalize(), "f") for x in (g["a"], g["b"]))
        return f"{a}:{b}", ""
    # A rule may state its value (百分之百); else the numeral, scaled by its multiplier
    # (万, 千万, 成, 千分之 …), plus a smaller part (2万5000), a half (七成半, 3岁半) and a sign.
    if "value" in rule:
        num = Decimal(rule["value"])
    elif g.get("mixed"):
        num = parse_mixed(g["mixed"])
    elif g.get("mid") and g["num"] in lex["numerals"]["bare_places"]:
        num = parse_number(lex["numerals"]["digits"][1] + g["num"])      # 百余人: a hundred and more
    else:
        num = parse_number(g["num"])
    scale = Decimal(str(lex["multipliers"][g["mult"]])) if g.get("mult") else Decimal(1)
    num *= scale
    if g.get("num2"):
        num += parse_number(g["num2"]) * Decimal(str(lex["multipliers"][g["mult2"]] if g.get("mult2") else 1))
    if g.get("half"):
        num += scale / 2
    if g.get("den"):      # 三分之一: a percentage rounded to two decimals (FACTS.md); raw keeps the fraction
        num = _fraction(num, parse_number(g["den"]))
    if g.get("sign"):
        num = -num
    if kind == "money":
        return num * (lex["money_units"][g["unit"]] if g.get("unit") else 1), lex["money_unit"]
    if kind == "duration":
        return num, lex["duration_units"].get(g["unit"], g["unit"])
    if kind == "percent":
        return num, rule.get("unit", "%")
    if kind == "age":                      # 3至6岁: a range, as text low/high; 周岁 is 岁 (spec `units`)
        unit = spec["units"][g["unit"]]
        return (f"{num}/{parse_number(g['to'])}" if g.get("to") else num), unit
    if kind == "count":
        return num, g["unit"]
    return num, ""


@functools.lru_cache(maxsize=1)
def _run_tokens():
    spec = _lexicon()["numeral_run"]
    return data.compile("|".join(f"(?P<{name}>{spec[name]})" for name in _RUN_JOINS), regex.V1)


# Which token joins which when they touch (lexicon numeral_run): Arabic digits join places (5万4千) but not Chinese
# digits (初一12个班) nor one another (唯一一个), a point joins Chinese numerals, 分之 joins anything, a minus only the numeral after it.
_NUMERAL = {"arabic", "digit", "place"}
_RUN_JOINS = {
    "arabic": {"arabic", "place", "fraction"},
    "digit": {"place", "point", "fraction"},      # 三四个, 一两次: two numerals, refused by their rules
    "place": {"arabic", "digit", "place", "point", "fraction"},
    "point": {"digit", "place"},
    "fraction": _NUMERAL,
    "minus": _NUMERAL,
}


def numeral_runs(text: str) -> tuple[list, list]:
    """(starts, ends) of every numeral as written (5万4千6百, 三百分之1.5, 负三), in text order."""
    starts, ends, prev = [], [], None
    for m in _run_tokens().finditer(text):
        kind = m.lastgroup
        if prev is not None and ends[-1] == m.start() and kind in _RUN_JOINS[prev]:
            ends[-1] = m.end()
        else:
            starts.append(m.start())
            ends.append(m.end())
        prev = kind
    return starts, ends


def _splits_a_numeral(runs, s: int, e: int) -> bool:
    """Whether [s, e) begins or ends inside a numeral as written: then it reads only a part of it."""
    starts, ends = runs
    for x in (s, e):
        i = bisect.bisect_right(starts, x) - 1
        if i >= 0 and starts[i] < x < ends[i]:
            return True
    return False


_EXACT_PLACES = Decimal("0.000001")      # a fraction that ends within these places keeps them (三百分之1.5 = 0.5)


def _fraction(num: Decimal, den: Decimal) -> Decimal:
    """num/den as a percentage: exact where it ends within six places, else rounded to two (三分之一 → 33.33,
    FACTS.md); one that rounds to nothing is refused rather than read as 0."""
    exact = num * 100 / den
    if exact == exact.quantize(_EXACT_PLACES):
        return exact.normalize() if exact != exact.to_integral_value() else exact.to_integral_value()
    rounded = exact.quantize(Decimal("0.01"))
    if not rounded:
        raise ValueError(f"a fraction too small for two decimals: {num}/{den}")
    return rounded.to_integral_value() if rounded == rounded.to_integral_value() else rounded.normalize()


def find_spans(text: str) -> list[Span]:
    is_protected = protected(text).overlaps
    runs = numeral_runs(text)

    cands = []
    for kind, name, pat, rule, spec in rules():
        for m in pat.finditer(text):
            s, e = m.span()
            if e == s or is_protected(s, e):
                continue
            if kind != "date" and _splits_a_numeral(runs, s, e):
                continue            # a part of a numeral (6百人 of 5万4千6百人): the whole is read or nothing
            if kind == "ratio" and _is_clock(text, m):
                continue
            cands.append((s, e, kind, name, m, rule, spec))

    # Longest span wins; on a tie the kind listed first in KINDS.
    def build(c):
        s, e, kind, name, m, rule, spec = c
        g = {k: v for k, v in m.groupdict().items() if v}
        if g.get("clock") and not _one_split(g["d"], g["clock"]):
            return None      # 2022-10-110:30: the 1st at 10:30 or the 11th at 0:30, no date
        try:
            value, unit = _value_unit(kind, g, spec, rule)
        except (ValueError, KeyError, ArithmeticError):
            return None      # a numeral we cannot read (三四个, 一两次) is no fact, nor is any part of it
        return Span(kind=kind, value=value, unit=unit, approx=_approx_of(text, s, e, g), nstart=s, nend=e, rule=name)

    spans = longest_match_wins(cands, span=lambda c: (c[0], c[1]), rank=lambda c: PRIORITY[c[2]], build=build,
                               refusal_blocks=True)
    return _ranges(text, _cell_units(text, spans))


def _cell_units(text: str, spans: list) -> list:
    """A bare number in a table's cell whose row label or column gives the unit in brackets (生均教学仪器设备值（元）
    … 2476) is a fact in that unit, read as the number and unit written together would be; its raw stays the number."""
    out = spans
    for cell in grid.cells(text):
        found = grid.number_cell(text, cell) if cell.unit else None
        if not found:
            continue
        s, e, _sign = found
        whole = [sp for sp in find_spans(text[s:e] + cell.unit) if sp.nstart == 0 and sp.nend > e - s]
        if not whole or whole[0].kind == "number":
            continue
        sp = replace(whole[0], nstart=s, nend=e, approx=_approx_of(text, s, e, {}), rule=whole[0].rule + "+table_unit")
        out = sorted([x for x in out if not (x.nstart < e and s < x.nend)] + [sp], key=lambda x: x.nstart)
    return out


@functools.lru_cache(maxsize=1)
def _range_low():
    return data.compile(expand(_lexicon()["range_low"], placeholders()), regex.V1)


def _ranges(text: str, spans: list) -> list:
    """60至70人 is two facts, 60 and 70 (FACTS.md gives a count, an amount, a percentage or a duration one number;
    only ages and dates are ranges): a low end written without the high end's unit or multiplier takes them
    (1.2-1.5万元 → 12000 and 15000) and its raw is the number as written; one with its own unit (300元至800元) is
    read alone already. A low end in another unit stays apart."""
    kinds = _lexicon()["range_kinds"]
    out = []
    for sp in spans:
        m = _range_low().search(text, max(0, sp.nstart - 16), sp.nstart) if sp.kind in kinds else None
        low = m and _low_end(text, sp, m)
        if low:
            while out and out[-1].nend > low.nstart and out[-1].kind != sp.kind:
                out.pop()                   # the low end read as a bare number (1.2 of 1.2-1.5万元)
            if not (out and out[-1].nend > low.nstart):
                out.append(low)
        out.append(sp)
    return out


@functools.lru_cache(maxsize=1)
def _range_number():
    return data.compile(_lexicon()["range_number"])


def _low_end(text: str, sp: Span, m) -> Optional[Span]:
    """The low end of a range whose unit (and multiplier) only the high end writes, as a fact of its own."""
    high = text[sp.nstart:sp.nend]
    lead = _range_number().match(high)
    unit_text = high[lead.end():] if lead else ""
    if m.group("tail") or not unit_text:
        return None
    low = [s for s in find_spans(m.group("low") + unit_text) if s.kind == sp.kind and s.nstart == 0]
    if not low or isinstance(low[0].value, str) or isinstance(sp.value, str):
        return None
    return replace(sp, value=low[0].value, approx="", nstart=m.start("low"), nend=m.end("low"),
                   rule=sp.rule + "+range_low")


def _plain(d: Decimal) -> str:
    return format(d.normalize(), "f")
