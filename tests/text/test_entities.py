"""Entity shapes (lexicon/entities.yaml) against their corpus: each example a test, found and not found.

The examples at the top were written with the shapes; those under `held_out` apart from them and not tuned against
(one that says `why` is a strict known failure)."""
import pytest
import yaml

from extractor import data
from extractor.text.ner import recognize
from corpus_rates import corpus_case_id, corpus_rates  # noqa: F401  (the summary of pass rates)
from extractor.data import LOADER        # libyaml's safe loader, as the program reads patterns/

CORPUS = yaml.load((data.PATTERNS_DIR / "lexicon" / "entities.corpus.yaml").read_text(encoding="utf-8"), Loader=LOADER)


def _names(text):
    return {e.name for e in recognize(text)}


def _cases(section):
    for split, spec in (("development", CORPUS), ("held_out", CORPUS.get("held_out") or {})):
        for i, ex in enumerate(spec.get(section) or []):
            marks = [pytest.mark.xfail(strict=True, reason=ex["why"])] if ex.get("why") else []
            yield pytest.param(ex, id=corpus_case_id("entities", split, i, f"{section}-{ex['text'][:12]}"), marks=marks)


@pytest.mark.parametrize("ex", list(_cases("found")))
def test_names_are_found_whole(ex):
    assert set(ex["names"]) <= _names(ex["text"])


@pytest.mark.parametrize("ex", list(_cases("not_found")))
def test_names_are_not_glued_to_the_word_before(ex):
    assert not set(ex["names"]) & _names(ex["text"])


def _texts():
    """The corpus's texts, the seed, the development documents, and every slice of them at odd offsets."""
    root = data.PATTERNS_DIR.parent
    texts = [ex["text"] for section in ("found", "not_found") for ex in CORPUS.get(section) or []]
    for p in sorted((root / "corpus").glob("*.md")) + sorted((root.parent / "shared" / "eval" / "docs").glob("*.*")):
        texts.append(p.read_text(encoding="utf-8"))
    whole = "\n".join(texts)
    texts += [whole[i:i + 97] for i in range(0, len(whole), 89)]
    return texts


def test_shapes_searched_back_from_their_suffix_find_what_the_plain_scan_finds():
    """Schools, bodies, towns and protected document numbers are tried only where a suffix is within the name's
    reach (data.Shape): the same matches, in the same order, as the whole pattern's scan at every character."""
    from extractor.data import Shape
    from extractor.text.extract import _protect
    from extractor.text.ner import _spec
    sp = _spec()
    texts = _texts()
    assert len(texts) > 100
    shapes = {key: sp[key] for key in ("school", "body", "town")}
    shapes.update({f"protect {i}": p for i, p in enumerate(_protect().patterns) if isinstance(p, Shape)})
    assert len(shapes) > 3                          # negatives.yaml's document numbers, tried back from 〔2024〕79号
    for key, shape in shapes.items():
        assert shape.width, key                    # the fast path is taken
        found = 0
        for t in texts:
            want = [(m.span(), m.group()) for m in shape.pattern.finditer(t)]
            assert [(m.span(), m.group()) for m in shape.finditer(t)] == want, (key, t[:40])
            found += len(want)
        assert found, key
