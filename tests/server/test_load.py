"""The office's load: 20 clients making decisions against a real server for as long as a batch re-reads 50 changed
reports into the same folder, and 3 s after it, while the server reads the batch's new tables (benchmarks/
bench_server.py --until-batch). No decision acknowledged may be lost or stored twice, no request may fail, and the
batch must finish; the times are printed, never asserted. Every stage of the batch's run (reading, storing, the new
database and site taking the old ones' place) happens under the clients' requests whatever the number of reports:
50 make each stage shorter, not different (the benchmark's 200 reports for 60 s measure the times in README)."""
import subprocess
import sys

import pytest

from conftest import ROOT

pytestmark = pytest.mark.slow


def test_twenty_clients_decide_while_a_batch_of_50_runs():
    r = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench_server.py"), "--reports", "50",
                        "--clients", "20", "--seconds", "10", "--until-batch"], capture_output=True, text=True,
                       timeout=1800)
    print(r.stdout)
    assert r.returncode == 0, r.stdout + r.stderr
    assert " lost 0, stored twice 0, failed requests 0" in r.stdout
    acked = int(r.stdout.split("decisions acknowledged ")[1].split(",")[0])
    assert acked > 100                                  # the clients did get through while the batch ran
