"""Cost linear in the text: `selfeval check` on the seed report repeated 16 and 64 times.

    python benchmarks/bench_scale.py [REPORT] [--cli]

Times reading, extraction and the checks in one process (best of a few runs, after a warm-up that builds
the caches), then prints the ratio of 64× to 16×: linear cost gives about 4, the issue's bound is 4.8.
The repeated seed is a compilation of identical reports, so `extract` and `batch` read it as 16 and 64
documents (pipeline.process_file); the first figures read it as one long document (process_path), which
is what keeps every text stage honest about length; the second figures time the split path as they run it.
With --cli it also times the command line itself, start-up included. Prints figures only; nothing here
asserts a time. The machine may be shared: compare the two figures of one run, not runs.
"""
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TIMES = (16, 64)


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    seed = Path(args[0]) if args else ROOT.parent / "shared" / "seed" / "xingan-2024.md"
    if not seed.exists():
        seed = ROOT / "corpus" / "xingan-2024.md"
    text = seed.read_text(encoding="utf-8")
    from extractor.checks.rules import check, load_rules
    from extractor.pipeline import process_file, process_path
    from extractor.text.schemes import load_scheme
    scheme, rules = load_scheme(), load_rules([])

    with tempfile.TemporaryDirectory() as tmp:
        paths = {}
        for n in TIMES:
            paths[n] = Path(tmp) / f"{seed.stem}-x{n}{seed.suffix}"
            paths[n].write_text("\n\n".join([text] * n), encoding="utf-8")

        def run(path):
            t0 = time.perf_counter()
            result = process_path(path, scheme)
            findings = check(result, rules)
            return time.perf_counter() - t0, len(result.facts), len(findings)

        run(seed)                                   # warm-up: patterns, catalogs, caches
        print(f"seed: {seed} ({len(text):,} characters)")
        print(f"{'':10}{'characters':>12}{'facts':>8}{'findings':>10}{'seconds':>10}")
        best = {}
        for n, rounds in zip(TIMES, (3, 2)):
            runs = [run(paths[n]) for _ in range(rounds)]
            best[n] = min(r[0] for r in runs)
            _, facts, findings = runs[0]
            print(f"{n:>3}x{'':6}{len(text) * n:>12,}{facts:>8}{findings:>10}{best[n]:>10.2f}")
        lo, hi = TIMES
        print(f"ratio {hi}x/{lo}x: {best[hi] / best[lo]:.2f} (linear: {hi / lo:.1f}, bound 4.8)")

        def run_parts(path):
            t0 = time.perf_counter()
            results = process_file(path, scheme)
            findings = sum(len(check(r, rules)) for r in results)
            return time.perf_counter() - t0, len(results), sum(len(r.facts) for r in results), findings

        print("split into reports, as extract and batch read it:")
        print(f"{'':10}{'reports':>12}{'facts':>8}{'findings':>10}{'seconds':>10}")
        split = {}
        for n, rounds in zip(TIMES, (3, 2)):
            runs = [run_parts(paths[n]) for _ in range(rounds)]
            split[n] = min(r[0] for r in runs)
            _, parts, facts, findings = runs[0]
            print(f"{n:>3}x{'':6}{parts:>12}{facts:>8}{findings:>10}{split[n]:>10.2f}")
        print(f"ratio {hi}x/{lo}x: {split[hi] / split[lo]:.2f}; split / one document at {hi}x: {split[hi] / best[hi]:.2f}")

        if "--cli" in sys.argv:
            cli = {}
            for n in TIMES:
                t0 = time.perf_counter()
                subprocess.run([sys.executable, str(ROOT / "cli.py"), "check", str(paths[n]),
                                "-o", str(Path(tmp) / f"x{n}.jsonl")], check=True, cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                cli[n] = time.perf_counter() - t0
                print(f"cli check {n:>3}x: {cli[n]:.2f} s")
            print(f"cli ratio {hi}x/{lo}x: {cli[hi] / cli[lo]:.2f}")


if __name__ == "__main__":
    main()
