"""The record every check returns: a Finding, its message a key of the catalogs (patterns/messages/{zh,en}.yaml,
under `findings.`) with parameters, rendered in the reader's language through extractor/i18n.py."""
from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Optional

import regex

from .. import i18n
from ..text import numerals
from ..records import plain_value

FINDING_FIELDS = ("doc", "rule", "status", "severity", "section", "item", "indicator", "value", "values",
                  "threshold", "message", "source", "raw", "start", "end", "page", "places", "heading")
STATUSES = ("pass", "fail", "inconsistent", "missing", "not-applicable", "admitted")


class _Rendered:
    """A finding's sentence, rendered from its key and parameters when first read (a table, the memo, the site), in the
    language of that moment: most findings of a re-check are compared and stored, never read as words. A sentence
    given outright is kept as given."""

    def __set_name__(self, owner, name):
        self.slot = f"_{name}"

    def __get__(self, obj, owner=None):
        if obj is None:
            return ""                   # the field's default
        got = obj.__dict__.get(self.slot)
        if got is None:
            got = obj.__dict__[self.slot] = render({"key": obj.key, "params": obj.params}) if obj.key else ""
        return got

    def __set__(self, obj, value):
        obj.__dict__[self.slot] = value or None


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
    message: str = _Rendered()       # the sentence (a column), rendered when read; `key` and `params` make it
    source: str = ""
    raw: str = ""
    start: Optional[int] = None
    end: Optional[int] = None
    page: Optional[int] = None
    places: list = field(default_factory=list)    # every place the evidence stands ({raw, start, end, page, role})
    key: str = ""                    # the message's catalog key (findings.threshold …)
    params: dict = field(default_factory=dict)    # its parameters, plain values; a nested message is {key, params}
    because: list = field(default_factory=list)   # the words that tie the figures ({raw, start, end, page}): 其中, 占比 …
    heading: str = ""                # the headings the evidence stands under, outermost first, joined by " > "

    def to_dict(self) -> dict:
        """The fields read directly: dataclasses.asdict's deep copy was a third of a batch re-check."""
        d = {k: getattr(self, k) for k in FINDING_FIELDS}
        d["value"] = plain_value(self.value)
        d["values"] = [plain_value(v) for v in self.values]
        d["threshold"] = plain_value(self.threshold)
        d.update(key=self.key, params=self.params, because=self.because)
        return d


def msg(key: str, **params) -> dict:
    """A message reference, {key, params}: what a finding stores and what a parameter may itself be."""
    return {"key": key if key.startswith("findings.") else f"findings.{key}", "params": params}


_LANG: ContextVar = ContextVar("findings_lang", default=None)


@contextmanager
def one_language():
    """Every message rendered inside is rendered in the language chosen when it began: asked once per report's
    check, not once per message (the environment's lookup was a tenth of checking)."""
    token = _LANG.set(_LANG.get() or i18n.lang())
    try:
        yield
    finally:
        _LANG.reset(token)


def render(message: dict, lang: Optional[str] = None) -> str:
    """A message reference as text in the reader's language; a parameter that is a reference, or a list of
    references (`{"each": [...], "sep": key}`), is rendered first."""
    lang = lang or _LANG.get() or i18n.lang()
    given = message.get("params", {})
    for v in given.values():
        if type(v) not in _FLAT:
            break
    else:
        # words and whole numbers only (a Decimal's text is not its value: 1.0 == 1): the same sentence again is
        # the one made before (a report's fifteen standards not stated, the scheme's items)
        ck = (lang, message["key"], *given.items())
        got = _RENDERED.get(ck)
        if got is None:
            if len(_RENDERED) >= 4096:
                _RENDERED.clear()
            got = _RENDERED[ck] = i18n.t(message["key"], lang, **given) if given else i18n.t(message["key"], lang)
        return got
    params = {k: _param(v, lang) for k, v in given.items()}
    return i18n.t(message["key"], lang, **params) if params else i18n.t(message["key"], lang)


_FLAT = frozenset((str, int))
_RENDERED: dict = {}


def _param(v, lang):
    if isinstance(v, dict) and "key" in v:
        return render(v, lang)
    if isinstance(v, dict) and "each" in v:
        sep = i18n.t(v.get("sep", "findings.list_sep"), lang)
        return sep.join(str(_param(x, lang)) for x in v["each"])
    return v


def finding(doc: str, rule: str, status: str, severity: str, message: dict, **kw) -> Finding:
    """A finding whose message is rendered now, in the current language, and kept as key and params."""
    return Finding(doc=doc, rule=rule, status=status, severity=severity, key=message["key"], params=message["params"],
                   **kw)


def fmt(d) -> str:
    """80 not 8E+1; 0.45 not 0.450."""
    if isinstance(d, Decimal):
        return format(d.normalize(), "f")
    return str(d)


def last_place(d: Decimal) -> Decimal:
    """One unit of the last decimal place written (0.01 for 6.72, 1 for 6): half of it is a stated figure's rounding."""
    exp = d.as_tuple().exponent
    return Decimal(1).scaleb(exp) if exp < 0 else Decimal(1)


def dec(v) -> Optional[Decimal]:
    try:
        return Decimal(str(v))
    except (InvalidOperation, ValueError, TypeError):
        return None


def written_number(raw: str) -> Optional[regex.Match]:
    """The number as a statement writes it, its digits run together (1 286所, 68,215万元, 3，612名), or its Chinese
    numeral in digits (二十八点六七亿元 as 28.67亿元): what its rounding and its unit's scale are read from."""
    return _NUMBER.search(_SEPARATORS.sub("", raw)) or _NUMBER.search(_in_digits(raw))


def written_scale(f, amount: Decimal) -> Optional[tuple]:
    """(amount in the scale f's number is written in, the words after that number): 5.75 of 5.83亿元 rather than
    575000000, 199.12 of a cell 200.12 read in 万人; None where f is written as its value."""
    m = written_number(f.raw)
    n, v = (dec(m.group(1)) if m else None), dec(f.value)
    if not n or not v or n == v:
        return None
    return (amount * n / v).normalize(), m.group(2)


def _in_digits(raw: str) -> str:
    """The first Chinese numeral of raw written in digits, the places it was written to kept (六七 → .67); a 万 or
    亿 after it stays a word of the unit. Raw as it was where it holds no numeral that reads."""
    for m in numerals.runs(raw):
        run = m.group()
        for end in (len(run), len(numerals.without_section(run))):
            try:
                value = numerals.read(run[:end])
            except ValueError:
                continue
            return raw[:m.start()] + format(value, "f") + raw[m.start() + end:]
    return raw


_NUMBER = regex.compile(r"(\d+(?:\.\d+)?)\s*(\S*)")
_SEPARATORS = regex.compile(r"(?<=\d)[,，\s\u2009\u00a0](?=\d)")


def squeeze(raw: str) -> str:
    """A statement's words without the spaces a PDF puts between them (1: 15 → 1:15), nor a margin's line number
    a line break carried into them (学校4⏎ 14  所 → 学校4所: text/furniture.py took it out of the text read)."""
    return "".join(_MARGIN_NUMBER.sub("", raw).split())


_MARGIN_NUMBER = regex.compile(r"\n[ \f]*\d{1,4} {2,}")


def place(raw: str, start, end, page, role: str = "") -> dict:
    d = dict(raw=raw, start=start, end=end, page=page)
    if role:
        d["role"] = role
    return d


def place_of(f, role: str = "") -> dict:
    """Where a fact stands, for a finding's `places`."""
    return place(f.raw, f.start, f.end, f.page, role)
