"""Draft feedback memos (督导评估反馈意见) for the inspector to edit lightly and send, as Word files.

One memo per report, `反馈意见-<district>-<year>.docx` (report.py), and one summary across the reports,
`汇总反馈意见.docx` (summary.py). Every sentence is from the catalog's memo sections, every number from the findings
and from the verdict checks stored on the report's row; nothing is written that the findings do not support. Report
text goes in as plain runs; file names made from report content pass the one sanitizer (extractor.paths) and every
path is checked to resolve inside the output folder.

Reads a batch's output folder or DuckDB file (with the report texts for quoting whole sentences), an .xlsx
workbook or a Parquet folder of the tables.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

from ...errors import InputError
from ...i18n import said
from ...ids import district
from ...paths import inside, safe_name
from .. import tables
from .common import s, w, year
from .report import memo_document
from .summary import summary_document

MANIFEST = "memos.json"
SITE_SCRIPT = "memos.js"


def _rules() -> dict:
    from ...checks.rules import load_rules
    return {r["id"]: r for r in load_rules().rules}


def _duplicates(docs: list) -> dict:
    """doc → {other doc: (district, title)} of the reports it is a duplicate submission of, or that duplicate it."""
    by = {d["doc"]: d for d in docs}
    out = {}
    for d in docs:
        first = s(d.get("duplicate_of"))
        if first in by:
            out.setdefault(d["doc"], {})[first] = (district(by[first]), s(by[first].get("title")))
            out.setdefault(first, {})[d["doc"]] = (district(d), s(d.get("title")))
    return out


def _decided(src: Path, t: dict):
    """The inspectors' decisions kept beside a batch's database (selfeval serve), or None."""
    from .. import decisions
    db = src / "selfeval.duckdb" if src.is_dir() else src
    return decisions.from_folder(db, t) if db.suffix.lower() == ".duckdb" and db.is_file() else None


def _rows(df) -> list:
    return df.to_dict("records")


def write_memos(source, out_dir=None, docs=None, summary: bool = True) -> dict:
    """Write one memo per report (or the reports `docs` names) and the summary into out_dir (default:
    SOURCE/memos for a batch folder). Returns {"memos": {doc: path}, "summary": path or None, "problems": {doc: n}};
    memos.json in out_dir maps each document id to its memo."""
    src = Path(source)
    t = tables.read_source(src)
    out = Path(out_dir) if out_dir is not None else (src if src.is_dir() else src.parent) / "memos"
    if out.exists() and not out.is_dir():
        raise InputError("invalid-output", out, said("errors.not_a_folder"))
    out.mkdir(parents=True, exist_ok=True)
    decided = _decided(src, t)
    if decided is not None:        # dismissed findings dropped, corrected values checked again, verdicts with them
        t = {**t, "findings": decided.effective(), "documents": decided.verdict_tables(t)["documents"]}
    documents = _rows(t["documents"])
    if docs:
        unknown = [x for x in docs if x not in {d["doc"] for d in documents}]
        if unknown:
            raise InputError("missing", src, said("errors.no_document", docs=", ".join(unknown)))
    chosen = [d for d in documents if not docs or d["doc"] in docs]
    findings = {}
    for f in _rows(t["findings"]):
        findings.setdefault(f["doc"], []).append(f)
    rules, dupes = _rules(), _duplicates(documents)
    taken = {w("summary_file_name", "memo_summary").lower() + ".docx", MANIFEST}
    before = _manifest(out)
    if docs:            # the other reports keep their memos and names
        taken |= {name.lower() for doc, name in before.items() if doc not in set(docs)}
    result = {"memos": {}, "summary": None, "problems": {}}
    for d in chosen:
        fs = _local(findings.get(d["doc"], []), d)
        asked = decided.asked(d["doc"]) if decided is not None else ()
        document, n = memo_document(d, fs, t["texts"].get(d["doc"], ""), rules, dupes.get(d["doc"]), asked)
        stem = re.sub(r"-{2,}", "-", w("file_name", county=district(d), year=year(d))).strip("-")
        path = inside(out, safe_name(stem, taken, suffix=".docx"))
        document.save(str(path))
        result["memos"][d["doc"]], result["problems"][d["doc"]] = path, n
    if summary and chosen:
        n_errors = len(t["errors"]) if "errors" in t else 0
        sdoc = summary_document(chosen, findings, rules, n_errors)
        path = inside(out, w("summary_file_name", "memo_summary") + ".docx")
        sdoc.save(str(path))
        result["summary"] = path
    _write_manifest(out, t, result, before, docs)
    return result


def _local(findings: list, d: dict) -> list:
    """A part of a compilation: its findings' offsets made local to its text, which begins at part_start."""
    base = d.get("part_start")
    base = 0 if base is None or base != base or str(base) == "<NA>" else int(base)
    if not base:
        return findings
    return [{**f, "start": f["start"] - base if f.get("start") is not None else None,
             "end": f["end"] - base if f.get("end") is not None else None} for f in findings]


def _write_manifest(out: Path, t: dict, result: dict, before: dict, docs):
    names = {doc: p.name for doc, p in result["memos"].items()}
    if docs:
        names = {**{k: v for k, v in before.items() if k not in names}, **names}
    for doc, name in before.items():        # memos of reports no longer in the source, or renamed
        if name not in names.values() and name.endswith(".docx"):
            old = inside(out, safe_name(name[:-len(".docx")], set(), suffix=".docx"))
            if old.name == name and old.is_file():
                old.unlink()
    inside(out, MANIFEST).write_text(json.dumps(names, ensure_ascii=False, indent=1), encoding="utf-8")
    # The same map as a script, for the review site's pages (file:// pages read no JSON): each links its
    # memo when the memo was made from the same file (an id reassigned since names another report).
    paths = dict(zip(t["documents"]["doc"], t["documents"]["path"])) if "path" in t["documents"] else {}
    site = {doc: {"memo": name, "path": s(paths.get(doc))} for doc, name in names.items()}
    inside(out, SITE_SCRIPT).write_text(f"window.selfevalMemos = {json.dumps(site, ensure_ascii=False)};\n",
                                        encoding="utf-8")


def _manifest(out: Path) -> dict:
    try:
        m = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in m.items()} if isinstance(m, dict) else {}
