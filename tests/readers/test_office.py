""".doc, .wps and .rtf: LibreOffice (installed by scripts/install-system-deps.sh) converts them to .docx."""
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
import pytest

from conftest import ROOT
from helpers import invoke
from extractor.errors import InputError
from extractor.readers import office
from extractor.readers.ingest import read

pytestmark = pytest.mark.slow          # LibreOffice

DOCX = ROOT / "corpus" / "xingan-2024.docx"
KEYS = ("kind", "value", "unit", "raw", "start", "end", "section", "item", "page")


def run(*args, env=None):
    return subprocess.run([sys.executable, str(ROOT / "cli.py"), "--lang", "en", *map(str, args)],   # causes as stored
                          capture_output=True, text=True, timeout=300, env=env)


def facts(path, tmp_path):
    """`extract` in this process (what it writes is tested; LibreOffice runs in a process of its own either way)."""
    out = tmp_path / f"{path.name}.jsonl"
    r = invoke("extract", path, "-o", out, lang="en")
    assert r.returncode == 0, r.stderr
    return [tuple(str(d[k]) for k in KEYS) for d in map(json.loads, out.read_text(encoding="utf-8").splitlines())]


def libreoffice_save(src: Path, fmt: str, outdir: Path) -> Path:
    """The corpus DOCX saved by real LibreOffice in another format (Word 97, RTF)."""
    prof = outdir / "lo-profile"
    subprocess.run([office.soffice(), f"-env:UserInstallation={prof.as_uri()}", "--headless", "--norestore",
                    "--convert-to", fmt, "--outdir", str(outdir), str(src)], capture_output=True, timeout=120, check=True)
    return outdir / f"{src.stem}.{fmt.split(':')[0]}"


@pytest.fixture(scope="module")
def docx_facts(tmp_path_factory):
    """The corpus DOCX's facts, read once for the tests that compare the other formats with them."""
    return facts(DOCX, tmp_path_factory.mktemp("docx"))


@pytest.fixture(scope="module")
def word97(tmp_path_factory):
    assert office.soffice(), "LibreOffice is needed: scripts/install-system-deps.sh installs libreoffice-writer-nogui"
    d = tmp_path_factory.mktemp("doc")
    doc = libreoffice_save(DOCX, "doc", d)
    assert doc.read_bytes()[:4] == b"\xd0\xcf\x11\xe0"          # an OLE compound file, as Word 97 writes
    return doc


def test_doc_gives_the_facts_of_the_docx(word97, docx_facts, tmp_path):
    want = docx_facts
    assert len(want) > 50
    assert facts(word97, tmp_path) == want                        # same values, offsets and sections
    src = read(word97)
    assert src.input_kind == "doc" and src.page_of(10) is None and src.heading_hints


def test_wps_saved_in_word_format_and_rtf_are_read(word97, docx_facts, tmp_path):
    want = docx_facts
    wps = tmp_path / "kingsoft.wps"
    shutil.copy(word97, wps)                                       # WPS Office writes .wps in the Word 97 format
    assert facts(wps, tmp_path) == want
    rtf = libreoffice_save(DOCX, "rtf", tmp_path)
    got = facts(rtf, tmp_path)
    assert {f[3] for f in got} == {f[3] for f in want}            # every number, from RTF too


def test_corrupt_doc_and_wps_get_one_line_and_the_folder_goes_on(word97, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "cut.doc").write_bytes(word97.read_bytes()[:5000])
    (folder / "old.wps").write_bytes(b"\xd0\xcf\x11\xe0" + bytes(range(256)) * 3)
    shutil.copy(word97, folder / "good.doc")
    out = tmp_path / "out.jsonl"
    r = run("extract", folder, "-o", out)
    assert r.returncode == 1 and "Traceback" not in r.stderr
    lines = [l for l in r.stderr.splitlines() if l.strip()]
    assert len(lines) == 2, r.stderr
    cut = next(l for l in lines if "cut.doc" in l)
    assert "LibreOffice could not open it: corrupt, encrypted or not a Word .doc document" in cut
    assert any("old.wps" in l for l in lines)
    assert {json.loads(l)["doc"] for l in out.read_text(encoding="utf-8").splitlines()} == {"good"}
    # a Word 97 header and nothing more, alone and in Chinese, the default (one of test_cli's bad inputs once)
    old = tmp_path / "old.doc"
    old.write_bytes(b"\xd0\xcf\x11\xe0" + b"\x00" * 100)
    r = subprocess.run([sys.executable, str(ROOT / "cli.py"), "extract", str(old)], capture_output=True, text=True,
                       timeout=300)
    lines = [l for l in r.stderr.splitlines() if l.strip()]
    assert r.returncode != 0 and "Traceback" not in r.stderr
    assert len(lines) == 1 and str(old) in lines[0] and "LibreOffice 无法打开" in lines[0], r.stderr


def test_without_libreoffice_one_line_says_how_to_install(word97, tmp_path):
    bare = tmp_path / "bin"
    bare.mkdir()
    env = dict(os.environ, PATH=str(bare))
    r = run("extract", word97, env=env)
    assert r.returncode != 0 and "Traceback" not in r.stderr
    lines = [l for l in r.stderr.splitlines() if l.strip()]
    assert len(lines) == 1 and str(word97) in lines[0] and "apt-get install libreoffice-writer-nogui" in lines[0]


def _soffice_processes(marker: str) -> list[int]:
    pids = []
    for p in Path("/proc").iterdir():
        if p.name.isdigit():
            try:
                if marker in (p / "cmdline").read_bytes().decode(errors="replace"):
                    pids.append(int(p.name))
            except OSError:
                pass
    return pids


def test_timeout_kills_libreoffice_and_says_so(word97, tmp_path):
    work = tmp_path / "work-timeout"
    work.mkdir()
    t0 = time.monotonic()
    with pytest.raises(InputError) as e:
        office.convert_to_docx(word97, work, timeout=0.3)
    assert time.monotonic() - t0 < 15
    assert str(word97) in str(e.value) and "did not convert the file within 0.3 s" in str(e.value)
    time.sleep(0.5)
    assert _soffice_processes(str(work)) == []                     # the whole process group is gone
