"""Plain-text reports: detect the encoding, never guess silently."""
from __future__ import annotations

from pathlib import Path

import regex

from ..errors import InputError
from .messages import say
from ..records import Content

HAN = regex.compile(r"\p{Han}")
# Characters that only show up when bytes were decoded with the wrong codec.
_MOJIBAKE = regex.compile(r"[\uFFFD\u00C0-\u00FF\u0080-\u009F]")
# Control characters other than tab, line feed, form feed and carriage return.
_CONTROL = regex.compile(r"[\x00-\x08\x0b\x0e-\x1f]")


def decode_text(data: bytes, path) -> tuple[str, str]:
    """Decode report bytes: UTF-8 (with or without BOM), UTF-16 with BOM, GB18030/GBK.

    Never guesses silently: a decoding that yields replacement characters or
    Latin-1 mojibake instead of Chinese is refused.
    """
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError("corrupt", path, say("binary"))
    candidates = []
    if data.startswith(b"\xef\xbb\xbf"):
        candidates.append("utf-8-sig")
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        candidates.append("utf-16")
    candidates += ["utf-8", "gb18030"]
    for enc in candidates:
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        if _looks_decoded(text):
            return text, ("utf-8" if enc == "utf-8-sig" else enc)
    raise InputError("corrupt", path, say("undecodable"))


def _looks_decoded(text: str) -> bool:
    if not text.strip():
        return True
    controls = len(_CONTROL.findall(text))
    if controls > max(3, len(text) // 100):
        return False
    bad = len(_MOJIBAKE.findall(text))
    return bad <= 2 or bad <= len(HAN.findall(text)) // 50


def read_text(path: Path) -> Content:
    text, enc = decode_text(path.read_bytes(), path)
    # CRLF is kept: offsets index the text exactly as decoded; normalize drops the \r.
    if not text.strip():
        raise InputError("empty", path, say("empty_ws"))
    return Content(text=text, input_kind="text", encoding=enc)
