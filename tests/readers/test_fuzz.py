"""Damaged files: the corpus files mutated (bit flips, bytes overwritten, truncation, zip members shuffled,
swapped or dropped), seeded. Every case ends with facts or with one line naming the file, never with an
unexpected error; a few go through the command line as well.

The cases run in this process through `process_path` (the reader and every text stage), each under an
alarm that turns a hang into a failure naming the case (a guard, not a measured time).
"""
import io
import json
import random
import signal
import subprocess
import sys
import zipfile
from pathlib import Path
import pytest

from conftest import ROOT

from extractor.errors import KINDS, InputError
from extractor.pipeline import process_path

pytestmark = pytest.mark.slow          # many damaged files through the command line

SEED = 20261129
CORPUS = ROOT / "corpus"
HANG_GUARD_S = 120          # far beyond any case's cost: only a hang trips it


def _flip(rng, b: bytearray):
    for _ in range(rng.randint(1, 8)):
        i = rng.randrange(len(b))
        b[i] ^= 1 << rng.randrange(8)


def _overwrite(rng, b: bytearray):
    for _ in range(rng.randint(10, 200)):
        b[rng.randrange(len(b))] = rng.randrange(256)


def _truncate(rng, b: bytearray):
    del b[rng.randrange(1, len(b)):]


def _rezip(data: bytes, order) -> bytes:
    """The package's members rewritten in another order (or some renamed/dropped): order gives
    (name, bytes) pairs, built from the original members."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        members = [(i.filename, z.read(i)) for i in z.infolist()]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, body in order(members):
            z.writestr(name, body)
    return out.getvalue()


def _shuffle(rng, members):
    rng.shuffle(members)
    return members


def _swap(rng, members):
    """Two members' contents exchanged under their names (a page where the document root should be)."""
    i, j = rng.sample(range(len(members)), 2)
    (ni, bi), (nj, bj) = members[i], members[j]
    members[i], members[j] = (ni, bj), (nj, bi)
    return members


def _drop(rng, members):
    del members[rng.randrange(len(members))]
    return members


def _small_png(tmp: Path) -> Path:
    """The top of the corpus page image: a few lines of text, so that a case that decodes is OCR'd quickly."""
    from PIL import Image
    with Image.open(CORPUS / "xingan-2024-p3.png") as im:
        band = im.crop((0, 0, im.width, im.height // 4))
    p = tmp / "band.png"
    band.save(p)
    return p


def cases(tmp: Path):
    """(name, bytes, suffix, ocr) for every case, the same on every run."""
    rng = random.Random(SEED)
    plan = [  # file, its cases by kind of damage, the OCR mode the case runs with
        (CORPUS / "xingan-2024.md", {"flip": 25, "overwrite": 10, "truncate": 15}, "auto"),
        (CORPUS / "xingan-2024.pdf", {"flip": 40, "overwrite": 30, "truncate": 20}, "never"),
        (CORPUS / "xingan-2024-scan.pdf", {"flip": 6, "overwrite": 6, "truncate": 6}, "never"),
        (CORPUS / "xingan-2024.docx", {"flip": 15, "overwrite": 10, "truncate": 10,
                                       "shuffle": 8, "swap": 12, "drop": 10}, "auto"),
        (CORPUS / "xingan-2024.ofd", {"flip": 15, "overwrite": 10, "truncate": 10,
                                      "shuffle": 8, "swap": 12, "drop": 10}, "auto"),
        (_small_png(tmp), {"flip": 4, "truncate": 4}, "auto"),
    ]
    out = []
    for path, kinds, ocr in plan:
        data = path.read_bytes()
        for kind, n in kinds.items():
            for k in range(n):
                if kind in ("shuffle", "swap", "drop"):
                    body = _rezip(data, lambda m, kind=kind: {"shuffle": _shuffle, "swap": _swap,
                                                               "drop": _drop}[kind](rng, m))
                else:
                    b = bytearray(data)
                    {"flip": _flip, "overwrite": _overwrite, "truncate": _truncate}[kind](rng, b)
                    body = bytes(b)
                out.append((f"{path.name}-{kind}-{k}", body, path.suffix, ocr))
    return out


class _Hang(Exception):
    pass


def _alarm(signum, frame):
    raise _Hang()


def test_every_damaged_file_ends_with_facts_or_one_line(tmp_path):
    from extractor.text.schemes import load_scheme
    scheme = load_scheme()
    all_cases = cases(tmp_path)
    assert len(all_cases) == 296
    outcomes, bad = {}, []
    old = signal.signal(signal.SIGALRM, _alarm)
    try:
        for name, body, suffix, ocr in all_cases:
            path = tmp_path / f"{name}{suffix}"
            path.write_bytes(body)
            signal.alarm(HANG_GUARD_S)
            try:
                result = process_path(path, scheme, ocr=ocr)
                outcome = "facts" if result.facts else "no facts"
                if any("\n" in w or not w for w in result.source.warnings):
                    bad.append(f"{name}: a warning that is not one line: {result.source.warnings!r}")
            except InputError as e:
                outcome = e.kind
                line = str(e)
                if e.kind not in KINDS or e.kind == "internal" or "\n" in line or not line.startswith(str(path)):
                    bad.append(f"{name}: {e.kind}: {line!r}")
            except _Hang:
                outcome = "hang"
                bad.append(f"{name}: still running after {HANG_GUARD_S} s")
            except Exception as e:     # noqa: BLE001 - what the test is there to catch
                outcome = "unexpected"
                bad.append(f"{name}: {type(e).__name__}: {e}")
            finally:
                signal.alarm(0)
            outcomes.setdefault(suffix, {}).setdefault(outcome, 0)
            outcomes[suffix][outcome] += 1
            path.unlink()
    finally:
        signal.signal(signal.SIGALRM, old)
    assert not bad, "\n".join(bad[:20])
    # The mutations reach both ends: some damaged files still give facts, others are refused.
    assert outcomes[".pdf"].get("facts", 0) > 10 and outcomes[".pdf"].get("corrupt", 0) > 10, outcomes
    assert outcomes[".md"].get("facts", 0) > 0 and outcomes[".docx"].get("corrupt", 0) > 10, outcomes
    assert sum(outcomes[".ofd"].values()) == 65 and outcomes[".ofd"].get("corrupt", 0) > 10, outcomes


CLI_CASES = ["xingan-2024.pdf-flip-3", "xingan-2024.pdf-overwrite-7", "xingan-2024.md-flip-2",
             "xingan-2024.docx-truncate-2", "xingan-2024.ofd-swap-1", "xingan-2024.ofd-drop-4", "band.png-flip-1"]


@pytest.mark.parametrize("which", CLI_CASES)
def test_damaged_files_through_the_command_line(tmp_path, which):
    name, body, suffix, _ = next(c for c in cases(tmp_path) if c[0] == which)
    path = tmp_path / f"{name}{suffix}"
    path.write_bytes(body)
    r = subprocess.run([sys.executable, str(ROOT / "cli.py"), "--lang", "en", "extract", str(path)],
                       capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert "Traceback" not in r.stderr and "internal error" not in r.stderr and "unexpected" not in r.stderr, r.stderr
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    if r.returncode == 0:
        facts = [json.loads(ln) for ln in r.stdout.splitlines() if ln.strip()]
        assert facts and len(lines) <= 1, r.stderr
    else:
        assert len(lines) == 1 and str(path) in lines[0], r.stderr
