"""What the batch wrote, held in memory: DuckDB lets one process write a database, and a batch holds its file for
the whole run, so the server reads it only between batches, briefly, read-only, and serves that copy meanwhile.

A watcher thread looks at the database file every few seconds; when it changed and no batch holds the folder's
lock (OUTDIR/selfeval.lock names a living process while one runs), it reads the tables anew and swaps the copy
in whole. A batch that starts while the copy is being read waits for it (batch.store retries the open).
"""
from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

POLL = 2.0                   # seconds between looks at the database file


@dataclass
class Snapshot:
    tables: dict                                   # documents, facts, findings (outputs.tables' frames)
    texts: dict                                    # doc → text
    blobs: dict                                    # doc → the stored result (pipeline.to_stored)
    warnings: object                               # path, doc, code, message
    errors: object                                 # path, kind, cause
    meta: dict
    stamp: tuple                                   # the database file's (mtime, size) when read
    loaded: float = field(default_factory=time.time)
    _results: dict = field(default_factory=dict, repr=False)
    rechecked: dict = field(default_factory=dict, repr=False)     # outputs.decisions.corrected's cache
    _docs: dict = field(default_factory=dict, repr=False)

    def of(self, doc: str) -> dict:
        """One report's documents, facts and findings (keyed), cut from the whole tables once."""
        if doc not in self._docs:
            from ..outputs.decisions import keyed
            got = {k: v[v["doc"] == doc].reset_index(drop=True) for k, v in self.tables.items()}
            got["findings"] = keyed(got["findings"])
            self._docs[doc] = got
        return self._docs[doc]

    scheme: object = None                          # the scheme the batch read with: the result is made again by it

    def result(self, doc: str):
        """The stored result of a report (for checking it again on corrected values), or None."""
        from ..pipeline import from_stored
        if doc not in self._results:
            blob = self.blobs.get(doc)
            try:
                self._results[doc] = from_stored(blob, self.scheme) if blob else None
            except ValueError:          # not data this version stored: no re-check, said on the page
                self._results[doc] = None
        return self._results[doc]


def stamp(outdir: Path) -> tuple:
    got = []
    for name in ("selfeval.duckdb", "selfeval.duckdb.wal"):
        try:
            st = os.stat(outdir / name)
            got.append((st.st_mtime_ns, st.st_size))
        except FileNotFoundError:
            got.append(None)
    return tuple(got)


def batch_pid(outdir: Path) -> int | None:
    """The pid of the batch writing the folder now, from its lock file; None when none runs."""
    try:
        text = (outdir / "selfeval.lock").read_text().strip()
        pid = int(text) if text else None
    except (OSError, ValueError):
        return None
    if pid is None:
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        pass
    return pid


def read(outdir: Path) -> Snapshot:
    """The tables, texts and stored results, in one read-only connection held as briefly as the reading takes."""
    import duckdb
    from ..outputs import tables
    before = stamp(outdir)
    con = duckdb.connect(str(outdir / "selfeval.duckdb"), read_only=True)
    try:
        frames = {name: tables.typed(con.execute(f"SELECT * FROM {name} ORDER BY doc, rowid").df(), name)
                  for name in ("documents", "facts", "findings")}
        texts = dict(con.execute("SELECT doc, text FROM texts").fetchall())
        blobs = {doc: blob for doc, blob in con.execute("SELECT doc, result FROM files WHERE status = 'ok'").fetchall()}
        warnings = con.execute("SELECT w.path, f.doc, w.code, w.message FROM warnings w JOIN files f ON f.path = w.path "
                               "ORDER BY w.path, w.rowid").df()
        errors = con.execute("SELECT path, kind, cause FROM errors ORDER BY path").df()
        meta = dict(con.execute("SELECT key, value FROM meta").fetchall())
    finally:
        con.close()
    snap = Snapshot(frames, texts, blobs, warnings, errors, meta, before)
    from ..checks.report import checking_setup
    snap.scheme = checking_setup(meta.get("rule_paths", ""), meta.get("scheme_path", ""))[1]
    return snap


class Data:
    """The current snapshot of OUTDIR, kept fresh by a watcher thread."""

    def __init__(self, outdir: Path):
        self.outdir = Path(outdir)
        self.snapshot: Snapshot | None = None
        self.error: str | None = None
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.refresh()

    def refresh(self) -> bool:
        """Read the database again if it changed and no batch holds it; True when a new copy came in."""
        with self.lock:
            now = stamp(self.outdir)
            if self.snapshot is not None and now == self.snapshot.stamp:
                return False
            if batch_pid(self.outdir) is not None:
                return False
            try:
                got = read(self.outdir)
            except Exception as e:  # noqa: BLE001 - locked by a batch just starting, or half-made: next look
                self.error = str(e).splitlines()[0] if str(e) else type(e).__name__
                return False
            self.snapshot, self.error = got, None
            return True

    def watch(self):
        def loop():
            while not self.stop.wait(POLL):
                self.refresh()
        threading.Thread(target=loop, name="selfeval-snapshot", daemon=True).start()

    def running(self) -> int | None:
        return batch_pid(self.outdir)
