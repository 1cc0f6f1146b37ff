"""Word 97 .doc, Kingsoft .wps and .rtf: converted to .docx by LibreOffice headless, then read by the DOCX reader.

Each conversion runs in its own temporary folder with a private LibreOffice profile (so runs in
parallel never share one, and nothing is left behind), with macros disabled, under a time limit;
on timeout the whole process group is killed.
"""
from __future__ import annotations

import dataclasses
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from ..errors import InputError
from .messages import say

TIMEOUT = 60.0          # seconds for one conversion; a report converts in a few
KINDS = {".doc": "Word .doc", ".wps": "WPS .wps", ".rtf": "RTF"}

# Macros never run: the highest security level and macro execution switched off in the private profile.
_PROFILE = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" \
xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="MacroSecurityLevel" \
oor:op="fuse"><value>3</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="DisableMacrosExecution" \
oor:op="fuse"><value>true</value></prop></item>
</oor:items>
"""


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert_to_docx(path: Path, workdir: Path, timeout: float = TIMEOUT) -> Path:
    """LibreOffice's .docx rendering of `path`, written in `workdir`; InputError naming `path` if none."""
    exe = soffice()
    if exe is None:
        raise InputError("unsupported", path, say("no_office"))
    suffix = path.suffix.lower()
    profile = workdir / "profile"
    (profile / "user").mkdir(parents=True)
    (profile / "user" / "registrymodifications.xcu").write_text(_PROFILE, encoding="utf-8")
    src = workdir / f"in{suffix}"          # a plain name: LibreOffice's command line and odd file names
    shutil.copyfile(path, src)
    out = workdir / "out"
    cmd = [exe, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore", "--nologo",
           "--nodefault", "--nolockcheck", "--convert-to", "docx:MS Word 2007 XML", "--outdir", str(out), str(src)]
    env = dict(os.environ, HOME=str(workdir))
    try:
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                env=env, cwd=str(workdir), start_new_session=True)
    except OSError as e:
        raise InputError("internal", path, say("office_start", cause=e.strerror or type(e).__name__)) from e
    try:
        proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired as e:
        _kill_group(proc)
        raise InputError("timeout", path, say("office_timeout", seconds=f"{timeout:g}")) from e
    finally:
        _kill_group(proc)          # a lingering child (oosplash → soffice.bin) must not outlive the run
    docx = out / "in.docx"
    if not docx.is_file() or docx.stat().st_size == 0:
        raise InputError("corrupt", path, say("office_wps_failed" if suffix == ".wps" else "office_failed", kind=KINDS[suffix]))
    return docx


def _kill_group(proc: subprocess.Popen):
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        proc.communicate(timeout=10)
    except (subprocess.TimeoutExpired, ValueError):
        pass


def read_office(path: Path, timeout: float = TIMEOUT):
    from .docx import read_docx

    with tempfile.TemporaryDirectory(prefix="selfeval-office-") as tmp:
        docx = convert_to_docx(path, Path(tmp), timeout=timeout)
        try:
            content = read_docx(docx)
        except InputError as e:
            raise InputError(e.kind, path, say("office_converted", kind=KINDS[path.suffix.lower()], detail=e.cause)) from e
    return dataclasses.replace(content, input_kind=path.suffix.lower().lstrip("."))
