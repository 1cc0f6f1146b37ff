"""One report in, its facts out: readers → normalize → segment → extract → periods, subjects, indicators → metrics
→ scope."""
from __future__ import annotations

import bisect
import functools
import json
import zlib
from dataclasses import dataclass, replace
from typing import Optional

from . import ids
from .i18n import Said, stored
from .text import compilation, extract, metadata, metrics, ner, normalize, scope, scores, segment
from .text.indicators import Indicators, carried_subject
from .text.layout import Layout
from .text.periods import Periods
from .text.subjects import Subjects, entities_of
from .readers.ingest import check_is_report, read
from .records import Fact, Source


@dataclass(frozen=True)
class Result:
    source: Source
    norm: normalize.NormText
    seg: segment.Segmentation
    facts: tuple
    document: metadata.Document      # title, issuer, years, level and places: one definition, in metadata
    layout: Layout
    entities: tuple                  # ner.Entity, offsets in normalized text: computed once, for subjects and the table
    part: Optional[compilation.Part] = None   # one report of a file that holds several; offsets stay the file's

    @property
    def text(self) -> str:
        """The text of this report: the whole file's, or its part of it."""
        return self.source.text[self.part.start:self.part.end] if self.part else self.source.text

    def alone(self) -> "Result":
        """This report without the rest of its file: the text outside its part blank, offsets and pages still
        the file's. What a batch stores and sends of each part, so that a file of N reports is not N copies
        of the whole file's text (each part's stored result grows with the part, not with the file)."""
        if self.part is None:
            return self
        whole, p = self.source.text, self.part
        text = " " * p.start + whole[p.start:p.end] + " " * (len(whole) - p.end)
        return replace(self, source=replace(self.source, text=text), norm=replace(self.norm, original=text))

    @functools.cached_property
    def scores(self) -> tuple:
        """The self-scores the report claims (text.scores.Score, offsets in normalized text)."""
        return scores.read(self.norm.text)

    def facts_only(self) -> "Result":
        """This result with its facts, source, document and part alone: what a list of facts is written from. The
        normalized text, segmentation, layout and entities are dropped (None, none), so that a forked copy sends
        a fraction of the data (process_files' facts_only)."""
        return replace(self, norm=None, seg=None, layout=None, entities=())

    @property
    def report_year(self) -> Optional[int]:
        return self.document.report_year

    @property
    def perf_year(self) -> Optional[int]:
        return self.document.performance_year

    @property
    def level_char(self) -> str:
        return self.document.level_char

    @property
    def places(self) -> tuple:
        return self.document.places


def _resolve_year(value: str, text: str, s0: int, s1: int, pos: int, fallback: Optional[int]) -> str:
    if "????" not in value:
        return value
    years = [(abs(m.start() - pos), m.group()) for m in metadata.YEAR.finditer(text, s0, s1)]
    year = min(years)[1] if years else (str(fallback) if fallback else None)
    return value.replace("????", year) if year else value.replace("????", "-")


def _normalize(src: Source, part: Optional[compilation.Part]) -> normalize.NormText:
    """The normalized text of the report; for a part, mapped back to offsets in the whole file's text."""
    if part is None:
        return normalize.normalize(src.text)
    norm = normalize.normalize(src.text[part.start:part.end])
    return normalize.NormText(src.text, norm.text, tuple(o + part.start for o in norm.omap))


