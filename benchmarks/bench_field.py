"""`selfeval extract` beside JioNLP on the same 46 reports, each tool as one whole process (start-up, loading, every
file), in the same run.

    python benchmarks/bench_field.py [--rounds 3] [--no-bytecode]

JioNLP (the `jionlp` package) is the off-the-shelf Chinese toolkit nearest to selfeval's field: its extractors
`jionlp.ner.extract_money` (amounts, with the parsed value) and `jionlp.ner.extract_time` (dates and periods,
parsed). It has no extractor for percentages, counts or other numbers; selfeval's run extracts those too (and
places each fact in the scheme), so the comparison favours JioNLP. JioNLP is no dependency of selfeval and never
goes into the project's environment: it lives in a virtual environment of its own, made once with

    python3 -m venv ~/.cache/selfeval-bench/jionlp-venv
    ~/.cache/selfeval-bench/jionlp-venv/bin/pip install jionlp

(or JIONLP_PYTHON=/path/to/python naming another interpreter that imports jionlp). Without it the bench prints a
line saying so and times selfeval alone.

The mix (46 reports): the seed report (../shared/seed/xingan-2024.md, else corpus/xingan-2024.md) 20 times, and 26
short openings (the first 300, 600, 900 or 1,200 characters, cut at a line or sentence end) of the development
documents (../shared/eval/docs) and the corpus report. Each round runs both tools once, in turn; the wall time of
each command and its CPU time (user + system, from the operating system, with that of any process it started:
selfeval reads the files in one process per idle core, its default --jobs) are printed, best and median of the
rounds. The issue's bar: selfeval's whole-command time at most .5 of JioNLP's. Prints figures only.

Both tools run from their bytecode, as installed packages do: pip compiles JioNLP's modules when it installs them,
and selfeval's are compiled once, by an untimed first run, into a folder of the run's own (PYTHONPYCACHEPREFIX). Where
PYTHONDONTWRITEBYTECODE is set (as in the development environment) selfeval's checkout never gets its __pycache__,
and each of its runs compiled its ~50 modules again (~0.1 s of CPU) while JioNLP's never did. `--no-bytecode` times
selfeval that way.

On a machine shared with other work the CPU the two get is what is left over: two processes that each burn a
second of CPU side by side take two seconds on a machine with no core free, one on an idle one of two cores.
"""
import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_PYTHON = Path.home() / ".cache" / "selfeval-bench" / "jionlp-venv" / "bin" / "python"
OPENING_LENGTHS = (300, 600, 900, 1200)

# What the JioNLP process does with each file: money and time, each parsed (its default, with_parsing=True).
JIONLP_RUN = r"""
import json, sys
import jionlp
money = times = 0
for path in open(sys.argv[1], encoding="utf-8").read().split("\n"):
    text = open(path, encoding="utf-8").read()
    money += len(jionlp.ner.extract_money(text))
    times += len(jionlp.ner.extract_time(text))
print(json.dumps({"money": money, "time": times}))
"""


def jionlp_python():
    """An interpreter that imports jionlp, or None."""
    named = os.environ.get("JIONLP_PYTHON")
    python = Path(named) if named else VENV_PYTHON
    if not python.exists():
        return None
    ok = subprocess.run([str(python), "-c", "import jionlp"], capture_output=True)
    return python if ok.returncode == 0 else None


def opening(text: str, n: int) -> str:
    """The first n characters, cut after the last line break or full stop within them."""
    head = text[:n]
    cut = max(head.rfind("\n"), head.rfind("\u3002"))
    return head[:cut + 1] if cut > 0 else head


