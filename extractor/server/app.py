"""The review server's web application (Starlette): pages rendered from outputs/templates, decisions appended to
OUTDIR/decisions.sqlite.

Every page needs a session (a login); every change needs the session's CSRF token and an inspector's role.
Responses carry the static site's Content-Security-Policy (forms may post to this site only) and no page loads
anything from elsewhere. Files are served from a fixed list (assets) or from inside OUTDIR only (the workbook,
memos named by memos.json, the static site), each path resolved and checked.
"""
from __future__ import annotations

import functools
import threading
from pathlib import Path
from urllib.parse import quote

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from .. import i18n
from ..i18n import t
from ..checks.verdict import ORDER
from ..outputs import decision_store, decisions, templating
from ..outputs import pages
from . import accounts, auth
from .snapshot import Data

CSP = ("default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; base-uri 'none'; "
       "form-action 'self'; frame-ancestors 'none'")
HEADERS = {"content-security-policy": CSP, "x-content-type-options": "nosniff", "referrer-policy": "no-referrer",
           "x-frame-options": "DENY", "cache-control": "no-store"}
# The static site's styles and scripts, and the server's own (the decision forms' script).
ASSETS = (templating.TEMPLATES.parent / "assets", Path(__file__).resolve().parent / "assets")
LOOPBACK = ("127.0.0.1", "localhost", "::1", "[::1]")
ERROR_KEYS = {"decide.error.choice", "decide.error.reason", "decide.error.request", "decide.error.value",
              "decide.error.status", "decide.error.verdict", "decide.error.too_long", "decide.error.unknown"}


class SecurityHeaders:
    """The same headers on every response, the server's own errors included (pure ASGI: no buffering)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def with_headers(message):
            if message["type"] == "http.response.start":
                have = {k.lower() for k, _ in message.get("headers", [])}
                message.setdefault("headers", [])
                message["headers"] = list(message["headers"]) + [(k.encode(), v.encode()) for k, v in HEADERS.items()
                                                                   if k.encode() not in have]
            await send(message)
        await self.app(scope, receive, with_headers)


class Office:
    """What the application holds: the output folder, its snapshot, the sessions and the login limiter."""

    def __init__(self, outdir: Path, loopback: bool):
        self.outdir = Path(outdir).resolve()
        self.loopback = loopback
        self.data = Data(self.outdir)
        self.sessions = auth.Sessions()
        self.limiter = auth.LoginLimiter()
        self.publishing = threading.Lock()
        self._index = (None, None)

    def local_user(self) -> str | None:
        """With no account at all and bound to this machine only, the person at it is the inspector."""
        if not self.loopback or accounts.load():
            return None
        import getpass
        try:
            return getpass.getuser()
        except Exception:  # noqa: BLE001 - no login name in this environment
            return "local"

    def index_decided(self, snap, ck):
        """The whole office's decisions applied, cached until the snapshot or the events change."""
        stamp = (snap.stamp, snap.loaded, _last_event(self.outdir))
        if self._index[0] != stamp:
            self._index = (stamp, pages.decided_for(snap, self.outdir, ck))
        return self._index[1]


def _last_event(outdir) -> int:
    with decision_store.connect(outdir) as con:
        return con.execute("SELECT coalesce(max(id), 0) FROM events").fetchone()[0] if con is not None else 0


# ---------------- helpers ----------------

def _office(request) -> Office:
    return request.app.state.office


def _session(request):
    return _office(request).sessions.get(request.cookies.get(auth.COOKIE))


def _page(request, name: str, code: int = 200, **context) -> HTMLResponse:
    office = _office(request)
    s = context.pop("session", None)
    notices = []
    if office.data.running():
        notices.append(t("serve.batch_running"))
    if office.data.snapshot is None:
        notices.append(t("serve.no_data", cause=office.data.error or ""))
    base = {"csp": CSP, "up": "/", "title": t("site.index_title"), "user": s, "csrf": s.csrf if s else "",
            "editable": bool(s and s.can_decide), "notices": notices, "error": None, "page_id": None,
            "memos_folder": ""}
    html = templating.render(name, **{**base, **context})
    return HTMLResponse(html, status_code=code)


