"""The recogniser in bfloat16, checked against float32: what it reads is float32's reading, line by line."""
import os
import resource
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from conftest import ROOT

from extractor.readers import ocr, ocr_bf16

LABELS = 12
MIN = ocr.MIN_SCORE


def _probs(frames):
    """Frames as (label, p, other, q, …): the rest of each frame spread over the labels not named."""
    out = np.zeros((len(frames), LABELS), dtype=np.float32)
    for t, f in enumerate(frames):
        for label, p in zip(f[::2], f[1::2]):
            out[t, label] = p
        rest = [k for k in range(LABELS) if out[t, k] == 0]
        out[t, rest] = (1 - out[t].sum()) / len(rest)
    return out


SURE = [(0, .99), (3, .98), (0, .99), (4, .97), (4, .96), (0, .99)]


def test_a_line_read_with_clear_margins_is_sure():
    assert not ocr_bf16.unsure(_probs(SURE), MIN)


def test_two_labels_close_on_one_character_are_unsure():
    frames = SURE[:1] + [(3, .52, 5, .46)] + SURE[2:]
    assert ocr_bf16.unsure(_probs(frames), MIN)


def test_a_close_call_at_a_characters_edge_changes_nothing():
    # The frame after a run of 4 is blank or 4 by a hair: "34" either way.
    frames = SURE[:5] + [(0, .5, 4, .48)]
    assert not ocr_bf16.unsure(_probs(frames), MIN)


def test_a_hesitant_blank_between_two_equal_digits_is_unsure():
    # 4 blank 4 reads "44"; 4 4 4 would read "4": the blank that keeps 100 from reading 10.
    frames = [(0, .99), (4, .97), (0, .55, 4, .44), (4, .97), (0, .99)]
    assert ocr_bf16.unsure(_probs(frames), MIN)


def test_a_blank_two_frames_wide_between_equal_digits_is_unsure():
    # Either frame alone read as 4 leaves "44"; both together read "4".
    frames = [(0, .99), (4, .97), (0, .55, 4, .44), (0, .55, 4, .44), (4, .97), (0, .99)]
    assert ocr_bf16.unsure(_probs(frames), MIN)


def test_a_character_two_frames_wide_between_blanks_is_unsure():
    # Either frame alone read as blank leaves "34"; both together read "3".
    frames = [(3, .97), (0, .99), (4, .55, 0, .44), (4, .55, 0, .44), (0, .99)]
    assert ocr_bf16.unsure(_probs(frames), MIN)


def test_a_line_dropped_that_could_read_as_one_sure_character_is_unsure():
    # Scored 0.28 and dropped as it reads; with its five doubtful frames blank it is "7" at 0.95, kept.
    frames = [(0, .99), (7, .95)] + [(k, .15, 0, .14) for k in (1, 2, 3, 4, 5)] + [(0, .99)]
    assert ocr_bf16.unsure(_probs(frames), MIN)


def test_close_frames_apart_that_together_could_keep_a_dropped_line_are_unsure():
    # As above with a sure blank between the doubtful frames: each run alone leaves the score low.
    doubtful = [(k, .15, 0, .14) for k in (1, 2, 3, 4, 5)]
    frames = [(0, .99), (7, .95)] + [f for d in doubtful for f in (d, (0, .99))]
    assert ocr_bf16.unsure(_probs(frames), MIN)


def test_every_label_close_to_the_likeliest_is_tried():
    # Blank .40, 4 .31, 7 .29 after the 4: read as 4 it changes nothing, read as 7 it adds a character.
    frames = [(3, .97), (0, .99), (4, .97), (0, .40, 4, .31, 7, .29), (0, .99)]
    assert ocr_bf16.unsure(_probs(frames), MIN)


def test_more_readings_of_close_frames_than_are_tried_are_unsure():
    # 2^9 readings of a dropped line whose score none could lift: unsure without trying them all.
    n = ocr_bf16.MAX_READINGS.bit_length()
    frames = [(0, .99)] + [(k % 5 + 1, .15, k % 5 + 2, .14) for k in range(n)] + [(0, .99)]
    assert ocr_bf16.unsure(_probs(frames), MIN)
    assert not ocr_bf16.unsure(_probs(frames[:3] + frames[-1:]), MIN)


def test_padding_frames_must_read_surely_blank():
    frames = SURE + [(0, .99), (0, .99)]
    assert not ocr_bf16.unsure(_probs(frames), MIN, len(SURE))
    assert ocr_bf16.unsure(_probs(frames[:-1] + [(0, .6, 2, .3)]), MIN, len(SURE))
    assert ocr_bf16.unsure(_probs(frames[:-1] + [(5, .9)]), MIN, len(SURE))


def test_a_line_scored_near_the_threshold_is_unsure_and_one_far_below_is_not():
    near = [(0, .99), (3, MIN + .05), (0, .99)]
    junk = [(0, .99), (3, .2, 5, .19), (0, .99)]
    assert ocr_bf16.unsure(_probs(near), MIN)
    assert not ocr_bf16.unsure(_probs(junk), MIN)


@pytest.fixture
def float32_engine(monkeypatch):
    """The engine with onnxruntime's float32 recogniser alone (the precision switch set)."""
    monkeypatch.setenv(ocr_bf16.PRECISION_ENV, "f32")
    ocr.engine.cache_clear()
    yield ocr.engine()
    monkeypatch.delenv(ocr_bf16.PRECISION_ENV, raising=False)
    ocr.engine.cache_clear()


def _line_batches(eng, image):
    """The page read by `eng`: its lines, and each batch of lines its recogniser was given with what it gave back."""
    rec = eng._load_rec_model()
    inner, seen = rec.session, []

    def recorded(x):
        out = inner(x)
        seen.append((x.copy(), out.copy()))
        return out
    rec.session = recorded
    try:
        lines = ocr.image_lines(image, "p3.png")
    finally:
        rec.session = inner
    return seen, lines


