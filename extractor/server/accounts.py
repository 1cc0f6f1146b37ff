"""The office's accounts: a name, a role (inspector: sees and decides; viewer: sees) and an argon2 hash.

Kept per machine, not per output folder, in SELFEVAL_HOME (default ~/.config/selfeval)/users.json, readable by
its owner only. A password is never stored or logged, only its argon2id hash (argon2-cffi's defaults).
"""
from __future__ import annotations

import datetime as dt
import json
import os
import re
import sys
from pathlib import Path

ROLES = ("inspector", "viewer")
MIN_PASSWORD = 8
NAME = re.compile(r"^[\w.@-]{1,40}$")          # letters (any script), digits, . _ - @


class AccountError(ValueError):
    """A refused account change; the argument is a catalog key (users.*), the keywords its parameters."""

    def __init__(self, key: str, **params):
        super().__init__(key)
        self.key, self.params = key, params


def home() -> Path:
    return Path(os.environ.get("SELFEVAL_HOME") or Path.home() / ".config" / "selfeval")


def _file() -> Path:
    return home() / "users.json"


def _hasher():
    from argon2 import PasswordHasher
    return PasswordHasher()


def load() -> dict:
    """name → {role, hash, created}; {} where no account was ever made."""
    try:
        got = json.loads(_file().read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    return got.get("users", {}) if isinstance(got, dict) else {}


def _save(users: dict):
    f = _file()
    f.parent.mkdir(parents=True, exist_ok=True)
    tmp = f.with_name(f".{f.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump({"users": users}, out, ensure_ascii=False, indent=1)
    os.replace(tmp, f)


def add(name: str, role: str, password: str) -> bool:
    """Create the account, or set its role and password anew; True when it is new."""
    if not NAME.match(name or ""):
        raise AccountError("users.bad_name", name=name)
    if role not in ROLES:
        raise AccountError("users.bad_role", role=role)
    if len(password) < MIN_PASSWORD:
        raise AccountError("users.short_password", n=MIN_PASSWORD)
    users = load()
    new = name not in users
    users[name] = {"role": role, "hash": _hasher().hash(password),
                   "created": users.get(name, {}).get("created") or dt.datetime.now().isoformat(timespec="seconds")}
    _save(users)
    return new


_DUMMY = None


def verify(name: str, password: str) -> str | None:
    """The account's role when the password is right; None otherwise, after the same work either way (an
    unknown name is checked against a dummy hash, so timing tells no names)."""
    from argon2.exceptions import VerificationError, InvalidHashError
    global _DUMMY
    user = load().get(name or "")
    if _DUMMY is None:
        _DUMMY = _hasher().hash("not a password of anyone")
    try:
        _hasher().verify(user["hash"] if user else _DUMMY, password or "")
    except (VerificationError, InvalidHashError):
        return None
    return user["role"] if user else None


def read_password() -> str:
    """Asked twice on a terminal, without echo; one line of standard input otherwise (scripts, tests)."""
    from ..i18n import t
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    import getpass
    first = getpass.getpass(t("users.password_prompt"))
    if getpass.getpass(t("users.password_again")) != first:
        raise AccountError("users.mismatch")
    return first


def add_user(name: str, role: str) -> str:
    """`selfeval users add`: the line to print."""
    from ..i18n import t
    new = add(name, role, read_password())
    return t("users.added" if new else "users.updated", name=name, role=t(f"users.role_{role}"), where=_file())


def listing() -> str:
    """`selfeval users list`: one line per account."""
    from ..i18n import t
    users = load()
    if not users:
        return t("users.none", where=_file())
    return "\n".join(f"{n}\t{t('users.role_' + u['role'])}\t{u.get('created', '')}" for n, u in sorted(users.items()))
