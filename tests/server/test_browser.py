"""An inspector's morning in a real browser (Debian's chromium through selenium) against a real `selfeval serve`:
log in, dismiss a finding with a reason, correct a value and see the verdict change, ask the county for a
document; a batch re-run with a changed report while the server runs keeps the decisions whose findings are
unchanged and lists the others as no longer applying; the memo and report.xlsx show the decisions."""
import time

import pytest

from conftest import SEED
from helpers import Served, add_account, batch_here, chrome

pytestmark = pytest.mark.slow
DOC = "兴安区-2023"


def _finding(driver, rule, words):
    from selenium.webdriver.common.by import By
    for li in driver.find_elements(By.CSS_SELECTOR, f'li.finding[data-rule="{rule}"]'):
        if words in li.text or words in li.get_attribute("textContent"):
            return li
    raise AssertionError(f"no {rule} finding with {words}")


def _open(li):
    from selenium.webdriver.common.by import By
    box = li.find_element(By.CSS_SELECTOR, "details.decide")
    if not box.get_attribute("open"):
        li.parent.execute_script("arguments[0].open = true; arguments[0].scrollIntoView();", box)
    return box


def _decide(driver, rule, words, choice, **fields):
    from selenium.webdriver.common.by import By
    form = _open(_finding(driver, rule, words)).find_element(By.CSS_SELECTOR, "form.decide-form")
    form.find_element(By.CSS_SELECTOR, f'input[name=choice][value="{choice}"]').click()
    for name, text in fields.items():
        form.find_element(By.NAME, name).send_keys(text)
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    _wait(driver, lambda d: _finding(d, rule, words).get_attribute("data-decision") == choice)