def build_mix(tmp: Path) -> list:
    seed = ROOT.parent / "shared" / "seed" / "xingan-2024.md"
    if not seed.exists():
        seed = ROOT / "corpus" / "xingan-2024.md"
    docs = sorted(p for p in (ROOT.parent / "shared" / "eval" / "docs").glob("*") if p.suffix in (".txt", ".md"))
    sources = docs + [ROOT / "corpus" / "xingan-2024.md"]
    mix = tmp / "mix"
    mix.mkdir()
    files = []
    seed_text = seed.read_text(encoding="utf-8")
    for i in range(20):
        files.append(mix / f"seed-{i:02d}.md")
        files[-1].write_text(seed_text, encoding="utf-8")
    for i in range(26):
        src = sources[i % len(sources)]
        n = OPENING_LENGTHS[(i // len(sources)) % len(OPENING_LENGTHS)]
        files.append(mix / f"opening-{i:02d}-{src.stem}{src.suffix}")
        files[-1].write_text(opening(src.read_text(encoding="utf-8"), n), encoding="utf-8")
    return files


def bytecode_env(tmp: Path) -> dict:
    """The environment for selfeval's runs: its bytecode kept in a folder of this run's (and read again), whatever
    PYTHONDONTWRITEBYTECODE says."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(tmp / "pycache")
    return env


def run(cmd, env=None) -> tuple:
    """(wall seconds, CPU seconds of the process, stdout) of one whole process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    r = subprocess.run(cmd, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if r.returncode != 0:
        sys.exit(f"{cmd[:3]} failed:\n{r.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, r.stdout


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--no-bytecode", action="store_true", help="selfeval without bytecode kept between its runs "
                    "where PYTHONDONTWRITEBYTECODE is set (each run compiles its modules)")
    a = ap.parse_args()
    python = jionlp_python()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        files = build_mix(tmp)
        listing = tmp / "files.txt"
        listing.write_text("\n".join(map(str, files)), encoding="utf-8")
        chars = sum(len(p.read_text(encoding="utf-8")) for p in files)
        print(f"{len(files)} reports ({chars:,} characters): the seed x20 and 26 openings")
        if python is None:
            print(f"JioNLP: skipped, no interpreter importing jionlp at {VENV_PYTHON} (or $JIONLP_PYTHON); "
                  "see this file's docstring to make one")
        out = tmp / "facts.jsonl"
        ours = [sys.executable, str(ROOT / "cli.py"), "extract", str(tmp / "mix"), "-o", str(out)]
        theirs = [str(python), "-c", JIONLP_RUN, str(listing)] if python else None
        env = None if a.no_bytecode else bytecode_env(tmp)
        if env is not None:
            run(ours, env)                  # untimed: compiles selfeval's modules, as installing a package does
        times = {"selfeval": [], "jionlp": []}
        found = {}
        for _ in range(a.rounds):
            wall, cpu, _ = run(ours, env)
            times["selfeval"].append((wall, cpu))
            found["selfeval"] = sum(1 for _ in out.open(encoding="utf-8"))
            if theirs:
                wall, cpu, stdout = run(theirs)
                times["jionlp"].append((wall, cpu))
                found["jionlp"] = json.loads(stdout.strip().splitlines()[-1])
        print(f"{'':34}{'wall best':>10}{'median':>9}{'CPU best':>10}{'median':>9}   found")
        for name, label in (("selfeval", "selfeval extract (one command)"), ("jionlp", "JioNLP money + time (one process)")):
            rows = times[name]
            if not rows:
                continue
            walls, cpus = [w for w, _ in rows], [c for _, c in rows]
            what = (f"{found[name]} facts (every kind)" if name == "selfeval" else
                    f"{found[name]['money']} amounts, {found[name]['time']} times")
            print(f"{label:34}{min(walls):9.2f}s{statistics.median(walls):8.2f}s{min(cpus):9.2f}s"
                  f"{statistics.median(cpus):8.2f}s   {what}")
        if env is None and os.environ.get("PYTHONDONTWRITEBYTECODE"):
            print("selfeval without bytecode between runs (PYTHONDONTWRITEBYTECODE is set): each run compiled its modules")
        if times["jionlp"]:
            ratio_wall = min(w for w, _ in times["selfeval"]) / min(w for w, _ in times["jionlp"])
            ratio_cpu = min(c for _, c in times["selfeval"]) / min(c for _, c in times["jionlp"])
            print(f"selfeval / JioNLP: wall {ratio_wall:.2f}, CPU {ratio_cpu:.2f} (bar: at most 0.50)")
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores: compare the figures of one run, not runs")


if __name__ == "__main__":
    main()
