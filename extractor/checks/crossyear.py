"""Trends across a district's reports of consecutive years (`trend` rules: spending only grows, myopia falls):
one finding per pair of years, naming both reports. Reads the metrics table (one row per report × metric ×
level × period) of a batch database or of reports just processed.
"""
from __future__ import annotations

import regex

from ..text.metrics import load_catalog
from ..ids import district
from .findings import Finding, dec, finding, msg
from .loading import load_rules

RULE = "cross-year"
_PERIOD = regex.compile(r"^((?:19|20)\d{2})(.*)$")


def period_of(row) -> str:
    """The column a value goes in: its period, else the report's year."""
    if row["period"]:
        return row["period"]
    return "" if missing(row["year"]) else str(int(row["year"]))


def cross_year(df, ruleset=None) -> list[Finding]:
    """Consecutive years of one district, level and part of the year, for the metrics a trend rule names."""
    cat = load_catalog()
    trends = {r["metric"]: r for r in (ruleset or load_rules()).of_kind("trend")}
    out = []
    for mid, g in df.groupby("metric_id", sort=False):
        e, rule = cat.get(mid), trends.get(mid)
        if e is None or rule is None:
            continue
        series = {}
        for _, r in g.iterrows():
            m = _PERIOD.match(period_of(r))
            if m:
                series.setdefault((district(r), r["level"], m.group(2)), {}).setdefault(int(m.group(1)), r)
        for (place, level, _), by_year in series.items():
            for y in sorted(by_year):
                if y + 1 in by_year:
                    fd = _pair(rule, e, place, level, by_year[y], by_year[y + 1])
                    if fd is not None:
                        out.append(fd)
    return out


def _pair(rule, e, place, level, a, b):
    va, vb = dec(a["value"]), dec(b["value"])
    if va is None or vb is None or a["doc"] == b["doc"]:
        return None
    ok = vb >= va if rule["direction"] == "increase" else vb <= va
    status = "pass" if ok else "fail"
    said = msg("cross_year", metric=e.title, level=msg("cross_year_level", level=level) if level and len(e.levels) > 1
               else "", district=place, period1=period_of(a), raw1=a["raw"], doc1=a["doc"], period2=period_of(b),
               raw2=b["raw"], doc2=b["doc"], verdict=msg(f"cross_year_{rule['direction']}_{status}"))
    return finding(b["doc"], RULE, status, "high", said, indicator=e.title, value=vb, values=[va, vb], threshold=va,
                   source=rule["source_text"], raw=b["raw"], start=_int(b["start"]), end=_int(b["end"]),
                   page=_int(b["page"]))


def missing(v) -> bool:
    import pandas as pd
    return v is None or bool(pd.isna(v))


def _int(v):
    return None if missing(v) else int(v)
