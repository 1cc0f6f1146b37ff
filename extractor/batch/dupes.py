"""One report sent in several forms (.md, .pdf, .docx, a scan): the same 文号, or near-identical text.

Text similarity is the Jaccard similarity of character 5-gram sets, estimated by a 128-value MinHash
signature computed once per file. Candidate pairs come from banding the signatures (LSH), so a run
compares far fewer than all pairs; every candidate is confirmed on its signature.
"""
from __future__ import annotations

import re

import numpy as np

from .messages import finding

K = 5                  # characters per shingle
PERMS = 128
BANDS, ROWS = 16, 8    # P(candidate) ≈ 1 - (1 - s^8)^16: 0.9999 at s = 0.9, 0.06 at s = 0.5
THRESHOLD = 0.9
RULE = "batch.duplicate-submission"
SHOWN = 5              # others named in one finding

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


def findings(docs: list) -> list[dict]:
    """docs: (doc, path, doc_number, signature bytes or None) → one finding per document that is one
    submission with others, naming them. A function of the documents alone: recomputed every run."""
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
    out = []
    for members in groups.values():
        if len(members) < 2:
            continue
        for i in members:
            others = [f"{docs[j][0]}（{docs[j][1]}）" for j in members if j != i]
            sep = finding("list_sep")
            named = sep.join(others[:SHOWN]) + (finding("and_more", n=len(others)) if len(others) > SHOWN else "")
            reasons = sep.join(finding(r) for r in ("same_number", "same_text") if r in why.get(i, ()))
            out.append({"doc": docs[i][0], "rule": RULE, "status": "inconsistent", "severity": "medium",
                        "section": None, "item": None, "indicator": "", "value": "", "values": "[]",
                        "threshold": "", "message": finding("duplicate", others=named, reasons=reasons),
                        "source": "", "raw": "", "start": None, "end": None, "page": None})
    return out
