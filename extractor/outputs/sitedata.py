"""What a batch wrote, as the review site shows it: the tables, the texts, the reading warnings and errors, the stored
results and the batch's meta, read through one DuckDB connection (the batch's own when it writes the static site,
a brief read-only one in the review server), each report's rows cut out once."""
from __future__ import annotations

import time
from dataclasses import dataclass, field


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
    _index: dict = field(default_factory=dict, repr=False)
    scheme: object = None                          # the scheme the batch read with: a result is made again by it
    _rows: dict = field(default_factory=dict, repr=False)
    _warned: dict = field(default_factory=dict, repr=False)

    def rows(self, name: str, doc: str) -> list:
        """One report's rows of a table as records (decisions._records of its slice), each table turned once: a site
        of many reports asks for every one."""
        if name not in self._rows:
            from .decisions import records_by_doc
            self._rows[name] = records_by_doc(self.tables[name])
        return self._rows[name].get(doc, [])

    def warnings_of(self, doc: str) -> list:
        """One report's reading warnings (rows of `warnings` as named tuples), grouped once."""
        if not self._warned and len(self.warnings):
            for w in self.warnings.itertuples():
                self._warned.setdefault(w.doc, []).append(w)
        return self._warned.get(doc, [])

    def of(self, doc: str) -> dict:
        """One report's documents, facts and findings (keyed), cut from the whole tables, which are grouped once."""
        if doc not in self._docs:
            from .decisions import keyed
            if not self._index:
                self._index.update({k: v.groupby("doc", sort=False).indices for k, v in self.tables.items()})
            got = {k: v.iloc[self._index[k].get(doc, [])].reset_index(drop=True) for k, v in self.tables.items()}
            got["findings"] = keyed(got["findings"])
            self._docs[doc] = got
        return self._docs[doc]

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


SHOWN = ("documents", "facts", "findings")


def read_from(con, stamp: tuple = (), tables: dict | None = None) -> Snapshot:
    """Everything the site shows, from a connection to the batch's database; `tables`: the SHOWN tables as the
    caller read them already from the same connection (each ordered by doc, rowid, and typed)."""
    from .tables import typed
    frames = {name: tables[name] if tables is not None else
              typed(con.execute(f"SELECT * FROM {name} ORDER BY doc, rowid").df(), name) for name in SHOWN}
    texts = dict(con.execute("SELECT doc, text FROM texts").fetchall())
    blobs = {doc: blob for doc, blob in con.execute("SELECT doc, result FROM files WHERE status = 'ok'").fetchall()}
    warnings = con.execute("SELECT w.path, f.doc, w.code, w.message, w.message_key, w.message_params FROM warnings w "
                           "JOIN files f ON f.path = w.path "
                           "ORDER BY w.path, w.rowid").df()
    errors = con.execute("SELECT path, kind, cause, message_key, message_params FROM errors ORDER BY path").df()
    meta = dict(con.execute("SELECT key, value FROM meta").fetchall())
    snap = Snapshot(frames, texts, blobs, warnings, errors, meta, stamp)
    from ..checks.report import checking_setup
    snap.scheme = checking_setup(meta.get("rule_paths", ""), meta.get("scheme_path", ""))[1]
    return snap