def _refuse(request, code: int, key: str, session=None) -> HTMLResponse:
    return _page(request, "message.html", code=code, session=session, heading=t("serve.refused"),
                 message=t(key), title=t("serve.refused"))


def report_url(doc: str) -> str:
    return "/report/" + quote(doc, safe="")


def _to_login() -> RedirectResponse:
    return RedirectResponse("/login", status_code=303)


async def _form(request) -> dict:
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str)}


def needs_change_rights(handler):
    """A change: a session, its CSRF token and an inspector's role, or a 403 that changes nothing."""
    @functools.wraps(handler)
    async def wrapped(request: Request):
        s = _session(request)
        form = await _form(request)
        if s is None:
            return _refuse(request, 403, "serve.login_first")
        if not auth.csrf_ok(s, form.get("csrf")):
            return _refuse(request, 403, "serve.bad_csrf", s)
        if not s.can_decide:
            return _refuse(request, 403, "serve.viewer", s)
        return await handler(request, s, form)
    return wrapped


def needs_login(handler):
    @functools.wraps(handler)
    async def wrapped(request: Request):
        s = _session(request)
        if s is None:
            return _to_login()
        return await handler(request, s)
    return wrapped


# ---------------- login ----------------

async def login_page(request: Request):
    office = _office(request)
    nonce, token = office.sessions.login_nonce()
    r = _page(request, "login.html", form_token=token, local=office.local_user(), title=t("serve.sign_in"),
              page_id="login-page", error=t(request.query_params["error"]) if request.query_params.get("error")
              in ("serve.bad_login", "serve.too_many", "serve.form_expired") else None)
    r.set_cookie(auth.LOGIN_COOKIE, nonce, max_age=auth.LOGIN_FORM_AGE, httponly=True, samesite="strict", path="/login")
    return r


async def login(request: Request):
    office = _office(request)
    form = await _form(request)
    if not office.sessions.login_form_ok(request.cookies.get(auth.LOGIN_COOKIE), form.get("form")):
        return RedirectResponse("/login?error=serve.form_expired", status_code=303)
    local = office.local_user()
    name = local or form.get("name", "")
    ip = request.client.host if request.client else "?"
    keys = (f"ip:{ip}", f"name:{name}")
    if office.limiter.blocked(*keys):
        return _refuse(request, 429, "serve.too_many")
    role = "inspector" if local else await run_in_threadpool(accounts.verify, name, form.get("password", ""))
    if role is None:
        office.limiter.fail(*keys)
        return RedirectResponse("/login?error=serve.bad_login", status_code=303)
    office.limiter.succeed(*keys)
    office.sessions.end(request.cookies.get(auth.COOKIE))
    cookie, _ = office.sessions.start(name, role)
    r = RedirectResponse("/", status_code=303)
    r.set_cookie(auth.COOKIE, cookie, httponly=True, samesite="strict", path="/",
                 secure=request.url.scheme == "https")
    r.delete_cookie(auth.LOGIN_COOKIE, path="/login")
    return r


async def logout(request: Request):
    s = _session(request)
    form = await _form(request)
    if s is None or not auth.csrf_ok(s, form.get("csrf")):
        return _refuse(request, 403, "serve.bad_csrf", s)
    _office(request).sessions.end(request.cookies.get(auth.COOKIE))
    r = _to_login()
    r.delete_cookie(auth.COOKIE, path="/")
    return r


# ---------------- pages ----------------

@needs_login
async def index(request: Request, s):
    office = _office(request)
    snap = office.data.snapshot
    if snap is None:
        return _page(request, "message.html", session=s, heading=t("site.index_title"), message=t("serve.no_reports"))
    ck = pages.checking_of(snap)
    ctx = await run_in_threadpool(lambda: pages.index(snap, office.index_decided(snap, ck), ck, report_url))
    return _page(request, "index.html", session=s, **ctx, page_id="index-page")


