"""Time the whole pipeline per report beside a plain regex scan, and the cold start of the CLI.

    python benchmarks/bench_extract.py [DOCS_DIR]

Prints figures only; nothing here asserts a time.
"""
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main():
    docs = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "eval" / "docs"
    files = sorted(p for p in docs.iterdir() if p.suffix in (".txt", ".md"))
    if not files:
        sys.exit(f"no .txt/.md reports in {docs}")
    from extractor.pipeline import process_path
    from extractor.text.schemes import load_scheme
    scheme = load_scheme()
    for f in files:                           # build caches once (every pattern a report may need), as a long batch has
        process_path(f, scheme)

    # Each figure is the best of its rounds (timeit's rule): on a machine shared with other work, a slower round
    # measured the other work. Extraction and checking are timed the same way, so their ratio is fair. Extraction
    # is what every output reads of a report: the pipeline and its self-scores (score_rows).
    rounds = 5
    n_facts, times, fresh = 0, [], []
    for _ in range(rounds):
        t0 = time.perf_counter()
        made = []
        for f in files:
            r = process_path(f, scheme)
            r.scores
            made.append(r)
            n_facts += len(r.facts)
        times.append(time.perf_counter() - t0)
        fresh.append(made)
    pipeline = min(times) / len(files)
    pipeline_mean = sum(times) / (rounds * len(files))

    plain = re.compile(r"\d+(?:\.\d+)?\s*(?:%|万元|元|人|所|个|次|项)")
    texts = [f.read_text(encoding="utf-8") for f in files]
    t0 = time.perf_counter()
    hits = 0
    for _ in range(rounds):
        for t in texts:
            hits += sum(1 for _ in plain.finditer(t))
    regex_scan = (time.perf_counter() - t0) / (rounds * len(files))

    # NER: the spaCy pipeline (jieba + EntityRuler + shapes) that builds the entity table.
    from extractor.text.ner import entity_rows, nlp
    t0 = time.perf_counter()
    nlp()
    build_once = time.perf_counter() - t0
    results = [process_path(f, scheme) for f in files]
    t0 = time.perf_counter()
    n_ents = 0
    for _ in range(rounds):
        for r in results:
            n_ents += len(entity_rows(r))
    ner = (time.perf_counter() - t0) / (rounds * len(files))

    # Checking: every rule on each report, against the pipeline's time (goal: under 10% of it). Each round checks
    # results checked never before, as a batch does: what a check works out once per report (its views of the
    # text, cached on the result) is counted every time, as it is paid for every report.
    from extractor.checks.rules import check, load_rules
    ruleset = load_rules()
    for r in results:                         # warm as the pipeline is: every rule's patterns compiled once
        check(r, ruleset)
    n_findings, times = 0, []
    for made in fresh:
        t0 = time.perf_counter()
        for r in made:
            n_findings += len(check(r, ruleset))
        times.append(time.perf_counter() - t0)
    checking = min(times) / len(files)
    checking_mean = sum(times) / (rounds * len(files))

    chars = sum(len(t) for t in texts) / len(texts)
    print(f"reports: {len(files)} from {docs} (mean {chars:,.0f} characters)")
    print(f"{'':32}{'ms/report':>12}{'facts|hits/report':>20}")
    print(f"{'selfeval pipeline (warm)':32}{pipeline * 1000:12.2f}{n_facts / (rounds * len(files)):20.1f}")
    print(f"{'plain regex scan (baseline)':32}{regex_scan * 1000:12.2f}{hits / (rounds * len(files)):20.1f}")
    print(f"{'NER entity table (warm)':32}{ner * 1000:12.2f}{n_ents / (rounds * len(files)):20.1f}"
          f"   = {ner / (ner + pipeline):.0%} of pipeline + NER; building spaCy + jieba once: {build_once:.2f} s")
    print(f"{'checking (warm)':32}{checking * 1000:12.2f}{n_findings / (rounds * len(files)):20.1f}"
          f"   = {checking / pipeline:.1%} of extraction (goal < 10%)")
    print(f"(pipeline and checking: best of {rounds} rounds; their means {pipeline_mean * 1000:.2f} and "
          f"{checking_mean * 1000:.2f} ms/report, checking {checking_mean / pipeline_mean:.1%} of extraction)")

    one = files[-1]
    cold, bare = [], []
    for _ in range(5):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, str(ROOT / "cli.py"), "extract", str(one)], capture_output=True, check=True)
        cold.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], capture_output=True, check=True)
        bare.append(time.perf_counter() - t0)
    version = []
    for _ in range(5):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, str(ROOT / "cli.py"), "--version"], capture_output=True, check=True)
        version.append(time.perf_counter() - t0)
    print(f"cold start `selfeval extract {one.name}`: median {statistics.median(cold):.2f} s "
          f"(goal < 1.5 s); `selfeval --version`: {statistics.median(version):.2f} s (goal <= 0.15 s); "
          f"bare `python -c pass`: {statistics.median(bare):.2f} s")
    import os
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores: compare the figures of one run, not runs")


if __name__ == "__main__":
    main()
