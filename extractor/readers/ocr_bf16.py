"""The line recogniser in bfloat16 where the CPU computes it natively, checked against float32 line by line.

Recognition is four fifths of OCR's time. Where OpenVINO would itself choose bfloat16 (a CPU with its
instructions), it runs RapidOCR's own recogniser in about four fifths of onnxruntime's float32 time, and
two page workers no longer slow each other down (half the memory traffic): 1.6 s a page each against 2.45.
Its readings differ only where the model hesitates, so a line is read again in float32 when a frame's two
likeliest labels are close and the other one would change the text, or when the line's score is near the
score lines are kept at. What is read is then float32's reading wherever bfloat16 could have changed it.
Measured on the development scans (517 lines): 8 lines read differently, each with a gap of 0.07 or less;
scores moved by at most 0.13; 10% of lines were read again.
"""
from __future__ import annotations

import os

import numpy as np

PRECISION_ENV = "SELFEVAL_OCR_PRECISION"   # "f32": onnxruntime's float32 alone, as on a CPU without bfloat16
UNSURE_GAP = 0.3        # a frame whose two likeliest labels are closer than this may read either way
SCORE_MARGIN = 0.15     # a line scored this near the threshold lines are kept at may fall either side
BLANK = 0               # CTC's blank label, as RapidOCR's decoder numbers it
WIDTH_STEP = 32         # lines are padded to a multiple of this width: OpenVINO prepares each new shape (20 ms)


def checked(session, threads: int, min_score: float):
    """`session` (RapidOCR's float32 recogniser, called on a batch of lines) run in bfloat16 first and
    again only for lines bfloat16 is unsure of; `session` itself where bfloat16 is not native or OpenVINO
    is missing. threads: OpenVINO's threads (0: its default, all cores)."""
    path = getattr(getattr(session, "session", None), "_model_path", None)    # the onnxruntime session's file
    fast = _bf16_model(path, threads) if path and native() else None
    if fast is None:
        return session

    models = [fast]

    def recognise(batch):
        if models:
            try:
                probs = models[0](batch)
            except (MemoryError, RuntimeError):
                models.clear()        # OpenVINO out of memory (a process with bounded memory): float32 from now on
            else:
                if not any(unsure(p, min_score) for p in probs):
                    return probs
        return session(batch)
    return recognise


def native() -> bool:
    """Whether lines are read in bfloat16 here: OpenVINO installed and choosing bfloat16 itself on this CPU
    (without its instructions, float32 in OpenVINO is no faster than onnxruntime), and not switched off."""
    if os.environ.get(PRECISION_ENV, "").strip().lower() == "f32":
        return False
    try:
        import openvino as ov
        return ov.Core().get_property("CPU", "INFERENCE_PRECISION_HINT") == ov.Type.bf16
    except (ImportError, RuntimeError):
        return False


def _bf16_model(path, threads: int):
    """A function running the model at `path` in bfloat16 by OpenVINO, or None if it cannot be compiled."""
    import openvino as ov
    try:
        core = ov.Core()
        # Unpinned: OpenVINO would pin every process's one thread to the first core.
        config = {"INFERENCE_PRECISION_HINT": "bf16", "PERFORMANCE_HINT": "LATENCY", "NUM_STREAMS": 1,
                  "ENABLE_CPU_PINNING": False}
        if threads:
            config["INFERENCE_NUM_THREADS"] = threads
        request = core.compile_model(core.read_model(str(path)), "CPU", config).create_infer_request()
    except RuntimeError:
        return None

    def run(batch):
        pad = -batch.shape[-1] % WIDTH_STEP     # blank as RapidOCR pads a short line (0 after normalising)
        if pad:
            batch = np.pad(batch, ((0, 0), (0, 0), (0, 0), (0, pad)))
        request.infer([batch])
        return request.get_output_tensor().data.copy()    # the tensor is reused by the next call
    return run


def unsure(probs, min_score: float) -> bool:
    """Whether a line's label probabilities (frames × labels) could read otherwise in float32."""
    labels = probs.argmax(-1)
    top = probs[np.arange(len(labels)), labels]
    kept = _kept(labels)
    score = float(top[kept].mean()) if kept.any() else 0.0
    if score < min_score - SCORE_MARGIN:
        return False                  # dropped either way
    if score < min_score + SCORE_MARGIN:
        return True
    # The second label is at most 1 - top, so only frames with top < (1 + gap) / 2 can be close.
    for t in np.flatnonzero(top < (1 + UNSURE_GAP) / 2):
        row = probs[t].copy()
        row[labels[t]] = -1.0
        second = int(row.argmax())
        if top[t] - row[second] < UNSURE_GAP and _changes(labels, t, second):
            return True
    return False


def _kept(labels):
    """The frames CTC keeps: not blank, and not a repeat of the frame before."""
    keep = labels != BLANK
    keep[1:] &= labels[1:] != labels[:-1]
    return keep


def _changes(labels, t: int, label: int) -> bool:
    """Whether frame t read as `label` changes the line's text (a frame at a run's edge often does not)."""
    other = labels.copy()
    other[t] = label
    return not np.array_equal(labels[_kept(labels)], other[_kept(other)])
