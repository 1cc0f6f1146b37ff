"""One report sent in several forms (.md, .pdf, .docx, a scan): the same 文号, or near-identical text.

Text similarity is the Jaccard similarity of character 5-gram sets, estimated by a 128-value MinHash
signature computed once per file. Candidate pairs come from banding the signatures (LSH), so a run
compares far fewer than all pairs; every candidate is confirmed on its signature.
"""
from __future__ import annotations

import re

import numpy as np

from ..i18n import t

K = 5                  # characters per shingle
PERMS = 128
BANDS, ROWS = 16, 8    # P(candidate) ≈ 1 - (1 - s^8)^16: 0.9999 at s = 0.9, 0.06 at s = 0.5
THRESHOLD = 0.9
RULE = "batch.duplicate-submission"
SHOWN = 5              # others named in one finding
TITLE_MAX = 60         # a longer "title" is a paragraph taken for one: the file is named instead

_NOISE = re.compile(r"[\W_]+")        # spaces, punctuation, page furniture differ between forms
_rng = np.random.RandomState(20240611)
_MUL = (_rng.randint(1, 2 ** 62, size=PERMS, dtype=np.int64).astype(np.uint64) << np.uint64(1)) | np.uint64(1)
_XOR = _rng.randint(0, 2 ** 62, size=PERMS, dtype=np.int64).astype(np.uint64)


def signature(text: str) -> bytes:
    s = _NOISE.sub("", text).lower()
    s = s + " " * max(0, K - len(s))
    codes = np.frombuffer(s.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    n = len(codes) - K + 1
    h = np.zeros(n, dtype=np.uint64)
    for j in range(K):                               # polynomial hash of each shingle, modulo 2^64
        h = h * np.uint64(1_000_003) + codes[j:j + n]
    h = np.unique(h)
    sig = np.empty(PERMS, dtype=np.uint64)
    step = max(1, 4_000_000 // len(h))               # bounded memory on a very long text
    for i in range(0, PERMS, step):
        x = (h[None, :] ^ _XOR[i:i + step, None]) * _MUL[i:i + step, None]
        x ^= x >> np.uint64(29)
        sig[i:i + step] = x.min(axis=1)
    return sig.tobytes()


def findings(docs: list) -> tuple[list[dict], dict]:
    """docs: dicts of doc, path, doc_number, minhash (bytes or None), district, title and seen (when its bytes were
    first submitted) → one finding per document that is one submission with others, naming them by district and
    title; and doc → the document it duplicates: the group's latest submission, which stands for the district.
    A function of the documents alone: recomputed every run."""
    groups, why = _groups([(d["doc"], d["path"], d["doc_number"], d["minhash"]) for d in docs])
    out, duplicate_of = [], {}
    for members in groups:
        latest = max(members, key=lambda i: (str(docs[i]["seen"] or ""), docs[i]["path"]))
        names = {j: _named(docs[j]) for j in members}           # once each, not once for every other member
        for i in members:
            if i != latest:
                duplicate_of[docs[i]["doc"]] = docs[latest]["doc"]
            others = [names[j] for j in members if j != i]
            sep = t("msg.list_sep")
            named = sep.join(others[:SHOWN]) + (t("dupes.and_more", n=len(others)) if len(others) > SHOWN else "")
            reasons = sep.join(t(f"dupes.{r}") for r in ("same_number", "same_text") if r in why.get(i, ()))
            out.append({"doc": docs[i]["doc"], "rule": RULE, "status": "inconsistent", "severity": "medium",
                        "section": None, "item": None, "indicator": "", "value": "", "values": "[]",
                        "threshold": "", "message": t("dupes.duplicate", others=named, reasons=reasons),
                        "source": "", "raw": "", "start": None, "end": None, "page": None})
    return out, duplicate_of


def _named(d: dict) -> str:
    """Another submission as an inspector knows it: the district that sent it and its title (its file when it has
    none), never an internal id."""
    title = d["title"] if d["title"] and len(d["title"]) <= TITLE_MAX else ""
    return t("dupes.named", district=d["district"], report=t("dupes.titled", title=title) if title else
             t("dupes.file", file=d["path"].rsplit("/", 1)[-1]))


def _groups(docs: list) -> tuple[list, dict]:
    """Groups (of indices) of the documents that are one submission: the same 文号, or near-identical text; and
    index → the reasons it is in its group."""
    n = len(docs)
    parent = list(range(n))
    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    why = {}

    def join(i, j, reason):
        ri, rj = find(i), find(j)
        if ri != rj:
            parent[max(ri, rj)] = min(ri, rj)
        why.setdefault(i, set()).add(reason)
        why.setdefault(j, set()).add(reason)

    by_number = {}
    for i, (_, _, number, _) in enumerate(docs):
        if number:
            by_number.setdefault(number, []).append(i)
    for group in by_number.values():
        for j in group[1:]:
            join(group[0], j, "same_number")

    sigs = {i: np.frombuffer(s, dtype=np.uint64) for i, (*_, s) in enumerate(docs) if s}
    for b in range(BANDS):
        buckets = {}
        for i, sig in sigs.items():
            buckets.setdefault(sig[b * ROWS:(b + 1) * ROWS].tobytes(), []).append(i)
        for members in buckets.values():
            first = members[0]
            for j in members[1:]:
                if find(j) == find(first) and "same_text" in why.get(j, ()):
                    continue                                  # already joined on its text
                if np.mean(sigs[first] == sigs[j]) >= THRESHOLD:
                    join(first, j, "same_text")

    groups = {}
    for i in range(n):
        groups.setdefault(find(i), []).append(i)
    return [m for m in groups.values() if len(m) > 1], why
