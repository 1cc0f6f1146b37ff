"""The review server under an office's load while a batch runs: N clients making decisions for S seconds while
`selfeval batch` reads R changed reports into the same output folder.

    python benchmarks/bench_server.py [--reports 200] [--clients 20] [--seconds 60] [--jobs 2] [--until-batch]

First a batch of R text reports (the development documents and the seed, each copied with its own line) makes the
folder, and a server (`selfeval serve`, a real process on 127.0.0.1) is started with one inspector account per
client. Then every report is changed and the batch started again, and the clients, each logged in through the
login form, open a report page now and then and post decisions (成立 / 不成立 with a reason / 待补充材料 with a
request, each note unique) as fast as the server answers; with --until-batch, until the batch has finished and
AFTER seconds more, while the server reads the batch's new tables (S seconds at least). Afterwards every decision
the server acknowledged must be in decisions.sqlite exactly once, no request may have failed, and the batch must
have finished without waiting out the server. Prints the counts and response times (median and 95th percentile);
exits 1 on a lost decision, a failed request or a failed batch.
"""
import argparse
import asyncio
import os
import random
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))


def make_reports(folder: Path, n: int, round_: int):
    sources = sorted((ROOT.parent / "shared" / "eval" / "docs").glob("*.*")) or [ROOT / "corpus" / "xingan-2024.md"]
    texts = [p.read_text(encoding="utf-8") for p in sources]
    folder.mkdir(exist_ok=True)
    for i in range(n):
        (folder / f"report-{i:04d}.md").write_text(texts[i % len(texts)] + f"\n\n（第{i}份，第{round_}次报送）\n",
                                                   encoding="utf-8")


def batch(folder, out, jobs):
    return subprocess.Popen([sys.executable, str(ROOT / "cli.py"), "batch", str(folder), "-o", str(out), "--jobs",
                             str(jobs), "--quiet"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "SELFEVAL_LANG": "en"})


class Client:
    def __init__(self, n, url, docs, deadline, stats):
        self.n, self.url, self.docs, self.deadline, self.stats = n, url, docs, deadline, stats     # deadline: [time]
        self.acked = []

    async def timed(self, kind, call):
        t0 = time.perf_counter()
        try:
            r = await call
        except Exception as e:  # noqa: BLE001 - counted as a failure and shown
            self.stats["errors"].append(f"{kind}: {type(e).__name__}: {e}")
            return None
        self.stats[kind].append(time.perf_counter() - t0)
        return r

    async def run(self):
        import httpx
        from helpers import csrf_of
        rnd = random.Random(self.n)
        async with httpx.AsyncClient(base_url=self.url, timeout=60) as c:
            page = await c.get("/login")
            token = re.search(r'name="form" value="([^"]+)"', page.text).group(1)
            r = await c.post("/login", data={"form": token, "name": f"load{self.n:02d}", "password": "load-password"})
            if r.status_code != 303:
                self.stats["errors"].append(f"login {r.status_code}")
                return
            i = 0
            while time.monotonic() < self.deadline[0]:
                doc = rnd.choice(self.docs)
                r = await self.timed("page", c.get(f"/report/{doc}"))
                if r is None or r.status_code != 200:
                    if r is not None:
                        self.stats["errors"].append(f"page {r.status_code}")
                    continue
                csrf, keys = csrf_of(r.text), re.findall(r'data-key="([0-9a-f#]+)"', r.text)
                for _ in range(5):                                   # a few decisions per page read
                    if time.monotonic() >= self.deadline[0]:
                        break
                    i += 1
                    note = f"load-{self.n:02d}-{i:06d}"
                    choice = rnd.choice(("holds", "dismissed", "asks"))
                    data = {"csrf": csrf, "key": rnd.choice(keys), "choice": choice, "note": note,
                            "reason": "核对原表" if choice == "dismissed" else "",
                            "request": "请补充学校名单" if choice == "asks" else ""}
                    r = await self.timed("decide", c.post(f"/report/{doc}/decide", data=data))
                    if r is not None and r.status_code == 303 and "error=" not in r.headers.get("location", ""):
                        self.acked.append(note)
                    elif r is not None:
                        self.stats["errors"].append(f"decide {r.status_code} {r.headers.get('location', '')}")


