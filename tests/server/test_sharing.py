"""The batch and the server share an output folder: neither waits for the other for more than a moment."""
import shutil
import subprocess
import sys
import time

from extractor.batch.store import Store
from extractor.outputs import decision_store, decisions
from extractor.server.snapshot import Data, batch_pid


def test_a_batch_opening_the_database_waits_for_a_reader_rather_than_failing(seed_batch, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(seed_batch, out)
    holder = subprocess.Popen([sys.executable, "-c", (
        "import duckdb, sys, time; con = duckdb.connect(sys.argv[1], read_only=True); print('held', flush=True); "
        "time.sleep(3); con.close()"), str(out / "selfeval.duckdb")], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        t0 = time.monotonic()
        store = Store(out / "selfeval.duckdb")             # as a batch opens it
        waited = time.monotonic() - t0
        store.close()
    finally:
        holder.wait(30)
    assert 1.0 < waited < 30                             # it waited out the reader, and got the database


def test_the_server_keeps_its_copy_while_a_batch_holds_the_folder(seed_batch, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(seed_batch, out)
    data = Data(out)
    first = data.snapshot
    assert first is not None and batch_pid(out) is None
    store = Store(out / "selfeval.duckdb")               # a batch at work: the lock names it, the database is held
    (out / "selfeval.lock").write_text(f"{__import__('os').getpid()}\n")
    try:
        store.set_meta("touched", "yes")
        store.con.execute("CHECKPOINT")
        decision_store.append(out, "wang", "decision", "d", "k", decisions.decision_data("holds", ""))
        assert batch_pid(out) is not None and data.refresh() is False and data.snapshot is first
    finally:
        store.close()
        (out / "selfeval.lock").write_text("")
    assert data.refresh() is True and data.snapshot is not first and data.snapshot.meta["touched"] == "yes"
    assert len(decision_store.events(out)) == 1
