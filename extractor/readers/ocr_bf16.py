"""The line recogniser in bfloat16 where the CPU computes it natively, checked against float32 line by line.

Recognition is four fifths of OCR's time. Where OpenVINO would itself choose bfloat16 (a CPU with its
instructions), it runs RapidOCR's own recogniser in about four fifths of onnxruntime's float32 time, and
two page workers no longer slow each other down (half the memory traffic). Its readings differ only where
the model hesitates, so a line is read again in float32, as it was cut, when its score is near
the one lines are kept at, or when frames whose two likeliest labels are close would, read the other way
alone or together, change the text of a line that is kept or could be. What is read is float32's reading
unless bfloat16, on the line padded to its width (below), is wrong by more than UNSURE_GAP on a frame.
Measured on the development scans (695 lines): the 8 lines read differently all had a gap of 0.07 or less,
scores moved by at most 0.13, and all 45 pages read as in float32.
"""
from __future__ import annotations

import os

import numpy as np

PRECISION_ENV = "SELFEVAL_OCR_PRECISION"   # "f32": onnxruntime's float32 alone, as on a CPU without bfloat16
UNSURE_GAP = 0.3        # a frame whose two likeliest labels are closer than this may read either way
SCORE_MARGIN = 0.15     # a line scored this near the threshold lines are kept at may fall either side
BLANK = 0               # CTC's blank label, as RapidOCR's decoder numbers it
# OpenVINO prepares the model for each new line width (18 ms) and keeps it (4 MB): lines are padded to one of
# 16 widths an octave (at most 1/16 wider) and OpenVINO keeps at most CACHED_WIDTHS, so a worker's memory
# stays bounded over a batch. Padding moves the readings a little, as bfloat16 does, and is checked with it:
# float32 reads the line as cut (float32 on padded lines read 8 lines of the 45 development pages otherwise).
WIDTHS_PER_OCTAVE = 16
CACHED_WIDTHS = 64
MAX_RUN = 8             # more neighbouring close frames than this: unsure without trying their 2^n readings


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
                probs = models[0](padded(batch))
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
                  "ENABLE_CPU_PINNING": False, "CPU_RUNTIME_CACHE_CAPACITY": CACHED_WIDTHS}
        if threads:
            config["INFERENCE_NUM_THREADS"] = threads
        request = core.compile_model(core.read_model(str(path)), "CPU", config).create_infer_request()
    except (RuntimeError, MemoryError):
        return None

    def run(batch):
        request.infer([batch])
        return request.get_output_tensor().data.copy()    # the tensor is reused by the next call
    return run


def padded(batch):
    """The batch of lines (n, channels, height, width) padded on the right to the next of the widths
    lines are read at, with 0 (mid-grey after RapidOCR's normalising, what it pads a short line with)."""
    width = batch.shape[-1]
    step = max(1, (1 << (width.bit_length() - 1)) // WIDTHS_PER_OCTAVE)
    pad = -width % step
    return np.pad(batch, ((0, 0), (0, 0), (0, 0), (0, pad))) if pad else batch


def unsure(probs, min_score: float) -> bool:
    """Whether a line's label probabilities (frames × labels) could read otherwise in float32: its score
    near the threshold, or close frames that, flipped alone or together, change its text while it is kept
    or may be."""
    labels = probs.argmax(-1)
    top = probs[np.arange(len(labels)), labels]
    score = _score(top, labels)
    if abs(score - min_score) < SCORE_MARGIN:
        return True
    close, second = _close_frames(probs, labels, top)
    for run in _runs(close):
        if len(run) > MAX_RUN:
            return True
        for other in _flips(labels, second, run):
            alt = np.where(other == labels, top, probs[np.arange(len(labels)), other])
            if _text(other) != _text(labels) and max(score, _score(alt, other)) >= min_score - SCORE_MARGIN:
                return True
    return False


def _close_frames(probs, labels, top):
    """The frames whose second label is within UNSURE_GAP of the first, and every frame's second label.
    The second is at most 1 - top, so only frames with top < (1 + gap) / 2 are looked at."""
    second = labels.copy()
    close = []
    for t in np.flatnonzero(top < (1 + UNSURE_GAP) / 2):
        row = probs[t].copy()
        row[labels[t]] = -1.0
        second[t] = int(row.argmax())
        if top[t] - row[second[t]] < UNSURE_GAP:
            close.append(int(t))
    return close, second


def _runs(frames):
    """Neighbouring frames grouped: they change the text together (a blank two frames wide between two
    equal digits keeps 100 from reading 10 only if both frames stay blank)."""
    runs = []
    for t in frames:
        if runs and t == runs[-1][-1] + 1:
            runs[-1].append(t)
        else:
            runs.append([t])
    return runs


def _flips(labels, second, run):
    """Every reading of the line with some of the run's frames read as their second label."""
    for mask in range(1, 2 ** len(run)):
        other = labels.copy()
        for i, t in enumerate(run):
            if mask >> i & 1:
                other[t] = second[t]
        yield other


def _kept(labels):
    """The frames CTC keeps: not blank, and not a repeat of the frame before."""
    keep = labels != BLANK
    keep[1:] &= labels[1:] != labels[:-1]
    return keep


def _text(labels) -> list:
    return labels[_kept(labels)].tolist()


def _score(probs_read, labels) -> float:
    """RapidOCR's score of a reading: the mean probability of the frames it keeps (0 for no text)."""
    kept = _kept(labels)
    return float(probs_read[kept].mean()) if kept.any() else 0.0
