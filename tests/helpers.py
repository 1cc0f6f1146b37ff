import json
import os
import subprocess
import sys

from conftest import ROOT, EVAL, SEED


def cli(*args, timeout=900, lang=None):
    """selfeval as a user runs it: cli.py in a process; `lang` sets SELFEVAL_LANG where the words are not tested."""
    env = {**os.environ, "SELFEVAL_LANG": lang} if lang else None
    return subprocess.run([sys.executable, str(ROOT / "cli.py"), *map(str, args)], capture_output=True, text=True,
                          timeout=timeout, env=env)


def batch_cli(folder, out, *extra, timeout=900, lang="en"):
    """`selfeval batch`; in English by default, where the summary's counts are what is tested."""
    return cli("batch", folder, "-o", out, *extra, timeout=timeout, lang=lang)


def batch_here(folder, out, *extra, lang="en"):
    """`selfeval batch` in this process (its file workers are processes of their own either way): for a run whose
    summary and tables are tested, not the process; batch_cli where the process is (killed, its exit status)."""
    return invoke("batch", folder, "-o", out, *extra, lang=lang)


def batch_db(out):
    import duckdb
    return duckdb.connect(str(out / "selfeval.duckdb"), read_only=True)


def invoke(*args, lang=None, input=None, env=None):
    """selfeval called in this process by typer's test runner, for a test of what a command writes or prints.
    Where the process itself is under test (exit status after a signal or an unexpected error, stderr without
    a traceback, the console script, a missing package), cli() runs it in a process of its own.
    `--lang X` on the line, or `lang`, is given as SELFEVAL_LANG (cli.py takes --lang from sys.argv when it starts);
    `input` is its standard input, `env` variables set while it runs."""
    from typer.testing import CliRunner
    import cli as selfeval
    args = [str(a) for a in args]
    if "--lang" in args:
        at = args.index("--lang")
        lang = args[at + 1]
        del args[at:at + 2]
    env = {**(env or {}), **({"SELFEVAL_LANG": lang} if lang else {})}
    r = CliRunner().invoke(selfeval.app, args, input=input, env=env or None, prog_name="selfeval")
    if r.exception is not None and not isinstance(r.exception, SystemExit):
        raise r.exception
    return subprocess.CompletedProcess(["selfeval", *args], r.exit_code, r.stdout, r.stderr)


def extract(target, out, *extra):
    """`selfeval extract TARGET -o OUT`, in this process: only what it writes is tested."""
    r = invoke("extract", target, "-o", out, *extra)
    assert r.returncode == 0, r.stderr
    return out


def facts_of(target, out, *extra) -> list:
    """`selfeval extract` into a .jsonl, read back as rows."""
    return [json.loads(ln) for ln in extract(target, out, *extra).read_text(encoding="utf-8").splitlines()]


def fact_key(rows, page=False) -> list:
    """What two readings of the same text must agree on, fact by fact (and its page, where both have pages)."""
    return sorted((f["kind"], str(f["value"]), f["section"] or 0, f["period"], f["indicator"])
                  + ((f["page"],) if page else ()) for f in rows)


def seed_head(tmp_path):
    """The seed from its header to item 4 (a few pages), as text and as a .md file."""
    md = SEED.read_text(encoding="utf-8")
    md = md[:md.index("#### 5.")]
    src = tmp_path / "part.md"
    src.write_text(md, encoding="utf-8")
    return md, src


def scan_pdf(images, path):
    """Page images saved as a scanned PDF (no text layer) at 150 dpi."""
    images[0].save(path, "PDF", resolution=150.0, save_all=True, append_images=images[1:])
    return path


def score(pred) -> dict:
    s = subprocess.run([sys.executable, str(EVAL / "score.py"), "--gold", str(EVAL / "gold"), "--pred", str(pred),
                        "--json"], capture_output=True, text=True, timeout=300)
    assert s.returncode == 0, s.stderr
    return json.loads(s.stdout)


def chrome(tmp_path, width=1400, height=1000):
    """Debian's chromium driven by selenium through chromium-driver: a real browser, headless, offline."""
    import shutil
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    assert exe and driver, "chromium and chromium-driver are installed by scripts/install-system-deps.sh"
    opts = webdriver.ChromeOptions()
    opts.binary_location = exe
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
              "--disable-background-networking", "--disable-component-update", "--disable-sync",
              f"--window-size={width},{height}", f"--user-data-dir={tmp_path / 'chrome-profile'}"):
        opts.add_argument(a)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(driver), options=opts)


