"""The page templates (outputs/templates/*.html) and what they are given: one Jinja2 environment, autoescaping
every value, for the review server and, later, the static site.

The one escaping choke point: templates never mark text safe (a test reads them for `|safe`), and report text
reaches them only as plain strings, a report's text cut into segments and marks here rather than as HTML. A
page is rendered for the server (`editable`: the decision forms) or for reading only (the forms left out).
"""
from __future__ import annotations

import functools
import json
from pathlib import Path

from .. import i18n

TEMPLATES = Path(__file__).resolve().parent / "templates"
GROUPS = ("fail", "inconsistent", "admitted", "missing", "unstated", "not-applicable", "pass")
FOLDED = ("pass", "unstated", "not-applicable")


@functools.lru_cache(maxsize=1)
def environment():
    import jinja2
    # auto_reload off: each template is compiled once per process, not checked on disk at every include (a finding
    # each); the templates belong to the installed code, which a running process does not see change either.
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True, auto_reload=False,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.globals.update(t=lambda key, **kw: i18n.t(key, **kw), word=lambda section, code: i18n.word(section, code),
                       lang=i18n.lang)
    return env


def render(name: str, **context) -> str:
    return environment().get_template(name).render(**context)


def _int(v):
    import pandas as pd
    return None if v is None or pd.isna(v) else int(v)


def group_of(f: dict, rules: dict) -> str:
    """Where a finding is shown: a standard a report need not state is apart from the missing items."""
    if f["status"] == "missing" and rules.get(f["rule"], {}).get("kind") in ("threshold", "compare"):
        return "unstated"
    return f["status"] if f["status"] in GROUPS else "inconsistent"


def grouped(findings: list, rules: dict) -> list:
    """[(group, folded, [finding])] in the order a reader needs them: failures first, passes folded."""
    groups = {g: [] for g in GROUPS}
    for f in findings:
        groups[group_of(f, rules)].append(f)
    return [(g, g in FOLDED, fs) for g, fs in groups.items() if fs]


def places(f: dict) -> list:
    return json.loads(f["places"]) if f.get("places") else []


def segments(text: str, facts: list, findings: list, base: int = 0) -> list:
    """The report's text as [(plain text, mark or None)]: each fact, and each sentence a finding rests on that
    holds no fact, is a mark (id, cls, tip, page). base: where the text begins in its file (a compilation's
    part), as offsets are the file's. Templates escape both."""
    by_pos = {}
    for f in findings:
        if _int(f.get("start")) is not None:
            by_pos.setdefault(_int(f["start"]), []).append(f)
    c = i18n.t("site.colon")
    value, indicator, period, subject = (i18n.t(f"site.{k}") for k in ("value", "indicator", "period", "subject"))
    spans = []
    for f in facts:
        s, e, page = int(f["start"]), int(f["end"]), _int(f.get("page"))
        on = by_pos.get(s, [])
        tip = "\n".join([f"{value}{c}{f['value']}{f['unit']}",
                         f"{indicator}{c}{f['indicator']}", f"{period}{c}{f['period']}",
                         f"{subject}{c}{f['subject']}"]
                        + ([i18n.t("site.page", n=page)] if page is not None else [])
                        + [f"{r['rule']}{c}{i18n.word('status', r['status'])}" for r in on])
        bad = any(r["status"] in ("fail", "inconsistent") for r in on)
        spans.append((s, e, {"id": f"f-{s}", "cls": f"fact kind-{f['kind']}" + (" bad" if bad else ""), "tip": tip,
                             "page": page}))
    taken = [(s, e) for s, e, _ in spans]
    for s, rs in by_pos.items():
        e = _int(rs[0].get("end"))
        if e is not None and not any(s < fe and fs < e for fs, fe in taken) and s not in {a for a, _ in taken}:
            spans.append((s, e, {"id": f"f-{s}", "cls": "claim", "tip": rs[0]["message"], "page": None}))
    out, pos = [], 0
    for s, e, mark in sorted(spans, key=lambda x: (x[0], x[1])):
        s, e = s - base, e - base
        if s < pos or e > len(text) or s < 0:
            continue
        if s > pos:
            out.append((text[pos:s], None))
        out.append((text[s:e], mark))
        pos = e
    if pos < len(text):
        out.append((text[pos:], None))
    return out
