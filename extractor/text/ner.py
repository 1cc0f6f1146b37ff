"""Named entities: schools, government bodies, places, laws, persons and groups.

`recognize` applies the shapes and lexicons in patterns/lexicon/entities.yaml with
regular expressions, which is fast and where token boundaries never get in the way.
It serves the subjects stage and is also a component of the spaCy pipeline
(`nlp`: spacy.blank("zh") with jieba, an EntityRuler for the known names, and these
shapes). That pipeline builds the entity table, and it is built once per process.
"""
from __future__ import annotations

import contextlib
import functools
import os
from dataclasses import dataclass
from pathlib import Path

import regex

from .. import data
from .layout import longest_match_wins

LABELS = ("SCHOOL", "BODY", "PLACE", "LAW", "PERSON", "GROUP")


@dataclass(frozen=True)
class Entity:
    label: str
    name: str
    start: int          # offsets in the text given to recognize (normalized text in the pipeline)
    end: int


@functools.lru_cache(maxsize=1)
def _spec():
    spec = data.load("lexicon/entities.yaml")
    sch, bod, towns = spec["schools"], spec["bodies"], spec["towns"]
    return {
        "school": data.Shape(sch["name"], sch["suffix"]),
        "school_suffix": data.compile(sch["suffix"] + "$", regex.V1),
        "school_generic": data.compile(sch["generic"]),
        "body": data.Shape(bod["name"], bod["suffix"]),
        "body_generic": data.compile(bod["generic"]),
        "groups": data.compile(data.alternation(spec["groups"])),
        "provinces": data.compile(data.alternation(spec["provinces"])),
        "town": data.Shape(towns["name"], towns["suffix"]),
        "town_generic": data.compile(towns["generic"]),
        "law": data.compile(spec["law"]),
        "persons": [data.compile(p) for p in spec["persons"].values()],
        "known_bodies": tuple(spec["known_bodies"]),
        # the alternation is in the listed order, as the stops were first written (not longest first)
        "left_stops": data.compile(
            "^(?:.*(?:" + "|".join(regex.escape(w) for w in spec["left_stops"]) + ")(?!$))"
            + f"|^{spec['left_stop_date_tail']}"),
        "school_ordinal": spec["school_ordinal"],
        "school_not_a_name_suffix": spec["school_not_a_name_suffix"],
    }


def _occurrences(word: str, text: str):
    """Where word stands in text, left to right, not overlapping (as a pattern of the word alone finds it)."""
    i = text.find(word)
    while i >= 0:
        yield i
        i = text.find(word, i + len(word))


def recognize(text: str, places=()) -> tuple:
    """Every entity in text, longest first where two overlap. The pipeline calls this once per report and
    carries the answer on its Result, for subjects, jieba's word list and the spaCy component."""
    sp = _spec()
    left_stops = sp["left_stops"]
    found = []
    names = set()
    for m in sp["school"].finditer(text):
        name = left_stops.sub("", m.group())
        suffix = sp["school_suffix"].search(name)
        core = name[:suffix.start()] if suffix else name
        if not core or (len(core) < 2 and not name.startswith(sp["school_ordinal"])) or sp["school_generic"].search(name) \
                or name.endswith(sp["school_not_a_name_suffix"]):
            continue
        names.add(name)
    for name in sorted(names, key=len, reverse=True):
        found += [Entity("SCHOOL", name, i, i + len(name)) for i in _occurrences(name, text)]
    for m in sp["body"].finditer(text):
        name = left_stops.sub("", m.group())
        if sp["body_generic"].search(name) or len(name) < 3:
            continue
        found.append(Entity("BODY", name, m.end() - len(name), m.end()))
    for w in sp["known_bodies"]:
        found += [Entity("BODY", w, i, i + len(w)) for i in _occurrences(w, text)]
    for m in sp["groups"].finditer(text):
        found.append(Entity("GROUP", m.group(), m.start(), m.end()))
    for m in sp["provinces"].finditer(text):
        found.append(Entity("PLACE", m.group(), m.start(), m.end()))
    for p in places:
        if len(p) >= 3:
            found += [Entity("PLACE", p, i, i + len(p)) for i in _occurrences(p, text)]
    for m in sp["town"].finditer(text):
        name = left_stops.sub("", m.group())
        if len(name) >= 3 and not sp["town_generic"].search(name):
            found.append(Entity("PLACE", name, m.end() - len(name), m.end()))
    for m in sp["law"].finditer(text):
        found.append(Entity("LAW", m.group(1), m.start(), m.end()))
    for pat in sp["persons"]:
        for m in pat.finditer(text):
            found.append(Entity("PERSON", m.group(1), m.start(1), m.end(1)))
    # Longest wins where spans overlap, except that a law's title keeps its whole span.
    return tuple(longest_match_wins(found, span=lambda e: (e.start, e.end), first=lambda e: e.label != "LAW"))


