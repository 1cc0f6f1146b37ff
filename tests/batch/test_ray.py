"""The batch on a real Ray cluster of two one-CPU nodes on this machine, every node bound to 127.0.0.1: the same
tables as the local engine, also when a node is lost mid-run."""
import os
import shutil
import signal
import subprocess
import sys
import time
import pytest

from conftest import ROOT, SEED, EVAL
from helpers import batch_cli as batch        # a process of its own: Ray's state is the process's, and the test's holds the cluster
from helpers import batch_here, proc_cmdline
from test_faults import COLUMNS, snapshot

pytestmark = pytest.mark.slow          # Ray clusters

os.environ["RAY_USAGE_STATS_ENABLED"] = "0"          # nothing leaves the machine; set before Ray is imported
CORPUS = ROOT / "corpus"


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    """17 reports (text, a PDF, a DOCX, a one-page scan) and a file that is no report, for an error row."""
    d = tmp_path_factory.mktemp("ray") / "in"
    (d / "sub").mkdir(parents=True)
    for p in sorted((EVAL / "docs").iterdir()):
        shutil.copy(p, d / p.name)
    text = SEED.read_text(encoding="utf-8")
    for i, place in enumerate(("向阳区", "工农区", "南山区", "东山区", "兴山区", "萝北县", "绥滨县", "兴安区")):
        (d / "sub" / f"r{i}.md").write_text(text.replace("兴安区", place).replace("2394万元", f"{2400 + i}万元"),
                                            encoding="utf-8")
    for name in ("xingan-2024.pdf", "xingan-2024.docx", "xingan-2024-p3.png"):
        shutil.copy(CORPUS / name, d / name)
    (d / "empty.txt").write_bytes(b"")
    return d


@pytest.fixture(scope="module")
def local(reports, tmp_path_factory):
    out = tmp_path_factory.mktemp("local") / "out"
    r = batch_here(reports, out, "--jobs", "2", "--quiet")      # the local engine, in this process: only its tables are used
    assert r.returncode == 1, r.stderr                # empty.txt is in errors, the rest is read
    return snapshot(out)


@pytest.fixture(scope="module")
def cluster():
    """A head and a worker node of one CPU each, started once for the tests that run on a cluster (the node-lost
    test, which removes the worker node, comes last of them); shut down whatever happens in the tests."""
    from ray.cluster_utils import Cluster
    c = Cluster(initialize_head=True, head_node_args={"num_cpus": 1, "node_ip_address": "127.0.0.1",
                                                       "include_dashboard": False})
    try:
        worker = c.add_node(num_cpus=1, node_ip_address="127.0.0.1")
        c.wait_for_nodes()
        yield c, worker
    finally:
        c.shutdown()


def reading(node, limit=300) -> bool:
    """Wait until the node's actor is reading a file: Ray names a worker process after the method it runs (its
    command line, as `ps --ppid RAYLET -o args` shows it, read from /proc here: a look costs no process)."""
    raylet = node.all_processes["raylet"][0].process.pid
    end = time.monotonic() + limit
    while time.monotonic() < end:
        if any(b"ray::_Worker.read" in proc_cmdline(pid) for pid in _children(raylet)):
            return True
        time.sleep(0.05)
    return False


def _children(ppid) -> list:
    kids = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as f:
                    if int(f.read().rsplit(")", 1)[1].split()[1]) == ppid:
                        kids.append(int(d))
            except (OSError, IndexError, ValueError):
                pass                  # gone meanwhile
    return kids


def in_session(sid) -> str:
    # -ww: whole lines; piped, ps cuts them at 80 columns, and a venv's long path hides the program's name
    return subprocess.run(["ps", "-ww", "-o", "pid=,args=", "-s", str(sid)], capture_output=True, text=True).stdout


def same_tables(got, want):
    assert want["documents"] and want["errors"]
    for t in COLUMNS:
        assert got[t] == want[t], f"table {t} differs from the local run's"


def test_a_two_node_cluster_gives_the_local_tables(reports, local, cluster, tmp_path):
    c, _ = cluster
    out = tmp_path / "out"
    r = batch(reports, out, "--engine", "ray", "--address", c.address)
    assert r.returncode == 1 and "Traceback" not in r.stderr, r.stderr
    assert "processed 17" in r.stdout and "failed 1" in r.stdout, r.stdout
    same_tables(snapshot(out), local)
    assert (out / "report.xlsx").exists() and (out / "review" / "index.html").exists()
    r = batch(reports, out, "--engine", "ray", "--address", c.address)     # incremental: nothing to read
    assert "processed 0, unchanged 17" in r.stdout, r.stdout
    same_tables(snapshot(out), local)


