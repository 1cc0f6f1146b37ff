"""Reports per minute for `selfeval batch --jobs 1` and `--jobs 2` on the same 200 reports, side by side.

    python benchmarks/bench_batch.py [N]

The reports are the development documents and the seed, copied with small edits so each
has its own content (no two files share a hash). Prints figures only.
"""
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    sources = sorted((ROOT.parent / "shared" / "eval" / "docs").glob("*.*")) or [ROOT / "corpus" / "xingan-2024.md"]
    texts = [p.read_text(encoding="utf-8") for p in sources]
    tmp = Path(tempfile.mkdtemp())
    src = tmp / "in"
    src.mkdir()
    for i in range(n):
        t = texts[i % len(texts)]
        (src / f"report-{i:04d}.md").write_text(t + f"\n\n（第{i}份）\n", encoding="utf-8")
    chars = sum(len(p.read_text(encoding='utf-8')) for p in src.iterdir()) / n
    print(f"{n} reports (mean {chars:,.0f} characters) on {sys.platform}, 2 cores")
    print(f"{'':20}{'seconds':>10}{'reports/min':>14}")
    for jobs in (1, 2):
        out = tmp / f"out{jobs}"
        t0 = time.perf_counter()
        r = subprocess.run([sys.executable, str(ROOT / "cli.py"), "batch", str(src), "-o", str(out),
                            "--jobs", str(jobs), "--quiet"], capture_output=True, text=True)
        secs = time.perf_counter() - t0
        if r.returncode != 0:
            sys.exit(r.stderr or r.stdout)
        print(f"{'--jobs ' + str(jobs):20}{secs:10.1f}{n / secs * 60:14.0f}")
    t0 = time.perf_counter()
    subprocess.run([sys.executable, str(ROOT / "cli.py"), "batch", str(src), "-o", str(tmp / "out2"), "--quiet"],
                   capture_output=True, text=True)
    print(f"{'re-run, unchanged':20}{time.perf_counter() - t0:10.1f}{'':>14}")
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
