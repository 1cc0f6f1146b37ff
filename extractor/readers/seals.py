"""Seals whitened before a page is read (ocr._upright), so that a seal stamped over the text costs the characters its
ink made black, not the lines under it: a red seal by its red, a seal in a grayscale copy (no red left) by its shape."""
from __future__ import annotations

# A red seal: red is RED_OVER brighter in the red channel than in the others, and at least RED_MIN there (black under
# the seal stays black); a seal is red ink grown together (SEAL_GROW pixels) into a shape SEAL_MIN_SIDE of the page's
# width across at least, and round, square or oval (SEAL_MAX_ASPECT: an oval seal is 45 by 30 mm, 1.5, and its
# outline is measured a little rough): a seal is 4 cm across, a fifth of A4's width; a red header's character a
# twentieth, its rule a thin line. A red header stays, and is read.
RED_MIN = 100
RED_OVER = 50
SEAL_GROW = 5
SEAL_MIN_SIDE = 0.08
SEAL_MAX_ASPECT = 1.6

# A seal in a grayscale copy: its ring, star and characters are a gray between the text's black and the paper. It is
# found as ink that encloses paper (a seal's rim is closed, whatever text runs across it: the text is ink too) in a
# shape as thick as a seal, round, oval or square, SEAL_MIN_SIDE to SEAL_MAX_SIDE of the page's width across; it is a
# seal if its rim is clearly lighter than the text (SEAL_LIGHTER) and its inside mostly paper (SEAL_HOLLOW). Inside
# it, what is lighter than halfway from the text's level to the rim's is whitened; the text under the seal, darker,
# stays. A seal stamped as dark as the text cannot be told from the text by its level: it stays. Every level is the
# page's own: its paper is its median, its text the INK_LEVEL percentile of what is darker than Otsu's threshold,
# ink what is darker than the paper by PAPER_GRAIN of the span from paper to text (less is the paper's grain:
# copier toner, JPEG noise).
INK_LEVEL = 20
PAPER_GRAIN = 0.15
LOOK = 4              # the quick look: the darkest pixel of each LOOK x LOOK block (a thin rim stays closed)
SEAL_MAX_SIDE = 0.3   # a seal is 4 to 4.5 cm across, a fifth of A4's width; enclosed paper wider than this is a page's
SEAL_GAP = 0.004      # a rim broken by a gap this share of the page's width (under a millimetre) still encloses
SEAL_THIN = 0.05      # a shape thinner than this share of the page's width is no seal: text lines, rules, characters
SEAL_ROUND = 0.12     # a seal's area is its fitted ellipse's (round, oval) or its box's (square) within this share
SEAL_RING = 0.06      # its rim: this share of its radius inward from its edge
SEAL_LIGHTER = 0.15   # its rim is lighter than the text by this share of the span from text to paper at least
SEAL_HOLLOW = 0.3     # paper is this share of its inside (three quarters of its size) at least: a filled shape is none
SEAL_MARGIN = 0.03    # whitened out to this share of its size beyond its edge (the rim's blur)
TEXT_MIN = 0.005      # the text's level is judged only on this share of the page outside the seals at least


def unsealed(array):
    """The page with its seals whitened: red ones where the page has red, else gray ones; the very same array if it
    has none. Most pages have no red, and most have no seal: a quick look says so (red on every fourth pixel, a
    seal's shape on the darkest pixel of each LOOK x LOOK block)."""
    if _red(array[::4, ::4]).any():
        return _red_unsealed(array)
    return _gray_unsealed(array)


def _red(array):
    """Red pixels (the constants above), in bytes: red over the others' greater, where it is greater (no wrap)."""
    import numpy as np
    r, others = array[..., 0], np.maximum(array[..., 1], array[..., 2])
    return (r >= RED_MIN) & (r > others) & (r - others >= RED_OVER)


def _red_unsealed(array):
    """The page with the red of its seals whitened (the constants above); the page itself if it has none."""
    import cv2
    import numpy as np
    red = _red(array)
    grown = cv2.dilate(red.astype(np.uint8), np.ones((SEAL_GROW, SEAL_GROW), np.uint8))
    stats = cv2.connectedComponentsWithStats(grown, connectivity=8)[2][1:]
    out = array
    for x, y, w, h, _ in stats:
        if min(w, h) >= SEAL_MIN_SIDE * array.shape[1] and max(w, h) <= SEAL_MAX_ASPECT * min(w, h):
            out = array.copy() if out is array else out
            out[y:y + h, x:x + w][red[y:y + h, x:x + w]] = 255
    return out