def test_a_node_lost_mid_run_costs_only_its_files_in_flight(reports, local, cluster, tmp_path):
    c, worker = cluster
    out = tmp_path / "out"
    p = subprocess.Popen([sys.executable, str(ROOT / "cli.py"), "batch", str(reports), "-o", str(out),
                          "--engine", "ray", "--address", c.address], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True, env={**os.environ, "SELFEVAL_LANG": "en"})
    try:
        assert reading(worker), "the worker node's actor never took a file"
        assert p.poll() is None
        c.remove_node(worker, allow_graceful=False)   # its raylet and its worker process, as a machine lost
        t0 = time.monotonic()
        said, err = p.communicate(timeout=600)
    finally:
        if p.poll() is None:
            p.kill()
    assert p.returncode == 1 and "Traceback" not in err + said, err
    assert "retry" in err and "processed 17" in said, err   # the lost node held a file, read again on the head
    assert time.monotonic() - t0 < 300
    same_tables(snapshot(out), local)


def test_ctrl_c_on_a_ray_of_this_machine_stops_it_and_a_rerun_finishes(reports, local, tmp_path):
    """No --address: a Ray of this machine's cores on 127.0.0.1. Ctrl-C reaches the whole process group, as from a
    terminal: the batch exits 130 with its outputs written, Ray's processes end with it, and a re-run finishes."""
    out = tmp_path / "out"
    p = subprocess.Popen([sys.executable, str(ROOT / "cli.py"), "batch", str(reports), "-o", str(out), "--engine", "ray",
                          "--jobs", "2"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         env={**os.environ, "SELFEVAL_LANG": "en"}, start_new_session=True)
    try:
        for line in p.stderr:
            if line.startswith("[3/"):
                break
        assert "gcs_server" in in_session(p.pid)          # Ray's own processes run in the batch's session
        os.killpg(p.pid, signal.SIGINT)
        said, err = p.communicate(timeout=300)
    finally:
        if p.poll() is None:
            p.kill()
    assert p.returncode == 130 and "Traceback" not in err + said and "INTERRUPTED" in said, err
    assert (out / "report.xlsx").exists() and (out / "review" / "index.html").exists()
    deadline = time.time() + 60                                 # a loaded machine takes a while to reap them
    while in_session(p.pid).strip() and time.time() < deadline:
        time.sleep(0.5)
    assert not in_session(p.pid).strip(), in_session(p.pid)    # raylet, GCS and workers went with the batch
    r = batch(reports, out, "--engine", "ray", "--jobs", "2")
    assert r.returncode == 1 and "processed 17" not in r.stdout and "failed 1" in r.stdout, r.stdout + r.stderr
    same_tables(snapshot(out), local)


def test_workers_that_do_not_see_the_folder_are_sent_the_bytes(reports, tmp_path):
    """A probe file the actor cannot find: the driver sends every file's bytes; rows and causes are unchanged."""
    from extractor.batch.ray_engine import RayEngine
    from extractor.batch.work import Reader
    files = {"r001.txt": reports / "r001.txt", "empty.txt": reports / "empty.txt"}
    engine = RayEngine(None, 1, len(files), (None, [], "auto"), 300, (str(tmp_path / "elsewhere.txt"), "0" * 64))
    events, pending = {}, list(files)
    try:
        while pending or engine.busy():
            if pending and engine.free():
                rel = pending.pop()
                engine.submit(str(files[rel]), rel)
            events.update((e[1], e) for e in engine.poll(0.2))
        assert [s["shared"] for s in engine.actors.values()] == [False]
    finally:
        engine.close()
    reader = Reader(None, [], "auto")
    for rel, path in files.items():
        want = reader.read(str(path), rel)
        got = events[rel]
        assert got[0] == want[0] and got[2:4] == want[2:4] and got[-1] == want[-1], rel   # the blob holds the path


def test_without_ray_one_line_says_how_to_install_it(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    shutil.copy(SEED, d / "a.md")
    code = ("import runpy, sys; sys.modules['ray'] = None; "        # as if Ray were not installed
            f"sys.argv = ['selfeval', 'batch', {str(d)!r}, '-o', {str(tmp_path / 'out')!r}, '--engine', 'ray']; "
            f"sys.path.insert(0, {str(ROOT)!r}); runpy.run_path({str(ROOT / 'cli.py')!r}, run_name='__main__')")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                       env={**os.environ, "SELFEVAL_LANG": "en"})
    assert r.returncode == 1 and r.stderr.strip().count("\n") == 0, r.stderr
    assert 'pip install "selfeval[ray]"' in r.stderr
    assert not (tmp_path / "out").exists()
    r = batch(d, tmp_path / "out", "--engine", "spark")
    assert r.returncode == 2 and "--engine must be local or ray" in r.stderr and r.stderr.count("\n") == 1
