"""Run the pipeline over many files; a bad file never stops the rest."""
from __future__ import annotations

import multiprocessing as mp
import os
import queue
import signal
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError, internal_cause
from .inputs import doc_ids, new_doc_id, walk


def run(files, scheme, ocr: str = "auto"):
    from ..pipeline import process_path
    results, failed = [], []
    ids = doc_ids(files)
    for f in files:
        try:
            results.append(process_path(f, scheme, ocr=ocr, doc=ids[Path(f)]))
        except InputError as e:
            failed.append(e)
        except Exception as e:  # one bad file must not stop a batch; say what happened, on one line
            failed.append(InputError("internal", f, internal_cause(e, f)))
    return results, failed


# ---------------- selfeval batch: a folder in, a database and a review site out ----------------


@dataclass
class BatchSummary:
    files: int = 0
    processed: int = 0
    unchanged: int = 0
    failed: int = 0
    unsupported: int = 0
    facts: int = 0
    seconds: float = 0.0
    interrupted: bool = False
    findings: dict = field(default_factory=dict)
    errors_total: int = 0


def _worker(wid, inbox, outbox, scheme_path, rule_paths, ocr):
    """A worker process: builds its scheme, rules, spaCy and jieba once, then takes files one by one."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)      # the parent decides when workers stop
    from ..pipeline import process_path
    from ..checks.rules import load_rules
    from ..text.segment import load_scheme
    from ..outputs.tables import rows_for
    from ..text.ner import nlp
    scheme = load_scheme(scheme_path)
    ruleset = load_rules(rule_paths)
    nlp()                                   # spaCy and jieba: built once per worker, before the clock starts
    outbox.put((wid, "ready"))
    while True:
        task = inbox.get()
        if task is None:
            return
        path, doc = task
        try:
            res = process_path(path, scheme, ocr=ocr, doc=doc)
            rows = rows_for(res, scheme, ruleset)
            outbox.put((wid, "ok", path, doc, rows, res.source.text, len(res.facts)))
        except InputError as e:
            outbox.put((wid, "error", path, doc, e.kind, e.cause, 0))
        except Exception as e:  # noqa: BLE001 - reported as a row in errors, the batch goes on
            outbox.put((wid, "error", path, doc, "internal", internal_cause(e, path), 0))


class _Pool:
    """Worker processes with a task each, so one that runs over its time can be stopped alone."""

    def __init__(self, n, args):
        self.ctx = mp.get_context("spawn")
        self.args = args
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

    def ready(self, wid):
        if wid in self.workers:
            self.workers[wid]["ready"] = True

    def idle(self):
        return [w for w, s in self.workers.items() if s["task"] is None and s["ready"]]

    def give(self, wid, task):
        s = self.workers[wid]
        s["task"], s["since"] = task, time.monotonic()
        s["inbox"].put(task)

    def done(self, wid):
        if wid in self.workers:
            self.workers[wid]["task"] = None

    def overdue(self, limit):
        now = time.monotonic()
        return [(w, s["task"]) for w, s in self.workers.items() if s["task"] and now - s["since"] > limit]

    def replace(self, wid):
        self.respawns += 1
        s = self.workers.pop(wid)
        s["proc"].kill()
        s["proc"].join(5)
        self._spawn()

    def in_flight(self):
        return [s["task"] for s in self.workers.values() if s["task"]]

    def crashed(self):
        return [(w, s["task"]) for w, s in self.workers.items() if s["task"] and not s["proc"].is_alive()]

    def dead_idle(self):
        """Workers that died before taking a task (e.g. could not start): replaced, nothing lost."""
        return [w for w, s in self.workers.items() if not s["task"] and not s["proc"].is_alive()]

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


def run_batch(root: Path, out: Path, jobs: int = 0, ocr: str = "auto", rule_paths=(), scheme_path=None,
              quiet: bool = False, timeout: float = 600.0, echo=print) -> BatchSummary:
    from .. import __version__
    from ..readers.ingest import sha256_of
    from .store import Store

    t_start = time.monotonic()
    jobs = jobs or os.cpu_count() or 1
    out.mkdir(parents=True, exist_ok=True)
    store = Store(out / "selfeval.duckdb")
    summary = BatchSummary()
    stop = {"signal": None}

    def on_signal(signum, _frame):
        stop["signal"] = signum

    old = {s: signal.signal(s, on_signal) for s in (signal.SIGTERM, signal.SIGINT)}
    pool = None
    run_id = store.new_run(str(root), jobs, __version__)
    try:
        supported, other = walk(root, skip=out)
        summary.files = len(supported)
        for f in other:
            store.note_unsupported(str(f), f"unsupported file type '{f.suffix or '(none)'}'", run_id)
        summary.unsupported = len(other)

        known = store.known()
        taken = {v[2] for v in known.values()}
        tasks = []
        for f in supported:
            key = str(f)
            sha = sha256_of(f) if f.stat().st_size else ""
            if key in known and known[key][0] == sha and known[key][1] == __version__:
                summary.unchanged += 1
                continue
            doc = known[key][2] if key in known else new_doc_id(f, taken)
            taken.add(doc)
            tasks.append((key, doc, sha))

        progress = _Progress(len(tasks), quiet, echo)
        shas = {t[0]: t[2] for t in tasks}
        if tasks:
            pool = _Pool(min(jobs, len(tasks)), (scheme_path, list(map(str, rule_paths)), ocr))
            pending = list(tasks)
            while (pending or pool.in_flight()) and stop["signal"] is None:
                for wid in pool.idle():
                    if not pending:
                        break
                    path, doc, _ = pending.pop(0)
                    pool.give(wid, (path, doc))
                    progress.start(path)
                try:
                    msg = pool.outbox.get(timeout=0.2)
                except queue.Empty:
                    msg = None
                if msg is not None and msg[1] == "ready":
                    pool.ready(msg[0])
                    msg = None
                if msg is not None:
                    wid, status, path, doc, *rest = msg
                    pool.done(wid)
                    if status == "ok":
                        rows, text, n = rest
                        _add_duplicate_finding(store, rows, shas[path], path)
                        store.save_document(path, doc, shas[path], __version__, rows, text, run_id)
                        summary.processed += 1
                        summary.facts += n
                        progress.finish(path, f"{n} facts")
                    else:
                        kind, cause, _ = rest
                        store.save_error(path, doc, shas[path], __version__, kind, cause, run_id)
                        summary.failed += 1
                        progress.finish(path, cause, error=True)
                lost = [(w, t, "timeout", f"over the per-file time limit ({timeout:.0f} s)") for w, t in pool.overdue(timeout)]
                lost += [(w, t, "crash", "the worker process died while reading it") for w, t in pool.crashed()]
                for wid in pool.dead_idle():
                    if pool.respawns >= 3 * jobs:
                        raise RuntimeError("worker processes keep dying at start")
                    pool.replace(wid)
                for wid, (path, doc), kind, cause in lost:
                    pool.replace(wid)
                    store.save_error(path, doc, shas[path], __version__, kind, cause, run_id)
                    summary.failed += 1
                    progress.finish(path, cause, error=True)
        progress.close()
        summary.interrupted = stop["signal"] is not None
        summary.seconds = time.monotonic() - t_start
        store.finish_run(run_id, "interrupted" if summary.interrupted else "complete",
                         files_seen=summary.files, processed=summary.processed, unchanged=summary.unchanged,
                         failed=summary.failed, unsupported=summary.unsupported, facts=summary.facts,
                         seconds=summary.seconds)
        nothing_new = summary.processed == 0 and summary.failed == 0 and (out / "review" / "index.html").exists()
        if not summary.interrupted and not nothing_new:
            from ..checks.rules import load_rules
            _write_outputs(store, out, load_rules(rule_paths))
        summary.findings = dict(store.con.execute(
            "SELECT status, count(*) FROM findings GROUP BY status ORDER BY status").fetchall())
        summary.errors_total = store.con.execute(
            "SELECT count(*) FROM files WHERE status = 'error'").fetchone()[0]
    finally:
        if pool is not None:
            pool.close(kill=stop["signal"] is not None)
        store.close()
        for s, h in old.items():
            signal.signal(s, h)
    return summary


def _add_duplicate_finding(store, rows, sha, path):
    """The same content under another path is a duplicate submission: worth a finding."""
    from .. import data
    from ..checks.rules import Finding
    from ..outputs.tables import finding_rows
    others = [(d, p) for d, p in store.docs_by_sha().get(sha, []) if p != path]
    if not others:
        return
    msg = data.load("messages.yaml")
    named = msg["list_sep"].join(msg["doc_and_file"].format(doc=d, file=Path(p).name) for d, p in others)
    rows["findings"] += finding_rows([Finding(
        doc=rows["documents"][0]["doc"], rule="batch.duplicate-submission", status="inconsistent", severity="medium",
        message=msg["duplicate_submission"].format(others=named))])


def _write_outputs(store, out: Path, ruleset=None):
    from ..outputs import review, tables
    frames = {name: store.table(name) for name in tables.TABLES}
    errors = store.frame("SELECT run_id, path, doc, kind, cause, recorded_at FROM errors ORDER BY path")
    tables.people_workbook(frames, out / "report.xlsx", ruleset, errors)     # for inspectors: in Chinese
    frames["facts"].to_parquet(out / "facts.parquet", index=False)
    review.write_site(store, out / "review", ruleset)


class _Progress:
    """rich's progress bar on a terminal; one plain line per file otherwise; nothing with --quiet."""

    def __init__(self, total, quiet, echo):
        self.total, self.quiet, self.echo = total, quiet, echo
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

    def finish(self, path, note, error=False):
        self.done += 1
        self.errors += error
        if not error and note.endswith("facts"):
            self.facts += int(note.split()[0])
        if self.bar:
            self.bar.update(self.task, advance=1, facts=self.facts, errors=self.errors)
        elif not self.quiet:
            from ..i18n import cause, t          # words from the catalog; the stored cause stays English
            said = cause(note) if error else t("progress.facts", n=note.split()[0])
            print(f"[{self.done}/{self.total}] {t('progress.error') if error else t('progress.ok')} {path}: {said}",
                  file=sys.stderr, flush=True)

    def close(self):
        if self.bar:
            self.bar.stop()
