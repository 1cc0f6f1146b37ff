"""ruff (configured in pyproject.toml) finds nothing: no unused import, no bare re-raise without its cause."""
import subprocess
import sys

from conftest import ROOT


def test_ruff_is_clean():
    r = subprocess.run([sys.executable, "-m", "ruff", "check", str(ROOT)], capture_output=True, text=True,
                       cwd=ROOT, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
