"""What the batch wrote, held in memory: DuckDB lets one process write a database, and a batch holds its file for
the whole run, so the server reads it only between batches, briefly, read-only, and serves that copy meanwhile.

A watcher thread looks at the database file every few seconds; when it changed and no batch holds the folder's
lock (OUTDIR/selfeval.lock names a living process while one runs), it reads the tables anew and swaps the copy
in whole. A batch that starts while the copy is being read waits for it (batch.store retries the open).
"""
from __future__ import annotations

import os
import threading
from pathlib import Path

from ..outputs.sitedata import Snapshot, read_from

POLL = 2.0                   # seconds between looks at the database file


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
    before = stamp(outdir)
    con = duckdb.connect(str(outdir / "selfeval.duckdb"), read_only=True)
    try:
        return read_from(con, before)
    finally:
        con.close()


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
