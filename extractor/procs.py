"""Worker processes that end with the process that started them."""
from __future__ import annotations

import contextlib
import os

POLL = 1.0                    # seconds between two looks at a watched process, where the kernel cannot tell


def idle_cores(loadavg: str = "/proc/loadavg") -> int:
    """How many processes can read files side by side now: the cores this process may run on, less the tasks of other
    processes that run or wait to run at this moment (the kernel's count, /proc/loadavg's fourth field, counts this
    one too), at least 1; every core where that count cannot be read. A core busy with other work gives a forked
    copy no time of its own: the kernel shares the cores between sessions, and a copy would only add its start,
    its copied memory and its pickled results (about 8% more CPU for the same reading)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    try:
        with open(loadavg, encoding="ascii") as f:
            running = int(f.read().split()[3].split("/")[0])
    except (OSError, ValueError, IndexError):
        return cores
    return max(1, min(cores, cores - (running - 1)))


def die_with_parent():
    """Linux: the kernel kills this process when its parent dies (SIGKILL included); elsewhere nothing."""
    import ctypes
    import signal
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).prctl(1, signal.SIGKILL)          # PR_SET_PDEATHSIG


def die_with(pid: int):
    """This process ends when process `pid` ends, however it ends: for a worker whose parent is not the
    process it works for (one forked by multiprocessing's server process). A thread waits on the process
    (Linux's pidfd; else it looks every POLL seconds)."""
    import threading
    threading.Thread(target=_watch, args=(pid,), name="die-with", daemon=True).start()


def _watch(pid: int):
    import select
    import time
    try:
        fd = os.pidfd_open(pid)
        select.select([fd], [], [])
    except (AttributeError, OSError):       # no pidfd here, or the process is gone already
        while alive(pid):
            time.sleep(POLL)
    os._exit(1)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
