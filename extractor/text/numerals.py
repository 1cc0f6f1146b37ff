"""Chinese numerals written in words (三百二十, 九十六点八, 十二), read as numbers; the words are in
patterns/lexicon/units.yaml (`numerals`), the examples in patterns/lexicon/numerals.corpus.yaml.

A numeral is read only when it is written the regular way: `read` takes the value its characters say and then
writes that value out again (`written`); a numeral that does not come back the same (三四, 一百二, 三亿四千,
一点五零) is refused, and so is 一亿六千 (as 一万六 would be: 100006000, or 1.6亿 said short?). This is how the
program read numerals with the cn2an package, whose rules these follow (cn2an's an2cn is what `written` does; a
decimal is computed as cn2an computed it, in floating point, so 三点零 is 3.0 and 一点五零 comes back as 一点五
and is refused). `loose` is the looser reading of a heading's or a date's number: a run of digits alone read
digit by digit (二〇二四, 一二), 一十二 taken as 十二.
"""
from __future__ import annotations

import functools
from decimal import Decimal

import regex

from .. import data


@functools.lru_cache(maxsize=1)
def _spec() -> dict:
    spec = data.load("lexicon/units.yaml")["numerals"]
    digits, zero = spec["digits"], spec["zero"]
    by_power = {p: w for w, p in spec["places"].items()}
    sections = {p: w for w, p in spec["sections"].items()}
    small, large = sections[min(sections)], sections[max(sections)]
    # the word for each of the 16 places an integer may have: 十 百 千 within a section, then 万 and 亿 by turns
    # (the sixteenth place is 千万亿)
    places = [""] + [by_power[p % 4] if p % 4 else (large if p % 8 == 0 else small) for p in range(1, 16)]
    return {"digits": digits, "zero": zero, "point": spec["point"], "places": places,
            "place_value": spec["places"], "sections": spec["sections"], "small": small, "large": large,
            "fix": str.maketrans(spec["variants"]),
            "value": {c: i for i, c in enumerate(digits)}}


def runs(text: str):
    """The runs of numeral characters in text (二十八点六七亿 of 二十八点六七亿元), each a regex match."""
    return _run_pattern().finditer(text)


def without_section(run: str) -> str:
    """A run without the 万 or 亿 it ends with (二十八点六七亿 → 二十八点六七): a word of the unit after a decimal."""
    s = _spec()
    return run.rstrip(s["small"] + s["large"])


@functools.lru_cache(maxsize=1)
def _run_pattern():
    spec = data.load("lexicon/units.yaml")["numerals"]
    chars = spec["digits"] + "".join(spec["variants"]) + "".join(spec["places"]) + "".join(spec["sections"]) + spec["point"]
    return regex.compile("[" + regex.escape(chars) + "]+")


def written(number: str) -> str:
    """A number in digits (`1024`, `3.5`, `-7`) as a Chinese numeral written the regular way (一千零二十四,
    三点五, 负七 is not made: a sign is refused), as cn2an's an2cn writes it: at most 16 places before the point and
    16 after, 一十 at the start said 十, 零 once for a run of zeros, none before a thousands digit after 万 or 亿."""
    s = _spec()
    if not number or any(c not in "0123456789." for c in number):
        raise ValueError(f"not a number in digits: {number}")
    whole, dot, fraction = number.partition(".")
    if "." in fraction:
        raise ValueError(f"two points in {number}")
    out = _whole(whole, s)
    if dot and fraction:
        out += s["point"] + "".join(s["digits"][int(d)] for d in fraction[:16])
    return out


def _whole(digits: str, s: dict) -> str:
    zero, places, names = s["zero"], s["places"], s["digits"]
    digits = str(int(digits))
    n = len(digits)
    if n > len(places):
        raise ValueError(f"more than {len(places)} places: {digits}")
    out = ""
    for i, d in enumerate(digits):
        power = n - i - 1
        if d != "0":
            out += names[int(d)] + places[power]
            continue
        if power % 4 == 0:
            out += zero + places[power]
        if i > 0 and out[-1] != zero:
            out += zero
    small, large = s["small"], s["large"]
    out = (out.replace(zero + zero, zero).replace(zero + small, small).replace(zero + large, large)
           .replace(large + small, large).strip(zero))
    # no 零 between 万 or 亿 and a thousands digit (一万零二千 is 一万二千)
    thousand = places[3]
    for section in (small, large):
        for d in names[1:]:
            out = out.replace(section + zero + d + thousand, section + d + thousand)
    if out.startswith(names[1] + places[1]):
        out = out[1:]
    return out or zero


def _integer(text: str, s: dict) -> int:
    """The value of the characters of a whole number, read leniently: the caller writes it out again to see
    that it was regular."""
    total = section = digit = 0
    value, places, sections = s["value"], s["place_value"], s["sections"]
    small, large = s["small"], s["large"]
    for c in text:
        if c in value:
            digit = value[c]
        elif c in places:
            section += (digit or 1) * 10 ** places[c]
            digit = 0
        elif c == small:
            total += (section + digit) * 10 ** sections[small]
            section = digit = 0
        elif c == large:
            total = (total + section + digit) * 10 ** sections[large]
            section = digit = 0
        else:
            raise ValueError(f"not a numeral: {text}")
    return total + section + digit


def read(text: str) -> Decimal:
    """A Chinese numeral (三百二十, 九十六点八, 两千; variants such as 两 and 〇 read as the digit) as an exact Decimal;
    ValueError for one not written the regular way."""
    s = _spec()
    text = text.translate(s["fix"])
    whole, point, fraction = text.partition(s["point"])
    if not whole or (point and (not fraction or s["point"] in fraction)):
        raise ValueError(f"not a numeral: {text}")
    number = _integer(whole, s)
    # 一亿六千 is refused as 一万六 would be (100006000, or 1.6亿 said short?): after 亿, thousands alone are not read
    if s["large"] in whole and 1000 <= _integer(whole.rsplit(s["large"], 1)[1], s) <= 9999:
        raise ValueError(f"thousands alone after {s['large']}: {text}")
    if point:
        if any(c not in s["value"] for c in fraction):
            raise ValueError(f"not a numeral: {text}")
        # as cn2an computes it, in floating point, rounded to the places written
        cut = fraction[:16]
        part = 0
        for i in range(len(cut) - 1, -1, -1):
            part += s["value"][cut[i]] * 10 ** -(i + 1)
        number = round(number + round(part, len(cut)), len(fraction))
    value = Decimal(str(number))
    if written(str(value)) != text:
        raise ValueError(f"irregular Chinese numeral {text}")
    return value


def loose(text: str) -> int:
    """The whole number of a heading's marker or a date (十二, 二十七, 二〇二四): a run of digits alone is read
    digit by digit, a numeral with places as `read` reads it, 一十二 as 十二; ValueError for anything else."""
    s = _spec()
    text = text.translate(s["fix"])
    if text and all(c in s["value"] for c in text):
        return int("".join(str(s["value"][c]) for c in text))
    ten = s["digits"][1] + s["places"][1]
    if text.startswith(ten):
        text = text[1:]
    value = read(text)
    if value != value.to_integral_value() or s["point"] in text:
        raise ValueError(f"not a whole number: {text}")
    return int(value)
