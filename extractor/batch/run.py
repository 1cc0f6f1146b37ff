"""Run the pipeline over many files; a bad file never stops the rest."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import multiprocessing as mp
import os
import queue
import shutil
import signal
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..procs import alive, die_with, die_with_parent
from ..i18n import lang, t, word
from .messages import BatchError, say, stored
from .. import ids
from .inputs import LOCK_PREFIX, walk
from .store import Read, Unread
from .reports import assess_all, run  # noqa: F401 - extract's and check's, named here as before


# ---------------- selfeval batch: a folder in, a database and a review site out ----------------

@dataclass
class BatchSummary:
    files: int = 0
    processed: int = 0
    unchanged: int = 0
    failed: int = 0
    unsupported: int = 0
    removed: int = 0
    moved: int = 0
    rechecked: int = 0
    facts: int = 0
    seconds: float = 0.0
    interrupted: bool = False
    errors: list = field(default_factory=list)            # (path, cause as stored) of this run's files in error
    documents: int = 0                                    # totals: what the database holds now
    facts_total: int = 0
    verdicts: dict = field(default_factory=dict)          # verdict → reports, as checks decided them
    pages_unread: int = 0                                 # pages with ink that no report could be read from
    errors_total: int = 0


def format_summary(s: BatchSummary) -> str:
    """A few short lines: this run, what the folder holds now (reports by verdict), the time, and the files in error
    by name."""
    from ..checks.verdict import ORDER
    from ..i18n import cause
    verdicts = t("msg.count_sep").join(say("count_item", name=word("verdict", v), n=s.verdicts[v])
                                       for v in ORDER if s.verdicts.get(v)) or say("none")
    rate = s.processed / s.seconds if s.seconds else 0.0
    lines = [say("summary_run", **vars(s)),
             say("summary_total", **{**vars(s), "verdicts": verdicts, "errors": s.errors_total}),
             say("summary_time", seconds=f"{s.seconds:.1f}", rate=f"{rate:.2f}")]
    if s.errors:
        lines.append(say("summary_errors", n=len(s.errors)))
        lines += [f"  {path}: {cause(why)}" for path, why in s.errors]
    if s.interrupted:
        lines.append(say("interrupted"))
    return "\n".join(lines)


class OutputLock:
    """One batch per output folder: an flock on OUTDIR/selfeval.lock, which holds the owner's pid.
    The kernel drops the lock when its process dies, even by SIGKILL, so a stale file is simply taken over."""

    def __init__(self, out: Path):
        self.out, self.path, self.fd = out, out / "selfeval.lock", None

    def acquire(self):
        import fcntl
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            pid = os.read(fd, 32).decode(errors="replace").strip() or "?"
            os.close(fd)
            raise BatchError(say("busy", pid=pid, out=str(self.out).rstrip("/"))) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self.fd = fd

    def release(self):
        if self.fd is not None:
            os.ftruncate(self.fd, 0)
            os.close(self.fd)
            self.fd = None


def _fingerprint(obj) -> str:
    return hashlib.sha256(json.dumps(obj, sort_keys=True, default=str, ensure_ascii=False).encode()).hexdigest()[:16]


def _scheme_key(scheme_path) -> str:
    from .. import data
    if scheme_path and Path(scheme_path).is_file():
        paths = [Path(scheme_path)]
    else:                                   # each report chooses among the built-in schemes (or one by its id)
        paths = sorted((data.PATTERNS_DIR / "schemes").glob("*.yaml"))
        paths.append(data.PATTERNS_DIR / "lexicon" / "headings.yaml")
    digest = hashlib.sha256(str(scheme_path or "").encode())
    for p in paths:
        digest.update(p.read_bytes())
    return digest.hexdigest()[:16]


def _read_key(rel: str, ocr: str, scheme_key: str) -> str:
    """The reading options that change a file's text: the scheme always, --ocr for PDFs and images only."""
    from ..readers.ingest import IMAGE_SUFFIXES, PDF_SUFFIXES
    uses_ocr = Path(rel).suffix.lower() in PDF_SUFFIXES | IMAGE_SUFFIXES
    return f"scheme={scheme_key};ocr={ocr if uses_ocr else '-'}"


def _rules_key(ruleset, scheme_key: str) -> str:
    return _fingerprint([scheme_key] + [{k: v for k, v in r.items() if k != "origin"} for r in ruleset.rules])


