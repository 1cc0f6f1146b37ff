"""The inspectors' decisions on a batch's findings: OUTDIR/decisions.sqlite, apart from the batch's DuckDB.

DuckDB takes one writing process, and a batch holds it for its whole run; the decisions live in SQLite in WAL
mode instead, so the review server writes them while a batch runs and a batch (or `selfeval memo`) reads them
while the server writes, neither waiting for more than a moment. Every change is an event appended with who and
when (triggers refuse UPDATE and DELETE), so the history of every finding stays and nothing is overwritten;
what holds now is folded from the events by outputs.decisions.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import json
import sqlite3
import threading
from pathlib import Path

FILE = "decisions.sqlite"
KINDS = ("decision", "correction", "status", "verdict")
BUSY_MS = 10_000            # a writer waits this long for another's commit (each holds the lock for milliseconds)
_SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at TEXT NOT NULL,
  who TEXT NOT NULL,
  kind TEXT NOT NULL,
  doc TEXT NOT NULL,
  target TEXT NOT NULL,
  data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_doc ON events(doc, id);
CREATE TRIGGER IF NOT EXISTS events_no_update BEFORE UPDATE ON events
  BEGIN SELECT RAISE(ABORT, 'decisions are append-only'); END;
CREATE TRIGGER IF NOT EXISTS events_no_delete BEFORE DELETE ON events
  BEGIN SELECT RAISE(ABORT, 'decisions are append-only'); END;
"""


def path_in(outdir) -> Path:
    return Path(outdir) / FILE


def exists(outdir) -> bool:
    return path_in(outdir).is_file()


@contextlib.contextmanager
def connect(outdir, create: bool = False):
    """A short-lived connection (one per request or read): SQLite connections are cheap and not shared between
    threads. Without `create`, a folder with no decisions gives None (nothing to read)."""
    p = path_in(outdir)
    if not create and not p.is_file():
        yield None
        return
    con = sqlite3.connect(str(p), timeout=BUSY_MS / 1000, isolation_level=None)
    try:
        con.execute(f"PRAGMA busy_timeout = {BUSY_MS}")
        if create:
            con.execute("PRAGMA journal_mode = WAL")       # readers never block the writer, nor it them
            con.execute("PRAGMA synchronous = FULL")       # a decision acknowledged is on disk
            con.executescript(_SCHEMA)
        yield con
    finally:
        con.close()


_writers: dict = {}               # store path → (connection, lock): one writing connection per process and store
_writers_lock = threading.Lock()


def _writer(outdir):
    """This process's writing connection to the store, made once: opening and closing one per event cost a WAL
    checkpoint each time (30 ms an event here, against a few ms)."""
    key = str(path_in(outdir).resolve())
    with _writers_lock:
        if key not in _writers or not path_in(outdir).is_file():
            with connect(outdir, create=True):
                pass                                       # the file, WAL mode and the schema
            con = sqlite3.connect(key, timeout=BUSY_MS / 1000, isolation_level=None, check_same_thread=False)
            con.execute(f"PRAGMA busy_timeout = {BUSY_MS}")
            con.execute("PRAGMA synchronous = FULL")       # a decision acknowledged is on disk
            _writers[key] = (con, threading.Lock())
        return _writers[key]


def append(outdir, who: str, kind: str, doc: str, target: str, data: dict) -> int:
    """One event, committed (and on disk) before this returns; its id."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind of decision: {kind}")
    at = dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds")
    con, lock = _writer(outdir)
    with lock:
        cur = con.execute("INSERT INTO events (at, who, kind, doc, target, data) VALUES (?, ?, ?, ?, ?, ?)",
                          [at, who, kind, doc, target, json.dumps(data, ensure_ascii=False, sort_keys=True)])
        return cur.lastrowid


def events(outdir, doc: str | None = None) -> list[dict]:
    """Every event (of one report), oldest first; [] where no decision was ever made."""
    with connect(outdir) as con:
        if con is None:
            return []
        sql = "SELECT id, at, who, kind, doc, target, data FROM events"
        rows = con.execute(sql + (" WHERE doc = ? ORDER BY id" if doc is not None else " ORDER BY id"),
                           [doc] if doc is not None else []).fetchall()
    return [{"id": i, "at": at, "who": who, "kind": kind, "doc": d, "target": target, "data": json.loads(data)}
            for i, at, who, kind, d, target, data in rows]


def backup(outdir, to) -> Path:
    """A consistent copy of the store while it is in use (SQLite's online backup), for the office's backups."""
    to = Path(to)
    with connect(outdir) as con:
        if con is None:
            raise FileNotFoundError(path_in(outdir))
        dest = sqlite3.connect(str(to))
        try:
            con.backup(dest)
        finally:
            dest.close()
    return to
