"""The line recogniser in bfloat16 where the CPU computes it natively, checked against float32 line by line.

Recognition is four fifths of OCR's time. Where OpenVINO would itself choose bfloat16 (a CPU with its
instructions), it runs RapidOCR's own recogniser in about four fifths of onnxruntime's float32 time, and
two page workers no longer slow each other down (half the memory traffic). Its readings differ only where
the model hesitates, so a line is read again in float32, as it was cut, when its score is near
the one lines are kept at, or when frames whose two likeliest labels are close would, read the other way
alone or together, change the text of a line that is kept or could be. What is read is float32's reading
unless bfloat16, on the line padded to its width (below), is wrong by more than UNSURE_GAP on a frame.
Measured on the development scans (695 lines): the 8 lines read differently all had a gap of 0.07 or less,
scores moved by at most 0.13, and all 45 pages read as in float32. A third of their lines are read again,
most of them fragments of seals and red headers whose every frame is in doubt.
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
MAX_READINGS = 256      # more readings of a run of close frames than this: unsure without trying them


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
                wide = padded(batch)
                probs = models[0](wide)
            except (MemoryError, RuntimeError):
                models.clear()        # OpenVINO out of memory (a process with bounded memory): float32 from now on
            else:
                frames = probs.shape[1] * batch.shape[-1] // wide.shape[-1]     # those of the line as cut
                if not any(unsure(p, min_score, frames) for p in probs):
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


def unsure(probs, min_score: float, frames: int | None = None) -> bool:
    """Whether a line's label probabilities (frames × labels) could read otherwise in float32: its score
    near the threshold; close frames that, read the other way alone or together, change the text of a
    kept line or could move its score across the threshold; or frames of padding (after `frames`) that
    are not surely blank."""
    if frames is not None:
        tail = probs[frames:]         # no counterpart in float32's reading: they must be surely blank
        if (tail[:, BLANK] <= 1 - UNSURE_GAP).any():
            return True
        probs = probs[:frames]
    labels = probs.argmax(-1)
    top = probs[np.arange(len(labels)), labels]
    kept = _kept(labels)
    total, count = float(top[kept].sum()), int(kept.sum())
    score = total / count if count else 0.0
    if abs(score - min_score) < SCORE_MARGIN:
        return True
    return _flips_matter(probs, labels, top, (total, count), score >= min_score, min_score)


def _flips_matter(probs, labels, top, sum_count, line_kept: bool, min_score: float) -> bool:
    """Whether reading close frames the other way could change a kept line's text, or move its score past
    the band around min_score (down for a kept line, up for a dropped one). A run changes which frames are
    kept only from its first frame to the one after its last, so runs add their changes to the score's sum
    and count independently, and the reachable extreme is exact."""
    bound = min_score + SCORE_MARGIN if line_kept else min_score - SCORE_MARGIN
    reach = sum_count[0] - bound * sum_count[1]
    runs = _runs(_close_frames(probs, labels, top))
    windows = [slice(run[0][0], min(len(labels), run[-1][0] + 2)) for run in runs]
    if not line_kept and reach + sum(_ceiling(probs, labels, top, w, bound) for w in windows) <= 0:
        return False                  # no reading could keep it: no frame scores above its likeliest label
    text = _text(labels)
    for run, window in zip(runs, windows):
        readings = _readings(labels, run)
        if readings is None:
            return True
        now = _part(probs, labels, window, bound)
        changes = [0.0]
        for other in readings:
            if line_kept and _text(other) != text:
                return True
            changes.append(_part(probs, other, window, bound) - now)
        reach += min(changes) if line_kept else max(changes)
    return reach < 0 if line_kept else reach > 0       # (> 0: a reading of nothing scores 0, not the bound)


def _close_frames(probs, labels, top):
    """(frame, other labels within UNSURE_GAP of its likeliest) of each frame that has some. The others
    are at most 1 - top, so only frames with top < (1 + gap) / 2 are looked at."""
    close = []
    for t in np.flatnonzero(top < (1 + UNSURE_GAP) / 2):
        others = np.flatnonzero(probs[t] > top[t] - UNSURE_GAP)
        others = others[others != labels[t]]
        if len(others):
            close.append((int(t), others))
    return close


def _runs(close):
    """Neighbouring close frames grouped: they change the text together (a blank two frames wide between
    two equal digits keeps 100 from reading 10 only if both frames stay blank)."""
    runs = []
    for frame in close:
        if runs and frame[0] == runs[-1][-1][0] + 1:
            runs[-1].append(frame)
        else:
            runs.append([frame])
    return runs


def _readings(labels, run):
    """Every reading of the line with some of the run's frames read as one of their other labels, or None
    if there are more than MAX_READINGS."""
    n = 1
    for _, others in run:
        n *= len(others) + 1
    if n > MAX_READINGS:
        return None
    readings = [labels]
    for t, others in run:
        readings += [_with(r, t, o) for r in readings for o in others]
    return readings[1:]


def _with(labels, t, label):
    other = labels.copy()
    other[t] = label
    return other


def _ceiling(probs, labels, top, window, bound: float) -> float:
    """The most any reading could add to sum - bound × count within the window: each frame kept and read
    as its likeliest label where that is above the bound."""
    return float(np.clip(top[window] - bound, 0, None).sum()) - _part(probs, labels, window, bound)


def _part(probs, labels, window, bound: float) -> float:
    """sum - bound × count of the scores of the frames a reading keeps, within the window (whether its first
    frame is kept depends on the frame before it, so the whole reading is looked at)."""
    kept = _kept(labels)[window]
    p = probs[np.arange(len(labels))[window], labels[window]]
    return float(p[kept].sum()) - bound * int(kept.sum())


def _kept(labels):
    """The frames CTC keeps: not blank, and not a repeat of the frame before."""
    keep = labels != BLANK
    keep[1:] &= labels[1:] != labels[:-1]
    return keep


def _text(labels) -> list:
    return labels[_kept(labels)].tolist()
