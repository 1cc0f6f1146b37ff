"""`selfeval batch` on N text reports: a full run, an unchanged re-run, and a re-run with changed rules; then the
same full run on the local engine and on Ray, side by side on the same cores, and scanned pages on both.

    python benchmarks/bench_batch.py [N] [JOBS] [--scans K]    # N = 200, JOBS = 2, K = 2 copies of a 13-page scan
    python benchmarks/bench_batch.py 1000 2 --no-engines       # the three batch runs only

The reports are the development documents and the seed, copied with small edits so each has its own
content (no two files share a hash). A re-run with changed rules re-checks every document from its
stored result and reads no file, rewrites report.xlsx, and renders again only the review pages whose findings
changed (here about two thirds); its time is printed beside the full run's. Ray's run starts a Ray of JOBS
CPUs on 127.0.0.1 (its start-up is in the time, as a user sees it); it is skipped, with a line, when Ray is not
installed. Prints figures only.
"""
import argparse
import importlib.util
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RULES = (ROOT / "tests" / "data" / "province-rules.yaml").read_text(encoding="utf-8")


PEAKS = []          # the peak resident memory of each run's process tree, bytes, in run order
CPU = []            # the CPU seconds (user + system) of each run's processes, in run order


def _tree_rss(pid: int) -> int:
    """The resident memory of a process and all its descendants (Linux /proc; 0 where it cannot be read)."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/statm") as f:
                total += int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    todo += [int(c) for c in f.read().split()]
        except (OSError, ValueError):
            continue
    return total


def timed(args):
    """Seconds of one `selfeval batch`; its peak memory (driver and workers together, sampled every 0.1 s) is kept in
    PEAKS."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, str(ROOT / "cli.py"), "batch", *map(str, args)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = [0]

    def sample():
        while proc.poll() is None:
            peak[0] = max(peak[0], _tree_rss(proc.pid))
            time.sleep(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = proc.communicate()
    secs = time.perf_counter() - t0
    sampler.join()
    if proc.returncode != 0:
        sys.exit(err or out)
    PEAKS.append(peak[0])
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    CPU.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return secs


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("n", type=int, nargs="?", default=200)
    ap.add_argument("jobs", type=int, nargs="?", default=2)
    ap.add_argument("--scans", type=int, default=2, help="copies of the 13-page scan for the per-page figure")
    ap.add_argument("--no-engines", action="store_true", help="leave out the local engine beside Ray and the scans")
    a = ap.parse_args()
    n, jobs = a.n, a.jobs
    sources = sorted((ROOT.parent / "shared" / "eval" / "docs").glob("*.*")) or [ROOT / "corpus" / "xingan-2024.md"]
    texts = [p.read_text(encoding="utf-8") for p in sources]
    tmp = Path(tempfile.mkdtemp())
    src, out = tmp / "in", tmp / "out"
    src.mkdir()
    for i in range(n):
        (src / f"report-{i:04d}.md").write_text(texts[i % len(texts)] + f"\n\n（第{i}份）\n", encoding="utf-8")
    (tmp / "rules.yaml").write_text(RULES, encoding="utf-8")
    chars = sum(len(p.read_text(encoding='utf-8')) for p in src.iterdir()) / n
    print(f"{n} text reports (mean {chars:,.0f} characters), --jobs {jobs}, on {sys.platform}")
    full = timed([src, "-o", out, "--jobs", jobs, "--quiet"])
    same = timed([src, "-o", out, "--jobs", jobs, "--quiet"])
    rules = timed([src, "-o", out, "--jobs", jobs, "--quiet", "--rules", tmp / "rules.yaml"])
    print(f"{'':28}{'seconds':>10}{'reports/min':>14}{'of full run':>14}{'CPU seconds':>14}{'peak memory':>14}")
    for (name, secs), cpu, peak in zip((("full run", full), ("re-run, unchanged", same),
                                        ("re-run, rules changed", rules)), CPU, PEAKS):
        print(f"{name:28}{secs:10.1f}{n / secs * 60:14.0f}{secs / full:14.1%}{cpu:14.1f}{peak / 2**20:11.0f} MB")
    print("(CPU seconds: user + system of the driver and its workers, what a loaded machine does not inflate much; "
          "peak memory: their resident memory together, sampled every 0.1 s)")

    if a.no_engines:
        shutil.rmtree(tmp, ignore_errors=True)
        return
    scans = tmp / "scans"
    scans.mkdir()
    for i in range(a.scans):
        shutil.copy(ROOT / "corpus" / "xingan-2024-scan.pdf", scans / f"scan-{i}.pdf")
    pages = 13 * a.scans
    has_ray = importlib.util.find_spec("ray") is not None
    print(f"\nengines on the same {jobs} cores: full runs into fresh folders")
    print(f"{'':28}{'seconds':>10}{'reports/min':>14}{'pages/min':>12}{'s/page/core':>13}{'of local':>10}")
    base = {}
    for engine in ("local", "ray"):
        if engine == "ray" and not has_ray:
            print('ray: not installed (pip install -e ".[ray]")')
            continue
        for what, folder, count in (("text reports", src, n), ("scanned pages", scans, pages))[:2 if pages else 1]:
            o = tmp / f"out-{engine}-{folder.name}"
            secs = timed([folder, "-o", o, "--jobs", jobs, "--quiet", "--engine", engine])
            base.setdefault(what, secs)
            rate = f"{count / secs * 60:14.0f}{'':12}{'':13}" if what == "text reports" else \
                f"{'':14}{count / secs * 60:12.1f}{secs * jobs / count:13.2f}"
            print(f"{engine + ', ' + what:28}{secs:10.1f}{rate}{secs / base[what]:10.0%}")
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