def _doc_or_none(snap, doc: str):
    return doc if snap is not None and doc in set(snap.tables["documents"]["doc"]) else None


@needs_login
async def report(request: Request, s):
    office = _office(request)
    snap = office.data.snapshot
    doc = _doc_or_none(snap, request.path_params["doc"])
    if doc is None:
        return _refuse(request, 404, "serve.no_such_report", s)
    ck = pages.checking_of(snap)

    def build():
        ctx = pages.report(snap, doc, pages.decided_for(snap, office.outdir, ck, doc), ck)
        return pages.described(ctx, ck)
    ctx = await run_in_threadpool(build)
    err = request.query_params.get("error")
    return _page(request, "report.html", session=s, **ctx, title=doc, index_url="/", page_id="report-page",
                 action=lambda what: f"{report_url(doc)}/{what}", choices=decisions.CHOICES,
                 status_codes=decisions.STATUSES, verdict_codes=list(ORDER), note_max=decisions.NOTE_MAX,
                 error=t(err) if err in ERROR_KEYS else None)


# ---------------- changes ----------------

def _back(doc: str, anchor: str = "", error: str | None = None) -> RedirectResponse:
    q = f"?error={error}" if error else ""
    return RedirectResponse(f"{report_url(doc)}{q}{('#' + anchor) if anchor else ''}", status_code=303)


async def _record(request, s, kind: str, target: str, make, anchor: str):
    """Check the report, make the event's data (Refused: back with the reason), append it: committed on return."""
    office = _office(request)
    snap = office.data.snapshot
    doc = _doc_or_none(snap, request.path_params["doc"])
    if doc is None:
        return _refuse(request, 404, "serve.no_such_report", s)
    try:
        data = make(snap, doc)
    except decisions.Refused as e:
        return _back(doc, anchor, str(e))
    await run_in_threadpool(decision_store.append, office.outdir, s.user, kind, doc, target, data)
    return _back(doc, anchor)


def _finding_row(snap, doc, key):
    df = snap.of(doc)["findings"]
    rows = decisions._records(df[df["key"] == key])
    if not rows:
        raise decisions.Refused("decide.error.unknown")
    f = rows[0]
    return {k: ("" if f.get(k) is None else str(f.get(k))) for k in ("rule", "status", "raw", "value", "message", "page")}


def _fact_row(snap, doc, key):
    facts = decisions._records(snap.of(doc)["facts"])
    for f, k in zip(facts, decisions.fact_keys(facts)):
        if k == key:
            return f
    raise decisions.Refused("decide.error.unknown")


@needs_change_rights
async def decide(request: Request, s, form: dict):
    key = form.get("key", "")
    return await _record(request, s, "decision", key, lambda snap, doc: decisions.decision_data(
        form.get("choice"), form.get("note"), form.get("reason"), form.get("request"), _finding_row(snap, doc, key)),
        f"k-{key}")


@needs_change_rights
async def correct(request: Request, s, form: dict):
    key = form.get("fact", "")
    return await _record(request, s, "correction", key, lambda snap, doc: decisions.correction_data(
        form.get("value"), form.get("reason"), _fact_row(snap, doc, key)), "findings")


@needs_change_rights
async def set_status(request: Request, s, form: dict):
    def make(snap, doc):
        held = decisions.fold(decision_store.events(_office(request).outdir, doc)).status.get(doc)
        assignee = s.user if form.get("take") else (held["data"]["assignee"] if held else "")
        return decisions.status_data(form.get("status"), assignee)
    return await _record(request, s, "status", "", make, "review-status")


@needs_change_rights
async def set_verdict(request: Request, s, form: dict):
    return await _record(request, s, "verdict", "", lambda snap, doc: decisions.verdict_data(
        form.get("verdict", ""), form.get("reason")), "verdict")


