import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SHARED = ROOT.parent / "shared"
SEED = SHARED / "seed" / "xingan-2024.md"
EVAL = SHARED / "eval"
