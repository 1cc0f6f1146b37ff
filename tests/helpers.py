import json
import subprocess
import sys

from conftest import ROOT, EVAL


def extract(target, out, *extra):
    r = subprocess.run([sys.executable, str(ROOT / "cli.py"), "extract", str(target), "-o", str(out), *map(str, extra)],
                       capture_output=True, text=True, timeout=1800)
    assert r.returncode == 0, r.stderr
    return out


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
    summary = list(wb["汇总"].iter_rows(values_only=True))
    head = list(summary[0])
    assert head[:6] == ["文档", "地区", "报送单位", "年度", "结论", "已核查标准"] and len(summary) == n_reports + 1
    assert {r[head.index("结论")] for r in summary[1:]} <= {"未达标", "数据不一致", "待核实", "达标"}
    assert all(isinstance(r[head.index("未达标")], int) for r in summary[1:])
    facts = list(wb["数据"].iter_rows(values_only=True))
    fh = list(facts[0])
    values = [r[fh.index("数值")] for r in facts[1:]]
    assert sum(isinstance(v, (int, float)) for v in values) > len(values) / 2
    assert {r[fh.index("类型")] for r in facts[1:]} <= {"百分比", "金额", "数量", "日期", "比例", "数值", "时长"}
    assert {r[fh.index("约数")] for r in facts[1:]} <= {None, "以上", "以下", "约"}
    findings = list(wb["核查结果"].iter_rows(values_only=True))
    gh = list(findings[0])
    assert gh[1:3] == ["规则", "规则名称"]
    sev = [r[gh.index("严重程度")] for r in findings[1:]]
    rank = {"高": 0, "中": 1, "低": 2, "提示": 3}
    assert sev == sorted(sev, key=rank.__getitem__) and set(sev) <= set(rank)
    assert {r[gh.index("结论")] for r in findings[1:]} <= {"达标", "未达标", "数据不一致", "缺项"}
    titled = {r[1]: r[2] for r in findings[1:]}
    assert titled.get("preschool.public-share") == "公办园在园幼儿占比"
