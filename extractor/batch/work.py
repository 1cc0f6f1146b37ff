"""What every batch worker does, whichever engine runs it: build the pipeline once, then read files one by one."""
from __future__ import annotations

import dataclasses

from ..errors import InputError, internal_cause


class Reader:
    """The scheme, the rules, spaCy and jieba, built once per worker (before any file's clock starts)."""

    def __init__(self, scheme_path, rule_paths, ocr, lang=None):
        from ..checks.rules import load_rules
        from ..i18n import set_lang
        from ..text.ner import nlp
        from ..text.schemes import load_scheme
        set_lang(lang)              # the findings' words in the language of the one who runs the batch
        self.scheme, self.ruleset, self.ocr = load_scheme(scheme_path), load_rules(rule_paths), ocr
        nlp()

    def read(self, path, rel) -> tuple:
        """("ok", rel, rows, texts, blobs, minhashes) or ("error", rel, kind, cause): never raises, one file at a
        time. rows: the tables' rows of every report the file holds (a compilation holds several, each row under
        its report's provisional id); texts, blobs, minhashes: one each, in the order of rows["documents"]."""
        from ..checks.report import assess
        from ..outputs import tables
        from ..pipeline import analyse, process_file, to_stored
        from .dupes import signature
        try:
            rows, texts, blobs, minhashes = {}, [], [], []
            for i, res in enumerate(process_file(path, self.scheme, ocr=self.ocr)):
                got = tables.rows(assess(analyse(res), self.ruleset))
                if i == 0:                      # what the file could be read of only in part: once, with its first report
                    got["warnings"] = [{"doc": got["documents"][0]["doc"], "message": w} for w in res.source.warnings]
                for name, rs in got.items():
                    rows.setdefault(name, []).extend(rs)
                texts.append(res.text)
                blobs.append(to_stored(res))
                minhashes.append(signature(res.text))
            return ("ok", rel, rows, texts, blobs, minhashes)
        except InputError as e:
            return ("error", rel, e.kind, e.cause)
        except Exception as e:  # noqa: BLE001 - reported as a row in errors, the batch goes on
            return ("error", rel, "internal", internal_cause(e, path))


def with_doc(result, doc: str):
    """A stored result under the document's current id (most keep the id they were read under)."""
    if result.source.doc == doc and all(f.doc == doc for f in result.facts):
        return result
    src = dataclasses.replace(result.source, doc=doc)
    return dataclasses.replace(result, source=src, facts=tuple(dataclasses.replace(f, doc=doc) for f in result.facts))


def recheck(items, scheme, ruleset) -> list:
    """For each (doc, stored result): the rows of its findings under these rules, the text stages run again on its
    stored text (pipeline.from_stored); None where the result is not data this version stored."""
    from ..checks.report import findings_of
    from ..outputs.tables import finding_rows
    from ..pipeline import from_stored
    out = []
    for doc, blob in items:
        try:
            result = with_doc(from_stored(blob, scheme), doc)
        except ValueError:
            out.append(None)
            continue
        out.append(finding_rows(findings_of(result, ruleset)))
    return out


# A re-check of many documents is shared out between helper processes (each starts in about half a second, a document
# takes about ten milliseconds); a few are checked here. Chunks keep the pipes busy with few messages.
RECHECK_ALONE = 100           # documents
RECHECK_CHUNK = 20


def recheck_all(items: list, scheme, ruleset, jobs: int, setup: tuple) -> list:
    """recheck of every item, in order; in `jobs` helper processes that load the same scheme and rules (setup:
    scheme path, rule paths, language) when there are many."""
    if jobs < 2 or len(items) < RECHECK_ALONE:
        return recheck(items, scheme, ruleset)
    import concurrent.futures
    import multiprocessing as mp
    chunks = [items[i:i + RECHECK_CHUNK] for i in range(0, len(items), RECHECK_CHUNK)]
    with concurrent.futures.ProcessPoolExecutor(jobs, mp_context=mp.get_context("spawn"), initializer=_checker,
                                                initargs=setup) as pool:
        return [rows for got in pool.map(_recheck_chunk, chunks) for rows in got]


_checking: list = []          # in a helper: (scheme, ruleset)


def _checker(scheme_path, rule_paths, lang):
    import signal
    from ..checks.rules import load_rules
    from ..i18n import set_lang
    from ..procs import die_with_parent
    from ..text.schemes import load_scheme
    for s in (signal.SIGINT, signal.SIGTERM):
        signal.signal(s, signal.SIG_IGN)            # the batch decides when its helpers stop
    die_with_parent()
    set_lang(lang)
    _checking[:] = [load_scheme(scheme_path), load_rules(rule_paths)]


def _recheck_chunk(items) -> list:
    return recheck(items, *_checking)
