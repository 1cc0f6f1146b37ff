"""Zip packages (DOCX, OFD) opened with their declared sizes checked before anything is inflated.

zipfile never yields more than a member's declared size (a member that inflates further fails its
CRC), so refusing large declared sizes bounds memory before any byte is decompressed.
"""
from __future__ import annotations

import zipfile
from pathlib import Path

from ..errors import InputError
from .messages import say

MAX_MEMBERS = 10_000
MAX_MEMBER_BYTES = 64 * 1024 * 1024        # one XML part of a report: a few MB at most
MAX_TOTAL_BYTES = 512 * 1024 * 1024        # all parts, images included
MAX_RATIO = 200                            # text XML compresses ~10:1; a bomb compresses 1000:1
_ENTITY = [b"<!ENTITY", "<!ENTITY".encode("utf-16-le"), "<!ENTITY".encode("utf-16-be")]


def check(path: Path, zf: zipfile.ZipFile, member_limit: int = MAX_MEMBER_BYTES):
    """Refuse a package whose members would inflate beyond the limits (InputError naming the file)."""
    infos = zf.infolist()
    if len(infos) > MAX_MEMBERS:
        raise InputError("too-large", path, say("zip_members", count=len(infos), limit=MAX_MEMBERS))
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > member_limit or total > MAX_TOTAL_BYTES:
            limit = member_limit if info.file_size > member_limit else MAX_TOTAL_BYTES
            raise InputError("too-large", path, say("zip_too_large", member=info.filename, size=f"{info.file_size / 2**20:,.0f}",
                                       limit=limit // 2**20))
        if info.file_size > 1024 * 1024 and info.file_size > MAX_RATIO * max(1, info.compress_size):
            raise InputError("too-large", path, say("zip_ratio", member=info.filename,
                                       ratio=info.file_size // max(1, info.compress_size)))


def read_xml(path: Path, zf: zipfile.ZipFile, name: str) -> bytes:
    """A member's bytes, at most its (checked) declared size; XML that declares entities is refused."""
    info = zf.getinfo(name)
    with zf.open(info) as f:
        data = f.read(info.file_size + 1)
    if any(e in data for e in _ENTITY):
        raise InputError("corrupt", path, say("xml_entities", member=name))
    return data
