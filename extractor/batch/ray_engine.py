"""The batch on a Ray cluster: files become tasks of Ray actors, one actor per CPU, each building the pipeline once.

Results stream back to the driver, whose loop (run._dispatch) alone writes the database, so every table is the
local engine's. Ray is optional: it is imported here only, when `--engine ray` is asked for.
"""
from __future__ import annotations

import importlib.util
import os
import signal
import tempfile
import time
from pathlib import Path

from .messages import BatchError, say, stored
from .work import Reader

INSTALL = 'pip install "selfeval[ray]"'
TRIES = 3               # a file whose actor was lost (its node died) is read again elsewhere, this many times at most
START_LIMIT = 300.0     # seconds with work to do and no actor alive: the cluster has no room for one, stop and say so
LOOPBACK = ("127.", "localhost", "[::1]", "::1")


class _Worker:
    """One Ray actor: a Reader, and whether it sees the driver's folder (if not, the driver sends each file's bytes)."""

    def __init__(self, args, probe):
        self.reader = Reader(*args)
        self.shared = _sees(*probe)

    def ready(self) -> bool:
        return self.shared

    def read(self, path, rel, data=None) -> tuple:
        if data is None:
            return self.reader.read(path, rel)
        with tempfile.TemporaryDirectory(prefix="selfeval-") as tmp:
            local = Path(tmp) / Path(path).name          # same name, so the suffix picks the same reader
            local.write_bytes(data)
            event = self.reader.read(str(local), rel)
        if event[0] == "error":                        # the file as the driver knows it, not the copy
            event = (*event[:3], event[3].replace(str(local), path))
        else:
            event[2]["documents"][0]["path"] = path
        return event


def _sees(path, sha256) -> bool:
    from ..readers.ingest import sha256_of
    try:
        return bool(path) and sha256_of(Path(path)) == sha256
    except OSError:
        return False


def _host(address: str) -> str:
    return address.split("://")[-1].rsplit(":", 1)[0]


def require():
    """Ray installed, or one line saying how to install it."""
    if importlib.util.find_spec("ray") is None:
        raise BatchError(say("ray_missing", install=INSTALL))


def _connect(address, jobs):
    """ray.init: a cluster's address, or a Ray of this machine's cores bound to 127.0.0.1 and shut down at the end."""
    require()
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    os.environ.setdefault("RAY_IGNORE_UNHANDLED_ERRORS", "1")     # results of killed actors are dropped on purpose
    if address and _host(address).startswith(LOOPBACK):
        # Ray turns 127.0.0.1 into the machine's public address so that other machines can reach it; a cluster
        # bound to loopback only answers there. This switch makes Ray keep loopback (read when ray is imported).
        os.environ["RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"] = "0"
    import logging
    import ray
    handlers = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    env = {k: v for k, v in os.environ.items() if k.startswith("SELFEVAL_")}   # language, extra indicator files
    kw = {"logging_level": logging.ERROR, "log_to_driver": False, "runtime_env": {"env_vars": env} if env else None}
    try:
        if address:
            ray.init(address=address, **kw)
        else:
            ray.init(address="local", num_cpus=jobs or None, include_dashboard=False, _node_ip_address="127.0.0.1", **kw)
    except Exception as e:  # noqa: BLE001 - any failure to reach the cluster is one line for the user
        raise BatchError(say("ray_connect", address=address or "local", cause=str(e).strip().splitlines()[0]
                             if str(e).strip() else type(e).__name__)) from None
    finally:
        for s, h in handlers.items():                    # the batch, not Ray, decides what SIGTERM and Ctrl-C do
            signal.signal(s, h)
    return ray