@needs_change_rights
async def publish(request: Request, s, form: dict):
    """report.xlsx, the static site and the memos written again with the decisions, under the batch's lock."""
    from ..batch.messages import BatchError
    from ..batch.run import rewrite_outputs
    office = _office(request)
    if not office.publishing.acquire(blocking=False):
        return _refuse(request, 409, "serve.publishing", s)
    try:
        await run_in_threadpool(rewrite_outputs, office.outdir)
    except BatchError:
        return _refuse(request, 409, "serve.batch_running", s)
    finally:
        office.publishing.release()
    return _page(request, "message.html", session=s, heading=t("serve.published_title"),
                 message=t("serve.published", where=str(office.outdir)), page_id="published")


# ---------------- files ----------------

def _inside(root: Path, rel: str) -> Path | None:
    """root/rel resolved, if it is a file inside root; None for anything else (.., links out, folders)."""
    from ..errors import InputError
    from ..paths import inside
    try:
        p = inside(root, rel)
    except (InputError, ValueError, OSError):
        return None
    return p if p.is_file() else None


@needs_login
async def workbook(request: Request, s):
    p = _inside(_office(request).outdir, "report.xlsx")
    return FileResponse(p, filename="report.xlsx") if p else _refuse(request, 404, "serve.no_file", s)


@needs_login
async def memo_file(request: Request, s):
    import json
    office = _office(request)
    name = request.path_params["name"]
    try:
        named = set(json.loads((office.outdir / "memos" / "memos.json").read_text(encoding="utf-8")).values())
    except (OSError, ValueError, AttributeError):
        named = set()
    p = _inside(office.outdir / "memos", name) if name in named else None
    return FileResponse(p, filename=p.name) if p else _refuse(request, 404, "serve.no_file", s)


@needs_login
async def site_file(request: Request, s):
    p = _inside(_office(request).outdir / "review", request.path_params["path"])
    return FileResponse(p) if p else _refuse(request, 404, "serve.no_file", s)


@needs_login
async def export_csv(request: Request, s):
    from .export import csv_text
    office = _office(request)
    text = await run_in_threadpool(csv_text, office.outdir, office.data.snapshot)
    return Response(text.encode("utf-8-sig"), media_type="text/csv; charset=utf-8",
                    headers={"content-disposition": "attachment; filename=decisions.csv"})


def create_app(outdir, loopback: bool = True, watch: bool = True) -> Starlette:
    routes = [Route("/login", login_page, methods=["GET"]), Route("/login", login, methods=["POST"]),
              Route("/logout", logout, methods=["POST"]), Route("/", index),
              Route("/report/{doc}", report), Route("/report/{doc}/decide", decide, methods=["POST"]),
              Route("/report/{doc}/correct", correct, methods=["POST"]),
              Route("/report/{doc}/status", set_status, methods=["POST"]),
              Route("/report/{doc}/verdict", set_verdict, methods=["POST"]),
              Route("/publish", publish, methods=["POST"]), Route("/assets/{name}", asset_open),
              Route("/files/report.xlsx", workbook), Route("/files/memos/{name}", memo_file),
              Route("/site/{path:path}", site_file), Route("/decisions.csv", export_csv)]
    middleware = [Middleware(SecurityHeaders)]
    if loopback:                     # a page of any site resolving its name to 127.0.0.1 gets nothing (DNS rebinding)
        middleware.append(Middleware(TrustedHostMiddleware, allowed_hosts=["127.0.0.1", "localhost", "::1", "[::1]"]))
    app = Starlette(routes=routes, middleware=middleware)
    app.state.office = Office(outdir, loopback)
    if watch:
        app.state.office.data.watch()
    i18n.lang()                      # the language is fixed when the server starts (SELFEVAL_LANG / --lang)
    return app


async def asset_open(request: Request):
    """Styles and scripts: needed by the login page too, so served without a session (they hold no data)."""
    name = request.path_params["name"]
    allowed = {p.name: p for folder in ASSETS for p in folder.iterdir() if p.is_file()}
    if name not in allowed:
        return Response(status_code=404)
    return FileResponse(allowed[name])
