"""The review server as an attacker meets it: a real `selfeval serve` process, spoken to over HTTP (httpx)."""
import contextlib
import os
import shutil
import sqlite3

import httpx
import pytest

from conftest import ROOT
from helpers import Served, add_account, cli, csrf_of, invoke, log_in

DOC = "兴安区-2023"
INSPECTOR, VIEWER = ("wang", "inspector-pass"), ("li", "viewer-pass")


@pytest.fixture(scope="module")
def office(seed_batch, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("office")
    out = tmp / "out"
    shutil.copytree(seed_batch, out)
    (tmp / "secret.txt").write_text("TOP-SECRET", encoding="utf-8")
    os.symlink(tmp / "secret.txt", out / "review" / "link.txt")            # a link inside pointing outside
    home = tmp / "home"
    add_account(home, INSPECTOR[0], "inspector", INSPECTOR[1])
    add_account(home, VIEWER[0], "viewer", VIEWER[1])
    server = Served(out, home)
    yield server, out, home
    server.stop()


def _events(out) -> int:
    p = out / "decisions.sqlite"
    if not p.exists():
        return 0
    con = sqlite3.connect(str(p))
    try:
        return con.execute("SELECT count(*) FROM events").fetchone()[0]
    finally:
        con.close()


def _client(server):
    return httpx.Client(base_url=server.url, timeout=30)


@contextlib.contextmanager
def _inspector(server):
    with _client(server) as c:
        assert log_in(c, *INSPECTOR).status_code == 303
        yield c


@pytest.fixture(scope="module")
def inspector(office):
    """An inspector logged in once, for the tests that only read through a session (a login costs an argon2 hash)."""
    server, _, _ = office
    with _inspector(server) as c:
        yield c


def _first_key(html):
    import re
    return re.search(r'data-key="([0-9a-f#]+)"', html).group(1)


def test_every_page_and_file_needs_a_login(office):
    server, _, _ = office
    with _client(server) as c:
        for path in ("/", f"/report/{DOC}", "/files/report.xlsx", "/decisions.csv", "/site/index.html"):
            r = c.get(path)
            assert r.status_code == 303 and r.headers["location"] == "/login", path


def test_a_change_without_the_csrf_token_is_refused(office):
    server, out, _ = office
    with _inspector(server) as c:
        key = _first_key(c.get(f"/report/{DOC}").text)
        before = _events(out)
        for data in ({}, {"csrf": "forged"}):
            r = c.post(f"/report/{DOC}/decide", data={**data, "key": key, "choice": "holds", "note": "x"})
            assert r.status_code == 403
        assert _events(out) == before


def test_a_viewer_sees_but_changes_nothing(office):
    server, out, _ = office
    with _client(server) as c:
        assert log_in(c, *VIEWER).status_code == 303
        page = c.get(f"/report/{DOC}")
        assert page.status_code == 200 and "decide-form" not in page.text and "correct-form" not in page.text
        before = _events(out)
        token = csrf_of(page.text)                      # the viewer's own, valid token
        for what, data in (("decide", {"key": _first_key(page.text), "choice": "holds"}),
                           ("status", {"status": "done", "take": "1"}), ("verdict", {"verdict": "pass", "reason": "x"})):
            r = c.post(f"/report/{DOC}/{what}", data={**data, "csrf": token})
            assert r.status_code == 403, what
        assert c.post("/publish", data={"csrf": token}).status_code == 403
        assert _events(out) == before


def test_a_logged_out_change_is_refused(office):
    server, out, _ = office
    before = _events(out)
    with _client(server) as c:
        r = c.post(f"/report/{DOC}/decide", data={"csrf": "x", "key": "k", "choice": "holds"})
        assert r.status_code == 403
    assert _events(out) == before


def test_a_note_holding_a_script_shows_as_text(office):
    server, out, _ = office
    evil = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    with _inspector(server) as c:
        page = c.get(f"/report/{DOC}")
        key = _first_key(page.text)
        r = c.post(f"/report/{DOC}/decide", data={"csrf": csrf_of(page.text), "key": key, "choice": "dismissed",
                                                  "reason": evil, "note": evil}, follow_redirects=True)
        assert r.status_code == 200
        assert evil not in r.text and "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in r.text
        assert "<img src=x" not in r.text
        csp = r.headers["content-security-policy"]
        assert "default-src 'none'" in csp and "script-src 'self'" in csp and "form-action 'self'" in csp
        assert r.headers["x-frame-options"] == "DENY" and r.headers["x-content-type-options"] == "nosniff"
        assert evil not in c.get("/").text


@pytest.mark.parametrize("path", [
    "/site/..%2f..%2fsecret.txt", "/site/%2e%2e/%2e%2e/secret.txt", "/site/link.txt", "/site/..%2fselfeval.duckdb",
    "/files/memos/..%2f..%2fsecret.txt", "/files/memos/%2e%2e", "/assets/..%2f..%2f..%2fcli.py",
    "/assets/%2e%2e%2fdecisions.py", "/site/..%5c..%5csecret.txt", "/site//etc/passwd", "/site/%2fetc%2fpasswd",
])
def test_no_route_serves_a_file_outside_the_output_folder(office, inspector, path):
    server, _, _ = office
    r = inspector.get(httpx.URL(server.url + path))
    assert r.status_code == 404, path
    assert "TOP-SECRET" not in r.text and "root:" not in r.text and "import" not in r.text


def test_files_inside_the_output_folder_are_served(inspector):
    assert inspector.get("/site/index.html").status_code == 200
    r = inspector.get("/files/report.xlsx")
    assert r.status_code == 200 and r.content[:2] == b"PK"


def test_sessions_end_at_logout(office):
    server, out, _ = office
    with _inspector(server) as c:
        cookie = c.cookies.get("selfeval_session")
        page = c.get(f"/report/{DOC}")
        token = csrf_of(page.text)
        assert c.post("/logout", data={"csrf": token}).status_code == 303
    before = _events(out)
    with httpx.Client(base_url=server.url, cookies={"selfeval_session": cookie}) as replay:
        assert replay.get("/").status_code == 303
        r = replay.post(f"/report/{DOC}/decide", data={"csrf": token, "key": _first_key(page.text), "choice": "holds"})
        assert r.status_code == 403
    assert _events(out) == before


def test_a_login_needs_its_own_form_and_a_known_host(office):
    server, _, _ = office
    with _client(server) as c:
        r = c.post("/login", data={"name": INSPECTOR[0], "password": INSPECTOR[1]})    # no form token: a forged login
        assert r.status_code == 303 and "error" in r.headers["location"] and "selfeval_session" not in c.cookies
        assert c.get("/login", headers={"host": "attacker.example"}).status_code == 400     # DNS rebinding


def test_login_attempts_are_rate_limited(seed_batch, tmp_path):
    home = tmp_path / "home"
    add_account(home, INSPECTOR[0], "inspector", INSPECTOR[1])
    server = Served(seed_batch, home)
    try:
        with _client(server) as c:
            for _ in range(5):
                assert log_in(c, INSPECTOR[0], "wrong-password").headers["location"].endswith("bad_login")
            r = log_in(c, *INSPECTOR)                      # the right password, too late
            assert r.status_code == 429 and "selfeval_session" not in c.cookies
    finally:
        server.stop()


def test_the_lan_needs_an_account(seed_batch, tmp_path):
    env_home = tmp_path / "empty-home"
    r = cli_env(["serve", str(seed_batch), "--host", "0.0.0.0", "--port", "1"], env_home)
    assert r.returncode == 2 and "selfeval users add" in r.stderr and "Traceback" not in r.stderr


def cli_env(args, home):
    import subprocess
    import sys
    return subprocess.run([sys.executable, str(ROOT / "cli.py"), *args], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "SELFEVAL_HOME": str(home)})


def test_users_add_refuses_a_short_password_and_an_unknown_role(tmp_path):
    env = {"SELFEVAL_HOME": str(tmp_path)}              # in this process: the exit status and the line are tested
    r = invoke("users", "add", "wang", "--role", "inspector", input="short\n", env=env)
    assert r.returncode == 2 and "8" in r.stderr
    r = invoke("users", "add", "wang", "--role", "admin", input="long-enough-pass\n", env=env)
    assert r.returncode == 2 and "admin" in r.stderr
    assert not (tmp_path / "users.json").exists()
    assert cli("users", "list").returncode == 0
