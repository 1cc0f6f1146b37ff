"""The batch's embedded DuckDB database: the four tables plus files, texts, errors, runs, submissions, meta.

Every change is one transaction (the files read in the last moment, the sync with the folder, a re-check, the
ids), so a batch stopped at any point, even by SIGKILL, leaves a readable database that the next run completes
(reading again what it had not saved).
Files are keyed by their path relative to the folder given to `batch`; document ids may change (they
depend on the set of files), so `files` maps each path to its current id. A file that holds several reports
(a compilation) has a `files` row per report, numbered by `part`, with the file's sha256 and status on each:
it is read, replaced and removed as one.
"""
from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass

from ..i18n import stored
from ..outputs import tables

SCHEMA = "5"          # a database of another schema is rebuilt: every file is read again
EXTRA = {
    "files": ("path VARCHAR, doc VARCHAR, sha256 VARCHAR, version VARCHAR, read_key VARCHAR, status VARCHAR, "
              "kind VARCHAR, time_limit DOUBLE, result BLOB, minhash BLOB, run_id BIGINT, part BIGINT"),
    # a cause as English text (for SQL), and as its catalog key and JSON parameters (what people are shown)
    "errors": ("run_id BIGINT, path VARCHAR, doc VARCHAR, kind VARCHAR, cause VARCHAR, recorded_at TIMESTAMP, "
               "message_key VARCHAR, message_params VARCHAR"),
    "runs": ("run_id BIGINT, started TIMESTAMP, finished TIMESTAMP, status VARCHAR, input VARCHAR, jobs BIGINT, "
             "files_seen BIGINT, processed BIGINT, unchanged BIGINT, failed BIGINT, unsupported BIGINT, "
             "removed BIGINT, moved BIGINT, rechecked BIGINT, facts BIGINT, seconds DOUBLE, version VARCHAR"),
    "texts": "doc VARCHAR, text VARCHAR",
    "submissions": ("path VARCHAR, sha256 VARCHAR, doc VARCHAR, first_seen TIMESTAMP, last_seen TIMESTAMP, "
                    "withdrawn_at TIMESTAMP"),
    "meta": "key VARCHAR, value VARCHAR",
    # what a reader could read only in part (damaged PDF pages): a stable code, the English message as stored
    "warnings": "path VARCHAR, code VARCHAR, message VARCHAR, run_id BIGINT, message_key VARCHAR, message_params VARCHAR",
}
DOC_TABLES = tables.TABLES + ("texts",)
# Findings made across the folder's documents (duplicates, trends over a district's years): remade whole
# each run, never with one document's rules.
ACROSS_DOCUMENTS = "(rule LIKE 'batch.%' OR rule = 'cross-year')"


OPEN_WAIT = 30.0       # seconds: the review server reads the database between batches, for a moment


def _connect(path):
    """The database for writing; while a reader (`selfeval serve` refreshing its copy) holds the file, wait a
    moment and try again rather than fail (i32)."""
    import time
    import duckdb
    deadline = time.monotonic() + OPEN_WAIT
    while True:
        try:
            return duckdb.connect(str(path))
        except duckdb.IOException as e:
            if "lock" not in str(e).lower() or time.monotonic() > deadline:
                raise
            time.sleep(0.2)


