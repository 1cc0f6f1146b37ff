"""Who is asking: server-side sessions behind a signed cookie, CSRF tokens, and a limit on login attempts.

The cookie holds only a random session id, signed (itsdangerous) with a key made when the server starts; it is
HttpOnly and SameSite=Strict. The session lives in this process, so logging out ends it for good: the same cookie
replayed afterwards finds nothing. Every change carries the session's CSRF token; the login form carries a
signed nonce that must match a cookie of its own (a page of another site cannot log a browser in).
"""
from __future__ import annotations

import hmac
import secrets
import threading
import time
from dataclasses import dataclass, field

COOKIE = "selfeval_session"
LOGIN_COOKIE = "selfeval_login"
IDLE = 8 * 3600                  # seconds a session lives unused: a working day
LOGIN_FORM_AGE = 3600            # seconds a login form stays good
ATTEMPTS = 5                     # failed logins allowed per window, per address and per name
WINDOW = 300                     # seconds


@dataclass
class Session:
    sid: str
    user: str
    role: str
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    seen: float = field(default_factory=time.monotonic)

    @property
    def can_decide(self) -> bool:
        return self.role == "inspector"


class Sessions:
    def __init__(self, secret: bytes | None = None):
        from itsdangerous import Signer, TimestampSigner
        secret = secret or secrets.token_bytes(32)
        self.signer = Signer(secret, salt="selfeval-session")
        self.form_signer = TimestampSigner(secret, salt="selfeval-login")
        self.live: dict[str, Session] = {}
        self.lock = threading.Lock()

    def start(self, user: str, role: str) -> tuple[str, Session]:
        """A new session (any old one of the browser is ended by the caller); the cookie's value and the session."""
        s = Session(secrets.token_urlsafe(32), user, role)
        with self.lock:
            self.live[s.sid] = s
        return self.signer.sign(s.sid.encode()).decode(), s

    def get(self, cookie: str | None) -> Session | None:
        from itsdangerous import BadSignature
        if not cookie:
            return None
        try:
            sid = self.signer.unsign(cookie.encode()).decode()
        except BadSignature:
            return None
        now = time.monotonic()
        with self.lock:
            s = self.live.get(sid)
            if s is None or now - s.seen > IDLE:
                self.live.pop(sid, None)
                return None
            s.seen = now
            return s

    def end(self, cookie: str | None):
        s = self.get(cookie)
        if s is not None:
            with self.lock:
                self.live.pop(s.sid, None)

    # ----- the login form -----
    def login_nonce(self) -> tuple[str, str]:
        """(cookie value, the form's signed token) for one login form."""
        nonce = secrets.token_urlsafe(24)
        return nonce, self.form_signer.sign(nonce.encode()).decode()

    def login_form_ok(self, cookie: str | None, token: str | None) -> bool:
        from itsdangerous import BadSignature, SignatureExpired
        if not cookie or not token:
            return False
        try:
            nonce = self.form_signer.unsign(token.encode(), max_age=LOGIN_FORM_AGE).decode()
        except (BadSignature, SignatureExpired):
            return False
        return hmac.compare_digest(nonce, cookie)


def csrf_ok(session: Session | None, token: str | None) -> bool:
    return session is not None and bool(token) and hmac.compare_digest(session.csrf, str(token))


class LoginLimiter:
    """At most ATTEMPTS failed logins per WINDOW seconds from one address, and for one name."""

    def __init__(self, attempts: int = ATTEMPTS, window: float = WINDOW):
        self.attempts, self.window = attempts, window
        self.failed: dict[str, list] = {}
        self.lock = threading.Lock()

    def _recent(self, key: str, now: float) -> list:
        got = [t for t in self.failed.get(key, []) if now - t < self.window]
        self.failed[key] = got
        return got

    def blocked(self, *keys: str) -> bool:
        now = time.monotonic()
        with self.lock:
            return any(len(self._recent(k, now)) >= self.attempts for k in keys)

    def fail(self, *keys: str):
        now = time.monotonic()
        with self.lock:
            for k in keys:
                self._recent(k, now).append(now)

    def succeed(self, *keys: str):
        with self.lock:
            for k in keys:
                self.failed.pop(k, None)