def _wait(driver, ok, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if ok(driver):
                return
        except Exception:  # noqa: BLE001 - the page is being replaced
            pass
        time.sleep(0.3)
    raise AssertionError(f"timed out on {driver.current_url}")


def _verdict(driver) -> str:
    from selenium.webdriver.common.by import By
    return driver.find_element(By.ID, "verdict").get_attribute("data-verdict")


def test_an_inspectors_decisions_last_and_flow_into_the_outputs(tmp_path):
    from selenium.webdriver.common.by import By
    reports, out, home = tmp_path / "in", tmp_path / "out", tmp_path / "home"
    reports.mkdir()
    text = SEED.read_text(encoding="utf-8").replace("中学为0.561", "中学为0.431")   # one standard fails: 41.49%
    report = reports / "xingan.md"
    report.write_text(text, encoding="utf-8")
    assert batch_here(reports, out).returncode == 0          # in this process: only what it writes is used
    add_account(home, "wang", "inspector", "inspector-pass")
    server = Served(out, home)
    driver = chrome(tmp_path)
    try:
        driver.get(server.url + "/")
        driver.find_element(By.ID, "name").send_keys("wang")
        driver.find_element(By.ID, "password").send_keys("inspector-pass")
        driver.find_element(By.ID, "sign-in").click()
        _wait(driver, lambda d: d.find_element(By.ID, "index-page"))
        row = driver.find_element(By.CSS_SELECTOR, f'tr.report[data-doc="{DOC}"]')
        assert row.get_attribute("data-verdict") == "fail" and "待审" in row.text
        driver.save_screenshot(str(_shots() / "server-index.png"))
        row.find_element(By.TAG_NAME, "a").click()
        _wait(driver, lambda d: d.find_element(By.ID, "report-page"))
        assert _verdict(driver) == "fail"

        # dismiss two findings with reasons: one the re-run keeps, one it changes
        _decide(driver, "admissions.shortfall", "学生近视率不达标", "dismissed", reason="近视率已在附件中说明达标")
        _decide(driver, "rectification.found-fixed", "消防安全隐患7项", "dismissed", reason="已电话核实全部整改")
        assert "近视率已在附件中说明达标" in _finding(driver, "admissions.shortfall", "学生近视率不达标").text

        # correct 41.49% to 51%: checked again at once, the verdict follows
        li = _finding(driver, "preschool.public-share", "41.49")
        form = _open(li).find_element(By.CSS_SELECTOR, "form.correct-form")
        form.find_element(By.NAME, "value").send_keys("51")
        form.find_element(By.NAME, "reason").send_keys("报告第3页表格为51%")
        form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        _wait(driver, lambda d: d.find_element(By.ID, "verdict-before"))
        assert _verdict(driver) == "inconsistent"          # 51% passes; 373 of 899 children is not 51%
        li = _finding(driver, "preschool.public-share", "51")          # now among the passes, folded
        said = li.get_attribute("textContent")
        assert "为51%，达到标准" in said and "41.49" in said and li.get_attribute("class").split()[1] == "pass"

        # ask the county for a document
        _decide(driver, "consistency.share-of-counts", "373", "asks", request="请提供全区公办幼儿园在园幼儿名册",
                note="与教育局核对")

        # status: in review, held by me
        form = driver.find_element(By.ID, "status-form")
        form.find_element(By.CSS_SELECTOR, 'option[value="in_review"]').click()
        form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        _wait(driver, lambda d: d.find_element(By.ID, "review-status").get_attribute("data-status") == "in_review")
        assert "wang" in driver.find_element(By.ID, "review-status").text

        # the county resubmits: the fire-safety hazards are now all fixed; the batch runs while the server serves
        report.write_text(text.replace("消防安全隐患7项，已整改1项", "消防安全隐患7项，已整改7项"), encoding="utf-8")
        assert batch_here(reports, out).returncode == 0      # in this process, while the server's process serves

        def reloaded(d):
            d.get(server.url + "/report/" + DOC)
            return d.find_elements(By.ID, "stale")
        _wait(driver, reloaded)
        stale = driver.find_element(By.ID, "stale").text
        assert "消防安全隐患7项，已整改1项" in stale and "已电话核实全部整改" in stale
        assert _finding(driver, "admissions.shortfall", "学生近视率不达标").get_attribute("data-decision") == "dismissed"
        assert _finding(driver, "consistency.share-of-counts", "373").get_attribute("data-decision") == "asks"
        assert _verdict(driver) == "inconsistent"          # the correction carried over too
        assert _finding(driver, "rectification.found-fixed", "消防安全隐患7项").get_attribute("data-decision") == ""
        driver.save_screenshot(str(_shots() / "server-report.png"))

        # write the outputs again with the decisions
        driver.find_element(By.ID, "publish").click()
        _wait(driver, lambda d: d.find_element(By.ID, "published"))
    finally:
        driver.quit()
        server.stop()
    _workbook_shows_decisions(out)
    _memo_shows_decisions(out)


def _shots():
    from conftest import ROOT
    p = ROOT / "build" / "screenshots"
    p.mkdir(parents=True, exist_ok=True)
    return p


def _workbook_shows_decisions(out):
    import openpyxl
    wb = openpyxl.load_workbook(out / "report.xlsx", read_only=True)
    summary = list(wb["汇总"].iter_rows(values_only=True))
    head = summary[0]
    assert summary[1][head.index("结论")] == "数据不一致" and summary[1][head.index("审核状态")] == "审核中"
    found = list(wb["核查结果"].iter_rows(values_only=True))
    fh = found[0]
    verified = {(r[fh.index("规则")], r[fh.index("核实结论")]) for r in found[1:] if r[fh.index("核实结论")]}
    assert ("admissions.shortfall", "不成立") in verified and ("consistency.share-of-counts", "待补充材料") in verified
    share = next(r for r in found[1:] if r[fh.index("规则")] == "preschool.public-share")
    assert share[fh.index("结论")] == "达标" and share[fh.index("报告原值")] in ("41.49", 41.49)
    record = list(wb["核实记录"].iter_rows(values_only=True))
    assert len(record) == 1 + 5                        # two dismissals, a correction, a request, a status
    rh = record[0]
    stale = [r for r in record[1:] if r[rh.index("是否仍适用")] == "不再适用"]
    assert len(stale) == 1 and "已电话核实全部整改" in stale[0][rh.index("说明")]


def _memo_shows_decisions(out):
    import json
    import docx
    name = json.loads((out / "memos" / "memos.json").read_text(encoding="utf-8"))[DOC]
    text = "\n".join(p.text for p in docx.Document(str(out / "memos" / name)).paragraphs)
    assert "学生近视率不达标" not in text                    # dismissed, still applying: dropped
    assert "五、请补充的材料" in text and "请提供全区公办幼儿园在园幼儿名册" in text
    assert "经核实，该数据应为51%（报告原写41.49）" in text
