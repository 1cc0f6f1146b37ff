"""What `extract`, `check` and `compare` ask of many files: each report's result and its assessment. Apart from the
batch's driver (run.py), so that these commands import neither multiprocessing nor the batch's store."""
from __future__ import annotations

from collections import Counter
from pathlib import Path

from .. import ids
from ..errors import InputError
from .work import with_doc


def run(files, scheme, ocr: str = "auto", jobs: int = 1, facts_only: bool = False):
    """`extract` and `check`: a result per report, a compilation giving one per part; a bad file never stops the
    rest (pipeline.process_files, which shares the files out between `jobs` processes). `facts_only`: each result
    with its facts, source and document alone (Result.facts_only), for an output of facts and nothing else."""
    from ..pipeline import process_files
    results, failed = [], []
    named = ids.file_ids(files)
    for got in process_files(files, scheme, ocr=ocr, docs=[named[Path(f)] for f in files], jobs=jobs,
                             facts_only=facts_only):
        if isinstance(got, InputError):
            failed.append(got)
        else:
            results += got
    return _part_ids(results), failed


def assess_all(results, ruleset=None, entities: bool = True) -> list:
    """Each result's analysis, findings and verdict (checks.report.Assessed), as `extract` and `check` show them."""
    from ..checks.report import assess
    from ..checks.rules import load_rules
    from ..pipeline import analyse
    ruleset = ruleset if ruleset is not None else load_rules()
    return [assess(analyse(r, entities=entities), ruleset) for r in results]


def _part_ids(results) -> list:
    """A part of a compilation is named by its own county and year where no other document is; else it
    keeps its file's id and number (reports#2)."""
    def base(r):
        d = r.document
        b = ids.place_year(d.county, d.city, d.performance_year, ";".join(map(str, d.years)))
        return ids.safe_id(b) if b and r.part else ""
    wanted = [base(r) for r in results]
    taken = Counter([r.source.doc for r in results] + wanted)
    return [with_doc(r, w) if w and taken[w] == 1 else r for r, w in zip(results, wanted)]