def _gray_unsealed(array):
    """The page with its gray seals whitened (the constants above); the page itself if it has none."""
    import cv2
    import numpy as np
    gray = cv2.cvtColor(array, cv2.COLOR_RGB2GRAY)
    sample = np.ascontiguousarray(gray[::LOOK, ::LOOK])
    paper, ink, otsu = _levels(sample)
    light = paper - PAPER_GRAIN * (paper - ink)
    if not _looks_sealed(gray, light):
        return array
    outlines = _gray_seals(gray, light)
    text = _text_level(sample, outlines, otsu) if outlines else None
    if text is None:
        return array
    out = array.copy()
    whitened = [_whiten(out, gray, o, (text, paper, light)) for o in outlines]
    return out if any(whitened) else array


def _levels(sample) -> tuple:
    """(paper, text, threshold): the page's paper (its median), its text (the INK_LEVEL percentile of what is darker
    than Otsu's threshold) and that threshold."""
    import cv2
    import numpy as np
    counts = np.cumsum(np.bincount(sample.ravel(), minlength=256))
    otsu = int(cv2.threshold(sample, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)[0])
    paper = int(np.searchsorted(counts, counts[-1] / 2))
    text = int(np.searchsorted(counts, counts[otsu - 1] * INK_LEVEL / 100)) if otsu > 0 else 0
    return paper, text, otsu


def _looks_sealed(gray, light) -> bool:
    """The quick look: on the darkest pixel of each LOOK x LOOK block, ink that encloses paper in a shape a seal's
    size at least, inside the page (its shape is judged at a finer scale, where the text does not run together)."""
    import cv2
    import numpy as np
    ink = (cv2.erode(gray, np.ones((LOOK, LOOK), np.uint8))[::LOOK, ::LOOK] < light).astype(np.uint8)
    rects = [cv2.boundingRect(c) for c in _thick(_filled(ink))]
    return any(_inside(r, ink.shape) and min(r[2:]) >= SEAL_MIN_SIDE * ink.shape[1] for r in rects)


def _gray_seals(gray, light) -> list:
    """The outlines (polygons, in the page's pixels) of the seal shapes found on every other pixel."""
    import numpy as np
    half = np.ascontiguousarray(gray[::2, ::2])
    shapes = [_shape(c, half.shape) for c in _thick(_filled((half < light).astype(np.uint8)))]
    return [s * 2 + 0.5 for s in shapes if s is not None]


def _filled(ink):
    """The ink with the paper it encloses: paper that reaches no edge of the page, nor paper wider than a seal,
    through passages SEAL_GAP wide (a rim stamped unevenly still encloses). Straight lines longer than a seal (a
    copier's streak, a rule) are no ink here: with a seal, they would enclose the text between them."""
    import cv2
    import numpy as np
    paper = 1 - (ink & ~_lines(ink))
    gap = np.ones((max(2, round(SEAL_GAP * ink.shape[1])),) * 2, np.uint8)
    labels, stats = cv2.connectedComponentsWithStats(cv2.erode(paper, gap), connectivity=4)[1:3]
    x, y, w, h = stats[:, 0], stats[:, 1], stats[:, 2], stats[:, 3]
    outside = (x == 0) | (y == 0) | (x + w == ink.shape[1]) | (y + h == ink.shape[0]) | \
        (np.maximum(w, h) > SEAL_MAX_SIDE * ink.shape[1])
    outside[0] = False                   # label 0: the ink, and the paper too narrow to pass
    return 1 - (cv2.dilate(outside[labels].astype(np.uint8), gap) & paper)


def _lines(ink):
    """Straight runs of ink, across or down the page, longer than any seal is wide, broken by SEAL_GAP at most (a
    streak copied faint in places)."""
    import cv2
    import numpy as np
    n, gap = int(SEAL_MAX_SIDE * ink.shape[1]), max(2, round(SEAL_GAP * ink.shape[1]))
    out = np.zeros_like(ink)
    for along, bridge in (((n, 1), (gap, 1)), ((1, n), (1, gap))):
        closed = cv2.morphologyEx(ink, cv2.MORPH_CLOSE, np.ones(bridge, np.uint8))
        out |= cv2.morphologyEx(closed, cv2.MORPH_OPEN, np.ones(along, np.uint8))
    return out & ink


