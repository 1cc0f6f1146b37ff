"""The review site read as an inspector reads it, in chromium: verdicts, sorting, page numbers, findings
in order, and charts whose labels never overlap, from 5 to 300 reports. Screenshots: build/screenshots/site-N.png."""
import shutil
import sys

import openpyxl
import pytest

from conftest import ROOT, SEED, EVAL
from helpers import check_people_workbook, chrome, invoke, synthetic_site

sys.path.insert(0, str(ROOT / "corpus"))
import build  # noqa: E402

pytestmark = pytest.mark.slow          # a browser, and a site of 300 reports

VERDICTS = {"未达标", "未能完整读取", "数据不一致", "待核实", "达标"}
SHOTS = ROOT / "build" / "screenshots"

OVERLAPS = """
const out = [];
for (const svg of document.querySelectorAll('svg.chart')) {
  const boxes = Array.from(svg.querySelectorAll('text')).map(t => [t.textContent, t.getBoundingClientRect()]);
  for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
    const [a, p] = boxes[i], [b, q] = boxes[j];
    if (p.left < q.right - 0.5 && q.left < p.right - 0.5 && p.top < q.bottom - 0.5 && q.top < p.bottom - 0.5)
      out.push([svg.dataset.rule, a, b]);
  }
}
return [out, document.querySelectorAll('svg.chart text').length];
"""


@pytest.fixture(scope="module")
def five(tmp_path_factory):
    """A real batch of five reports, one of them a PDF (paged)."""
    base = tmp_path_factory.mktemp("five")
    d = base / "in"
    d.mkdir()
    build.render_pdf(SEED.read_text(encoding="utf-8"), d / "xingan-2024.pdf")
    for name in ("r001.txt", "r006.txt", "r010.txt", "r026.txt"):
        shutil.copy(EVAL / "docs" / name, d / name)
    out = base / "out"
    r = invoke("batch", d, "-o", out, "--quiet", "--jobs", "1")      # one file worker: what the site shows is tested
    assert r.returncode == 0, r.stderr
    return out


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    d = chrome(tmp_path_factory.mktemp("chrome"))
    yield d
    d.quit()


def rows(driver):
    return driver.execute_script(
        "return Array.from(document.querySelectorAll('#reports tbody tr')).filter(r => !r.hidden)"
        ".map(r => [r.dataset.verdict, r.querySelector('td.verdict').textContent, +r.querySelector('td.fails').textContent])")


def check_index(driver, index, n, shot):
    driver.get(index.as_uri())
    got = rows(driver)
    size = int(driver.execute_script("return document.getElementById('reports').dataset.pageSize"))
    assert driver.execute_script("return document.querySelectorAll('#reports tbody tr').length") == n
    assert len(got) == min(n, size)                                # one page of rows at a time
    assert driver.execute_script("return document.getElementById('pager').hidden") == (n <= size)
    # the first screen: the summary's counts add up to the reports, and link to each chart
    counts = driver.execute_script("return Array.from(document.querySelectorAll('#summary [data-verdict-link]'))"
                                   ".map(a => +a.textContent.replace(/[^0-9]/g, ''))")
    assert sum(counts) == n
    charts = driver.execute_script("return Array.from(document.querySelectorAll('#summary .jump a'))"
                                   ".map(a => !!document.getElementById(a.getAttribute('href').slice(1)))")
    assert charts and all(charts)
    assert all(any(text.startswith(v) for v in VERDICTS) for _, text, _ in got)
    overlaps, labels = driver.execute_script(OVERLAPS)
    assert labels > 10 and overlaps == [], overlaps[:5]
    # sorting by 未达标 puts the failing reports first
    head = next(th for th in driver.find_elements("css selector", "#reports thead th") if th.text.startswith("未达标"))
    head.click()
    fails = [f for _, _, f in rows(driver)]
    assert fails == sorted(fails, reverse=True) and fails[0] > 0
    assert rows(driver)[0][0] == "fail"
    head.click()                                                   # and back, ascending
    asc = [f for _, _, f in rows(driver)]
    assert asc == sorted(asc) and asc[0] == 0 and len(asc) == len(fails)
    # the verdict filter shows one kind only
    driver.execute_script("const s = document.getElementById('verdict-filter'); s.value = 'fail';"
                          "s.dispatchEvent(new Event('change'))")
    assert {v for v, _, _ in rows(driver)} == {"fail"}
    driver.execute_script("const s = document.getElementById('verdict-filter'); s.value = '';"
                          "s.dispatchEvent(new Event('change'))")
    SHOTS.mkdir(parents=True, exist_ok=True)
    driver.get(index.as_uri())                                     # as it opens: failing reports first
    height = driver.execute_script("return document.body.scrollHeight")
    driver.set_window_size(1400, min(height + 40, 6000))
    driver.save_screenshot(str(SHOTS / f"site-{shot}.png"))
    driver.set_window_size(1400, 1000)


def test_five_reports(five, browser):
    check_index(browser, five / "review" / "index.html", 5, "5")
    assert browser.execute_script("return document.querySelectorAll('svg.chart circle.mark').length") >= 5
    # the PDF's page shows page numbers beside its facts and findings, and failures first
    browser.get((five / "review" / "docs" / "兴安区-2023.html").as_uri())     # ids: county and year
    n_facts = int(browser.execute_script("return document.body.dataset.facts"))
    assert n_facts > 50
    assert browser.execute_script("return document.querySelectorAll('pre.text sup.page').length") == n_facts
    groups = browser.execute_script(
        "return Array.from(document.querySelectorAll('#findings > h3, #findings > details'))"
        ".map(e => e.className.replace('group-', ''))")
    order = ["fail", "inconsistent", "admitted", "missing", "unstated", "not-applicable", "pass"]
    assert groups[0] in ("fail", "inconsistent") and groups == sorted(groups, key=order.index)
    first = browser.execute_script("return document.querySelector('#findings li').textContent")
    assert "第" in first and "页" in first
    assert browser.execute_script("return document.querySelector('#findings details.group-pass').open") is False
    # a measure stated in several places links to each place, by its page
    places = browser.execute_script(
        "return Array.from(document.querySelectorAll('#findings li')).map(li => Array.from(li.querySelectorAll('a.place'))"
        ".map(a => [a.textContent, !!document.getElementById(a.getAttribute('href').slice(1))])).filter(x => x.length > 1)")
    assert places and all(label.startswith("第") and "页" in label and found for links in places for label, found in links)
    # report.xlsx for inspectors
    check_people_workbook(openpyxl.load_workbook(five / "report.xlsx"), n_reports=5)


def test_three_hundred_reports(tmp_path, browser):
    site = synthetic_site(tmp_path / "out", 300)
    check_index(browser, site / "index.html", 300, "300")
    # above 50 reports each chart is a distribution, with the failing districts listed
    assert browser.execute_script("return document.querySelectorAll('svg.chart circle').length") == 0
    assert browser.execute_script("return document.querySelectorAll('svg.chart rect.mark').length") > 20
    assert browser.execute_script("return document.querySelectorAll('p.failing').length") >= 3
    verdicts = set(browser.execute_script(
        "return Array.from(document.querySelectorAll('#reports tbody tr')).map(r => r.dataset.verdict)"))
    assert {"fail", "pass"} <= verdicts
