"""OFD (GB/T 33190): the corpus builder's OFD renderings give the facts text gives, on the right pages."""
import json
import subprocess
import sys
import zipfile

import pytest

from conftest import ROOT, EVAL, SEED
from helpers import extract, invoke, score
from extractor.errors import InputError
from extractor.readers.ingest import read

sys.path.insert(0, str(ROOT / "corpus"))
import build  # noqa: E402

RUNNING = "县级人民政府履行教育职责自评报告"


@pytest.fixture(scope="module")
def dev_ofd(tmp_path_factory):
    d = tmp_path_factory.mktemp("ofd")
    pages = {}
    for p in sorted(q for q in (EVAL / "docs").iterdir() if q.suffix in (".txt", ".md")):
        pages[p.stem] = build.render_ofd(p.read_text(encoding="utf-8"), d / f"{p.stem}.ofd", running_header=RUNNING)
    return d, pages


def test_ofd_scores_as_text_with_pages_right(dev_ofd, tmp_path):
    d, pages = dev_ofd
    out = extract(d, tmp_path / "ofd.jsonl")
    res = score(out)
    text = score(extract(EVAL / "docs", tmp_path / "text.jsonl"))
    print(f"OFD F1 {res['f1']:.4f} (text {text['f1']:.4f})")
    assert res["f1"] >= 0.97 and res["f1"] >= text["f1"] - 0.01
    facts = [json.loads(l) for l in out.read_text(encoding="utf-8").splitlines()]
    assert {f["doc"] for f in facts} == set(pages)


    def on_its_page(f):          # a fact may run on to the next page; it starts on its own
        doc = [p.replace(" ", "") for p in pages[f["doc"]]]
        here = doc[f["page"] - 1]
        at = (here + (doc[f["page"]] if f["page"] < len(doc) else "")).find(f["raw"].replace(" ", ""))
        return 0 <= at < len(here)

    wrong = [(f["doc"], f["raw"], f["page"]) for f in facts if not on_its_page(f)]
    assert not wrong and all(f["page"] >= 1 for f in facts)
    assert not any(RUNNING in f["sentence"] or "—" in f["raw"] for f in facts)   # template header, page numbers gone
    assert max(f["page"] for f in facts if f["doc"] == "xingan-2024") == len(pages["xingan-2024"])


def test_ofd_source_has_pages_and_kind(tmp_path):
    ofd = tmp_path / "x.ofd"
    n = len(build.render_ofd(SEED.read_text(encoding="utf-8"), ofd, running_header=RUNNING))
    src = read(ofd)
    assert src.input_kind == "ofd" and len(src.page_starts) == n - 1
    assert src.page_of(0) == 1 and src.page_of(len(src.text) - 1) == n
    assert "普惠性幼儿园覆盖率" in src.text and "\ufffd" not in src.text


def _zip(path, members: dict):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for k, v in members.items():
            z.writestr(k, v)
    return path


BOMB = b"""<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><ofd:OFD xmlns:ofd="x"><ofd:DocBody>
<ofd:DocRoot>&lol3;</ofd:DocRoot></ofd:DocBody></ofd:OFD>"""


@pytest.mark.parametrize("make,cause", [
    (lambda p, good: p.write_bytes(good.read_bytes()[:3000]), "corrupt or not an OFD file"),
    (lambda p, good: p.write_bytes(b"%PDF-1.4 not a zip"), "corrupt or not an OFD file (not a zip package)"),
    (lambda p, good: _zip(p, {"readme.txt": "x"}), "corrupt or not an OFD file (the part 'OFD.xml' is missing)"),
    (lambda p, good: _zip(p, {"OFD.xml": "<ofd:OFD><unclosed"}), "corrupt or not an OFD file (malformed XML at line 1)"),
    (lambda p, good: _zip(p, {"OFD.xml": BOMB}), "refused: 'OFD.xml' declares XML entities"),
    (lambda p, good: _zip(p, {"OFD.xml": '<OFD><DocBody><DocRoot>D/Document.xml</DocRoot></DocBody></OFD>',
                              "D/Document.xml": "<Document><Pages/></Document>"}), "OFD file has no pages"),
])
def test_bad_ofd_one_line(tmp_path, make, cause):
    good = tmp_path / "good.ofd"
    build.render_ofd(SEED.read_text(encoding="utf-8"), good)
    bad = tmp_path / "bad.ofd"
    make(bad, good)
    r = subprocess.run([sys.executable, str(ROOT / "cli.py"), "--lang", "en", "extract", str(bad)],   # causes as stored
                       capture_output=True, text=True, timeout=120)
    lines = [l for l in r.stderr.splitlines() if l.strip()]
    assert r.returncode != 0 and "Traceback" not in r.stderr
    assert len(lines) == 1 and str(bad) in lines[0] and cause in lines[0], r.stderr


@pytest.mark.parametrize("members,cause", [
    ({"OFD.xml": BOMB}, "已拒绝：“OFD.xml”声明了 XML 实体"),
    ({"OFD.xml": "<ofd:OFD><unclosed"}, "OFD 文件已损坏或不是 OFD 文件（第 1 行的 XML 格式错误）"),
    ({"readme.txt": "x"}, "OFD 文件已损坏或不是 OFD 文件（缺少部件“OFD.xml”）"),
    ({"OFD.xml": '<OFD><DocBody><DocRoot>D/Document.xml</DocRoot></DocBody></OFD>',
      "D/Document.xml": "<Document><Pages/></Document>"}, "OFD 文件没有页面"),
])
def test_bad_ofd_one_line_in_chinese_by_default(tmp_path, members, cause):
    bad = _zip(tmp_path / "bad.ofd", members)
    r = invoke("extract", bad)          # in this process: the words (test_bad_ofd_one_line runs the process)
    lines = [l for l in r.stderr.splitlines() if l.strip()]
    assert r.returncode != 0 and len(lines) == 1 and str(bad) in lines[0] and cause in lines[0], r.stderr


def test_ofd_member_inflating_to_1_gib_is_refused_before_inflating(tmp_path):
    bomb = tmp_path / "bomb.ofd"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        z.writestr("OFD.xml", '<OFD><DocBody><DocRoot>D/Document.xml</DocRoot></DocBody></OFD>')
        with z.open("D/Document.xml", "w", force_zip64=True) as f:
            block = b" " * (1 << 20)
            for _ in range(1024):
                f.write(block)
    assert bomb.stat().st_size < 5 * 2**20
    with pytest.raises(InputError) as e:
        read(bomb)
    assert "refused: 'D/Document.xml' would inflate to 1,024 MB" in str(e.value)