def _thick(mask) -> list:
    """The outlines of what is SEAL_THIN of the page's width thick at least."""
    import cv2
    import numpy as np
    k = max(3, int(SEAL_THIN * mask.shape[1]) | 1)
    opened = cv2.morphologyEx(mask, cv2.MORPH_OPEN, np.ones((k, k), np.uint8))
    return list(cv2.findContours(opened, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)[0])


def _inside(rect, shape) -> bool:
    x, y, w, h = rect
    return x > 0 and y > 0 and x + w < shape[1] and y + h < shape[0]


def _shape(contour, shape):
    """The seal's outline if the contour is one: inside the page, a seal's size, and round or oval (its area its
    fitted ellipse's) or square (its box's), whichever fits it better, within SEAL_ROUND; else None."""
    import cv2
    import numpy as np
    rect = cv2.boundingRect(contour)
    w, h = rect[2:]
    if not _inside(rect, shape) or len(contour) < 5 or min(w, h) < SEAL_MIN_SIDE * shape[1] \
            or max(w, h) > min(SEAL_MAX_SIDE * shape[1], SEAL_MAX_ASPECT * min(w, h)):
        return None
    area = cv2.contourArea(contour)
    ellipse, box = cv2.fitEllipse(contour), cv2.minAreaRect(contour)
    off = {"ellipse": abs(area / max(1.0, np.pi * ellipse[1][0] * ellipse[1][1] / 4) - 1),
           "box": abs(area / max(1.0, box[1][0] * box[1][1]) - 1)}
    best = min(off, key=off.get)
    if off[best] > SEAL_ROUND:
        return None
    return _ellipse(ellipse) if best == "ellipse" else cv2.boxPoints(box)


def _ellipse(ellipse, n: int = 72):
    """An ellipse (cv2's centre, axes and angle) as a polygon of n points."""
    import numpy as np
    (cx, cy), (w, h), angle = ellipse
    t = np.linspace(0, 2 * np.pi, n, endpoint=False)
    c, s = np.cos(np.radians(angle)), np.sin(np.radians(angle))
    x, y = w / 2 * np.cos(t), h / 2 * np.sin(t)
    return np.stack([cx + c * x - s * y, cy + s * x + c * y], axis=1)


def _mask(shape, outline, scale: float = 1.0):
    """The pixels of an array of `shape` inside the outline grown (or shrunk) by `scale` about its centre."""
    import cv2
    import numpy as np
    centre = outline.mean(axis=0)
    m = np.zeros(shape, np.uint8)
    cv2.fillPoly(m, [np.round(centre + (outline - centre) * scale).astype(np.int32)], 1)
    return m > 0


def _text_level(sample, outlines, otsu):
    """The text's level (INK_LEVEL) outside the seals, on the quick look's pixels; None if too little text is left
    to judge it by (a last page of a date and a seal)."""
    import numpy as np
    away = np.ones(sample.shape, bool)
    for outline in outlines:
        away &= ~_mask(sample.shape, outline / LOOK, 1 + SEAL_MARGIN)
    text = sample[away & (sample < otsu)]
    return float(np.percentile(text, INK_LEVEL)) if text.size >= TEXT_MIN * sample.size else None


def _whiten(out, gray, outline, levels) -> bool:
    """Whiten one seal on `out` if its rim is clearly lighter than the text and it is hollow (the constants above):
    what is lighter than halfway from the text's level to its rim's becomes the paper's gray. Whether it did."""
    import numpy as np
    text, paper, light = levels
    x0, y0 = np.maximum(0, np.floor(outline.min(axis=0) - SEAL_MARGIN * np.ptp(outline, axis=0))).astype(int)
    x1, y1 = np.ceil(outline.max(axis=0) + SEAL_MARGIN * np.ptp(outline, axis=0)).astype(int) + 1
    crop, local = gray[y0:y1, x0:x1], outline - (x0, y0)
    rim = crop[_mask(crop.shape, local) & ~_mask(crop.shape, local, 1 - SEAL_RING) & (crop < light)]
    inside = crop[_mask(crop.shape, local, 0.75)]
    if not rim.size or np.median(rim) - text < SEAL_LIGHTER * (paper - text) or (inside >= light).mean() < SEAL_HOLLOW:
        return False
    cut = (text + float(np.median(rim))) / 2
    out[y0:y1, x0:x1][_mask(crop.shape, local, 1 + SEAL_MARGIN) & (crop >= cut)] = paper
    return True
