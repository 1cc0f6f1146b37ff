"""One count per concept: a report's verdict and its counts are decided once (checks/verdict.py), stored on its row,
and every output says the same: the terminal's summary, the index and each report's page, the inspectors'
workbook, each memo and the summary memo."""
import re
import shutil
from collections import Counter
from html import unescape

import docx
import openpyxl
import pytest
import yaml

from conftest import EVAL, ROOT, SEED
from extractor.outputs.tables import district_names, read_duckdb
from helpers import invoke
from extractor.data import LOADER        # libyaml's safe loader, as the program reads patterns/

WORDS = yaml.load((ROOT / "patterns" / "messages" / "zh.yaml").read_text(encoding="utf-8"), Loader=LOADER)
VERDICT = WORDS["verdict"]


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    """The seed, two development reports, and the seed again as a second submission (a duplicate)."""
    d = tmp_path_factory.mktemp("agree-in")
    shutil.copy(SEED, d / "xingan-2024.md")
    shutil.copy(SEED, d / "xingan-2024-resent.md")
    for name in ("r001.txt", "r006.txt"):
        shutil.copy(EVAL / "docs" / name, d / name)
    out = tmp_path_factory.mktemp("agree-out") / "out"
    r = invoke("batch", d, "-o", out, "--memo", "--jobs", "1")       # in this process: its summary is tested
    assert r.returncode == 0, r.stderr
    docs = read_duckdb(out / "selfeval.duckdb")["documents"]
    return out, r.stdout, docs


def test_the_terminal_counts_reports_by_the_stored_verdicts(batch):
    _, stdout, docs = batch
    total = next(line for line in stdout.splitlines() if line.startswith("合计"))
    said = {v: int(n) for v, n in re.findall(r"([\u4e00-\u9fff]+) (\d+)", total.split("（", 1)[1].split("）")[0])}
    assert said == {VERDICT[v]: n for v, n in Counter(docs["verdict"]).items()}


def test_the_index_and_each_page_say_the_stored_verdict_and_counts(batch):
    out, _, docs = batch
    index = (out / "review" / "index.html").read_text(encoding="utf-8")
    rows = {d: v for v, d in re.findall(r'<tr class="report" data-verdict="([a-z]+)" data-doc="([^"]+)"', index)}
    assert rows == dict(zip(docs["doc"], docs["verdict"]))
    fails = dict(re.findall(r'data-doc="([^"]+)">.*?<td class="fails" data-sort="(\d+)"', index, re.S))
    assert {d: int(n) for d, n in fails.items()} == dict(zip(docs["doc"], docs["standards_failed"]))
    kept = docs[docs["duplicate_of"] == ""]
    counts = {unescape(v): int(n) for v, n in re.findall(r'data-verdict-link="[a-z]+">([^<]+?) (\d+)</a>', index)}
    assert counts == {VERDICT[v]: n for v, n in Counter(kept["verdict"]).items()}     # each district once
    for page in (out / "review" / "docs").glob("*.html"):
        said = re.search(r'id="verdict" data-verdict="([a-z]+)"', page.read_text(encoding="utf-8")).group(1)
        assert said in set(docs["verdict"])


def test_the_workbook_says_the_stored_verdict_and_counts(batch):
    out, _, docs = batch
    rows = list(openpyxl.load_workbook(out / "report.xlsx")["汇总"].iter_rows(values_only=True))
    head = list(rows[0])
    got = {r[head.index("文档")]: (r[head.index("结论")], r[head.index("未达标标准")], r[head.index("问题数")]) for r in rows[1:]}
    assert got == {d: (VERDICT[v], f, p) for d, v, f, p in
                   zip(docs["doc"], docs["verdict"], docs["standards_failed"], docs["problems"])}


def test_each_memo_and_the_summary_say_the_stored_counts(batch):
    out, _, docs = batch
    import json
    names = json.loads((out / "memos" / "memos.json").read_text(encoding="utf-8"))
    for d in docs.itertuples():
        text = "\n".join(p.text for p in docx.Document(str(out / "memos" / names[d.doc])).paragraphs)
        m = re.search(r"对照国家标准核查(\d+)项，其中达到标准(\d+)项、未达到标准(\d+)项", text)
        assert m and (int(m[1]), int(m[3])) == (d.standards_checked, d.standards_failed), d.doc
        n = re.search(r"发现需要整改的问题(\d+)个", text)
        assert (int(n[1]) if n else 0) == d.problems, d.doc
    summary = docx.Document(str(out / "memos" / "汇总反馈意见.docx"))
    table = summary.tables[-1]
    shown = {r.cells[0].text: (r.cells[2].text, int(r.cells[3].text)) for r in table.rows[1:]}
    kept = docs[docs["duplicate_of"] == ""]
    labels = district_names(kept)
    assert shown == {labels[d]: (VERDICT[v], p) for d, v, p in zip(kept["doc"], kept["verdict"], kept["problems"])}
    overall = next(p.text for p in summary.paragraphs if p.text.startswith("本次共审阅"))
    assert f"{len(docs)}份自评报告" in overall and "1份报告为重复报送" in overall
