"""The development gold, scored by the scorer the held-back reports are scored with."""
import json
import subprocess
import sys

from conftest import ROOT, EVAL


def test_dev_gold_scores_meet_the_bar(tmp_path):
    out = tmp_path / "dev.jsonl"
    r = subprocess.run([sys.executable, str(ROOT / "cli.py"), "extract", str(EVAL / "docs"), "-o", str(out)],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    s = subprocess.run([sys.executable, str(EVAL / "score.py"), "--gold", str(EVAL / "gold"), "--pred", str(out),
                        "--json"], capture_output=True, text=True, timeout=120)
    assert s.returncode == 0, s.stderr
    res = json.loads(s.stdout)
    print(json.dumps(res, ensure_ascii=False, indent=1)[:2000])
    assert res["f1"] >= 0.97
    assert res["section"]["accuracy"] >= 0.97
    assert res["indicator"]["accuracy"] >= 0.95     # issue 13
    assert res["period"]["accuracy"] >= 0.90        # issue 13
    assert res["subject"]["accuracy"] >= 0.90      # issue 4 raises the bar from 0.85
    assert res["metric"]["precision"] >= 0.95 and res["metric"]["recall"] >= 0.95     # issue 13: the catalog links
