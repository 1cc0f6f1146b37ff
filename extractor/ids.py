"""Document ids and district names, decided here only: every command, table, page and memo asks this module.

`extract` and `check` name a report by its file (FACTS.md: the file name without its extension), made unique
within the run; `batch` names it by its district and year (兴安区-2023) where the metadata has both, else by
its path, each made more specific only as far as the folder's other files require. Ids are safe as file names
(the review site writes a page per id)."""
from __future__ import annotations

import hashlib
import re
from pathlib import Path

from .paths import safe_name

MAX_ID = 80


def safe_id(s: str) -> str:
    """An id that is safe as a file name (the one sanitizer, paths.safe_name, with '-' for what it forbids and for
    spaces); a long one is cut and keeps a hash of the whole, so two long ids stay apart."""
    s = safe_name(re.sub(r"\s+", "-", s), limit=10 ** 6, fill="-").strip("-.") or "doc"
    if len(s) > MAX_ID:
        s = s[:MAX_ID - 9] + "-" + hashlib.sha1(s.encode()).hexdigest()[:8]
    return s


def path_id(rel: str) -> str:
    """The relative path without its extension, as an id: a/自评报告.md → a-自评报告."""
    p = Path(rel)
    return safe_id(str(p.with_suffix("")).replace("\\", "/").replace("/", "-"))


def candidates(rel: str, base: str) -> list[str]:
    """Ever longer ids for one file, each more specific than the last; the last is unique per path."""
    p, ext = path_id(rel), Path(rel).suffix.lstrip(".").lower()
    h = hashlib.sha1(rel.encode()).hexdigest()
    out = [base]
    if base != p:
        out.append(safe_id(f"{base}-{p}"))
    out.append(safe_id(f"{out[-1]}-{ext}") if ext else out[-1])
    out += [f"{out[-1]}-{h[:8]}", f"{out[-1]}-{h}"]
    return out


def assign_ids(files: dict) -> dict:
    """files: relative path → preferred id (issuer and year) or "" → {relative path: id}.

    Every file whose candidate is shared moves on to its next, more specific candidate, until all
    differ; so the ids depend on the set of files, never on the order they were processed in."""
    cands = {rel: candidates(rel, safe_id(base) if base else path_id(rel)) for rel, base in files.items()}
    level = dict.fromkeys(files, 0)
    while True:
        groups = {}
        for rel in files:
            groups.setdefault(cands[rel][level[rel]], []).append(rel)
        clash = [rel for g in groups.values() if len(g) > 1 for rel in g]
        if not clash:
            return {rel: cands[rel][level[rel]] for rel in files}
        for rel in clash:
            level[rel] = min(level[rel] + 1, len(cands[rel]) - 1)


def file_ids(files) -> dict:
    """`extract`/`check`: a report's id is its file name without the extension, made unique within one run (the
    first in order keeps it; the others get their extension: xingan-2024-pdf)."""
    ids, taken = {}, set()
    for f in map(Path, files):
        doc, n = f.stem, 1
        while doc in taken:
            doc = f"{f.stem}-{f.suffix.lstrip('.').lower()}" + (str(n) if n > 1 else "")
            n += 1
        ids[f] = doc
        taken.add(doc)
    return ids


def place_year(county, city, perf_year, years) -> str:
    """The district and the year (兴安区-2023) where the metadata has both; else "" (the path is used)."""
    place = county or city
    year = perf_year if perf_year is not None and perf_year == perf_year else None
    year = year or next((y for y in (years or "").split(";") if y), None)
    return f"{place}-{int(year)}" if place and year else ""


def part_key(path: str, part) -> str:
    """A path that names one report of a file, for the ids: dir/汇编.md part 2 → dir/汇编#2.md."""
    if not part:
        return path
    p = Path(path)
    return (p.parent / f"{p.stem}#{part}{p.suffix}").as_posix()


def part_doc(doc: str, index: int) -> str:
    """The provisional id of a part of a compilation: the file's id and the part's number."""
    return f"{doc}#{index}"


def provisional(place_year_id: str, path: str, part, taken) -> str:
    """The id a batch gives a report as it is saved, before the whole folder is known: its district and year (or
    its path), or its most specific candidate when `taken(id)` says another file holds that one."""
    doc = safe_id(place_year_id or path_id(path))
    if taken(doc):
        doc = candidates(path, doc)[-1] + (f"#{part}" if part else "")
    return doc


def keep_both(held: dict, incoming) -> tuple[dict, list]:
    """Writing reports into a database that holds others (held: doc → path; incoming: (doc, path)): a report from
    another path under an id already held takes its path as id (B/自评报告.md → B-自评报告), or the id its path
    had before; the same path replaces its rows, under whatever id. Returns ({doc: new id}, ids to delete)."""
    incoming = list(incoming)
    taken = set(held) | {d for d, _ in incoming}
    paths = {p for _, p in incoming}
    ren = {}
    for doc, path in incoming:
        if doc in held and held[doc] != path:
            mine = [d for d, p in held.items() if p == path]
            new = mine[0] if mine else next(c for c in candidates(path, path_id(path)) if c not in taken)
            ren[doc] = new
            taken.add(new)
    kept = {d for d, _ in incoming} | set(ren.values())
    gone = [d for d, p in held.items() if p in paths and d not in kept]
    return ren, gone


def district(row) -> str:
    """The district a report is from, for people: county, else city, else issuer, else the document id."""
    get = row.get if isinstance(row, dict) else (lambda k, default=None: getattr(row, k, default))
    for k in ("county", "city", "issuer", "doc"):
        v = get(k)
        if v is not None and str(v) not in ("", "<NA>", "nan", "None"):
            return str(v)
    return ""


def labels(rows, with_doc: str) -> dict:
    """doc → the district as people read it; where two reports share one, `with_doc` (a template with {name}
    and {doc}) tells them apart."""
    names = {(r["doc"] if isinstance(r, dict) else r.doc): district(r) for r in rows}
    seen = {}
    for n in names.values():
        seen[n] = seen.get(n, 0) + 1
    return {doc: (n if seen[n] == 1 else with_doc.format(name=n, doc=doc)) for doc, n in names.items()}
