"""`selfeval decisions OUTDIR -o x.csv`: every event of the decision store, one row each, with stable English
columns, and whether its finding or fact is still in the batch's tables (yes, no; empty while a batch holds them).
`-o x.sqlite` is a backup instead: the store copied by SQLite's online backup, consistent while the server writes."""
from __future__ import annotations

import io
from pathlib import Path

from ..i18n import said
from ..outputs import decision_store, decisions

COLUMNS = ("id", "at", "who", "kind", "doc", "target", "choice", "reason", "request", "note", "value", "original",
           "raw", "rule", "status", "assignee", "verdict", "applies")


def _stale(outdir: Path, snapshot=None):
    """(doc, target) of events that no longer apply, or None when the tables cannot be read now."""
    if snapshot is not None:
        from ..outputs import pages
        ck = pages.checking_of(snapshot)
        got = pages.decided_for(snapshot, outdir, ck)
        return {(e["doc"], e["target"]) for e in got.no_longer_applies()}
    try:
        from .snapshot import read
        snap = read(outdir)
    except Exception:  # noqa: BLE001 - a batch holds the database: the column stays empty
        return None
    return _stale(outdir, snap)


def frame(outdir, snapshot=None):
    import pandas as pd
    outdir = Path(outdir)
    state = decisions.load(outdir)
    stale = _stale(outdir, snapshot) if state.events else set()
    rows = []
    for e in state.events:
        d, f = e["data"], e["data"].get("finding") or {}
        applies = "" if stale is None or e["kind"] not in ("decision", "correction") else \
            ("no" if (e["doc"], e["target"]) in stale else "yes")
        rows.append({"id": e["id"], "at": e["at"], "who": e["who"], "kind": e["kind"], "doc": e["doc"],
                     "target": e["target"], "choice": d.get("choice", ""), "reason": d.get("reason", ""),
                     "request": d.get("request", ""), "note": d.get("note", ""), "value": d.get("value", ""),
                     "original": d.get("original", ""), "raw": d.get("raw") or f.get("raw", ""),
                     "rule": f.get("rule", ""), "status": d.get("status") or f.get("status", ""),
                     "assignee": d.get("assignee", ""), "verdict": d.get("verdict", ""), "applies": applies})
    return pd.DataFrame(rows, columns=COLUMNS)


def csv_text(outdir, snapshot=None, df=None) -> str:
    from ..outputs.excel import csv_safe
    buf = io.StringIO()
    csv_safe(frame(outdir, snapshot) if df is None else df).to_csv(buf, index=False)
    return buf.getvalue()


def write(outdir, output) -> int:
    """The CSV (UTF-8 with a BOM, for Excel), formula-safe; the number of events written."""
    from ..errors import InputError
    outdir, output = Path(outdir), Path(output)
    if not (outdir / "selfeval.duckdb").is_file() and not decision_store.exists(outdir):
        raise InputError("missing", outdir, said("errors.not_batch_folder"))
    if output.suffix.lower() == ".sqlite":           # a backup: the store itself, copied consistently while in use
        if not decision_store.exists(outdir):
            raise InputError("missing", decision_store.path_in(outdir), said("errors.no_decisions"))
        decision_store.backup(outdir, output)
        return len(decision_store.events(outdir))
    if output.suffix.lower() != ".csv":
        raise InputError("unsupported", output, said("errors.decisions_format"))
    df = frame(outdir)
    output.write_text(csv_text(outdir, df=df), encoding="utf-8-sig")
    return len(df)