def process_source(src: Source, scheme=None, context: Optional[dict] = None,
                   part: Optional[compilation.Part] = None) -> Result:
    """`context` fixes what is otherwise read from the report (report_year, performance_year, level_char,
    places), as Duckling fixes a reference time: the attach corpora use it. `part`: read only that report
    of a compilation, with the offsets and pages of the file."""
    norm = _normalize(src, part)
    text = norm.text
    hints = {}
    for offset, level in src.heading_hints:      # the file's own heading styles, moved to normalized offsets
        if part is None or part.start <= offset < part.end:
            hints[bisect.bisect_left(norm.omap, offset)] = level
    doc = metadata.document(text)
    if context:
        doc = replace(doc, **{k: tuple(v) if k == "places" else v for k, v in context.items()})
    seg = segment.segment(text, scheme, hints, scope.level_of(doc.level_char))
    spans = extract.find_spans(text)
    layout = Layout.of(text)
    ry, py, lc, places = doc.report_year, doc.performance_year, doc.level_char, doc.places
    entities = ner.recognize(text, places)
    periods = Periods(text, seg, layout, ry, py, places)
    subjects = Subjects(text, layout, spans, entities_of(entities, lc))
    indicators = Indicators(text, layout, spans, periods.mentions)
    facts = []
    for sp in spans:
        start, end = norm.to_original(sp.nstart, sp.nend)
        s0, s1 = layout.sentences[layout.index("sentences", sp.nstart)]
        value = sp.value
        if sp.kind == "date":
            value = _resolve_year(value, text, s0, s1, sp.nstart, ry)
        indicator, ind_rule = indicators.of(sp)
        period, per_rule = periods.of(sp)
        subject, sub_rule = subjects.of(sp)
        o0, o1 = norm.to_original(s0, s1)
        sentence = src.text[o0:o1].strip()
        if facts and not subject:
            subject, sub_rule = carried_subject(ind_rule, facts[-1], sentence) or (subject, sub_rule)
        region = seg.region_at(sp.nstart)
        facts.append(Fact(
            doc=src.doc, kind=sp.kind, value=value, unit=sp.unit, approx=sp.approx,
            section=region.section, item=region.item, indicator=indicator, period=period, subject=subject,
            raw=src.text[start:end], start=start, end=end,
            heading=" > ".join(region.path), sentence=sentence,
            page=src.page_of(start),
            fired={"extract": sp.rule, "indicator": ind_rule, "period": per_rule, "subject": sub_rule}))
    schools = [e for e in entities if e.label == "SCHOOL"]
    facts = metrics.link(facts, norm, schools=schools)   # each fact's standard indicator, where the catalog has one
    facts = scope.mark(facts, norm, lc, schools=schools)   # whose figure: the government's own, a part's, another's
    return Result(src, norm, seg, tuple(facts), doc, layout, entities, part)


def _read(path, ocr: str, doc: Optional[str]) -> Source:
    src = read(path, ocr=ocr)
    check_is_report(path, src.text)
    return replace(src, doc=doc) if doc and doc != src.doc else src


def process_path(path, scheme=None, ocr: str = "auto", doc: Optional[str] = None) -> Result:
    """The file as one report, whatever it holds."""
    return process_source(_read(path, ocr, doc), scheme)


def process_file(path, scheme=None, ocr: str = "auto", doc: Optional[str] = None) -> list[Result]:
    """One result per report the file holds: a compilation gives one per part, under ids doc#1, doc#2 …
    (the callers give parts their own ids), each with its own metadata and the file's offsets and pages."""
    src = _read(path, ocr, doc)
    parts = compilation.split(src.text, src.page_starts)
    if not parts:
        return [process_source(src, scheme)]
    return [process_source(replace(src, doc=ids.part_doc(src.doc, p.index)), scheme, part=p) for p in parts]


def process_files(paths, scheme=None, ocr: str = "auto", docs=None, jobs: int = 1, facts_only: bool = False) -> list:
    """Each file's results (process_file), or the InputError that stopped it (an unexpected error made one of
    kind internal, its traceback in the log), in the order of `paths`; with `facts_only`, each result as
    Result.facts_only keeps it (a caller that writes facts and nothing else). With jobs > 1 the files are shared out
    between this process and jobs - 1 copies of it forked once the first file is read, when every pattern that
    file needed is built: the copies start warm (Linux shares their memory until it changes), and each sends back
    its files' results. What each file gives is the same however they are shared out: no file's reading depends
    on another's. A copy that fails, or a process that may not fork (threads running, OCR's page workers
    started), leaves its files to be read here."""
    paths = list(paths)
    docs = list(docs) if docs is not None else [None] * len(paths)

    def one(i):
        from .errors import InputError, internal_cause
        try:
            got = process_file(paths[i], scheme, ocr=ocr, doc=docs[i])
            return [r.facts_only() for r in got] if facts_only else got
        except InputError as e:
            return e
        except Exception as e:  # noqa: BLE001 - one bad file must not stop the rest; said on one line
            return InputError("internal", paths[i], internal_cause(e, paths[i]))

    if jobs <= 1 or len(paths) < FORK_MIN_FILES:
        return [one(i) for i in range(len(paths))]
    out = {0: one(0)}
    shares = _shares(paths, range(1, len(paths)), jobs)
    forked = _may_fork()
    copies = [(share, _fork(one, share) if forked else None) for share in shares[1:]]
    waiting = {copy[0]: copy for _, copy in copies if copy is not None}
    try:
        for i in shares[0] + [i for share, copy in copies if copy is None for i in share]:
            out[i] = one(i)
        for share, copy in copies:
            if copy is not None:
                got = _collect(*waiting.pop(copy[0]), len(share))
                out.update(zip(share, got) if got is not None else ((i, one(i)) for i in share))
    finally:
        for pid, r in waiting.values():           # this process stops early (Ctrl-C): its copies stop too
            _end(pid, r)
    return [out[i] for i in range(len(paths))]


