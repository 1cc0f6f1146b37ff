"""Make the pictures README shows (docs/*.png) from the real outputs: the first pages of the seed's memo and of the
summary memo (LibreOffice to PDF, pypdfium2 to PNG), and the review site's index and one chart at 1,000 reports
(a generated folder, as tests/helpers.synthetic_site makes it) in headless Chromium.

    python scripts/docs_images.py        # needs LibreOffice and Chromium (scripts/install-system-deps.sh)
"""
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]
DOCS = ROOT / "docs"


def memos(tmp: Path):
    """A batch of the seed and two development reports, its memos, their first pages."""
    inbox = tmp / "in"
    inbox.mkdir()
    shutil.copy(ROOT.parent / "shared" / "seed" / "xingan-2024.md", inbox)
    for name in ("r001.txt", "r006.txt"):
        shutil.copy(ROOT.parent / "shared" / "eval" / "docs" / name, inbox)
    out = tmp / "out"
    subprocess.run([sys.executable, str(ROOT / "cli.py"), "batch", str(inbox), "-o", str(out), "--memo", "--quiet"],
                   check=True)
    memo = next((out / "memos").glob("反馈意见-兴安区-*.docx"))
    for docx, png in ((memo, "memo-first-page.png"), (out / "memos" / "汇总反馈意见.docx", "summary-first-page.png")):
        subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp}/profile", "--headless", "--convert-to", "pdf",
                        "--outdir", str(tmp), str(docx)], check=True, capture_output=True, timeout=300)
        first_page(tmp / (docx.stem + ".pdf"), DOCS / png)


def first_page(pdf: Path, png: Path):
    import pypdfium2
    doc = pypdfium2.PdfDocument(str(pdf))
    doc[0].render(scale=1.2).to_pil().save(png)


def site(tmp: Path):
    """The index's first screen and one chart of a folder of 1,000 reports."""
    from helpers import chrome, synthetic_site
    index = synthetic_site(tmp / "site", 1000) / "index.html"
    driver = chrome(tmp, 1400, 1000)
    try:
        driver.get(index.as_uri())
        driver.save_screenshot(str(DOCS / "site-index-1000.png"))
        box = driver.find_element("css selector", "#indicator-chart figure")
        box.screenshot(str(DOCS / "site-chart-1000.png"))
    finally:
        driver.quit()


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as d:
        memos(Path(d))
    with tempfile.TemporaryDirectory() as d:
        site(Path(d))
    print("written:", ", ".join(sorted(p.name for p in DOCS.glob("*.png"))))
