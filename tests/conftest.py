import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SHARED = ROOT.parent / "shared"
SEED = SHARED / "seed" / "xingan-2024.md"
EVAL = SHARED / "eval"


import pytest  # noqa: E402


@pytest.fixture(scope="session")
def seed_batch(tmp_path_factory):
    """A batch output folder of the seed report, made once; tests that change it work on a copy (copy_batch)."""
    import subprocess
    folder = tmp_path_factory.mktemp("seed-in")
    (folder / SEED.name).write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    out = tmp_path_factory.mktemp("seed-batch") / "out"
    r = subprocess.run([sys.executable, str(ROOT / "cli.py"), "batch", str(folder), "-o", str(out), "--quiet"],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    return out
