"""`selfeval rules`: the rules in force as a table for people, or CSV / JSON for programs."""
from __future__ import annotations

import csv
import io
import json
import unicodedata

from .. import i18n
from ..i18n import t


def _unit(rule) -> str:
    m = rule.get("match") or {}
    if m.get("unit"):
        return m["unit"]
    kinds = m.get("kinds") or []
    return i18n.word("units", "money") if kinds == ["money"] else ""


def standard(rule) -> str:
    """The threshold with its unit, as a person reads it (≥ 85%, no worse than 1:15)."""
    from ..checks.rules import fmt
    if rule.get("standard"):
        return rule["standard"]
    if "max_per_one" in rule:
        return t("rules.per_one", n=fmt(rule["max_per_one"]))
    if "threshold" in rule:
        return f"{i18n.word('op', rule['op'])} {fmt(rule['threshold'])}{_unit(rule)}"
    return ""


def applies_to(rule) -> str:
    kinds = (rule.get("match") or rule.get("left") or {}).get("kinds") or []
    return t("msg.list_sep").join(i18n.word("kind", k) for k in kinds) or t("rules.any")


def rows(ruleset) -> list[dict]:
    """One plain row per rule; codes stay English for programs."""
    from ..checks.rules import fmt
    out = []
    for r in ruleset.rules:
        out.append({"id": r["id"], "title": r["title"], "kind": r["kind"], "op": r.get("op", ""),
                    "threshold": fmt(r["threshold"]) if "threshold" in r else
                    (f"1:{fmt(r['max_per_one'])}" if "max_per_one" in r else ""),
                    "unit": _unit(r), "kinds": ";".join((r.get("match") or r.get("left") or {}).get("kinds") or []),
                    "severity": r["severity"], "source": r.get("source", ""), "origin": r.get("origin", "")})
    return out


def _width(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


def _pad(s: str, w: int) -> str:
    return s + " " * (w - _width(s))


def table(ruleset) -> str:
    """Aligned columns with a header; each source once, as a numbered note under the table."""
    sources, lines = {}, []
    body = []
    for r in ruleset.rules:
        src = ""
        if r.get("source"):
            base = r.get("source_text") or r["source"]
            n = sources.setdefault(base, len(sources) + 1)
            src = f"[{n}]" + (f" {r['note']}" if r.get("note") else "")
        body.append([r["title"], i18n.word("kind", r["kind"]), standard(r), applies_to(r),
                     i18n.word("severity", r["severity"]), src])
    head = list(i18n.catalog(i18n.lang())["rules.header"])
    widths = [max(_width(x[i]) for x in [head] + body) for i in range(len(head))]
    for row in [head, ["-" * w for w in widths]] + body:
        lines.append("  ".join(_pad(c, w) for c, w in zip(row, widths)).rstrip())
    lines.append("")
    lines += [f"[{n}] {s}" for s, n in sources.items()]
    return "\n".join(lines) + "\n"


def render(ruleset, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(rows(ruleset), ensure_ascii=False, indent=1) + "\n"
    if fmt == "csv":
        from .excel import csv_safe
        import pandas as pd
        buf = io.StringIO()
        csv_safe(pd.DataFrame(rows(ruleset))).to_csv(buf, index=False, quoting=csv.QUOTE_MINIMAL)
        return buf.getvalue()
    return table(ruleset)
