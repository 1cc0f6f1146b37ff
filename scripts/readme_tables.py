"""Write README's table sections from patterns/tables.yaml (tests/outputs/test_tables.py keeps them in step)."""
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from extractor.outputs import tables  # noqa: E402


def main():
    path = ROOT / "README.md"
    text = path.read_text(encoding="utf-8")
    for name in tables.TABLES:
        head = f"### {name}\n"
        i = text.index(head) + len(head)
        lines = text[i:].split("\n")
        k = next(n for n, line in enumerate(lines) if line.startswith("| "))
        start = k
        while k < len(lines) and lines[k].startswith("|"):
            k += 1
        lines[start:k] = lines[start:start + 2] + [f"| {c} | {t} | {zh} | {m} |" for c, t, zh, m in tables.schema()[name]]
        text = text[:i] + "\n".join(lines)
    path.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
