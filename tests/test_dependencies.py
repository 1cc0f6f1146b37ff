"""Every package the code imports is declared in pyproject.toml (deptry), so a new machine can run it."""
import subprocess
import sys

from conftest import ROOT


def deptry(*args):
    return subprocess.run([sys.executable, "-m", "deptry", str(ROOT), *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=300)


def test_declared_dependencies_match_imports():
    r = deptry()
    assert r.returncode == 0, r.stdout + r.stderr


def test_an_undeclared_import_is_caught(tmp_path):
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert '"duckdb' in pyproject
    config = tmp_path / "pyproject.toml"
    config.write_text("\n".join(l for l in pyproject.splitlines() if '"duckdb' not in l), encoding="utf-8")
    r = deptry("--config", str(config))
    assert r.returncode != 0
    said = r.stdout + r.stderr  # DEP001 where duckdb is absent, DEP003 where something else brought it in
    assert ("DEP001" in said or "DEP003" in said) and "'duckdb' imported" in said