class Store:
    def __init__(self, path):
        self.path = path
        self.con = _connect(path)
        self._migrate()

    def _migrate(self):
        have = {r[0] for r in self.con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        version = (self.con.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone() or [None])[0] \
            if "meta" in have else None
        whole = set(tables.TABLES) | set(EXTRA) <= have
        if have and (version != SCHEMA or not whole):     # another version's, or a table lost: every file read again
            version = None
            with self.tx():
                for name in set(tables.TABLES) | set(EXTRA):
                    self.con.execute(f"DROP TABLE IF EXISTS {name}")
        tables.create_duckdb_tables(self.con, EXTRA)
        if version != SCHEMA:
            self.set_meta("schema", SCHEMA)

    def close(self):
        self.con.close()

    @contextlib.contextmanager
    def tx(self):
        self.con.execute("BEGIN")
        try:
            yield
            self.con.execute("COMMIT")
        except BaseException:
            self.con.execute("ROLLBACK")
            raise

    def meta(self, key: str, default=None):
        row = self.con.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
        return row[0] if row else default

    def set_meta(self, key: str, value: str):
        self.con.execute("DELETE FROM meta WHERE key = ?", [key])
        self.con.execute("INSERT INTO meta VALUES (?, ?)", [key, value])

    # ----- what is known -----
    def files(self) -> dict:
        cols = ("path", "doc", "sha256", "version", "read_key", "status", "kind", "time_limit")
        rows = self.con.execute(f"SELECT {', '.join(cols)} FROM files").fetchall()
        return {r[0]: dict(zip(cols, r)) for r in rows}

    def doc_taken(self, doc: str, path: str) -> bool:
        return self.con.execute("SELECT count(*) FROM files WHERE doc = ? AND path <> ?", [doc, path]).fetchone()[0] > 0

    def new_run(self, input_dir: str, jobs: int, version: str) -> int:
        rid = self.con.execute("SELECT coalesce(max(run_id), 0) + 1 FROM runs").fetchone()[0]
        self.con.execute("INSERT INTO runs (run_id, started, status, input, jobs, version) VALUES (?, ?, 'running', ?, ?, ?)",
                         [rid, dt.datetime.now(), input_dir, jobs, version])
        return rid

    def finish_run(self, rid: int, status: str, **counts):
        sets = "".join(f", {k} = ?" for k in counts)
        self.con.execute(f"UPDATE runs SET finished = ?, status = ?{sets} WHERE run_id = ?",
                         [dt.datetime.now(), status, *counts.values(), rid])

    # ----- the folder as it is now -----
    def sync(self, present: dict, moves: dict, gone: list, unsupported: list, run_id: int):
        """present: path → sha256 of every report in the folder; moves: old path → new path (same bytes);
        gone: paths no longer there; unsupported: (path, cause). One transaction."""
        now = dt.datetime.now()
        with self.tx():
            for old, new in moves.items():
                self.con.execute("DELETE FROM files WHERE path = ?", [new])
                self.con.execute("DELETE FROM warnings WHERE path = ?", [new])
                self.con.execute("UPDATE files SET path = ? WHERE path = ?", [new, old])
                self.con.execute("UPDATE warnings SET path = ? WHERE path = ?", [new, old])
                self.con.execute("UPDATE documents SET path = ? WHERE path = ?", [new, old])
            for path in gone:
                self._forget(path)
            self.con.execute("DELETE FROM errors WHERE kind = 'unsupported'")
            for path, cause in unsupported:
                self.con.execute("INSERT INTO errors VALUES (?, ?, NULL, 'unsupported', ?, ?, ?, ?)",
                                 [run_id, path, str(cause), now, *stored(cause)])
            # history: a (path, sha256) seen again is extended; one no longer in the folder is withdrawn
            import pandas as pd
            self.con.register("present", pd.DataFrame({"path": list(present), "sha256": list(present.values())},
                                                      dtype="string"))
            self.con.execute("UPDATE submissions SET withdrawn_at = ? WHERE withdrawn_at IS NULL AND NOT EXISTS "
                             "(SELECT 1 FROM present p WHERE p.path = submissions.path AND p.sha256 = submissions.sha256)",
                             [now])
            self.con.execute("UPDATE submissions SET last_seen = ? WHERE withdrawn_at IS NULL", [now])
            self.con.execute("INSERT INTO submissions SELECT p.path, p.sha256, NULL, ?, ?, NULL FROM present p "
                             "WHERE NOT EXISTS (SELECT 1 FROM submissions s WHERE s.path = p.path AND "
                             "s.sha256 = p.sha256 AND s.withdrawn_at IS NULL)", [now, now])
            self.con.unregister("present")

    # ----- files read -----
    def _forget(self, path: str):
        self._forget_all([path])

    def _forget_all(self, paths: list):
        """Every row of these files: their reports' rows (a compilation's every part), errors, warnings, files."""
        docs = [r[0] for r in self.con.execute("SELECT doc FROM files WHERE path IN (SELECT * FROM UNNEST(?)) "
                                               "AND status = 'ok'", [paths]).fetchall()]
        for name in DOC_TABLES if docs else ():             # every report of the files
            self.con.execute(f"DELETE FROM {name} WHERE doc IN (SELECT * FROM UNNEST(?))", [docs])
        self.con.execute("DELETE FROM errors WHERE path IN (SELECT * FROM UNNEST(?)) AND kind <> 'unsupported'", [paths])
        self.con.execute("DELETE FROM warnings WHERE path IN (SELECT * FROM UNNEST(?))", [paths])
        self.con.execute("DELETE FROM files WHERE path IN (SELECT * FROM UNNEST(?))", [paths])

    def save_document(self, path: str, doc: str, key: dict, rows: dict, text: str, result: bytes,
                      minhash: bytes, run_id: int):
        self.save_file(path, key, [(doc, None, rows, text, result, minhash)], run_id)

    def save_file(self, path: str, key: dict, reports: list, run_id: int):
        """reports: (doc, part or None, rows, text, result, minhash) of each report the file holds. The file's
        old rows go, all of its reports come in: one transaction."""
        self.save_files([Read(path, key, reports)], run_id)

    def save_error(self, path: str, doc: str, key: dict, kind: str, cause: str, time_limit, run_id: int):
        self.save_files([Unread(path, key, doc, kind, cause, time_limit, dt.datetime.now())], run_id)

    def doc_paths(self) -> dict:
        """doc → the paths whose files rows hold it (an error's row too): what a provisional id must not take."""
        held = {}
        for doc, path in self.con.execute("SELECT doc, path FROM files").fetchall():
            held.setdefault(doc, set()).add(path)
        return held

    def save_files(self, done: list, run_id: int):
        """Files read (Read) or not (Unread), in the order they came, each path once: each file's old rows go and
        its new ones come in, as if saved one by one, in one transaction of a few statements (a statement costs
        DuckDB milliseconds whatever its rows: per file, they were most of a batch's time)."""
        if not done:
            return
        rows = {name: [] for name in (*tables.TABLES, "texts", "files", "errors", "warnings")}
        for f in done:
            k = f.key
            if isinstance(f, Unread):
                rows["errors"].append([run_id, f.path, f.doc, f.kind, str(f.cause), f.at, *stored(f.cause)])
                rows["files"].append([f.path, f.doc, k["sha256"], k["version"], k["read_key"], "error", f.kind,
                                      f.time_limit, None, None, run_id, None])
                continue
            for doc, part, report, text, result, minhash in f.reports:
                for name in tables.TABLES:
                    rows[name] += report.get(name, [])
                rows["texts"].append([doc, text])
                rows["files"].append([f.path, doc, k["sha256"], k["version"], k["read_key"], "ok", None, None,
                                      result, minhash, run_id, part])
                rows["warnings"] += [[f.path, warning_code(m), str(m), run_id, *stored(m)]
                                     for m in (w["message"] for w in report.get("warnings", ()))]
        with self.tx():
            self._forget_all([f.path for f in done])
            for name in tables.TABLES:
                tables.insert_rows(self.con, name, rows[name])
            for name in ("texts", "files", "errors", "warnings"):
                _insert_values(self.con, name, rows[name])

    # ----- checks and ids, over all documents -----
    def stored_results(self):
        """(path, doc, stored result: pipeline.to_stored) of every document, for checks that need no reading."""
        return self.con.execute("SELECT path, doc, result FROM files WHERE status = 'ok' ORDER BY path").fetchall()

    def replace_findings(self, docs: list, rows: list, rules_key: str):
        """New findings of the rules for these documents, and the rules they were made with: one transaction."""
        import pandas as pd
        with self.tx():
            self.con.register("redo", pd.DataFrame({"doc": docs}, dtype="string"))
            self.con.execute(f"DELETE FROM findings WHERE NOT {ACROSS_DOCUMENTS} AND doc IN (SELECT doc FROM redo)")
            self.con.unregister("redo")
            tables.insert_frame(self.con, "findings", tables.frames({"findings": rows})["findings"])
            self.set_meta("rules", rules_key)

    def id_inputs(self) -> list:
        """What ids and duplicates are decided from, per document (dicts): path, doc, county, city, performance_year,
        years, doc_number, minhash, part, title, issuer, and `seen`, when its bytes were first submitted."""
        cur = self.con.execute(
            "SELECT f.path, f.doc, d.county, d.city, d.performance_year, d.years, d.doc_number, f.minhash, f.part, "
            "d.title, d.issuer, (SELECT min(s.first_seen) FROM submissions s WHERE s.path = f.path "
            "AND s.sha256 = f.sha256) AS seen "
            "FROM files f JOIN documents d ON d.doc = f.doc WHERE f.status = 'ok' ORDER BY f.path, f.part")
        cols = [c[0] for c in cur.description]
        return [dict(zip(cols, r)) for r in cur.fetchall()]

    def set_duplicates(self, duplicate_of: dict):
        """documents.duplicate_of: each duplicate submission names the report that stands for its district."""
        import pandas as pd
        with self.tx():
            self.con.execute("UPDATE documents SET duplicate_of = '' WHERE duplicate_of IS DISTINCT FROM ''")
            if duplicate_of:
                self.con.register("dup", pd.DataFrame({"doc": list(duplicate_of), "of": list(duplicate_of.values())},
                                                      dtype="string"))
                self.con.execute("UPDATE documents SET duplicate_of = dup.of FROM dup WHERE documents.doc = dup.doc")
                self.con.unregister("dup")

    def reconcile(self, renames: dict, batch_findings: list):
        """Give documents their ids and replace the findings made across documents: one transaction."""
        import pandas as pd
        with self.tx():
            if renames:
                self.con.register("ren", pd.DataFrame({"old": list(renames), "new": list(renames.values())},
                                                      dtype="string"))
                for name in DOC_TABLES + ("files",):
                    self.con.execute(f"UPDATE {name} SET doc = ren.new FROM ren WHERE {name}.doc = ren.old")
                self.con.unregister("ren")
            self.con.execute(f"DELETE FROM findings WHERE {ACROSS_DOCUMENTS}")
            tables.insert_frame(self.con, "findings", tables.frames({"findings": batch_findings})["findings"])

    def set_verdicts(self, rows: list, columns) -> bool:
        """Each document's verdict columns (rows: doc and the columns): one transaction; True if any changed."""
        import pandas as pd
        if not rows:
            return False
        new = tables.typed(pd.DataFrame(rows), "documents")[["doc", *columns]]
        self.con.register("verdicts", new)
        try:
            same = "d.doc = v.doc AND " + " AND ".join(f'd."{c}" IS NOT DISTINCT FROM v."{c}"' for c in columns)
            changed = self.con.execute(f"SELECT count(*) FROM verdicts v WHERE NOT EXISTS "
                                       f"(SELECT 1 FROM documents d WHERE {same})").fetchall()[0][0]
            if changed:
                with self.tx():
                    sets = ", ".join(f'"{c}" = v."{c}"' for c in columns)
                    self.con.execute(f"UPDATE documents d SET {sets} FROM verdicts v WHERE d.doc = v.doc")
        finally:
            self.con.unregister("verdicts")
        return bool(changed)

    def name_submissions(self):
        """Each submission in the folder carries its document's current id (a compilation: its parts' ids, by ;)."""
        self.con.execute("UPDATE submissions SET doc = f.docs FROM (SELECT path, sha256, string_agg(doc, ';' ORDER BY part) "
                         "AS docs FROM files WHERE status = 'ok' GROUP BY path, sha256) f WHERE submissions.path = f.path "
                         "AND submissions.sha256 = f.sha256 AND submissions.withdrawn_at IS NULL "
                         "AND submissions.doc IS DISTINCT FROM f.docs")

    # ----- reading back -----
    def warnings(self):
        """Each warning with its file and the file's current document id, in the order the reader said them."""
        return self.frame("SELECT w.path, f.doc, w.code, w.message, w.message_key, w.message_params "
                          "FROM warnings w JOIN files f ON f.path = w.path "
                          "ORDER BY w.path, w.rowid")

    def frame(self, sql: str, params=None):
        return self.con.execute(sql, params or []).df()

    def table(self, name: str):
        order = "doc, rowid" if name in tables.TABLES else "rowid"
        df = self.con.execute(f"SELECT * FROM {name} ORDER BY {order}").df()
        return tables.typed(df, name) if name in tables.TABLES else df


@dataclass(frozen=True)
class Read:
    """A file read: (doc, part or None, rows, text, stored result, minhash) of each report it holds."""
    path: str
    key: dict
    reports: list


@dataclass(frozen=True)
class Unread:
    """A file that could not be read: its id, the kind of error, the cause, the time limit it ran out of, and when."""
    path: str
    key: dict
    doc: str
    kind: str
    cause: object
    time_limit: object
    at: dt.datetime


_ARROW = {"VARCHAR": "string", "BIGINT": "int64", "DOUBLE": "float64", "BLOB": "binary", "TIMESTAMP": "timestamp"}


def _insert_values(con, name: str, rows: list):
    """Append rows (lists in the order of EXTRA's columns) to one of EXTRA's tables: one Arrow table, one statement."""
    if not rows:
        return
    import pyarrow as pa
    cols = [c.strip().split(" ") for c in EXTRA[name].split(",")]
    types = {"string": pa.string(), "int64": pa.int64(), "float64": pa.float64(), "binary": pa.binary(),
             "timestamp": pa.timestamp("us")}
    arrow = pa.table({c: pa.array([r[i] for r in rows], type=types[_ARROW[t]]) for i, (c, t) in enumerate(cols)})
    quoted = ", ".join(f'"{c}"' for c, _ in cols)
    con.register("incoming", arrow)
    try:
        con.execute(f"INSERT INTO {name} ({quoted}) SELECT {quoted} FROM incoming")
    finally:
        con.unregister("incoming")


def warning_code(message) -> str:
    """A reader's warning as a stable English code (pdf-pages-unreadable): the catalog key it was made from (a `_many`
    form has its singular's code); "partial-read" for any other."""
    key = getattr(message, "key", "")
    return key.split(".", 1)[1].removesuffix("_many").replace("_", "-") if key.startswith("errors.") else "partial-read"
