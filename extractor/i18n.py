"""What a person reads, in their language: one catalog per language in patterns/messages/.

Chinese by default; `--lang en` or SELFEVAL_LANG=en for English. Programs read stable
English codes instead (.jsonl, .parquet, DuckDB): the causes stored there are the English
texts of the `errors` section, and `cause()` turns such a text into the reader's language.
"""
from __future__ import annotations

import contextlib
import functools
import os
import re

from . import data

LANGS = ("zh", "en")
DEFAULT = "zh"
_chosen: list = []


def set_lang(lang: str | None):
    """This process's language; a batch hands it to its workers (batch.work.Reader), nothing global is written."""
    _chosen[:] = [lang] if lang in LANGS else []


def lang() -> str:
    if _chosen:
        return _chosen[0]
    env = os.environ.get("SELFEVAL_LANG", "").strip().lower()[:2]
    return env if env in LANGS else DEFAULT


@contextlib.contextmanager
def held():
    """The language as it is now, held for a while: a site of a thousand pages asks for it half a million times,
    each time reading the environment otherwise."""
    before = list(_chosen)
    _chosen[:] = [lang()]
    try:
        yield
    finally:
        _chosen[:] = before


def _flatten(d: dict, prefix: str = "") -> dict:
    out = {}
    for k, v in d.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict):
            out.update(_flatten(v, key + "."))
        else:
            out[key] = v
    return out


@functools.lru_cache(maxsize=None)
def catalog(language: str) -> dict:
    return _flatten(data.load(f"messages/{language}.yaml"))


def t(key: str, _lang: str | None = None, /, **params) -> str:
    """The message `key` in the current language, formatted; the key itself if missing (a test forbids that)."""
    text = catalog(_lang or lang()).get(key)
    if text is None:
        text = catalog("en").get(key, key)
    return str(text).format(**params) if params else str(text)


def word(section: str, code, _lang: str | None = None) -> str:
    """A code's word for people (status pass → 达标); unknown codes are shown as they are."""
    if code is None or code == "":
        return ""
    return catalog(_lang or lang()).get(f"{section}.{code}", str(code))


@functools.lru_cache(maxsize=None)
def _pattern_of(template: str) -> str:
    """{size} becomes a named group; the same placeholder again must repeat what it matched."""
    seen, out = set(), []
    for i, part in enumerate(re.split(r"\{(\w+)\}", template)):
        if i % 2 == 0:
            out.append(re.escape(part))
        else:
            out.append(f"(?P={part})" if part in seen else f"(?P<{part}>.*?)")
            seen.add(part)
    return "".join(out)


@functools.lru_cache(maxsize=None)
def _patterns(section: str) -> tuple:
    """The English texts of a section as patterns: {size} becomes a named group."""
    out = []
    for key, text in catalog("en").items():
        if not key.startswith(section + "."):
            continue
        out.append((key, re.compile(_pattern_of(str(text)) + r"\Z", re.S)))
    return tuple(sorted(out, key=lambda kp: -len(kp[1].pattern)))          # the most specific first


def template_of(text: str, section: str = "errors"):
    """(key, params) of the section's English template that `text` was made from, the most specific first;
    None when no template makes it."""
    for key, rx in _patterns(section):
        m = rx.match(text)
        if m:
            return key, m.groupdict()
    return None


class Said(str):
    """A message as selfeval stores it: its English text (what logs and programs read) carrying the catalog key and
    the parameters it was made from, so each reader gets it in their own language and no prose is matched back to
    a template. A parameter may itself be Said (a cause's detail)."""

    def __new__(cls, key: str, params: dict):
        self = super().__new__(cls, render(key, params, "en"))
        self.key, self.params = key, params
        return self

    def __reduce__(self):              # to a worker process and back: rebuilt from key and parameters
        return (Said, (self.key, self.params))


def said(key: str, /, **params) -> Said:
    return Said(key, params)


def render(key: str, params: dict | None = None, _lang: str | None = None) -> str:
    """The one rendering of a stored message: `key` in the language, with each parameter rendered first where it is
    a message itself (Said, or its JSON form {key, params})."""
    return t(key, _lang, **{k: _param(v, _lang) for k, v in (params or {}).items()})


def _param(v, language):
    if isinstance(v, Said):
        return render(v.key, v.params, language)
    if isinstance(v, dict) and "key" in v:
        return render(v["key"], v.get("params"), language)
    return v


def stored(message) -> tuple:
    """(key, params as JSON) of a message to keep in a table; ("", "") for text that is no Said."""
    import json
    if not isinstance(message, Said):
        return "", ""
    return message.key, json.dumps(_plain(message.params), ensure_ascii=False)


def _plain(params: dict) -> dict:
    return {k: ({"key": v.key, "params": _plain(v.params)} if isinstance(v, Said) else v) for k, v in params.items()}


def shown(key, params_json, text, _lang: str | None = None) -> str:
    """A message kept in a table (its key and JSON parameters) in the reader's language; `text` where it has no key."""
    import json
    if not key or str(key) in ("<NA>", "nan", "None"):
        return "" if text is None else str(text)
    try:
        params = json.loads(params_json) if params_json and str(params_json) not in ("<NA>", "nan") else {}
    except ValueError:
        params = {}
    return render(str(key), params, _lang)


def cause(text, _lang: str | None = None) -> str:
    """A cause in the reader's language: rendered from its key when it is Said; any other text as it is."""
    if isinstance(text, Said):
        return render(text.key, text.params, _lang)
    return text


def usage_words(text: str, _lang: str | None = None) -> str:
    """typer's own complaint about a command line (English, from click) in the reader's language, by the `usage`
    templates of the catalog; the only words selfeval does not make itself, so the only ones matched back."""
    language = _lang or lang()
    found = template_of(text, "usage") if language != "en" and text else None
    return t(found[0], language, **found[1]) if found else text


def error_line(err) -> str:
    """`path: cause` of an InputError, in the reader's language."""
    return f"{err.path}: {cause(err.cause)}"