class RayEngine:
    """Ray actors as the batch's workers: free(), submit(), busy(), poll(), close(), as run._Pool offers them."""

    def __init__(self, address, jobs, n_tasks, args, timeout, probe):
        self.ray = _connect(address, jobs)
        self.timeout, self.args, self.probe = timeout, args, probe
        cpus = int(self.ray.cluster_resources().get("CPU", 0))
        self.target = max(1, min(jobs or cpus, n_tasks))
        self.actor_class = self.ray.remote(num_cpus=1, max_restarts=0, max_task_retries=0)(_Worker)
        self.actors, self.next_id, self.deaths, self.tries = {}, 0, 0, {}
        self.alive_at = time.monotonic()
        self._top_up()

    def _top_up(self):
        """As many actors as the target; one that finds no CPU waits in Ray's queue and takes no file until placed."""
        while len(self.actors) < self.target:
            actor = self.actor_class.remote(self.args, self.probe)
            self.actors[self.next_id] = {"actor": actor, "ready_ref": actor.ready.remote(), "ready": False,
                                         "shared": False, "task": None, "ref": None, "since": 0.0}
            self.next_id += 1

    def _drop(self, aid):
        s = self.actors.pop(aid)
        try:
            self.ray.kill(s["actor"], no_restart=True)
        except Exception:  # noqa: BLE001 - already gone with its node
            pass

    def _idle(self):
        return [a for a, s in self.actors.items() if s["ready"] and s["task"] is None]

    def free(self) -> bool:
        return bool(self._idle())

    def busy(self) -> bool:
        return any(s["task"] for s in self.actors.values())

    def submit(self, path, rel, sha256=None):
        s = self.actors[self._idle()[0]]
        data = None
        if not s["shared"]:
            try:
                data = Path(path).read_bytes()
            except OSError:
                pass                                       # the worker says why it cannot be read, in errors
        s["task"], s["since"], s["ref"] = (path, rel), time.monotonic(), s["actor"].read.remote(path, rel, data)

    def poll(self, wait) -> list:
        ray, events = self.ray, []
        starting = {s["ready_ref"]: a for a, s in self.actors.items() if not s["ready"]}
        running = {s["ref"]: a for a, s in self.actors.items() if s["task"]}
        refs = list(starting) + list(running)
        done = []
        if refs:
            done, _ = ray.wait(refs, num_returns=1, timeout=wait)
            if done:
                done, _ = ray.wait(refs, num_returns=len(refs), timeout=0)
        else:
            time.sleep(wait)
        for ref in done:
            try:
                value, failed = ray.get(ref), False
            except ray.exceptions.RayError:
                value, failed = None, True                 # the actor died: its node was lost, or it crashed
            if ref in starting:
                self._started(starting[ref], value, failed)
            else:
                events.append(self._finished(running[ref], value, failed))
        now = time.monotonic()
        for aid in [a for a, s in self.actors.items() if s["task"] and now - s["since"] > self.timeout]:
            rel = self.actors[aid]["task"][1]
            self._drop(aid)
            events.append(("error", rel, "timeout", stored("timeout", seconds=f"{self.timeout:.0f}"), self.timeout))
        self._top_up()
        if any(s["ready"] for s in self.actors.values()):
            self.alive_at = now
        elif now - self.alive_at > START_LIMIT:
            raise BatchError(say("ray_no_workers", seconds=f"{START_LIMIT:.0f}"))
        return events

    def _started(self, aid, shared, failed):
        if failed:
            self.deaths += 1
            self._drop(aid)
            if self.deaths > 3 * self.target:
                raise BatchError(say("ray_no_workers", seconds=f"{time.monotonic() - self.alive_at:.0f}"))
        else:
            self.actors[aid].update(ready=True, shared=shared)

    def _finished(self, aid, value, failed) -> tuple:
        rel = self.actors[aid]["task"][1]
        if not failed:
            self.actors[aid].update(task=None, ref=None)
            return value
        self._drop(aid)
        self.tries[rel] = self.tries.get(rel, 0) + 1
        return ("retry", rel) if self.tries[rel] < TRIES else ("error", rel, "crash", stored("crash"), None)

    def close(self, kill=False):
        for aid in list(self.actors):
            self._drop(aid)
        try:
            self.ray.shutdown()                            # a local Ray stops; a cluster only loses this driver
        except Exception:  # noqa: BLE001 - the cluster may already be gone; nothing is left to save
            pass
