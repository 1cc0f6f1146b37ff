import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SHARED = ROOT.parent / "shared"
SEED = SHARED / "seed" / "xingan-2024.md"
EVAL = SHARED / "eval"


import pytest  # noqa: E402


@pytest.fixture(scope="session")
def seed_batch(tmp_path_factory):
    """A batch output folder of the seed report, made once per run and shared by the xdist workers (the first to
    need it makes it, under a lock; the others wait for it); read-only: a test that changes it works on a copy
    (shutil.copytree(seed_batch, tmp_path / ...))."""
    import os
    from helpers import invoke
    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent                       # the run's folder, above each worker's own
    out = base / "seed-batch" / "out"
    with _locked(base / "seed-batch.lock"):
        if not out.is_dir():
            work = Path(tmp_path_factory.mktemp("seed-making"))
            (work / "in").mkdir()
            (work / "in" / SEED.name).write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
            # in this process (its file worker is a process of its own either way): only what it writes is used
            r = invoke("batch", work / "in", "-o", work / "out", "--quiet", "--jobs", "1")
            assert r.returncode == 0, r.stderr
            out.parent.mkdir(parents=True, exist_ok=True)
            (work / "out").rename(out)          # whole or not at all: a worker never sees half a batch
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
