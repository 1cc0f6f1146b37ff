"""Office scans of the project's own documents, as offices really send them: a development generator.

Each degradation takes a report's text (markdown or plain) and gives its page images (PIL, RGB), rendered by
corpus/build.py and then spoilt one way: a small skew, a red seal over the text and a red header, grayscale JPEG
at low quality, copier noise on a gray background, a slight blur, a phone photo (perspective, uneven light),
pages fed in sideways or upside down, 200 dpi instead of 150; and `office`, several at once. The rendering is
seeded: the same text gives the same pages.

    from scans import DEGRADATIONS, pages_of
    images = DEGRADATIONS["seal"](text)

`TURNS` gives, for each degradation, the degrees counter-clockwise that bring its pages upright.
"""
from __future__ import annotations

import io
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "corpus"))

import build  # noqa: E402

SEAL_RED = (215, 40, 40)


def clean(text: str, dpi: int = 150, red_header: str | None = None, seed: int = 7) -> list:
    """The pages as a perfect scanner would give them: no skew, no dust, no seal."""
    return build.render_images(text, dpi=dpi, red_header=red_header, seal=False, seed=seed, rotate=0, noise=False)


def skewed(pages: list, degrees: float) -> list:
    from PIL import Image
    return [p.rotate(degrees, expand=False, fillcolor="white", resample=Image.BICUBIC) for p in pages]


def turned(pages: list, degrees: int) -> list:
    return [p.rotate(degrees, expand=True) for p in pages]