def check_people_workbook(wb, n_reports):
    """What an inspector needs at once: numbers as numbers, frozen header, filter, widths, 汇总, Chinese values."""
    for ws in wb:
        assert ws.freeze_panes == "A2" and ws.auto_filter.ref and ws.auto_filter.ref.startswith("A1:"), ws.title
        assert ws.column_dimensions["A"].width >= 6
        # set to print: landscape, as wide as the page, the header row on every page
        assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth == 1, ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.print_title_rows == "$1:$1", ws.title
    summary = list(wb["汇总"].iter_rows(values_only=True))
    head = list(summary[0])
    assert head[:6] == ["文档", "地区", "报送单位", "年度", "结论", "已核查标准"] and len(summary) == n_reports + 1
    assert {r[head.index("结论")] for r in summary[1:]} <= {"未达标", "未能完整读取", "数据不一致", "待核实", "达标"}
    assert all(isinstance(r[head.index("未达标标准")], int) for r in summary[1:])
    facts = list(wb["数据"].iter_rows(values_only=True))
    fh = list(facts[0])
    values = [r[fh.index("数值")] for r in facts[1:]]
    assert sum(isinstance(v, (int, float)) for v in values) > len(values) / 2
    assert {r[fh.index("类型")] for r in facts[1:]} <= {"百分比", "金额", "数量", "日期", "比例", "数值", "时长", "年龄"}
    assert {r[fh.index("约数")] for r in facts[1:]} <= {None, "以上", "以下", "约"}
    findings = list(wb["核查结果"].iter_rows(values_only=True))
    gh = list(findings[0])
    assert gh[1:3] == ["规则", "规则名称"]
    sev = [r[gh.index("严重程度")] for r in findings[1:]]
    rank = {"高": 0, "中": 1, "低": 2, "提示": 3}
    assert sev == sorted(sev, key=rank.__getitem__) and set(sev) <= set(rank)
    assert {r[gh.index("结论")] for r in findings[1:]} <= {"达标", "未达标", "数据不一致", "缺项", "自述不足", "不适用"}
    titled = {r[1]: r[2] for r in findings[1:]}
    assert titled.get("preschool.public-share") == "公办园在园幼儿占比"


