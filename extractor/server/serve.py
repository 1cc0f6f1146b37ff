"""`selfeval serve OUTDIR`: the review server on this machine (127.0.0.1) or, with accounts, on the office's LAN."""
from __future__ import annotations

import sys
from pathlib import Path

from ..i18n import t
from . import accounts


class ServeError(Exception):
    """Why the server does not start, in the reader's words."""


def check(outdir: Path, host: str) -> bool:
    """Whether the host is this machine only; ServeError when the folder is no batch's or a LAN needs accounts."""
    from .app import LOOPBACK
    if not (outdir / "selfeval.duckdb").is_file():
        raise ServeError(t("serve.not_batch", path=outdir))
    loopback = host in LOOPBACK
    if not loopback and not accounts.load():
        raise ServeError(t("serve.needs_account", host=host))
    return loopback


def serve(outdir, host: str = "127.0.0.1", port: int = 8000):
    import uvicorn
    from .app import create_app
    outdir = Path(outdir)
    loopback = check(outdir, host)
    app = create_app(outdir, loopback)
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    print(t("serve.listening", url=f"http://{shown}:{port}/", folder=outdir,
            who=t("serve.open_local") if loopback and not accounts.load() else t("serve.accounts", n=len(accounts.load()))),
          file=sys.stderr, flush=True)
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False, server_header=False,
                proxy_headers=False)
