"""`selfeval batch` on N text reports: a full run, an unchanged re-run, and a re-run with changed rules.

    python benchmarks/bench_batch.py [N] [JOBS]        # N = 200, JOBS = 2 by default; the issue's figure is N = 1000

The reports are the development documents and the seed, copied with small edits so each has its own
content (no two files share a hash). A re-run with changed rules re-checks every document from its
stored result and reads no file; its time is printed beside the full run's. Prints figures only.
"""
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RULES = """sources: {p: 某省标准}
rules:
  - id: preschool.public-share
    kind: threshold
    title: 公办园在园幼儿占比
    match: {kinds: [percent], unit: '%', text: '公办园在园幼儿占比'}
    op: '>='
    threshold: 40
    source: p
"""


def timed(args):
    t0 = time.perf_counter()
    r = subprocess.run([sys.executable, str(ROOT / "cli.py"), "batch", *map(str, args)], capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(r.stderr or r.stdout)
    return time.perf_counter() - t0


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    jobs = int(sys.argv[2]) if len(sys.argv) > 2 else 2
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
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
