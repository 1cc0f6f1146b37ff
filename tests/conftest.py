import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SHARED = ROOT.parent / "shared"
SEED = SHARED / "seed" / "xingan-2024.md"
EVAL = SHARED / "eval"


import os  # noqa: E402

import pytest  # noqa: E402

# The OCR engine of a test's process (and of the commands it starts) runs one thread, as each page worker of a batch
# does: the two xdist workers already hold both cores, and a second thread only waits, spinning, for a core another
# process holds (the orientation tests: 38 s of CPU with two threads, 30 s with one). What is read is the same.
os.environ.setdefault("SELFEVAL_OCR_THREADS", "1")


@pytest.fixture(scope="session", autouse=True)
def worker_server():
    """The server process (multiprocessing's forkserver) that this process's batch workers and OCR page workers are
    forked from, started before either needs it, with what both import (batch.run.PRELOAD, readers.ocr.PRELOAD): a
    batch run here then starts each worker in a fraction of a second. Else the first OCR page pool would start it
    with the OCR's imports alone, and every batch worker forked after would import spaCy and load jieba itself."""
    from extractor.batch.run import worker_context
    from extractor.readers.ocr import PRELOAD
    worker_context(also=PRELOAD)


@pytest.fixture(scope="session")
def seed_batch(tmp_path_factory):
    """A batch output folder of the seed report, made once per run and shared by the xdist workers (the first to
    need it makes it, under a lock; the others wait for it); read-only: a test that changes it works on a copy
    (shutil.copytree(seed_batch, tmp_path / ...))."""
    from helpers import invoke

    def make(work):
        (work / "in").mkdir()
        (work / "in" / SEED.name).write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
        # in this process (its file worker is a process of its own either way): only what it writes is used
        r = invoke("batch", work / "in", "-o", work / "out", "--quiet", "--jobs", "1")
        assert r.returncode == 0, r.stderr
    return made_once(tmp_path_factory, "seed-batch", make)


@pytest.fixture(scope="session")
def dev_scores(tmp_path_factory) -> dict:
    """score.py's figures of the development documents as `extract` reads them (their folder in, a .jsonl out), made
    once per run and shared by the xdist workers as seed_batch is; read-only."""
    from helpers import extract, score

    def make(work):
        (work / "out").mkdir()
        res = score(extract(EVAL / "docs", work / "out" / "dev.jsonl"))
        (work / "out" / "scores.json").write_text(json.dumps(res), encoding="utf-8")
    return json.loads((made_once(tmp_path_factory, "dev-scores", make) / "scores.json").read_text(encoding="utf-8"))


def made_once(tmp_path_factory, name: str, make) -> Path:
    """`make(work)` run once per run, by the first xdist worker to ask (under a lock; the others wait for it), leaving
    what it made in work / "out"; that folder, moved whole into the run's own folder (a worker never sees half of it)."""
    import os
    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent                       # the run's folder, above each worker's own
    out = base / name / "out"
    with _locked(base / f"{name}.lock"):
        if not out.is_dir():
            work = Path(tmp_path_factory.mktemp(f"{name}-making"))
            make(work)
            out.parent.mkdir(parents=True, exist_ok=True)
            (work / "out").rename(out)
    return out


