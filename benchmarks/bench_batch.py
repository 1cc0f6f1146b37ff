"""`selfeval batch` on N text reports: a full run, an unchanged re-run, and a re-run with changed rules; then the
same full run on the local engine and on Ray, side by side on the same cores, and scanned pages on both.

    python benchmarks/bench_batch.py [N] [JOBS] [--scans K]    # N = 200, JOBS = 2, K = 2 copies of a 13-page scan

The reports are the development documents and the seed, copied with small edits so each has its own
content (no two files share a hash). A re-run with changed rules re-checks every document from its
stored result and reads no file, rewrites report.xlsx, and renders again only the review pages whose findings
changed (here about two thirds); its time is printed beside the full run's. Ray's run starts a Ray of JOBS
CPUs on 127.0.0.1 (its start-up is in the time, as a user sees it); it is skipped, with a line, when Ray is not
installed. Prints figures only.
"""
import argparse
import importlib.util
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RULES = (ROOT / "tests" / "data" / "province-rules.yaml").read_text(encoding="utf-8")


def timed(args):
    t0 = time.perf_counter()
    r = subprocess.run([sys.executable, str(ROOT / "cli.py"), "batch", *map(str, args)], capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(r.stderr or r.stdout)
    return time.perf_counter() - t0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("n", type=int, nargs="?", default=200)
    ap.add_argument("jobs", type=int, nargs="?", default=2)
    ap.add_argument("--scans", type=int, default=2, help="copies of the 13-page scan for the per-page figure")
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
    print(f"{'':28}{'seconds':>10}{'reports/min':>14}{'of full run':>14}")
    for name, secs in (("full run", full), ("re-run, unchanged", same), ("re-run, rules changed", rules)):
        print(f"{name:28}{secs:10.1f}{n / secs * 60:14.0f}{secs / full:14.1%}")

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
