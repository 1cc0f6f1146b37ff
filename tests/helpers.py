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