def _locked(path):
    """An exclusive lock on `path` while the block runs (flock; where there is none, nothing is shared anyway)."""
    import contextlib
    try:
        import fcntl
    except ImportError:
        return contextlib.nullcontext()

    @contextlib.contextmanager
    def hold():
        with open(path, "a") as f:
            fcntl.flock(f, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(f, fcntl.LOCK_UN)
    return hold()


@pytest.fixture(scope="session")
def seed_result():
    """The seed read once by the pipeline with the default scheme (pipeline.process_path); read-only: checks and
    outputs read a result, they do not change it."""
    from extractor.pipeline import process_path
    from extractor.text.schemes import load_scheme
    return process_path(SEED, load_scheme())


# ---------------- score.py's figures of the development golds, in the run's terminal summary ----------------

FIGURES = "selfeval-gold-figures"


class GoldFigures:
    """score.py's figures of each gold scored in this run (tests/test_dev_gold.py), printed in the terminal
    summary. Under xdist a worker hands its rows to the controller, which prints them."""

    def __init__(self):
        self.rows = {}

    def pytest_terminal_summary(self, terminalreporter):
        if not self.rows:
            return
        terminalreporter.section("development golds: score.py")
        for name, res in self.rows.items():
            ind, met = res["indicator"]["accuracy"], res.get("metric")
            line = (f"{name:16} facts P {res['precision']:.3f} R {res['recall']:.3f} F1 {res['f1']:.3f}   "
                    f"indicator {'n/a' if ind is None else f'{ind:.3f}'}")
            line += (f"   metric P {met['precision']:.3f} R {met['recall']:.3f} (gold links {met['gold']})" if met
                     else "   metric n/a (the gold has no metric field)")
            terminalreporter.write_line(line + f"   [{res['docs']} docs, {res['gold']} facts]")


def gold_figures(config) -> GoldFigures:
    plugin = config.pluginmanager.get_plugin(FIGURES)
    if plugin is None:
        plugin = GoldFigures()
        config.pluginmanager.register(plugin, FIGURES)
    return plugin


def pytest_sessionfinish(session):
    """On an xdist worker: the figures go to the controller with the worker's output."""
    plugin = session.config.pluginmanager.get_plugin(FIGURES)
    if hasattr(session.config, "workeroutput") and plugin is not None and plugin.rows:
        session.config.workeroutput[FIGURES] = json.dumps(plugin.rows)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    """On the xdist controller: a worker's figures, printed in this process's terminal summary."""
    rows = getattr(node, "workeroutput", {}).get(FIGURES)
    if rows:
        gold_figures(node.config).rows.update(json.loads(rows))


# ---------------- the units of work handed out (--dist loadfile) and their order: the longest first ----------------

SECONDS = "selfeval/test-seconds"          # in .pytest_cache: each test's seconds (setup, call, teardown) when last run

# --dist loadfile hands out whole files, so that what a module builds once is built once. These files' tests go out
# one by one instead, to whichever worker is free: long files (OCR, batches, killed processes) whose tests build
# nothing together, so that one worker is not left holding them all while the other waits. The tests named
# together in a tuple do share something (a module fixture, a reading cached in the module) and go together.
SPLIT = {
    "tests/batch/test_batch.py": (("test_rerun_adds_nothing_and_changes_replace_rows",       # text_batch
                                   "test_review_site_renders_in_chromium"),),
    "tests/batch/test_rerun.py": (),
    "tests/batch/test_state.py": (),
    "tests/readers/test_fuzz.py": (),
    "tests/readers/test_ocr_bf16.py": (),
    "tests/readers/test_ocr_budget.py": (),
    "tests/readers/test_ocr_jobs.py": (("test_pages_in_two_workers_read_as_in_one_process",        # _read_alone()
                                        "test_a_page_larger_than_the_engine_takes_is_read_in_its_own_pixels",
                                        "test_the_last_page_is_read_here_when_no_worker_can_start"),),
    "tests/readers/test_orientation.py": (),      # skewed_page()'s three turns: one parametrized test, one unit
    "tests/readers/test_readers.py": (),
    "tests/readers/test_scans.py": (),
    "tests/readers/test_unread.py": (),
}


def unit(nodeid: str) -> str:
    """The unit of work a test is handed out in: its file, or in a SPLIT file the test (all its parameters) or the
    tests it goes with."""
    path, _, name = nodeid.partition("::")
    if path not in SPLIT:
        return path
    name = name.split("[")[0]
    together = next((t for t in SPLIT[path] if name in t), (name,))
    return f"{path}::{together[0]}"


@pytest.hookimpl(optionalhook=True, tryfirst=True)           # before xdist's own, whose answer would be taken
def pytest_xdist_make_scheduler(config, log):
    """--dist loadfile, with the SPLIT files' tests handed out by unit(): on the xdist controller."""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class Units(LoadFileScheduling):
        def _split_scope(self, nodeid):
            return unit(nodeid)
    return Units(config, log)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """The units run longest first, by their selected tests' seconds when last run here: xdist hands the units out in
    this order, so the long ones start early and the short ones fill in at the end, the two workers ending together.
    A test not timed yet (one the fast lane left out, or a new one) counts as the longest timed test, so that the
    whole suite after the fast lane starts with the slow tests, not ends with them. A unit's tests keep their order;
    with nothing timed yet (a fresh clone) the units keep theirs. The same order on every worker: each reads the
    same cache, written only by the controller at the end of its run."""
    cache = getattr(config, "cache", None)
    seconds = cache.get(SECONDS, {}) if cache is not None else {}
    if not seconds or not items:
        return
    units: dict = {}
    for item in items:
        units.setdefault(unit(item.nodeid), []).append(seconds.get(item.nodeid))
    longest = max(seconds.values())
    cost = {u: sum(longest if s is None else s for s in got) for u, got in units.items()}
    place = {u: i for i, u in enumerate(units)}
    items.sort(key=lambda item: (-cost[unit(item.nodeid)], place[unit(item.nodeid)]))


class Timings:
    """Each test's seconds as this run's reports give them, kept in the cache for the next run's order. On the xdist
    controller (whose reports are the workers') or a run without workers; an xdist worker keeps none."""

    def __init__(self):
        self.got: dict = {}

    def pytest_runtest_logreport(self, report):
        self.got[report.nodeid] = self.got.get(report.nodeid, 0.0) + report.duration

    def pytest_sessionfinish(self, session):
        cache = getattr(session.config, "cache", None)
        if cache is not None and self.got:
            cache.set(SECONDS, {**cache.get(SECONDS, {}), **{k: round(v, 3) for k, v in self.got.items()}})


def pytest_configure(config):
    if not hasattr(config, "workerinput"):
        config.pluginmanager.register(Timings(), "selfeval-test-seconds")