def sealed(pages: list, seed: int = 7, radius: float = 0.09, ring: int | None = None, oval: float = 1.0,
           star: bool = True, square: bool = False, ink=SEAL_RED, at=None) -> list:
    """A red seal stamped over the text of each page, its ink mixed with the black under it (multiplied): `radius` a
    share of the page's width, `ring` the rim's width in pixels (radius/14, 3 at least), `oval` its height over its
    width, `square` a square seal of four characters (`radius` half its side), `ink` its colour (lighter or darker as
    stamped lightly or firmly), `at` its centre as shares of the page's width and height (else somewhere over the
    text, by `seed`)."""
    import numpy as np
    from PIL import Image, ImageDraw
    rnd = random.Random(seed)
    out = []
    for p in pages:
        w, h = p.size
        r = int(w * radius)
        cx, cy = (int(w * rnd.uniform(0.55, 0.75)), int(h * rnd.uniform(0.3, 0.7))) if at is None else \
            (int(w * at[0]), int(h * at[1]))
        stamp = Image.new("RGB", p.size, "white")
        d = ImageDraw.Draw(stamp)
        if square:
            _square_seal(d, cx, cy, r, ring or max(3, r // 10), ink)
        else:
            _round_seal(d, cx, cy, (r, int(r * oval)), ring or max(3, r // 14), ink, star)
        mixed = np.asarray(p, dtype=np.float32) * np.asarray(stamp, dtype=np.float32) / 255.0
        out.append(Image.fromarray(mixed.astype("uint8")))
    return out


def _round_seal(d, cx: int, cy: int, radii: tuple, ring: int, ink, star: bool):
    """A rim, a star and a ring of characters inside the rim, as a seal's name."""
    import numpy as np
    r, ry = radii
    d.ellipse((cx - r, cy - ry, cx + r, cy + ry), outline=ink, width=ring)
    if star:
        d.regular_polygon((cx, cy, min(r, ry) * 0.3), 5, fill=ink)
    font = _font(int(min(r, ry) * 0.28))
    for k in range(10):
        a = np.pi * (0.9 + 1.2 * k / 9)
        x, y = cx + 0.72 * r * np.cos(a), cy + 0.72 * ry * np.sin(a)
        d.text((x, y), "教育局人民政府印章"[k % 9], font=font, fill=ink, anchor="mm")


def _square_seal(d, cx: int, cy: int, r: int, ring: int, ink):
    """A square rim and four characters, read down the right column, then the left."""
    d.rectangle((cx - r, cy - r, cx + r, cy + r), outline=ink, width=ring)
    font = _font(int(r * 0.8))
    for k, ch in enumerate("教育督导"):
        d.text((cx + (0.45 if k < 2 else -0.45) * r, cy + (-0.45 if k % 2 == 0 else 0.45) * r), ch, font=font,
               fill=ink, anchor="mm")


def _font(size: int):
    from PIL import ImageFont
    return ImageFont.truetype(build.cjk_font(), size)


def jpeg(pages: list, quality: int = 25) -> list:
    """Grayscale JPEG at low quality, as a scanner set to 'small file' sends it."""
    from PIL import Image
    out = []
    for p in pages:
        buf = io.BytesIO()
        p.convert("L").save(buf, "JPEG", quality=quality)
        out.append(Image.open(io.BytesIO(buf.getvalue())).convert("RGB"))
    return out


def copier(pages: list, seed: int = 7) -> list:
    """A photocopy: a gray background, ink a little lighter, toner dust and a streak."""
    import numpy as np
    from PIL import Image
    rnd = np.random.default_rng(seed)
    out = []
    for p in pages:
        a = np.asarray(p.convert("L"), dtype=np.float32)
        a = 45 + a * (205 - 45) / 255.0                   # paper 205, ink 45
        dust = rnd.random(a.shape) < 0.002
        a[dust] = rnd.uniform(30, 120, dust.sum())
        x = int(rnd.uniform(0.2, 0.8) * a.shape[1])
        a[:, x:x + 2] *= 0.8                              # a streak down the page
        a += rnd.normal(0, 6, a.shape)
        out.append(Image.fromarray(np.clip(a, 0, 255).astype("uint8")).convert("RGB"))
    return out


def blurred(pages: list, radius: float = 1.1) -> list:
    from PIL import ImageFilter
    return [p.filter(ImageFilter.GaussianBlur(radius)) for p in pages]


def photo(pages: list, seed: int = 7) -> list:
    """A phone photo of the page: seen a little from one side (perspective) and lit unevenly."""
    import numpy as np
    from PIL import Image
    rnd = random.Random(seed)
    out = []
    for p in pages:
        w, h = p.size
        m = [rnd.uniform(0.0, 0.04) for _ in range(8)]
        quad = (m[0] * w, m[1] * h, m[2] * w, h - m[3] * h, w - m[4] * w, h - m[5] * h, w - m[6] * w, m[7] * h)
        q = p.transform(p.size, Image.QUAD, quad, resample=Image.BICUBIC, fillcolor=(90, 90, 90))
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        light = 1.0 - 0.35 * ((xx / w) * 0.6 + (yy / h) * 0.4)         # darker towards one corner
        a = np.asarray(q, dtype=np.float32) * light[..., None]
        out.append(Image.fromarray(np.clip(a, 0, 255).astype("uint8")).filter(_soft()))
    return out


def _soft():
    from PIL import ImageFilter
    return ImageFilter.GaussianBlur(0.6)


def office(text: str) -> list:
    """As most offices send it: a red header, a seal, a small skew, copied, then saved as a small JPEG."""
    return office_copy(sealed(headed(text)))


def headed(text: str) -> list:
    """The clean pages with the report's first line as a red header, if it is short enough to be one."""
    return clean(text, red_header=_header(text))


def office_copy(pages: list) -> list:
    """What happens to a page after it is stamped: skewed a little, copied in gray, saved as a small JPEG."""
    return jpeg(copier(skewed(pages, 1.5)), quality=35)


def _header(text: str) -> str | None:
    """The report's first line as a red header, if it is short enough to be one."""
    first = next((t for _, t in build.paragraphs(text)), "")
    return first if 4 <= len(first) <= 20 else None


DEGRADATIONS = {
    "clean": lambda t: clean(t),
    "skew+3": lambda t: skewed(clean(t), 3.0),
    "skew-3": lambda t: skewed(clean(t), -3.0),
    "seal+header": lambda t: sealed(clean(t, red_header=_header(t))),
    "jpeg-q25": lambda t: jpeg(clean(t)),
    "copier": lambda t: copier(clean(t)),
    "blur": lambda t: blurred(clean(t)),
    "photo": lambda t: photo(clean(t)),
    "turn90": lambda t: turned(skewed(clean(t), 0.8), 90),
    "turn180": lambda t: turned(skewed(clean(t), 0.8), 180),
    "200dpi": lambda t: clean(t, dpi=200),
    "office": office,
}
TURNS = {name: {"turn90": 270, "turn180": 180}.get(name, 0) for name in DEGRADATIONS}

# Seals drawn otherwise than `office`'s, on office copies all the same (stamped in red, skewed, copied in gray, a
# small JPEG): a seal found in a gray copy by its shape must not be found only as the generator draws it. "dark" is
# stamped as dark as the text: no level tells it from the text, it stays.
SIGNATURE = "\n\n区人民政府教育督导室\n\n2024年5月20日\n"
SEALS = {
    "office": {},
    "r12-ring10": {"radius": 0.12, "ring": 10, "seed": 3},
    "r07-ring3": {"radius": 0.07, "ring": 3, "seed": 5},
    "oval": {"radius": 0.10, "oval": 0.67, "seed": 11},
    "no-star": {"star": False, "seed": 13},
    "light": {"ink": (240, 165, 165), "seed": 17},
    "firm": {"ink": (185, 25, 25), "seed": 19},
    "square": {"radius": 0.06, "square": True, "seed": 23},
    "signature": {"at": "signature"},
    "dark": {"ink": (90, 10, 10)},
}


def gray_sealed(text: str, **seal) -> list:
    """An office copy (office) with the seal drawn as `seal` says (sealed's options); `at="signature"` stamps each
    page over its last lines (a text ending with a signature and a date: signed)."""
    pages = headed(text)
    if seal.get("at") == "signature":
        pages = [sealed([p], **{**seal, "at": last_lines(p)})[0] for p in pages]
    else:
        pages = sealed(pages, **seal)
    return office_copy(pages)


def signed(text: str) -> str:
    """The text ending with a signature and a date on the pages it filled, its last lines given up for them."""
    def pages(t):
        return len(build.layout(t, _header(t)))
    lines, n = text.rstrip("\n").split("\n"), pages(text)
    while len(lines) > 1 and pages("\n".join(lines) + SIGNATURE) > n:
        lines.pop()
    return "\n".join(lines) + SIGNATURE


def last_lines(page, footer: float = 0.9) -> tuple:
    """The middle of a page's last two lines of text (above its page number, the bottom `1 - footer` of the page),
    as shares of its width and height."""
    import numpy as np
    dark = np.asarray(page.convert("L"))[: int(page.size[1] * footer)] < 128
    rows = np.nonzero(dark.any(axis=1))[0]
    starts = [rows[0]] + [b for a, b in zip(rows, rows[1:]) if b - a > 5]
    y0 = starts[-2] if len(starts) > 1 else starts[-1]
    cols = np.nonzero(dark[y0:].any(axis=0))[0]
    return (cols[0] + cols[-1]) / 2 / page.size[0], (y0 + rows[-1]) / 2 / page.size[1]


SEALED = {f"seal-{name}": (lambda t, kw=kw: gray_sealed(t, **kw)) for name, kw in SEALS.items()}


def pages_of(text: str, n: int) -> str:
    """The report's first lines, as written, that fill n pages at most."""
    kept = []
    for line in text.split("\n"):
        if len(build.layout("\n".join(kept + [line]))) > n:
            break
        kept.append(line)
    return "\n".join(kept).strip() + "\n"