def _worker(wid, inbox, outbox, scheme_path, rule_paths, ocr, lang, parent, cores, env):
    """A worker process: builds its scheme, rules, spaCy and jieba once (PRELOAD has most of it done), then takes
    files one by one, each holding one of the batch's cores (cores: their folder and --jobs), which its scanned
    pages share. `env`: the batch's SELFEVAL_ variables (extra indicator files …) as they are now, not as they
    were when the server it is forked from started."""
    for s in (signal.SIGINT, signal.SIGTERM):
        signal.signal(s, signal.SIG_IGN)            # the batch decides when workers stop, and says why
    die_with_parent()                               # the server it was forked from
    die_with(parent)                                # and the batch
    for k in [k for k in os.environ if k.startswith("SELFEVAL_") and k not in env]:
        del os.environ[k]
    os.environ.update(env)
    from ..readers.ocr import file_slot, share_cores
    mp.current_process().daemon = False             # it may start page workers: they die with it
    share_cores(*cores)
    from .work import Reader
    reader = Reader(scheme_path, rule_paths, ocr, lang)
    outbox.put((wid, "ready"))
    while True:
        try:
            task = inbox.get(timeout=1)
        except queue.Empty:
            if not alive(parent):
                return                      # the batch is gone: nobody will take the result
            continue
        if task is None:
            return
        if isinstance(task, bytes):                 # work other than reading (_Pool.call)
            import pickle
            outbox.put((wid, "called", *pickle.loads(task).run()))
            continue
        path, rel = task
        with file_slot():
            result = reader.read(path, rel)
        outbox.put((wid, *result))


# What a batch worker needs, imported (spaCy's pipeline built, jieba's dictionary loaded: warm) once in the server
# process the workers are forked from, multiprocessing's forkserver: a worker starts in a fraction of a second, not
# in the second and a half a new interpreter takes to import and build them.
PRELOAD = ("extractor.batch.warm",)


def worker_context(also=()):
    """multiprocessing's forkserver context, its server started now if it is not running, with PRELOAD and `also`
    imported. One server per process: one started for OCR page workers (readers.ocr) forks the batch's workers too
    (they then import what it lacks themselves). The server starts with SIGTERM ignored (a disposition it keeps
    through exec, where a blocked mask is reset) and keeps it so: a TERM to the batch's process group (`timeout -s
    TERM`, a service manager) is the batch's to handle, as its workers ignore it; a server stopped by it would take
    the workers with it (they die with their parent) before the batch had said why. Meanwhile SIGTERM is blocked
    here, so that one sent to the batch then waits for its own handler instead of being lost."""
    from multiprocessing import forkserver
    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload([*PRELOAD, *also])
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})
    try:
        handler = signal.signal(signal.SIGTERM, signal.SIG_IGN)
    except ValueError:                  # not the main thread: no handler can be set, the server starts as it may
        handler = None
    try:
        forkserver.ensure_running()
    finally:
        if handler is not None:
            signal.signal(signal.SIGTERM, handler)
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
    return ctx


