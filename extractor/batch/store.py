"""The batch's embedded DuckDB database: the four tables plus files, errors, runs and texts.

Each file's rows are written in one transaction, so a batch stopped at any point
leaves a readable database holding every file it finished, and nothing half-written.
"""
from __future__ import annotations

import datetime as dt

from ..outputs import tables

EXTRA = {
    "files": "path VARCHAR PRIMARY KEY, doc VARCHAR, sha256 VARCHAR, version VARCHAR, status VARCHAR, run_id BIGINT",
    "errors": "run_id BIGINT, path VARCHAR, doc VARCHAR, kind VARCHAR, cause VARCHAR, recorded_at TIMESTAMP",
    "runs": ("run_id BIGINT, started TIMESTAMP, finished TIMESTAMP, status VARCHAR, input VARCHAR, jobs BIGINT, "
             "files_seen BIGINT, processed BIGINT, unchanged BIGINT, failed BIGINT, unsupported BIGINT, "
             "facts BIGINT, seconds DOUBLE, version VARCHAR"),
    "texts": "doc VARCHAR, text VARCHAR",
}


class Store:
    def __init__(self, path):
        import duckdb
        self.path = path
        self.con = duckdb.connect(str(path))
        tables.create_duckdb_tables(self.con, EXTRA)

    def close(self):
        self.con.close()

    # ----- what is known -----
    def known(self) -> dict:
        return {p: (sha, ver, doc, status) for p, doc, sha, ver, status in
                self.con.execute("SELECT path, doc, sha256, version, status FROM files").fetchall()}

    def docs_by_sha(self) -> dict:
        out = {}
        for doc, sha, path in self.con.execute(
                "SELECT doc, sha256, path FROM files WHERE status = 'ok'").fetchall():
            out.setdefault(sha, []).append((doc, path))
        return out

    def new_run(self, input_dir: str, jobs: int, version: str) -> int:
        rid = (self.con.execute("SELECT coalesce(max(run_id), 0) + 1 FROM runs").fetchone()[0])
        self.con.execute("INSERT INTO runs (run_id, started, status, input, jobs, version) VALUES (?, ?, 'running', ?, ?, ?)",
                         [rid, dt.datetime.now(), input_dir, jobs, version])
        return rid

    def finish_run(self, rid: int, status: str, **counts):
        sets = ", ".join(f"{k} = ?" for k in counts)
        self.con.execute(f"UPDATE runs SET finished = ?, status = ?{', ' + sets if sets else ''} WHERE run_id = ?",
                         [dt.datetime.now(), status, *counts.values(), rid])

    # ----- one file -----
    def _forget(self, path: str, doc: str):
        for name in tables.TABLES + ("texts",):
            self.con.execute(f"DELETE FROM {name} WHERE doc = ?", [doc])
        self.con.execute("DELETE FROM errors WHERE path = ?", [path])
        self.con.execute("DELETE FROM files WHERE path = ?", [path])

    def save_document(self, path: str, doc: str, sha: str, version: str, rows: dict, text: str, run_id: int):
        frames = tables.frames(rows)
        self.con.execute("BEGIN")
        try:
            self._forget(path, doc)
            for name in tables.TABLES:
                tables.insert_frame(self.con, name, frames[name])
            self.con.execute("INSERT INTO texts VALUES (?, ?)", [doc, text])
            self.con.execute("INSERT INTO files VALUES (?, ?, ?, ?, 'ok', ?)", [path, doc, sha, version, run_id])
            self.con.execute("COMMIT")
        except BaseException:
            self.con.execute("ROLLBACK")
            raise

    def save_error(self, path: str, doc: str, sha: str, version: str, kind: str, cause: str, run_id: int):
        self.con.execute("BEGIN")
        try:
            self._forget(path, doc)
            self.con.execute("INSERT INTO errors VALUES (?, ?, ?, ?, ?, ?)",
                             [run_id, path, doc, kind, cause, dt.datetime.now()])
            self.con.execute("INSERT INTO files VALUES (?, ?, ?, ?, 'error', ?)", [path, doc, sha, version, run_id])
            self.con.execute("COMMIT")
        except BaseException:
            self.con.execute("ROLLBACK")
            raise

    def note_unsupported(self, path: str, cause: str, run_id: int):
        self.con.execute("DELETE FROM errors WHERE path = ?", [path])
        self.con.execute("INSERT INTO errors VALUES (?, ?, NULL, 'unsupported', ?, ?)",
                         [run_id, path, cause, dt.datetime.now()])

    # ----- reading back -----
    def frame(self, sql: str, params=None):
        return self.con.execute(sql, params or []).df()

    def table(self, name: str):
        df = self.con.execute(f"SELECT * FROM {name} ORDER BY rowid").df()
        return tables.typed(df, name) if name in tables.TABLES else df
