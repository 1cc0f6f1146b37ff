"""The page templates: one autoescaping environment, no way around it, and pages that render for reading only
(the static site's use) with every decision form left out."""
import re
import shutil

import pytest

from extractor.checks.verdict import ORDER
from extractor.outputs import decision_store, decisions, templating
from extractor.outputs import pages
from extractor.server.app import CSP
from extractor.server.snapshot import read


@pytest.fixture
def out(seed_batch, tmp_path):
    dest = tmp_path / "out"
    shutil.copytree(seed_batch, dest)
    return dest


def test_templates_never_mark_text_safe():
    env = templating.environment()
    assert env.autoescape is True
    for f in templating.TEMPLATES.glob("*.html"):
        text = f.read_text(encoding="utf-8")
        assert not re.search(r"\|\s*safe|Markup|autoescape\s+false", text), f.name
        assert not re.search(r"[\u4e00-\u9fff]", text), f"{f.name}: words belong in the catalogs"


def _context(out, editable):
    snap = read(out)
    ck = pages.checking_of(snap)
    doc = snap.tables["documents"]["doc"][0]
    ctx = pages.described(pages.report(snap, doc, pages.decided_for(snap, out, ck, doc), ck), ck)
    return doc, {**ctx, "csp": CSP, "up": "../", "title": doc, "user": None, "csrf": "", "editable": editable,
                 "notices": [], "error": None, "page_id": None, "index_url": "../index.html",
                 "action": lambda what: what, "choices": decisions.CHOICES, "status_codes": decisions.STATUSES,
                 "verdict_codes": list(ORDER), "note_max": decisions.NOTE_MAX}


def test_a_report_page_renders_for_reading_only_without_any_form(out):
    doc, ctx = _context(out, editable=True)
    key = ctx["groups"][0][2][0]["key"]
    evil = "<script>alert(1)</script>"
    decision_store.append(out, "wang", "decision", doc, key, decisions.decision_data("dismissed", evil, reason=evil))
    doc, ctx = _context(out, editable=False)
    page = templating.render("report.html", **ctx)
    assert "<form" not in page and "decide.js" not in page
    assert evil not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert f'data-key="{key}"' in page and 'data-decision="dismissed"' in page
    assert page.count("<mark ") >= 100                      # the seed's facts, marked in its text
    editable = templating.render("report.html", **{**_context(out, editable=True)[1], "csrf": "t0k"})
    assert "decide-form" in editable and 'name="csrf" value="t0k"' in editable