# ---------------- the spaCy pipeline ----------------

def cache_dir() -> Path:
    """jieba's dictionary cache lives in the user's cache directory, not in /tmp."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    d = Path(base) / "selfeval"
    d.mkdir(parents=True, exist_ok=True)
    return d


@functools.lru_cache(maxsize=1)
def _jieba():
    """jieba with its cache in the user's cache directory, set before anything initializes it."""
    import jieba
    jieba.setLogLevel(60)
    jieba.dt.tmp_dir = str(cache_dir())
    return jieba


@functools.lru_cache(maxsize=1)
def nlp():
    """spacy.blank("zh") segmented by jieba, with an EntityRuler and the shapes above. Built once."""
    import spacy
    from spacy.language import Language
    from spacy.util import filter_spans

    jieba = _jieba()
    sp = _spec()
    lex = data.load("lexicon/entities.yaml")
    for w in list(sp["known_bodies"]) + list(lex["groups"]) + list(lex["provinces"]):
        jieba.add_word(w)

    if "selfeval_shapes" not in Language.factories:
        @Language.component("selfeval_shapes")
        def _shapes(doc):
            spans = list(doc.ents)
            found = doc.user_data.get("entities")
            if found is None:
                found = recognize(doc.text, doc.user_data.get("places", ()))
            for e in found:
                span = doc.char_span(e.start, e.end, label=e.label, alignment_mode="expand")
                if span is not None:
                    spans.append(span)
            doc.ents = filter_spans(spans)
            return doc

    pipeline = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
    ruler = pipeline.add_pipe("entity_ruler")
    ruler.add_patterns([{"label": "BODY", "pattern": w} for w in sp["known_bodies"]]
                       + [{"label": "GROUP", "pattern": w} for w in lex["groups"]]
                       + [{"label": "PLACE", "pattern": w} for w in lex["provinces"]])
    pipeline.add_pipe("selfeval_shapes", after="entity_ruler")
    return pipeline


@contextlib.contextmanager
def _words_kept_whole(jieba, names):
    """jieba keeps this report's names whole, for this report only. Its dictionary is global to the process: a name
    left by an earlier report would change how a later one is cut, so a batch's rows would depend on which worker
    read which files before."""
    dt = jieba.dt
    dt.check_initialized()
    keys = {n[:i + 1] for n in names for i in range(len(n))}
    saved, total = {k: dt.FREQ[k] for k in keys if k in dt.FREQ}, dt.total
    for n in names:
        jieba.add_word(n)
    try:
        yield
    finally:
        for k in keys:
            if k in saved:
                dt.FREQ[k] = saved[k]
            else:
                dt.FREQ.pop(k, None)
        dt.total = total


def entity_rows(result) -> list[dict]:
    """The entity table of one processed report: offsets index the original text."""
    text = result.norm.text
    pipeline = nlp()
    with _words_kept_whole(_jieba(), [e.name for e in result.entities]):
        doc = pipeline.make_doc(text)
    doc.user_data["places"] = result.places
    doc.user_data["entities"] = result.entities
    for _, proc in pipeline.pipeline:
        doc = proc(doc)
    rows = []
    src = result.source
    for ent in doc.ents:
        s, e = result.norm.to_original(ent.start_char, ent.end_char)
        name = ent.text
        if ent.label_ == "LAW":
            name = name.strip("《》")
        rows.append({"doc": src.doc, "label": ent.label_, "text": name, "start": s, "end": e,
                     "page": src.page_of(s)})
    return rows
