"""What a batch does with files read and with stored results: files saved together are stored as if saved one by
one; a re-check shared out between helper processes gives what one process gives."""
import datetime as dt

import pytest

from conftest import EVAL

from extractor.batch import work
from extractor.batch.store import Read, Store, Unread
from extractor.checks.rules import load_rules
from extractor.text.schemes import load_scheme

DOCS = sorted((EVAL / "docs").iterdir())[:3]


@pytest.fixture(scope="module")
def read():
    """Each document as a worker returns it: ("ok", rel, rows, texts, blobs, minhashes)."""
    reader = work.Reader(None, [], "auto", None)      # the language this process has
    got = [reader.read(str(p), p.name) for p in DOCS]
    assert all(g[0] == "ok" for g in got)
    return got


def _reports(got):
    """(doc, part, rows, text, blob, minhash) of each report of a worker's result, under the id the worker gave it."""
    _, _, rows, texts, blobs, minhashes = got
    out = []
    for d, text, blob, minhash in zip(rows["documents"], texts, blobs, minhashes):
        mine = {name: [r for r in rs if r["doc"] == d["doc"]] for name, rs in rows.items()}
        out.append((d["doc"], d.get("part"), mine, text, blob, minhash))
    return out


def _tables(store) -> dict:
    names = [r[0] for r in store.con.execute("SELECT table_name FROM information_schema.tables").fetchall()]
    return {n: store.con.execute(f"SELECT * FROM {n} ORDER BY rowid").fetchall() for n in sorted(names)
            if n not in ("runs", "meta")}


def test_files_saved_together_are_stored_as_one_by_one(read, tmp_path):
    key = {"version": "test", "read_key": "k"}
    at = dt.datetime(2024, 5, 1, 12, 0, 0)
    files = [Read(f"a/{g[1]}", {**key, "sha256": f"s{i}"}, _reports(g)) for i, g in enumerate(read)]
    lost = Unread("b/lost.pdf", {**key, "sha256": "x"}, "lost", "timeout", "ran out of time", 60.0, at)
    # the second file read again: its old rows go, as when saved alone
    done = [files[0], lost, files[1], files[2]]
    one, together = Store(tmp_path / "one.duckdb"), Store(tmp_path / "together.duckdb")
    try:
        for s in (one, together):
            s.save_file(files[1].path, files[1].key, files[1].reports, 1)      # what an earlier run stored
        for f in done:
            if isinstance(f, Read):
                one.save_file(f.path, f.key, f.reports, 2)
            else:
                one.save_files([f], 2)
        together.save_files(done, 2)
        want, got = _tables(one), _tables(together)
        assert got == want
        assert len(got["files"]) == 4 and len(got["errors"]) == 1 and got["facts"]
        assert [r[0] for r in got["files"]] == ["a/" + read[0][1], "b/lost.pdf", "a/" + read[1][1], "a/" + read[2][1]]
        assert together.doc_paths()["lost"] == {"b/lost.pdf"}
    finally:
        one.close()
        together.close()


def test_a_recheck_in_helpers_equals_one_in_this_process(read, monkeypatch):
    scheme, ruleset = load_scheme(None), load_rules()
    items = [(d, blob) for g in read for d, blob in zip([r["doc"] for r in g[2]["documents"]], g[4])]
    items.insert(1, ("junk", b"not a stored result"))
    alone = work.recheck(items, scheme, ruleset)
    assert alone[1] is None and all(rows for i, rows in enumerate(alone) if i != 1)
    monkeypatch.setattr(work, "RECHECK_ALONE", 1)
    monkeypatch.setattr(work, "RECHECK_CHUNK", 2)            # several chunks, their order kept
    assert work.recheck_all(items, scheme, ruleset, 2, (None, [], None)) == alone


def _fails(x):
    raise ValueError(f"bad {x}")


@pytest.mark.slow                       # a worker process started, and one lost (os._exit)
def test_a_worker_does_other_work_says_its_error_or_is_found_lost(tmp_path):
    """_Pool.call: the workbook is written by a worker once reading is done; an error it raises is raised in the
    batch, and a worker lost on the way is reported as such (the batch then does the work itself)."""
    import os
    from extractor.batch.run import _Pool
    pool = _Pool(1, (None, [], "auto", None, os.getpid()), 60.0, 1)
    try:
        while not pool.free():
            assert pool.poll(0.2) == []
        call = pool.call(os.makedirs, str(tmp_path / "made"))
        assert call.done() and (tmp_path / "made").is_dir()
        call = pool.call(_fails, 3)
        with pytest.raises(RuntimeError, match="bad 3"):
            call.done()
        assert pool.free()
        assert not pool.call(os._exit, 1).done()            # the worker gone: nothing waits for ever
    finally:
        pool.close(kill=True)
