"""The decision store and what it folds to: identities that survive re-runs, append-only events, corrections
checked again by the project's own checks."""
import shutil
import sqlite3

import duckdb
import pytest

from extractor.outputs import decision_store, decisions
from extractor.pipeline import from_stored
from extractor.outputs import tables as tables_mod


@pytest.fixture
def out(seed_batch, tmp_path):
    dest = tmp_path / "out"
    shutil.copytree(seed_batch, dest)
    return dest


def _tables(out):
    con = duckdb.connect(str(out / "selfeval.duckdb"), read_only=True)
    try:
        return {n: tables_mod.typed(con.execute(f"SELECT * FROM {n} ORDER BY doc, rowid").df(), n)
                for n in ("documents", "facts", "findings")}
    finally:
        con.close()


def _result(out, doc):
    con = duckdb.connect(str(out / "selfeval.duckdb"), read_only=True)
    try:
        blob = con.execute("SELECT result FROM files WHERE doc = ?", [doc]).fetchone()[0]
    finally:
        con.close()
    return from_stored(blob)


def test_identity_ignores_offsets_and_white_space_but_not_evidence():
    row = {"doc": "d", "rule": "r", "status": "fail", "section": 1, "item": 2, "raw": "41.49%", "value": "41.49"}
    moved = {**row, "start": 999, "raw": "41.49 ％"}              # full-width % and a space: NFKC, no spaces
    assert decisions.finding_keys([row]) == decisions.finding_keys([moved])
    assert decisions.finding_keys([row]) != decisions.finding_keys([{**row, "raw": "41.94%", "value": "41.94"}])
    assert decisions.finding_keys([row]) != decisions.finding_keys([{**row, "status": "pass"}])
    twice = decisions.finding_keys([row, row])
    assert twice[1] == twice[0] + "#2"


def test_the_store_is_append_only_and_folds_to_the_latest(out):
    decision_store.append(out, "wang", "decision", "d", "k1", decisions.decision_data("holds", "first"))
    decision_store.append(out, "li", "decision", "d", "k1", decisions.decision_data("dismissed", "", reason="table"))
    decision_store.append(out, "wang", "verdict", "d", "", decisions.verdict_data("pass", "checked by hand"))
    decision_store.append(out, "wang", "verdict", "d", "", decisions.verdict_data("", ""))
    state = decisions.load(out)
    assert state.decision("d", "k1")["data"]["choice"] == "dismissed" and state.decision("d", "k1")["who"] == "li"
    assert [e["data"]["choice"] for e in state.history[("d", "k1")]] == ["holds", "dismissed"]
    assert "d" not in state.verdicts                        # cleared by the later event, history kept
    con = sqlite3.connect(str(decision_store.path_in(out)))
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        con.execute("UPDATE events SET who = 'x'")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        con.execute("DELETE FROM events")
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


@pytest.mark.parametrize("make, key", [
    (lambda: decisions.decision_data("dismissed", "note"), "decide.error.reason"),
    (lambda: decisions.decision_data("asks", "note", reason="x"), "decide.error.request"),
    (lambda: decisions.decision_data("maybe", ""), "decide.error.choice"),
    (lambda: decisions.decision_data("holds", "x" * 2001), "decide.error.too_long"),
    (lambda: decisions.correction_data("4l.9", "typo", {"kind": "percent"}), "decide.error.value"),
    (lambda: decisions.correction_data("41.94", "", {"kind": "percent"}), "decide.error.reason"),
    (lambda: decisions.correction_data("1/15", "x", {"kind": "ratio"}), "decide.error.value"),
    (lambda: decisions.status_data("finished", ""), "decide.error.status"),
    (lambda: decisions.verdict_data("excellent", "x"), "decide.error.verdict"),
])
def test_refused_changes_name_their_reason(make, key):
    with pytest.raises(decisions.Refused) as e:
        make()
    assert str(e.value) == key


def test_a_correction_is_checked_again_by_the_rules_and_keeps_the_findings_key(out):
    t = _tables(out)
    doc = t["documents"]["doc"][0]
    facts = decisions._records(t["facts"])
    keys = decisions.fact_keys(facts)
    share = next((f, k) for f, k in zip(facts, keys) if f["raw"] == "41.49%")
    decision_store.append(out, "wang", "correction", doc, share[1],
                          decisions.correction_data("51", "the table on page 3 says 51%", share[0]))
    from extractor.checks.rules import load_rules
    from extractor.text.schemes import load_scheme
    state = decisions.load(out)
    before = decisions.keyed(t["findings"])
    got = decisions.prepare(t, state, lambda d: _result(out, d), load_rules(), load_scheme(None))
    old = before[before["rule"] == "preschool.public-share"].iloc[0]
    new = got.findings[got.findings["rule"] == "preschool.public-share"].iloc[0]
    assert (old["status"], new["status"]) == ("fail", "pass")         # 51 meets the 50% standard
    assert new["key"] == old["key"] and new["original_value"] == "41.49"
    # the same checks now find 51% at odds with 373 of 899 children: the share check is inconsistent
    share_check = got.findings[got.findings["rule"] == "consistency.share-of-counts"]
    assert list(share_check["status"]) == ["inconsistent"]
    assert not got.no_longer_applies()


def test_decisions_on_findings_a_rerun_no_longer_has_are_listed(out):
    t = _tables(out)
    f = decisions._records(decisions.keyed(t["findings"]))[0]
    decision_store.append(out, "wang", "decision", f["doc"], f["key"], decisions.decision_data("holds", ""))
    decision_store.append(out, "wang", "decision", f["doc"], "gone-key", decisions.decision_data("holds", ""))
    from extractor.checks.rules import load_rules
    got = decisions.prepare(t, decisions.load(out), lambda d: None, load_rules(), None)
    assert [e["target"] for e in got.no_longer_applies()] == ["gone-key"]
    assert got.findings["decision"].tolist().count("holds") == 1
