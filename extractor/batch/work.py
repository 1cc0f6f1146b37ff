"""What every batch worker does, whichever engine runs it: build the pipeline once, then read files one by one."""
from __future__ import annotations

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
