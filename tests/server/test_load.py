"""The office's load: 20 clients making decisions for 60 s against a real server while a batch re-reads 200
changed reports into the same folder (benchmarks/bench_server.py). No decision acknowledged may be lost or stored
twice, no request may fail, and the batch must finish; the times are printed, never asserted."""
import subprocess
import sys

import pytest

from conftest import ROOT

pytestmark = pytest.mark.slow


def test_twenty_clients_decide_for_a_minute_while_a_batch_of_200_runs():
    r = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench_server.py"), "--reports", "200",
                        "--clients", "20", "--seconds", "60"], capture_output=True, text=True, timeout=1800)
    print(r.stdout)
    assert r.returncode == 0, r.stdout + r.stderr
    assert " lost 0, stored twice 0, failed requests 0" in r.stdout
    acked = int(r.stdout.split("decisions acknowledged ")[1].split(",")[0])
    assert acked > 100                                  # the clients did get through while the batch ran