FORK_MIN_FILES = 3       # the first file read before forking, and at least two to share out


FILE_BYTES = 2048        # what reading a file costs besides its text's length (its layout, metadata …), in bytes of text


def _shares(paths, indexes, n: int) -> list[list[int]]:
    """The indexes in n runs of consecutive files, of about the same work each (bytes of text, and FILE_BYTES a file)."""
    import os
    indexes = list(indexes)
    sizes = []
    for i in indexes:
        try:
            sizes.append(os.path.getsize(paths[i]) + FILE_BYTES)
        except OSError:
            sizes.append(FILE_BYTES)
    total, shares, done = sum(sizes), [[] for _ in range(n)], 0
    for i, size in zip(indexes, sizes):
        k = min(n - 1, (2 * done + size) * n // (2 * total))         # where its middle falls
        shares[k].append(i)
        done += size
    return shares


def _may_fork() -> bool:
    """Fork copies only from a process that runs no other thread and has no child processes (OCR's page workers):
    a copy would hold their locks and queues without them."""
    import os
    import sys
    import threading
    mp = sys.modules.get("multiprocessing")          # not imported: no child of it runs (nor is it imported to ask)
    return hasattr(os, "fork") and threading.active_count() == 1 and not (mp is not None and mp.active_children())


def _fork(one, share):
    """(pid, read end) of a copy that reads the files of `share` and writes their results, pickled, to the pipe;
    None when the fork fails."""
    import os
    if not share:
        return None
    r, w = os.pipe()
    try:
        pid = os.fork()
    except OSError:
        os.close(r)
        os.close(w)
        return None
    if pid:
        os.close(w)
        return pid, r
    code = 1
    try:                                       # the copy: never returns, never runs this process's exit handlers
        import pickle
        import signal
        from .procs import die_with_parent
        os.close(r)
        signal.signal(signal.SIGINT, signal.SIG_IGN)   # Ctrl-C is the parent's to handle
        die_with_parent()
        got = [_portable(one(i)) for i in share]
        with os.fdopen(w, "wb") as f:
            pickle.dump(got, f, protocol=pickle.HIGHEST_PROTOCOL)
        code = 0
    finally:
        os._exit(code)


def _portable(got):
    """An InputError as its parts: it does not pickle (its message is made from them)."""
    from .errors import InputError
    return ("InputError", got.kind, got.path, got.cause) if isinstance(got, InputError) else got


def _collect(pid: int, r: int, n: int):
    """The n results a copy sent, or None when it failed; the copy reaped."""
    import os
    import pickle
    with os.fdopen(r, "rb") as f:
        data = f.read()
    _, status = os.waitpid(pid, 0)
    if status != 0:
        return None
    try:
        got = pickle.loads(data)
    except Exception:  # noqa: BLE001 - a copy that sent something else failed: its files are read here
        return None
    if not isinstance(got, list) or len(got) != n:
        return None
    from .errors import InputError
    return [InputError(*x[1:]) if isinstance(x, tuple) and x[:1] == ("InputError",) else x for x in got]


def _end(pid: int, r: int):
    """A copy not collected (this process stops early): ended and reaped."""
    import os
    import signal
    os.close(r)
    try:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except (ProcessLookupError, ChildProcessError):
        pass


@dataclass(frozen=True)
class Analysis:
    """What the text stages make of one report, as plain rows: the documents-table row (without the verdict,
    which checks decide) and the entities. Outputs format these; they compute none of them."""
    result: Result
    document: dict
    entities: tuple


def score_rows(result: Result) -> list[dict]:
    """The 自评得分 table's rows: each maximum and the points claimed for it, under the heading it stands in."""
    rows = []
    for sc in result.scores:
        o0, o1 = result.norm.to_original(sc.nstart, sc.nend)
        region = result.seg.region_at(sc.nstart)
        rows.append({"doc": result.source.doc, "section": region.section, "item": region.item,
                     "heading": " > ".join(region.path), "max": float(sc.max), "claimed": float(sc.got),
                     "raw": result.source.text[o0:o1], "start": o0, "end": o1, "page": result.source.page_of(o0)})
    return rows


def analyse(result: Result, entities: bool = True) -> Analysis:
    """The rows of one processed report; `entities=False` skips spaCy (the entities table stays empty)."""
    e_rows = ner.entity_rows(result) if entities else []
    doc_row = metadata.describe(result, len(e_rows) if entities else None)
    return Analysis(result, doc_row, tuple(e_rows))


# ---------------- a result as stored data ----------------
# A batch keeps what it read of each report, so that new rules re-check it without reading the file again. It keeps
# data, never code: the report's text and reading details as JSON, from which the text stages make the result again.
# Anything that is not such data is refused (ValueError) and the file is read again; nothing stored is executed.

STORED_FORMAT = 1
STORED_LIMIT = 256 << 20          # bytes of JSON: far above a report's text (readers cap a file's size)
_SOURCE_TEXT = ("path", "doc", "text", "input_kind", "encoding", "sha256")


def metric_levels(metric_id: str) -> tuple:
    """The school levels the indicator catalog gives a metric (outputs ask here: they never import text/)."""
    entry = metrics.load_catalog().get(metric_id)
    return tuple(entry.levels) if entry else ()


def to_stored(result: Result) -> bytes:
    r = result.alone()
    s = r.source
    data = {"format": STORED_FORMAT,
            "source": {**{k: getattr(s, k) for k in _SOURCE_TEXT}, "page_starts": list(s.page_starts),
                       "heading_hints": [list(h) for h in s.heading_hints],
                       "warnings": [[w.key, json.loads(stored(w)[1])] if isinstance(w, Said) else [None, str(w)]
                                    for w in s.warnings]},
            "part": None if r.part is None else [r.part.index, r.part.count, r.part.start, r.part.end]}
    return zlib.compress(json.dumps(data, ensure_ascii=False).encode("utf-8"))


def from_stored(blob: bytes, scheme=None) -> Result:
    """The result again, from what to_stored kept; ValueError for anything else."""
    try:
        z = zlib.decompressobj()
        raw = z.decompress(blob, STORED_LIMIT)
        if z.unconsumed_tail:
            raise ValueError("a stored result larger than any report")        # a zip bomb in a copied folder
        data = json.loads(raw.decode("utf-8"))
    except (zlib.error, UnicodeDecodeError, TypeError) as e:
        raise ValueError(f"not a stored result ({e})") from e
    if not isinstance(data, dict) or data.get("format") != STORED_FORMAT or not isinstance(data.get("source"), dict):
        raise ValueError("not a stored result of this version")
    s = data["source"]
    if not all(isinstance(s.get(k), str) for k in _SOURCE_TEXT):
        raise ValueError("a stored result's source is not text")
    starts, hints, warnings = s.get("page_starts"), s.get("heading_hints"), s.get("warnings")
    if not (_ints(starts) and isinstance(hints, list) and all(_ints(h) and len(h) == 2 for h in hints)
            and isinstance(warnings, list) and all(_message(w) for w in warnings)):
        raise ValueError("a stored result's pages, headings or warnings are malformed")
    part = data.get("part")
    if part is not None and not (_ints(part) and len(part) == 4 and 0 <= part[2] <= part[3] <= len(s["text"])):
        raise ValueError("a stored result's part is malformed")
    src = Source(**{k: s[k] for k in _SOURCE_TEXT}, page_starts=tuple(starts),
                 heading_hints=tuple(map(tuple, hints)),
                 warnings=tuple(Said(k, p) if k else p for k, p in warnings))
    return process_source(src, scheme, part=compilation.Part(*part) if part else None)


def _message(w) -> bool:
    """A stored warning: [catalog key, parameters] (or [None, text] for one made before messages had keys)."""
    return (isinstance(w, list) and len(w) == 2 and (w[0] is None and isinstance(w[1], str) or
            isinstance(w[0], str) and w[0].startswith("errors.") and isinstance(w[1], dict)))


def _ints(v) -> bool:
    return isinstance(v, list) and all(isinstance(x, int) and not isinstance(x, bool) for x in v)
