"""The static review site: HTML an inspector opens in a browser, no server needed, rendered from the same templates
and page contents as the review server (outputs/pages.py, outputs/templates/), for reading only (no forms).

index.html starts with a summary (verdict counts that filter the table, districts, links to each chart and to the
files that could not be read), then the reports (sorted, filtered and paged by assets/index.js), the charts of the
key indicators and the unreadable files. One page per report shows its findings, failures first, and its text with
every fact highlighted and its page number for paged input.

Every page carries a Content-Security-Policy: only the site's own files under assets/ load. Report text is escaped
by the templates' environment, the one escaping choke point. All words come from the message catalog.
"""
from __future__ import annotations

import functools
import hashlib
import json
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote

from .. import data, i18n
from . import pages, templating

ASSETS = Path(__file__).resolve().parent / "assets"
# Nothing in a page may load or run except the site's own files under review/assets/ (and the memos' script).
CSP = ("default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; "
       "base-uri 'none'; form-action 'none'")
MANIFEST = ".pages.json"       # page → hash of what it shows: a page whose inputs are unchanged is not rendered again
# The batch's memos (selfeval memo, batch --memo) beside the site: a report's page links its memo when
# memos.js there names one for the same file, whenever the memos were written.
MEMOS = "../../memos/"


def _write(folder: Path, rel: str, text: str):
    """Write a page only inside the site's folder (paths come from report content), replacing it whole."""
    from ..paths import inside
    target = inside(folder, rel)
    tmp = target.with_name(f".{target.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, target)


def write_site(store, folder: Path, ruleset=None, decided=None, tables: dict | None = None) -> dict:
    """Bring the site in `folder` up to date with the batch's database: a report's page is rendered again only when
    something it shows changed, pages of documents no longer there are removed, index.html is always written.
    decided (outputs.decisions): the inspectors' decisions, shown with the verdicts they make; tables: the
    database's tables as store.table read them, when the caller has them. Returns counts."""
    with i18n.held():
        return _write_site(store, folder, ruleset, decided, tables)


def _write_site(store, folder: Path, ruleset, decided, tables) -> dict:
    from ..paths import safe_name
    from .sitedata import read_from
    snap = read_from(store.con, tables=tables)
    ck = _checking(ruleset, snap)
    decided = decided if decided is not None else pages.decided_for(snap, folder.parent, ck)
    on = bool(decided.state.events)
    _assets(folder)
    docs = list(snap.tables["documents"]["doc"])
    taken = set()
    names = {doc: f"docs/{safe_name(doc, taken)}.html" for doc in docs}

    def url(doc, up=""):
        return up + quote(names[doc])
    keys = _page_keys(snap, decided, on)
    before = _manifest(folder)
    todo = [d for d in docs if before.get(names[d]) != keys[d] or not (folder / names[d]).exists()]
    with ThreadPoolExecutor(4) as disk:          # a page's rename waits on the disk; the next page is made meanwhile
        written = [disk.submit(_write, folder, names[doc], _report(snap, doc, decided, ck, on)) for doc in todo]
        for w in written:
            w.result()
    removed = _remove_stale(folder, set(names.values()))
    ctx = pages.index(snap, decided, ck, url, decisions_on=on)
    _write(folder, "index.html", templating.render("index.html", **_static(ctx, "", i18n.t("site.index_title"))))
    _write(folder, MANIFEST, json.dumps({names[d]: keys[d] for d in docs}, ensure_ascii=False, sort_keys=True))
    return {"pages": len(names), "rendered": len(todo), "removed": removed}


def _checking(ruleset, snap):
    if ruleset is None:
        return pages.checking_of(snap)
    from .tables import rule_titles
    return pages.Checking(ruleset, snap.scheme, {r["id"]: r for r in ruleset.rules}, rule_titles(ruleset))


def _static(ctx: dict, up: str, title: str) -> dict:
    """What every page of the static site is given besides its contents: read only, no one signed in."""
    return {"csp": CSP, "up": up, "title": title, "user": None, "csrf": "", "editable": False, "notices": [],
            "error": None, "page_id": None, "memos_folder": "", **ctx}


def _report(snap, doc, decided, ck, on: bool) -> str:
    ctx = pages.described(pages.report(snap, doc, decided, ck, decisions_on=on, editable=False), ck)
    return templating.render("report.html", **{**_static(ctx, "../", doc), "index_url": "../index.html",
                                               "memos_folder": MEMOS})


def _assets(folder: Path):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "docs").mkdir(exist_ok=True)
    (folder / "assets").mkdir(exist_ok=True)
    for f in ASSETS.iterdir():
        _write(folder, f"assets/{f.name}", f.read_text(encoding="utf-8"))


def _manifest(folder: Path) -> dict:
    try:
        got = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return got if isinstance(got, dict) else {}


def _remove_stale(folder: Path, kept: set) -> int:
    """Pages of documents that left the folder or changed id, and files a stopped run left half-written."""
    n = 0
    for f in (folder / "docs").iterdir():
        if f"docs/{f.name}" not in kept:
            f.unlink()
            n += not f.name.startswith(".")
    return n


@functools.lru_cache(maxsize=None)
def _code_key() -> str:
    """The code, templates and words a page is made with: a new version of any renders every page again."""
    from .. import __version__
    h = hashlib.blake2b(__version__.encode(), digest_size=16)
    for f in (Path(__file__), Path(pages.__file__), Path(templating.__file__), Path(i18n.__file__),
              *sorted(templating.TEMPLATES.glob("*.html")), data.PATTERNS_DIR / "tables.yaml",
              data.PATTERNS_DIR / "verdicts.yaml", *sorted((data.PATTERNS_DIR / "messages").glob("*.yaml"))):
        h.update(f.read_bytes())
    return h.hexdigest()


def _row_hashes(df) -> dict:
    """doc → the bytes of its rows' hashes, in order (pandas hashes every column, vectorised)."""
    import pandas as pd
    if not len(df):
        return {}
    h = pd.util.hash_pandas_object(df, index=False).to_numpy()
    return {doc: h[idx].tobytes() for doc, idx in df.groupby("doc", sort=False).indices.items()}


def _page_keys(snap, decided, on: bool) -> dict:
    """doc → a hash of everything its page shows: the document's row, facts, findings with their decisions, text,
    reading warnings, the language, and the code and words that render it."""
    tables = snap.tables
    row_h = {name: _row_hashes(tables[name]) for name in ("documents", "facts")}
    finding_h = _row_hashes(decided.findings.drop(columns=["key"], errors="ignore"))
    said = {}
    for doc, message in zip(snap.warnings["doc"].tolist(), snap.warnings["message"].tolist()):
        said.setdefault(doc, []).append(message)
    history = {d for d, _ in decided.state.history} if on else set()
    base = f"{_code_key()}|{i18n.lang()}|{on}|".encode()
    keys = {}
    for doc in tables["documents"]["doc"]:
        h = hashlib.blake2b(base, digest_size=16)
        for part in (row_h["documents"].get(doc, b""), row_h["facts"].get(doc, b""), finding_h.get(doc, b""),
                     hashlib.md5(snap.texts.get(doc, "").encode("utf-8", "replace")).digest(),
                     repr(said.get(doc, [])).encode(), repr(doc in history).encode()):
            h.update(part + b"\x00")
        keys[doc] = h.hexdigest()
    return keys
