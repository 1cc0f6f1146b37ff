import json
import subprocess
import sys

from conftest import ROOT, EVAL


def extract(target, out, *extra):
    r = subprocess.run([sys.executable, str(ROOT / "cli.py"), "extract", str(target), "-o", str(out), *map(str, extra)],
                       capture_output=True, text=True, timeout=1800)
    assert r.returncode == 0, r.stderr
    return out


def score(pred) -> dict:
    s = subprocess.run([sys.executable, str(EVAL / "score.py"), "--gold", str(EVAL / "gold"), "--pred", str(pred),
                        "--json"], capture_output=True, text=True, timeout=300)
    assert s.returncode == 0, s.stderr
    return json.loads(s.stdout)