def _text(probs):
    return ocr_bf16._text(probs.argmax(-1))


@pytest.mark.slow
def test_without_native_bfloat16_or_openvino_float32_reads_alone(float32_engine, monkeypatch):
    plain = float32_engine._load_rec_model().session
    assert ocr_bf16.checked(plain, 1, MIN) is plain       # the switch keeps float32 alone
    monkeypatch.delenv(ocr_bf16.PRECISION_ENV)
    monkeypatch.setitem(sys.modules, "openvino", None)    # the default install: no openvino
    assert not ocr_bf16.native() and ocr_bf16.checked(plain, 1, MIN) is plain
    monkeypatch.undo()
    monkeypatch.setattr(ocr_bf16, "native", lambda: False)   # a CPU without bfloat16: float32 as before
    assert ocr_bf16.checked(plain, 1, MIN) is plain


@pytest.mark.slow
def test_each_line_reads_as_float32_reads_it(float32_engine, monkeypatch):
    plain = float32_engine._load_rec_model().session
    monkeypatch.delenv(ocr_bf16.PRECISION_ENV)
    if not ocr_bf16.native():
        pytest.skip("bfloat16 is not used here (openvino missing or a CPU without bfloat16 instructions); "
                    "test_without_native_bfloat16_or_openvino_float32_reads_alone covers this CPU")
    checked = ocr_bf16.checked(plain, 1, MIN)
    assert checked is not plain
    fast = ocr_bf16._bf16_model(plain.session._model_path, 1)
    with Image.open(ROOT / "corpus" / "xingan-2024-p3.png") as im:
        page = im.convert("RGB")
    monkeypatch.setenv(ocr_bf16.PRECISION_ENV, "f32")
    batches, as_f32 = _line_batches(float32_engine, page)     # float32's reading: each line's output, and the lines
    again = 0
    for x, f32 in batches:
        bf16, got = fast(ocr_bf16.padded(x)), checked(x)
        if ocr_bf16.unsure(bf16[0], MIN):
            again += 1
            assert np.array_equal(got, f32)               # read again in float32, as cut
        else:
            assert np.array_equal(got, bf16)
            if f32[0].max(-1)[ocr_bf16._kept(f32[0].argmax(-1))].mean() >= MIN:
                assert _text(bf16[0]) == _text(f32[0])    # kept lines: the same characters
    assert len(batches) > 20 and 0 < again < len(batches) / 2
    # Judged apart from the module's own helpers: the page's lines, as the reader gives them, are the same
    # text at the same places with the recogniser in bfloat16 as with float32 alone (as_f32, read above).
    monkeypatch.delenv(ocr_bf16.PRECISION_ENV)
    ocr.engine.cache_clear()
    assert not hasattr(ocr.engine()._load_rec_model().session, "session")   # the checked recogniser, not onnxruntime's
    as_bf16 = ocr.image_lines(page, "p3.png")
    assert len(as_f32) > 20
    assert [(l.text, round(l.top), round(l.x0)) for l in as_bf16] == [(l.text, round(l.top), round(l.x0)) for l in as_f32]


def _extract(tmp_path, name, env, limit=None):
    out = tmp_path / name
    r = subprocess.run([sys.executable, str(ROOT / "cli.py"), "extract", str(ROOT / "corpus" / "xingan-2024-p3.png"),
                        "-o", str(out)], capture_output=True, text=True, timeout=300, env=env, preexec_fn=limit)
    assert r.returncode == 0 and not r.stderr.strip(), r.stderr
    return out.read_text(encoding="utf-8")


@pytest.mark.slow
def test_a_process_with_bounded_memory_reads_a_scan_as_float32_does(tmp_path):
    # OpenVINO reserves about 1 GiB more address space: under a 2 GiB limit the process may run out (then
    # it goes on in float32); either way the file reads as in float32.
    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (2 * 2**30, 2 * 2**30))
    bounded = _extract(tmp_path, "bounded.jsonl", dict(os.environ), limit)
    plain = _extract(tmp_path, "f32.jsonl", {**os.environ, ocr_bf16.PRECISION_ENV: "f32"})
    assert bounded == plain and bounded.count("\n") > 5


def test_lines_are_padded_to_one_of_sixteen_widths_an_octave():
    widths = {ocr_bf16.padded(np.zeros((1, 1, 1, w), np.float32)).shape[-1] for w in range(320, 4096)}   # width alone
    assert all(w >= 320 for w in widths) and len(widths) <= ocr_bf16.CACHED_WIDTHS
    for w in (320, 333, 700, 1025, 3000):
        got = ocr_bf16.padded(np.ones((1, 3, 48, w), np.float32))
        assert w <= got.shape[-1] <= w * 17 / 16 and got[..., :w].all() and not got[..., w:].any()


@pytest.mark.slow
def test_a_recogniser_that_runs_out_of_memory_leaves_float32_to_read(float32_engine, monkeypatch):
    plain = float32_engine._load_rec_model().session
    calls = []

    def failing(batch):
        calls.append(batch.shape)
        raise MemoryError("bfloat16 model out of memory")
    monkeypatch.setattr(ocr_bf16, "native", lambda: True)
    monkeypatch.setattr(ocr_bf16, "_bf16_model", lambda path, threads: failing)
    checked = ocr_bf16.checked(plain, 1, MIN)
    x = np.full((1, 3, 48, 320), 0.5, dtype=np.float32)
    assert all(np.array_equal(checked(x), plain(x)) for _ in range(3))
    assert len(calls) == 1                                # tried once, float32 from then on