AFTER = 3.0          # --until-batch: seconds of requests after the batch has finished
LONGEST = 600.0      # and never longer: a batch that waited for the clients to stop would wait for ever


async def load(url, docs, clients, seconds, stats, batch=None):
    """The clients' decisions for `seconds`; with `batch` (a process), until it has ended and AFTER seconds more."""
    start = time.monotonic()
    deadline = [start + (max(seconds, LONGEST) if batch is not None else seconds)]
    cs = [Client(n, url, docs, deadline, stats) for n in range(1, clients + 1)]

    async def until_the_batch_ends():
        while batch.poll() is None:
            await asyncio.sleep(0.2)
        deadline[0] = max(start + seconds, time.monotonic() + AFTER)
    await asyncio.gather(*(c.run() for c in cs), *([until_the_batch_ends()] if batch is not None else []))
    return [note for c in cs for note in c.acked]


def main():
    from helpers import Served
    ap = argparse.ArgumentParser()
    ap.add_argument("--reports", type=int, default=200)
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--until-batch", action="store_true", help="the clients go on until the batch has finished")
    a = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-server-"))
    folder, out, home = tmp / "in", tmp / "out", tmp / "home"
    make_reports(folder, a.reports, 1)
    t0 = time.perf_counter()
    first = batch(folder, out, a.jobs)
    _, err = first.communicate()
    if first.returncode != 0:
        sys.exit(f"first batch failed: {err}")
    print(f"{a.reports} reports, first batch {time.perf_counter() - t0:.1f} s")
    os.environ["SELFEVAL_HOME"] = str(home)              # the accounts made here, as `selfeval users add` makes them
    from extractor.server.accounts import add
    for n in range(1, a.clients + 1):
        add(f"load{n:02d}", "inspector", "load-password")
    server = Served(out, home)
    try:
        import duckdb
        con = duckdb.connect(str(out / "selfeval.duckdb"), read_only=True)
        docs = [d for (d,) in con.execute("SELECT doc FROM documents ORDER BY doc").fetchall()]
        con.close()
        make_reports(folder, a.reports, 2)                    # every report resubmitted, changed
        t0 = time.perf_counter()
        second = batch(folder, out, a.jobs)
        stats = {"page": [], "decide": [], "errors": []}
        t_load = time.monotonic()
        acked = asyncio.run(load(server.url, docs, a.clients, a.seconds, stats, second if a.until_batch else None))
        load_s = time.monotonic() - t_load
        _, err = second.communicate()
        batch_s = time.perf_counter() - t0
    finally:
        log = server.stop()
    con = sqlite3.connect(str(out / "decisions.sqlite"))
    stored = [n for (n,) in con.execute("SELECT json_extract(data, '$.note') FROM events WHERE kind = 'decision'")]
    con.close()
    counts = {n: 0 for n in acked}
    for n in stored:
        if n in counts:
            counts[n] += 1
    lost = sum(1 for v in counts.values() if v == 0)
    doubled = sum(1 for v in counts.values() if v > 1)
    print(f"{a.clients} clients for {load_s:.0f} s while the batch re-read {a.reports} changed reports "
          f"(batch {batch_s:.1f} s, exit {second.returncode})")
    for kind in ("decide", "page"):
        xs = sorted(stats[kind])
        if xs:
            print(f"  {kind:7} {len(xs):6d} requests  median {statistics.median(xs) * 1000:7.0f} ms  "
                  f"p95 {xs[int(len(xs) * 0.95) - 1] * 1000:7.0f} ms  max {xs[-1] * 1000:7.0f} ms")
    print(f"  decisions acknowledged {len(acked)}, stored {len(stored)}, lost {lost}, stored twice {doubled}, "
          f"failed requests {len(stats['errors'])}")
    for e in stats["errors"][:10]:
        print("   ", e)
    bad = lost or doubled or stats["errors"] or second.returncode != 0 or not acked
    if second.returncode != 0:
        print(err[-2000:])
    if bad and log:
        print(log[-2000:])
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