class _Pool:
    """The local engine: worker processes with a task each, so one that runs over its time can be stopped alone.

    An engine (this one or ray_engine.RayEngine) offers free(), submit(path, rel, sha256), busy(), poll(wait) -> events
    and close(kill). An event is a worker's ("ok", rel, ...) or ("error", rel, kind, cause) tuple, an
    ("error", rel, kind, cause, limit) for a file lost to the time limit or a crash, or ("retry", rel) for a file
    to submit again (its worker's machine was lost)."""

    def __init__(self, n, args, timeout, cores):
        import tempfile
        self.ctx = worker_context()
        self.cores_dir = tempfile.mkdtemp(prefix="selfeval-cores-")     # --jobs core tokens (readers.ocr.Cores)
        env = {k: v for k, v in os.environ.items() if k.startswith("SELFEVAL_")}
        self.args, self.timeout, self.n = (*args, (self.cores_dir, cores), env), timeout, n
        self.outbox = self.ctx.Queue()
        self.workers = {}
        self.next_id = 0
        self.respawns = 0
        for _ in range(n):
            self._spawn()

    def _spawn(self):
        wid = self.next_id
        self.next_id += 1
        inbox = self.ctx.Queue()
        p = self.ctx.Process(target=_worker, args=(wid, inbox, self.outbox, *self.args), daemon=True)
        p.start()
        self.workers[wid] = {"proc": p, "inbox": inbox, "task": None, "since": 0.0, "ready": False}

    def _idle(self):
        return [w for w, s in self.workers.items() if s["task"] is None and s["ready"]]

    def free(self) -> bool:
        """Whether a file can be submitted now. A worker lost with its file (its time limit, a crash) is replaced
        here, once a file waits for it, not at once: a batch whose last file ran out of time starts no worker that
        nothing would be given to."""
        while len(self.workers) < self.n:
            self.respawns += 1
            self._spawn()
        return bool(self._idle())

    def submit(self, path, rel, sha256=None):
        s = self.workers[self._idle()[0]]
        s["task"], s["since"] = (path, rel), time.monotonic()
        s["inbox"].put((path, rel))

    def busy(self) -> bool:
        return any(s["task"] for s in self.workers.values())

    def call(self, fn, *args) -> "_Call | None":
        """fn(*args) in an idle worker, once reading is done (nothing else then comes from the workers); None when
        what it needs cannot be sent there (the caller does it itself)."""
        import pickle
        wid = self._idle()[0]
        task = _Call(fn, args, wid)
        try:        # pickled here and now, not later by the queue's own thread while this process goes on with the data
            sent = pickle.dumps(task, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:  # noqa: BLE001 - not picklable: done here instead, nothing lost
            return None
        self.workers[wid]["task"] = task
        self.workers[wid]["inbox"].put(sent)
        task.pool = self
        return task

    def poll(self, wait) -> list:
        events, msgs = [], []
        try:
            msgs.append(self.outbox.get(timeout=wait))
            while True:
                msgs.append(self.outbox.get_nowait())
        except queue.Empty:
            pass
        for wid, *event in msgs:
            if wid not in self.workers:
                continue
            if event[0] == "ready":
                self.workers[wid]["ready"] = True
            else:
                self.workers[wid]["task"] = None
                events.append(tuple(event))
        now = time.monotonic()
        lost = [(w, s["task"], "timeout", stored("timeout", seconds=f"{self.timeout:.0f}"), self.timeout)
                for w, s in self.workers.items() if s["task"] and now - s["since"] > self.timeout]
        lost += [(w, s["task"], "crash", stored("crash"), None)
                 for w, s in self.workers.items() if s["task"] and not s["proc"].is_alive()]
        for wid in [w for w, s in self.workers.items() if not s["task"] and not s["proc"].is_alive()]:
            if self.respawns >= 3 * self.n:             # died before taking a task, again and again
                raise RuntimeError("worker processes keep dying at start")
            self._replace(wid)
        for wid, (_, rel), kind, cause, limit in lost:
            if wid in self.workers:
                self._drop(wid)                         # replaced when a file waits for it (free)
                events.append(("error", rel, kind, cause, limit))
        return events

    def _drop(self, wid):
        s = self.workers.pop(wid)
        s["proc"].kill()
        s["proc"].join(5)

    def _replace(self, wid):
        self.respawns += 1
        self._drop(wid)
        self._spawn()

    def keep_one(self):
        """Reading done: the idle workers but one leave (their memory with them); that one may write the workbook."""
        for wid in self._idle()[1:]:
            s = self.workers.pop(wid)
            s["inbox"].put(None)
            s["proc"].join(5)
            if s["proc"].is_alive():
                s["proc"].kill()

    def close(self, kill=False):
        for s in self.workers.values():
            if kill:
                s["proc"].kill()
            else:
                s["inbox"].put(None)
        for s in self.workers.values():
            s["proc"].join(5 if not kill else 2)
            if s["proc"].is_alive():
                s["proc"].kill()
        shutil.rmtree(self.cores_dir, ignore_errors=True)


class _Call:
    """Work other than reading that a worker of the local pool does for the batch (writing the workbook)."""

    def __init__(self, fn, args, wid):
        self.fn, self.args, self.wid, self.pool = fn, args, wid, None

    def __getstate__(self):                     # what goes to the worker: not the pool
        return {"fn": self.fn, "args": self.args, "wid": self.wid, "pool": None}

    def run(self) -> tuple:
        """In the worker: ("ok", value) or ("error", the traceback)."""
        import traceback
        try:
            return "ok", self.fn(*self.args)
        except Exception as e:  # noqa: BLE001 - raised in the batch's process, by done()
            return "error", "".join(traceback.format_exception(e))

    def done(self) -> bool:
        """Wait for the worker: True when it did the work, False when it was lost on the way (the caller does it
        then); an error it raised is raised here."""
        w = self.pool.workers[self.wid]
        while True:
            try:
                wid, *msg = self.pool.outbox.get(timeout=0.5)
            except queue.Empty:
                if not w["proc"].is_alive():
                    w["task"] = None
                    return False
                continue
            if wid == self.wid and msg[0] == "called":
                w["task"] = None
                if msg[1] == "error":
                    raise RuntimeError(f"a batch worker failed at {self.fn.__name__}:\n{msg[2]}")
                return True


@dataclass(frozen=True)
class Settings:
    """How a batch reads and checks: what `selfeval batch` was given."""
    jobs: int = 0                    # worker processes (0: one per core)
    ocr: str = "auto"
    rule_paths: tuple = ()
    scheme_path: object = None
    quiet: bool = False
    timeout: float = 600.0           # seconds a file may take
    retry: bool = False              # read again the files that ran out of time before
    engine: str = "local"            # local | ray
    address: str | None = None       # a Ray cluster's


def run_batch(root: Path, out: Path, settings: Settings | None = None, **given) -> BatchSummary:
    """Bring OUTDIR in line with the folder: read what is new or changed, drop what left, re-check when
    the rules changed, give ids and duplicate findings, then write the workbook and the review site.
    `settings`, or the same given by name (jobs=2)."""
    root, out = Path(root), Path(out)
    cfg = settings or Settings(**{**given, "rule_paths": tuple(given.get("rule_paths", ()))})
    t_start = time.monotonic()
    if cfg.engine == "ray":
        from .ray_engine import require
        require()
    supported, other = walk(root, skip=out)
    if not supported:
        raise BatchError(say("no_reports", folder=root))
    out.mkdir(parents=True, exist_ok=True)
    lock = OutputLock(out)
    lock.acquire()
    stop = {"signal": None}

    def on_signal(signum, _frame):
        stop["signal"] = signum

    old = {s: signal.signal(s, on_signal) for s in (signal.SIGTERM, signal.SIGINT)}
    store, engines = None, []             # an engine started is closed whatever happens after (else: a hang at exit)
    try:
        from .store import Store
        store = Store(out / "selfeval.duckdb")
        summary = _run(store, root, out, supported, other, stop, cfg, engines)
        summary.seconds = time.monotonic() - t_start
        return summary
    finally:
        for pool in engines:
            pool.close(kill=stop["signal"] is not None)
        if store is not None:
            store.close()
        lock.release()
        for s, h in old.items():
            signal.signal(s, h)


def _run(store, root, out, supported, other, stop, cfg: Settings, engines: list):
    from .. import __version__
    from ..checks.rules import load_rules
    from ..text.schemes import load_scheme
    summary = BatchSummary(files=len(supported))
    run_id = store.new_run(str(root.resolve()), cfg.jobs or os.cpu_count() or 1, __version__)
    scheme_key = _scheme_key(cfg.scheme_path)
    rel = {f: f.relative_to(root).as_posix() for f in supported + other}
    present, moved = _sync(store, rel, supported, other, run_id, summary)
    tasks, keys = _to_read(store, present, cfg, scheme_key, summary)
    # the rules: every stored document re-checked from its stored result when they changed
    scheme, ruleset = load_scheme(cfg.scheme_path), load_rules(cfg.rule_paths)
    rules_key = _rules_key(ruleset, scheme_key)
    _remember_checking(store, cfg.rule_paths, cfg.scheme_path)
    if store.meta("rules") != rules_key:
        summary.rechecked, stale = _recheck(store, ruleset, scheme, rules_key, cfg)
        tasks += [p for p in stale if p in present and p not in tasks]
    _read(store, tasks, {rel[f]: f for f in supported}, keys, cfg, stop, run_id, summary, engines)
    pool = next((e for e in engines if isinstance(e, _Pool)), None)
    if pool is not None:
        pool.keep_one()
    summary.interrupted = stop["signal"] is not None
    # ids and duplicates, over the whole folder, and each report's verdict with them; then the outputs,
    # interrupted or not
    changed = _reconcile(store)
    changed |= set_verdicts(store, ruleset)
    store.finish_run(run_id, "interrupted" if summary.interrupted else "complete",
                     files_seen=summary.files, processed=summary.processed, unchanged=summary.unchanged,
                     failed=summary.failed, unsupported=summary.unsupported, removed=summary.removed,
                     moved=summary.moved, rechecked=summary.rechecked, facts=summary.facts)
    quiet_run = not (tasks or moved or summary.rechecked or changed)
    if not (quiet_run and (out / "report.xlsx").exists() and (out / "review" / "index.html").exists()
            and not _decided_since(out)):
        _write_outputs(store, out, ruleset, pool)
    _totals(store, summary)
    return summary


def _sync(store, rel, supported, other, run_id, summary) -> tuple[dict, bool]:
    """The folder as it is: renames move a document, what left is withdrawn, unsupported files are listed.
    Returns (path → sha256 of each report, whether anything of that changed)."""
    from ..readers.ingest import sha256_of, unsupported as unsupported_type
    present = {rel[f]: _sha(sha256_of, f) for f in supported}
    unsupported = [(rel[f], unsupported_type(f).cause) for f in other if not f.name.startswith(LOCK_PREFIX)]
    summary.unsupported = len(unsupported)
    known = store.files()
    before = set(map(tuple, store.con.execute("SELECT path, cause FROM errors WHERE kind = 'unsupported'").fetchall()))
    moves, gone = _moves(known, present)
    store.sync(present, moves, gone, unsupported, run_id)
    summary.moved, summary.removed = len(moves), len(gone)
    return present, bool(moves or gone) or before != {(p, str(c)) for p, c in unsupported}


def _to_read(store, present: dict, cfg: Settings, scheme_key: str, summary) -> tuple[list, dict]:
    """What to read: new or changed bytes, version or reading options; files in error (timeouts: given a longer
    limit, or --retry). Returns (paths, path → the keys a read is stored under)."""
    from .. import __version__
    known = store.files()
    tasks, keys = [], {}
    for path, sha in present.items():
        keys[path] = {"sha256": sha, "version": __version__, "read_key": _read_key(path, cfg.ocr, scheme_key)}
        k = known.get(path)
        if k and all(k[c] == keys[path][c] for c in ("sha256", "version", "read_key")):
            if k["status"] == "ok" or (k["kind"] == "timeout" and not cfg.retry and cfg.timeout <= (k["time_limit"] or 0)):
                summary.unchanged += 1
                continue
        tasks.append(path)
    return tasks, keys


def _read(store, tasks, abs_of, keys, cfg: Settings, stop, run_id, summary, engines: list):
    """Read the files in worker processes (or on a Ray cluster), each committed alone, by this process only. The
    engine joins `engines`, which the caller closes."""
    if not tasks:
        return
    progress = _Progress(len(tasks), cfg.quiet)
    try:
        probe = next(((str(abs_of[p]), keys[p]["sha256"]) for p in tasks if keys[p]["sha256"]), (None, None))
        args = (cfg.scheme_path, list(map(str, cfg.rule_paths)), cfg.ocr, lang())
        engines.append(_engine(cfg.engine, cfg.address, cfg.jobs, len(tasks), args, cfg.timeout, probe))
        _dispatch(store, engines[-1], tasks, abs_of, keys, stop, run_id, summary, progress)
    except BaseException:
        for pool in engines:
            pool.close(kill=True)
        engines.clear()
        raise
    finally:
        progress.close()


def _sha(sha256_of, f) -> str:
    try:
        return sha256_of(f)
    except OSError:
        return ""                     # unreadable: the worker says why, in errors


def _moves(known: dict, present: dict) -> tuple[dict, list]:
    """A document whose path is gone and whose bytes are under a new path was renamed: move it."""
    gone = sorted(p for p in known if p not in present)
    by_sha = {}
    for p in gone:
        if known[p]["status"] == "ok":
            by_sha.setdefault(known[p]["sha256"], []).append(p)
    moves = {}
    for p in sorted(p for p in present if p not in known):
        if by_sha.get(present[p]):
            moves[by_sha[present[p]].pop(0)] = p
    return moves, [p for p in gone if p not in moves]


def _recheck(store, ruleset, scheme, rules_key, cfg: Settings) -> tuple[int, list]:
    """Findings of every stored document under the rules in force, from its stored result: no reading. The text
    stages run again on each stored text, in helper processes when there are many (work.recheck_all)."""
    from .work import recheck_all
    stored = store.stored_results()
    jobs = min(cfg.jobs or os.cpu_count() or 1, os.cpu_count() or 1)      # here, whatever engine reads the files
    got = recheck_all([(doc, blob) for _, doc, blob in stored], scheme, ruleset, jobs,
                      (cfg.scheme_path, list(map(str, cfg.rule_paths)), lang()))
    docs, rows, stale = [], [], []
    for (path, doc, _), found in zip(stored, got):
        if found is None:               # not data this version stored: the file is read again, nothing is run
            stale.append(path)
            continue
        docs.append(doc)
        rows += found
    store.replace_findings(docs, rows, rules_key)
    if stale:
        store.con.execute("UPDATE files SET version = 'stale' WHERE path IN (SELECT * FROM UNNEST(?))", [stale])
    return len(docs), stale


def _engine(kind, address, jobs, n_tasks, args, timeout, probe):
    """The local process pool, or Ray actors on a cluster: the same tasks, the same result tuples. The probe, a
    file and its sha256, tells a Ray worker whether it sees the folder or needs each file's bytes sent."""
    if kind == "ray":
        from .ray_engine import RayEngine
        return RayEngine(address, jobs, n_tasks, args, timeout, probe)
    jobs = jobs or os.cpu_count() or 1
    return _Pool(min(jobs, n_tasks), (*args, os.getpid()), timeout, jobs)


def _dispatch(store, engine, tasks, abs_of, keys, stop, run_id, summary, progress):
    pending = list(tasks)
    saver = _Saver(store, run_id)
    try:
        while (pending or engine.busy()) and stop["signal"] is None:
            while pending and engine.free():
                path = pending.pop(0)
                engine.submit(str(abs_of[path]), path, keys[path]["sha256"])
                progress.start(path)
            for status, path, *rest in engine.poll(0.2):
                if stop["signal"] is not None:
                    break                     # what is in flight now is not an error: the next run reads it
                if status == "retry":
                    pending.insert(0, path)   # its worker's machine was lost: read it elsewhere
                    progress.retry(path)
                elif status == "ok":
                    progress.finish(path, facts=_save(saver, path, keys[path], *rest, summary))
                else:
                    kind, cause, limit = (*rest, None)[:3]
                    saver.add(Unread(path, keys[path], ids.path_id(path), kind, cause, limit, dt.datetime.now()))
                    summary.failed += 1
                    summary.errors.append((path, cause))
                    progress.finish(path, cause=cause)
            saver.due()
    finally:
        saver.close()                         # what was read is kept, whatever stopped the loop


# Files read are written to the database together, a moment's worth at a time: a DuckDB statement costs milliseconds
# whatever its rows, and a file has a dozen. A batch killed loses at most this moment's files, read again next run.
SAVE_EVERY = 1.0          # seconds
SAVE_FILES = 200          # files


class _Saver:
    """The files read since the last write, with the ids they took: a provisional id is chosen as if each file had
    been saved alone the moment it came (what the database holds, and the files held here). A write runs in a thread
    of its own (DuckDB lets go of the GIL), one at a time and in order, so that the workers get their next files
    meanwhile; while reading, nothing else uses the database. A write that failed is raised at the next one."""

    def __init__(self, store, run_id):
        self.store, self.run_id = store, run_id
        self.held = store.doc_paths()                 # doc → paths holding it
        self.docs_of = {}                             # path → the docs it holds
        for doc, paths in self.held.items():
            for p in paths:
                self.docs_of.setdefault(p, set()).add(doc)
        self.done, self.since = [], 0.0
        self.writing, self.failed = None, []

    def taken(self, doc: str, path: str) -> bool:
        return any(p != path for p in self.held.get(doc, ()))

    def add(self, done):
        if any(d.path == done.path for d in self.done):
            self.flush()                              # a file comes back once a run; were it twice, in order
        for doc in self.docs_of.pop(done.path, ()):
            self.held[doc].discard(done.path)
        docs = [r[0] for r in done.reports] if isinstance(done, Read) else [done.doc]
        for doc in docs:
            self.held.setdefault(doc, set()).add(done.path)
            self.docs_of.setdefault(done.path, set()).add(doc)
        if not self.done:
            self.since = time.monotonic()
        self.done.append(done)

    def due(self):
        if self.done and (len(self.done) >= SAVE_FILES or time.monotonic() - self.since >= SAVE_EVERY):
            self.flush()

    def flush(self):
        import threading
        done, self.done = self.done, []
        self.wait()
        if done:
            self.writing = threading.Thread(target=self._write, args=(done,), name="selfeval-save", daemon=True)
            self.writing.start()

    def _write(self, done):
        try:
            self.store.save_files(done, self.run_id)
        except BaseException as e:  # noqa: BLE001 - raised in the batch's thread, by wait()
            self.failed.append(e)

    def wait(self):
        """The write under way done (its error raised)."""
        if self.writing is not None:
            self.writing.join()
            self.writing = None
        if self.failed:
            raise self.failed.pop()

    def close(self):
        """Everything read written, before anything else uses the database."""
        try:
            self.flush()
        finally:
            self.wait()


def _save(saver, path, key, rows, texts, blobs, minhashes, summary) -> int:
    """A read file's rows under a provisional id per report (its final one unless another file holds it)."""
    own = {}
    for name, rs in rows.items():                   # each report's rows, by the id the worker gave it
        for r in rs:
            own.setdefault(r["doc"], {n: [] for n in rows})[name].append(r)
    saved, mine = [], set()
    for d, text, blob, minhash in zip(rows["documents"], texts, blobs, minhashes):
        mine_rows, part = own[d["doc"]], d.get("part")
        doc = ids.provisional(ids.place_year(d["county"], d["city"], d["performance_year"], d["years"]), path, part,
                              lambda x: saver.taken(x, path) or x in mine)
        mine.add(doc)
        for r in (r for rs in mine_rows.values() for r in rs):
            r["doc"] = doc
        d["path"] = path
        saved.append((doc, part, mine_rows, text, blob, minhash))
    saver.add(Read(path, key, saved))
    summary.processed += 1
    summary.facts += len(rows["facts"])
    return len(rows["facts"])


def _reconcile(store) -> bool:
    """Ids from the whole folder, and the duplicate findings between documents; True if anything changed."""
    from . import dupes
    from .store import ACROSS_DOCUMENTS
    docs = store.id_inputs()
    keys = [ids.part_key(d["path"], d["part"]) for d in docs]
    new = ids.assign_ids({k: ids.place_year(d["county"], d["city"], d["performance_year"], d["years"])
                          for k, d in zip(keys, docs)})
    renames = {d["doc"]: new[k] for k, d in zip(keys, docs) if new[k] != d["doc"]}
    named = [{**d, "doc": new[k], "district": ids.district(d)} for k, d in zip(keys, docs)]
    found, duplicate_of = dupes.findings(named)
    found += _trends(store, renames)
    now = store.con.execute(f"SELECT doc, message FROM findings WHERE {ACROSS_DOCUMENTS} ORDER BY doc, message").fetchall()
    changed = bool(renames) or sorted((f["doc"], f["message"]) for f in found) != [tuple(r) for r in now]
    if changed:
        store.reconcile(renames, found)
    store.set_duplicates(duplicate_of)
    store.name_submissions()
    return changed


def set_verdicts(store, ruleset) -> bool:
    """Each report's verdict and counts from all its findings, those made across the folder included (a
    duplicate, a trend between years), and its reading warnings; True if any changed."""
    from ..checks.verdict import COLUMNS, of_reports, unread_pages
    said = {}
    for doc, key, params in store.con.execute("SELECT f.doc, w.message_key, w.message_params FROM warnings w "
                                              "JOIN files f ON f.path = w.path ORDER BY w.rowid").fetchall():
        said.setdefault(doc, []).append((key, json.loads(params) if params else {}))
    docs = [d for (d,) in store.con.execute("SELECT doc FROM documents").fetchall()]
    found = store.con.execute("SELECT doc, rule, status FROM findings ORDER BY doc, rowid").fetchall()
    got = of_reports(docs, found, ruleset, {d: unread_pages(ws) for d, ws in said.items()})
    return store.set_verdicts([{"doc": d, **v.columns()} for d, v in got.items()], COLUMNS)


def _trends(store, renames: dict) -> list[dict]:
    """Trend metrics between a district's reports of consecutive years (education spending that may only
    grow, …), under the documents' new ids: like the duplicates, a function of the folder, made every run."""
    from ..checks.crossyear import cross_year
    from ..outputs.tables import finding_rows
    df = store.con.execute("SELECT * FROM metrics ORDER BY doc, start").df()      # one order, whatever was stored first
    if df.empty:
        return []
    df["doc"] = df["doc"].map(lambda d: renames.get(d, d))
    return finding_rows(cross_year(df))


def _totals(store, summary):
    q = store.con.execute
    summary.documents = q("SELECT count(*) FROM documents").fetchone()[0]
    summary.facts_total = q("SELECT count(*) FROM facts").fetchone()[0]
    summary.verdicts = dict(q("SELECT verdict, count(*) FROM documents GROUP BY verdict").fetchall())
    from ..checks.verdict import page_count
    summary.pages_unread = sum(page_count(u) for (u,) in q("SELECT unread_pages FROM documents").fetchall())
    summary.errors_total = q("SELECT count(*) FROM files WHERE status = 'error'").fetchone()[0]


def _write_outputs(store, out: Path, ruleset, helper=None):
    """report.xlsx (for inspectors, in Chinese), facts.parquet and review/ from the database. Each file is
    replaced whole, never half-written; the site's pages are rendered again only where what they show changed.
    helper: the batch's pool of workers, done reading: one writes the workbook and facts.parquet while this process
    writes the site (a worker lost on the way: they are written here)."""
    from ..outputs import decisions, review
    from ..outputs import tables as out_tables
    frames = {name: store.table(name) for name in out_tables.TABLES}
    errors = store.frame("SELECT run_id, path, doc, kind, cause, recorded_at, message_key, message_params FROM errors "
                         "ORDER BY path")
    submissions = store.frame("SELECT * FROM submissions ORDER BY path, first_seen")
    warnings = store.warnings()
    decided = decisions.from_database(store.con, frames, out)          # i32: the inspectors' decisions, if any
    book = (out, frames, ruleset, errors, submissions, warnings, decided)
    call = helper.call(_write_book, *book) if helper is not None and helper._idle() else None
    try:
        if call is None:
            _write_book(*book)
        for left in (".review.tmp", ".review.old"):            # an older version built the site aside, then swapped it
            shutil.rmtree(out / left, ignore_errors=True)
        review.write_site(store, out / "review", ruleset, decided=decided, tables=frames)
    finally:
        if call is not None and not call.done():
            _write_book(*book)


def _write_book(out: Path, frames, ruleset, errors, submissions, warnings, decided):
    """report.xlsx and facts.parquet, each written aside and moved over the old one."""
    from ..outputs import tables
    tmp = out / ".report.xlsx.tmp"
    tables.people_workbook(frames, tmp, ruleset, errors, submissions, warnings, decided=decided)
    os.replace(tmp, out / "report.xlsx")
    frames["facts"].to_parquet(out / ".facts.parquet.tmp", index=False)
    os.replace(out / ".facts.parquet.tmp", out / "facts.parquet")


# ---------------- i32: the review server's decisions flow into the outputs ----------------

def _remember_checking(store, rule_paths, scheme_path):
    """The rules and scheme files of this run, for checking a corrected value again as this run would."""
    store.set_meta("rule_paths", json.dumps([str(Path(p).resolve()) for p in rule_paths]))
    named = scheme_path and not Path(scheme_path).is_file()         # a built-in scheme by its id
    store.set_meta("scheme_path", str(scheme_path) if named else str(Path(scheme_path).resolve()) if scheme_path else "")


def _decided_since(out: Path) -> bool:
    """Decisions recorded after the workbook was written: a run with nothing else new still writes it again."""
    from ..outputs import decision_store
    wal = decision_store.path_in(out).with_name(decision_store.FILE + "-wal")
    stamps = [p.stat().st_mtime for p in (decision_store.path_in(out), wal) if p.exists()]
    book = out / "report.xlsx"
    return bool(stamps) and (not book.exists() or max(stamps) > book.stat().st_mtime)


def rewrite_outputs(out: Path, memos: bool = True):
    """report.xlsx, the review site and the memos written again from the database with the decisions, under the
    batch's lock (BatchError when a batch holds it): what the review server's 更新 button does."""
    from ..outputs import decisions
    from ..outputs.memo import write_memos
    from .store import Store
    out = Path(out)
    lock = OutputLock(out)
    lock.acquire()
    try:
        store = Store(out / "selfeval.duckdb")
        try:
            ruleset, _ = decisions.checking_setup(store.meta("rule_paths", ""), store.meta("scheme_path", ""))
            _write_outputs(store, out, ruleset)
        finally:
            store.close()
        if memos:
            write_memos(out)
    finally:
        lock.release()


class _Progress:
    """rich's progress bar on a terminal; one plain line per file otherwise; nothing with --quiet."""

    def __init__(self, total, quiet):
        self.total, self.quiet = total, quiet
        self.done = self.errors = self.facts = 0
        self.bar = None
        if not quiet and sys.stderr.isatty() and total:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
            from ..i18n import t
            counts = t("progress.counts", facts="{task.fields[facts]}", errors="{task.fields[errors]}")
            self.bar = Progress(TextColumn(f"[bold]{t('progress.title')}"), BarColumn(), MofNCompleteColumn(),
                                TextColumn(counts),
                                TimeElapsedColumn(), TextColumn("{task.fields[current]}"), transient=False)
            self.task = self.bar.add_task("files", total=total, facts=0, errors=0, current="")
            self.bar.start()

    def start(self, path):
        if self.bar:
            self.bar.update(self.task, current=Path(path).name)

    def finish(self, path, facts: int = 0, cause=None):
        """A file done: its facts, or the cause it could not be read (a catalog message)."""
        self.done += 1
        self.errors += cause is not None
        self.facts += facts
        if self.bar:
            self.bar.update(self.task, advance=1, facts=self.facts, errors=self.errors)
        elif not self.quiet:
            from ..i18n import cause as in_language
            said = in_language(cause) if cause is not None else t("progress.facts", n=facts)
            print(f"[{self.done}/{self.total}] {t('progress.error') if cause is not None else t('progress.ok')} "
                  f"{path}: {said}", file=sys.stderr, flush=True)

    def retry(self, path):
        """A file whose worker was lost goes back in the queue: said, not counted."""
        if not self.bar and not self.quiet:
            from ..i18n import t
            print(f"[{self.done}/{self.total}] {t('progress.retry')} {path}: {t('progress.lost')}", file=sys.stderr, flush=True)

    def close(self):
        if self.bar:
            self.bar.stop()