def synthetic_site(out, n, seed=7):
    """A batch database and review site of n reports built straight from rows (no extraction), for sizes
    a test cannot extract in time. Values spread around each key standard, some below it."""
    import random
    from extractor.batch.run import set_verdicts
    from extractor.batch.store import Store
    from extractor.checks.rules import load_rules
    from extractor.outputs import review
    rnd = random.Random(seed)
    rules = {r["id"]: r for r in load_rules().rules}
    key = [("preschool.gross-enrolment", 80, 100), ("preschool.inclusive-coverage", 76, 100),
           ("preschool.public-share", 45, 90), ("balanced.coefficient-primary", 0.2, 0.55),
           ("balanced.coefficient-junior", 0.2, 0.48)]
    out.mkdir(parents=True, exist_ok=True)
    store = Store(out / "selfeval.duckdb")
    run = store.new_run("synthetic", 1, "test")
    for i in range(n):
        doc = f"r{i:04d}"
        county = f"{'东西南北中'[i % 5]}{'山河湖林原岭川'[i // 5 % 7]}{'县区旗市'[i % 4]}" + (str(i // 140) if i >= 140 else "")
        text = f"{county}人民政府关于履行教育职责情况的自评报告\n"
        findings, facts = [], []
        for j, (rid, lo, hi) in enumerate(key):
            if rnd.random() < 0.15:
                continue                                    # not stated in this report
            v = round(rnd.uniform(lo, hi), 2)
            r = rules[rid]
            text += f"{r['title']}为"
            pos = len(text)
            text += f"{v}。"
            ok = v >= float(r["threshold"]) if r["op"] == ">=" else v <= float(r["threshold"])
            raw = f"{v}"
            facts.append({"doc": doc, "kind": "percent", "value": raw, "unit": "%", "indicator": r["title"],
                          "raw": raw, "start": pos, "end": pos + len(raw), "page": 1 + j // 2, "sentence": raw})
            findings.append({"doc": doc, "rule": rid, "status": "pass" if ok else "fail", "severity": r["severity"],
                             "value": raw, "threshold": str(r["threshold"]), "message": r["title"], "raw": raw,
                             "start": pos, "end": pos + len(raw), "page": 1 + j // 2})
        if i % 9 == 0:
            findings.append({"doc": doc, "rule": "consistency.parts-sum", "status": "inconsistent",
                             "severity": "medium", "message": "parts"})
        docs = [{"doc": doc, "path": f"{doc}.pdf", "input_kind": "pdf", "pages": 3, "title": text.splitlines()[0],
                 "issuer": f"{county}人民政府", "county": county, "performance_year": 2023, "n_facts": len(facts)}]
        store.save_document(f"{doc}.pdf", doc, {"sha256": f"sha{i}", "version": "test", "read_key": ""},
                            {"documents": docs, "facts": facts, "entities": [], "findings": findings}, text,
                            b"", b"", run)
    set_verdicts(store, load_rules())               # as a batch decides them, from the findings
    review.write_site(store, out / "review")
    store.close()
    return out / "review"


def edited(tmp_path, old, new, count=1, name="edited.md"):
    """A copy of the seed with `old` replaced, to see a finding change."""
    text = SEED.read_text(encoding="utf-8")
    assert old in text
    p = tmp_path / name
    p.write_text(text.replace(old, new, count), encoding="utf-8")
    return p


def flipped_pdf(out, pages, pdf=ROOT / "corpus" / "xingan-2024.pdf"):
    """The corpus PDF with one bit flipped in the /Type /Page of each page listed (1-based): pdfium cannot
    load those pages, and the file still opens."""
    import re
    data = bytearray(pdf.read_bytes())
    at = [m.start() for m in re.finditer(rb"/Type /Page\b", data)]
    for n in pages:
        data[at[n - 1] + len(b"/Type /Page") - 1] ^= 0x01            # /Page -> /Pagd
    out.write_bytes(bytes(data))
    return out


def chromium_dom(url, tmp_path) -> str:
    """The page's DOM after its scripts ran, from Debian's chromium (headless, no network)."""
    import shutil
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    assert exe, "Debian's chromium is installed by scripts/install-system-deps.sh"
    r = subprocess.run([exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                        "--disable-background-networking", "--disable-component-update", "--disable-sync",
                        f"--user-data-dir={tmp_path / 'chrome'}", "--dump-dom", url],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr[-2000:]
    return r.stdout


# ---------------- the review server, as a real process (tests/server) ----------------

def free_port() -> int:
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def add_account(home, name, role, password):
    """`selfeval users add` with the password on standard input, into the accounts of SELFEVAL_HOME=home; in this
    process (tests/server/test_security.py runs the command's refusals)."""
    r = invoke("users", "add", name, "--role", role, input=password + "\n", env={"SELFEVAL_HOME": str(home)})
    assert r.returncode == 0, r.stderr
    return r


class Served:
    """`selfeval serve OUTDIR` in a process of its own, on a free port of 127.0.0.1, until stop()."""

    def __init__(self, outdir, home, host="127.0.0.1", lang="zh"):
        import time
        import urllib.request
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "SELFEVAL_HOME": str(home), "SELFEVAL_LANG": lang}
        self.proc = subprocess.Popen([sys.executable, str(ROOT / "cli.py"), "serve", str(outdir), "--host", host,
                                      "--port", str(self.port)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True, env=env)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"the server stopped: {self.proc.stderr.read()}")
            try:
                with urllib.request.urlopen(self.url + "/login", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise AssertionError("the server did not answer within 120 s")

    def stop(self) -> str:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        return self.proc.stderr.read() if self.proc.stderr else ""


def log_in(client, name, password):
    """An httpx client logged in through the login form (its signed nonce and cookie); the response."""
    import re
    page = client.get("/login")
    token = re.search(r'name="form" value="([^"]+)"', page.text).group(1)
    return client.post("/login", data={"form": token, "name": name, "password": password})


def csrf_of(html: str) -> str:
    import re
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def proc_cmdline(pid) -> bytes:
    """A process's command line as /proc keeps it (NUL-separated); b"" when it is gone."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read()
    except OSError:
        return b""
