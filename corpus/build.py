"""Build the sample inputs in corpus/ from the seed report: the forms inspectors receive.

    python corpus/build.py            # writes corpus/xingan-2024.{pdf,docx,ofd}, -scan.pdf, -p3.png

The same functions render any report text (the tests render the development documents
with them): a text PDF with a red header, running header and page numbers; a scan
(pages rasterised at ~150 dpi, rotated a little, with noise and a red seal); a DOCX
with heading styles and a table; an OFD (GB/T 33190) of TextObjects; a PNG of one page.
"""
from __future__ import annotations

import random
import re
import sys
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
FONT_CANDIDATES = [
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
]

PAGE_W, PAGE_H = 595.0, 842.0          # A4 in points
MARGIN_X, MARGIN_TOP, MARGIN_BOTTOM = 72.0, 90.0, 80.0
BODY_PT, TITLE_PT, HEADER_PT = 14.0, 18.0, 26.0
LEADING = 1.75


def cjk_font() -> str:
    for f in FONT_CANDIDATES:
        if Path(f).exists():
            return f
    sys.exit("no CJK font: install Debian's fonts-wqy-microhei (scripts/install-system-deps.sh does)")


@dataclass
class Line:
    text: str
    size: float
    kind: str            # body | title | header
    indent: bool = False
    center: bool = False


def _width(s: str, size: float) -> float:
    return sum(size * (0.55 if ord(c) < 128 else 1.0) for c in s)


def _wrap(text: str, size: float, width: float, indent: bool) -> list[str]:
    """Break a paragraph into lines by width, anywhere, as a justified PDF does (mid-word, mid-number)."""
    lines, cur, w = [], "", size * 2 if indent else 0.0
    for c in text:
        cw = size * (0.55 if ord(c) < 128 else 1.0)
        if w + cw > width and cur:
            lines.append(cur)
            cur, w = "", 0.0
        cur += c
        w += cw
    if cur:
        lines.append(cur)
    return lines


def paragraphs(md: str) -> list[tuple[str, str]]:
    """(kind, text) for each paragraph of a markdown or plain-text report."""
    out = []
    for block in re.split(r"\n\s*\n", md):
        for raw in block.split("\n") if "\n" in block and not block.startswith("#") else [block]:
            t = raw.strip()
            if not t:
                continue
            kind = "title" if t.startswith("#") else "body"
            t = re.sub(r"^#+\s*", "", t)
            out.append((kind, t))
    return out


def layout(md: str, red_header: str | None = None, width: float = PAGE_W - 2 * MARGIN_X, body: float = BODY_PT,
           title: float = TITLE_PT, pars: list | None = None) -> list[list[Line]]:
    """Pages of lines, A4, body 14 pt (or `width` and `body` for one column of a two-column page)."""
    avail = PAGE_H - MARGIN_TOP - MARGIN_BOTTOM
    pages, page, used = [], [], 0.0
    if red_header:
        page.append(Line(red_header, HEADER_PT, "header", center=True))
        used += HEADER_PT * 2.4
    for kind, text in pars if pars is not None else paragraphs(md):
        if red_header and text == red_header:
            continue
        size = title if kind == "title" and len(text) < 40 else body
        center = kind == "title" and len(text) < 30 and not re.match(r"[一二三四五六七八九十\d（(]", text)
        indent = not center
        for i, t in enumerate(_wrap(text, size, width, indent)):
            h = size * LEADING
            if used + h > avail:
                pages.append(page)
                page, used = [], 0.0
            page.append(Line(t, size, "title" if size == title else "body", indent=indent and i == 0, center=center))
            used += h
    if page:
        pages.append(page)
    return pages


def _canvas(out: Path):
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    if "CJK" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("CJK", cjk_font(), subfontIndex=0))
    return canvas.Canvas(str(out), pagesize=(PAGE_W, PAGE_H))


def _furniture(c, n: int, total: int, running_header, footer: str):
    """The running header (from page 2; '{n}' and '{total}' become the page numbers; a tab parts what
    stands at the left from what stands at the right; a pair alternates, even pages first) and the page number."""
    from reportlab.lib.colors import Color

    if n > 1 and running_header:
        c.setFont("CJK", 9)
        c.setFillColor(Color(0.4, 0.4, 0.4))
        head = (running_header if isinstance(running_header, str) else running_header[n % 2]).format(n=n, total=total)
        if "\t" in head:
            at_left, at_right = head.split("\t")
            c.drawString(MARGIN_X, PAGE_H - 50, at_left)
            c.drawRightString(PAGE_W - MARGIN_X, PAGE_H - 50, at_right)
        else:
            c.drawCentredString(PAGE_W / 2, PAGE_H - 50, head)
        c.line(MARGIN_X, PAGE_H - 56, PAGE_W - MARGIN_X, PAGE_H - 56)
    c.setFont("CJK", 11)
    c.setFillColor(Color(0, 0, 0))
    c.drawCentredString(PAGE_W / 2, 40, footer.format(n=n, total=total))


def _draw_line(c, ln: Line, x: float, width: float, y: float) -> float:
    """One laid-out line at the column starting at x; returns the y of the next line."""
    from reportlab.lib.colors import Color, red

    c.setFont("CJK", ln.size)
    c.setFillColor(red if ln.kind == "header" else Color(0, 0, 0))
    if ln.center:
        c.drawCentredString(x + width / 2, y, ln.text)
    else:
        c.drawString(x + (2 * ln.size if ln.indent else 0), y, ln.text)
    if ln.kind == "header":
        c.setStrokeColor(red)
        c.setLineWidth(2)
        c.line(x, y - 16, x + width, y - 16)
        y -= ln.size * 1.4
    return y - ln.size * LEADING


def render_pdf(md: str, out: Path, running_header: str = "", red_header: str | None = None, footer: str = "— {n} —"):
    pages = layout(md, red_header)
    c = _canvas(out)
    for n, page in enumerate(pages, 1):
        _furniture(c, n, len(pages), running_header, footer)
        y = PAGE_H - MARGIN_TOP
        for ln in page:
            y = _draw_line(c, ln, MARGIN_X, PAGE_W - 2 * MARGIN_X, y)
        c.showPage()
    c.save()
    return len(pages)


GUTTER = 24.0


def render_pdf_columns(md: str, out: Path, span: int = 0, running_header: str = "", footer: str = "— {n} —",
                       body: float = 10.5, by_row: bool = True) -> list[str]:
    """Two columns of `body`-pt text, as journals and some bulletins print: the first `span` paragraphs
    (the document's head) across the page, the rest down the left column, then the right. by_row draws
    each row's left and right line one after the other, as some generators do (the text layer then
    runs across the gutter), else column by column. Returns each page's text in reading order."""
    pars = paragraphs(md)
    full = PAGE_W - 2 * MARGIN_X
    col_w = (full - GUTTER) / 2
    head = layout("", width=full, body=body, title=body * 1.3, pars=pars[:span])[0] if span else []
    head_h = sum(ln.size * LEADING for ln in head)
    cols = layout("", width=col_w, body=body, title=body * 1.15, pars=pars[span:])   # column-high pieces
    col_h = PAGE_H - MARGIN_TOP - MARGIN_BOTTOM
    cols = _refill(cols, col_h, col_h - head_h)
    pairs = [cols[i:i + 2] for i in range(0, len(cols), 2)]
    c = _canvas(out)
    for n, pair in enumerate(pairs, 1):
        _furniture(c, n, len(pairs), running_header, footer)
        y = PAGE_H - MARGIN_TOP
        if n == 1:
            for ln in head:
                y = _draw_line(c, ln, MARGIN_X, full, y)
        slots = [(MARGIN_X + k * (col_w + GUTTER), y, ln, i) for k, col in enumerate(pair) for i, ln in enumerate(col)]
        ys = {}
        for x, y0, ln, i in sorted(slots, key=lambda s: (s[3], s[0])) if by_row else slots:
            ys[x] = _draw_line(c, ln, x, col_w, ys.get(x, y0))
        c.showPage()
    c.save()
    return ["".join(ln.text for ln in (head if n == 1 else []) + [ln for col in pair for ln in col])
            for n, pair in enumerate(pairs, 1)]


def _refill(cols: list[list[Line]], height: float, first: float) -> list[list[Line]]:
    """The lines of `cols` poured again into columns `height` high, the first `first` high."""
    out, cur, used, room = [], [], 0.0, first
    for ln in (ln for col in cols for ln in col):
        h = ln.size * LEADING
        if used + h > room and cur:
            out.append(cur)
            cur, used = [], 0.0
            room = first if len(out) == 1 else height     # both columns of page 1 sit below the head
        cur.append(ln)
        used += h
    if cur:
        out.append(cur)
    return out


def render_table_pdf(out: Path, intro: str, rows: list[list[str]], first_rows: int, repeat_header: bool = True,
                     running_header: str = "", widths: tuple = (190.0, 85.0, 85.0, 85.0), row_h: float = 24.0,
                     merged: tuple = (), page_rows: int = 26) -> list[int]:
    """A ruled table (first row its header) that runs onto the next pages: `first_rows` data rows on the
    first page, `page_rows` on each next one, its header row drawn again there or not. `merged` lists
    (first, last) data-row ranges whose first cell is one merged cell, its text drawn once (in its first
    row: a page that the cell goes on to shows it empty, as Word does). Returns the page of each data row."""
    c = _canvas(out)
    body = rows[1:]
    cuts = [0] + list(range(first_rows, len(body), page_rows)) + [len(body)]
    parts = [body[a:b] for a, b in zip(cuts, cuts[1:])]
    for n, part in enumerate(parts, 1):
        _furniture(c, n, len(parts), running_header, "第{n}页 共{total}页")
        y = PAGE_H - MARGIN_TOP
        if n == 1:
            c.setFont("CJK", BODY_PT)
            for t in _wrap(intro, BODY_PT, PAGE_W - 2 * MARGIN_X, True):
                c.drawString(MARGIN_X, y, t)
                y -= BODY_PT * LEADING
        start = cuts[n - 1]
        shown = ([rows[0]] if n == 1 or repeat_header else []) + part
        head = len(shown) - len(part)
        _grid(c, shown, y, widths, row_h, [(a - start + head, b - start + head) for a, b in merged], head)
        c.showPage()
    c.save()
    return [n for n, part in enumerate(parts, 1) for _ in part]


def _grid(c, rows: list[list[str]], top: float, widths: tuple, row_h: float, spans: list, head: int):
    """Rows of cells with their rules; a span (first, last) is one cell in column 0 over those rows (none
    over the `head` header rows)."""
    from reportlab.lib.colors import Color

    c.setFillColor(Color(0, 0, 0))
    c.setStrokeColor(Color(0, 0, 0))
    c.setLineWidth(0.8)
    c.setFont("CJK", 11)
    xs = [MARGIN_X]
    for w in widths:
        xs.append(xs[-1] + w)
    spans = [(max(a, head - 1), b) for a, b in spans]
    inner = {r for a, b in spans for r in range(max(a, head), min(b, len(rows) - 1))}   # lower rule stops at column 1
    for r, row in enumerate(rows):
        y0 = top - r * row_h
        covered = any(a < r <= b for a, b in spans)            # its text stands once, in its first row
        for k, cell in enumerate(row):
            if cell and not (k == 0 and covered):
                c.drawString(xs[k] + 4, y0 - row_h + 8, cell)
        c.line(xs[1] if r in inner else xs[0], y0 - row_h, xs[-1], y0 - row_h)
    c.line(xs[0], top, xs[-1], top)
    for x in xs:
        c.line(x, top, x, top - len(rows) * row_h)


def render_pdf_justified(md: str, out: Path, size: float = 12.0):
    """A second generator (fpdf2): justified block paragraphs, no indentation, wrapped at spaces, so an
    item number can land alone on its line ('1.' / '“教育强国”…') as in many exported reports."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.add_font("cjk", "", cjk_font())
    pdf.set_auto_page_break(True, margin=20)
    pdf.add_page()
    pdf.set_font("cjk", size=size)
    for _kind, text in paragraphs(md):
        pdf.multi_cell(0, size * 0.6, text, align="J")
        pdf.ln(2)
    pdf.output(str(out))


def render_images(md: str, dpi: int = 150, running_header: str = "", red_header: str | None = None,
                  seal: bool = True, seed: int = 7, rotate: float = 0.8, noise: bool = True, turns=None):
    """Scanned pages: the same layout drawn at `dpi`, rotated a little, speckled, with a seal.
    `turns` maps a page number (from 1) to a whole turn, 90, 180 or 270 degrees counter-clockwise,
    as a page fed into the scanner sideways or upside down."""
    from PIL import Image, ImageDraw, ImageFilter, ImageFont

    rnd = random.Random(seed)
    k = dpi / 72.0
    fonts = {}

    def font(size):
        if size not in fonts:
            fonts[size] = ImageFont.truetype(cjk_font(), int(size * k))
        return fonts[size]

    pages = layout(md, red_header)
    images = []
    for n, page in enumerate(pages, 1):
        img = Image.new("RGB", (int(PAGE_W * k), int(PAGE_H * k)), "white")
        d = ImageDraw.Draw(img)
        if n > 1 and running_header:
            f = font(9)
            w = d.textlength(running_header, font=f)
            d.text(((PAGE_W * k - w) / 2, 42 * k), running_header, font=f, fill=(90, 90, 90))
        y = MARGIN_TOP - BODY_PT
        for ln in page:
            f = font(ln.size)
            color = (200, 0, 0) if ln.kind == "header" else (20, 20, 20)
            x = MARGIN_X + (2 * ln.size if ln.indent else 0)
            if ln.center:
                x = (PAGE_W - d.textlength(ln.text, font=f) / k) / 2
            d.text((x * k, y * k), ln.text, font=f, fill=color)
            if ln.kind == "header":
                d.line((MARGIN_X * k, (y + ln.size + 14) * k, (PAGE_W - MARGIN_X) * k, (y + ln.size + 14) * k),
                       fill=(200, 0, 0), width=3)
                y += ln.size * 1.4
            y += ln.size * LEADING
        pn = f"— {n} —"
        f = font(11)
        d.text(((PAGE_W * k - d.textlength(pn, font=f)) / 2, (PAGE_H - 52) * k), pn, font=f, fill=(20, 20, 20))
        if seal and n == len(pages):
            cx, cy, r = PAGE_W * k * 0.68, min(y * k + 40 * k, PAGE_H * k - 150 * k), 55 * k
            d.ellipse((cx - r, cy - r, cx + r, cy + r), outline=(220, 30, 30), width=int(3 * k))
            d.regular_polygon((cx, cy, r * 0.3), 5, fill=(220, 30, 30))
        if noise:
            px = img.load()
            for _ in range(int(img.width * img.height * 0.0015)):
                x, yy = rnd.randrange(img.width), rnd.randrange(img.height)
                px[x, yy] = (rnd.randrange(100, 200),) * 3
            img = img.filter(ImageFilter.GaussianBlur(0.3))
        if rotate:
            img = img.rotate(rnd.uniform(-rotate, rotate), expand=False, fillcolor="white", resample=Image.BICUBIC)
        if turns and turns.get(n):
            img = img.rotate(turns[n], expand=True)
        images.append(img)
    return images


def render_scan_pdf(md: str, out: Path, **kw):
    images = render_images(md, **kw)
    images[0].save(out, "PDF", resolution=float(kw.get("dpi", 150)), save_all=True, append_images=images[1:])
    return len(images)


def render_docx(md: str, out: Path, table: list[list[str]] | None = None, table_after: str | None = None):
    """Headings become Word heading styles; a table (first row its header) may follow a paragraph."""
    import docx

    doc = docx.Document()
    for kind, text in paragraphs(md):
        m = re.match(r"(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[)）])", text)
        if kind == "title" and m and len(text) < 40:
            doc.add_heading(text, level=1 if "、" in m.group() else 2)
        elif kind == "title" and len(text) < 60:
            doc.add_heading(text, level=0 if not doc.paragraphs else 3)
        else:
            doc.add_paragraph(text)
        if table and table_after and table_after in text:
            t = doc.add_table(rows=len(table), cols=len(table[0]))
            t.style = "Table Grid"
            for i, row in enumerate(table):
                for j, cell in enumerate(row):
                    t.cell(i, j).text = cell
            table = None
    doc.save(str(out))


OFD_NS = "http://www.ofdspec.org/2016"
MM = 25.4 / 72.0                     # OFD measures in millimetres


def _ofd_text_objects(text: str, x: float, base: float, size: float, rnd: random.Random, ids: list) -> str:
    """One visual line as OFD writers emit it: pieces of a few characters, each a TextObject (some with
    two TextCodes, the second going on from where the first ended), advances in DeltaX."""
    from xml.sax.saxutils import escape

    out, i = [], 0
    s_mm = size * MM
    while i < len(text):
        piece = text[i:i + rnd.randint(1, 9)]
        i += len(piece)
        adv = [s_mm * (0.55 if ord(c) < 128 else 1.0) for c in piece]
        w = sum(adv)
        cut = rnd.randint(1, len(piece)) if len(piece) > 2 and rnd.random() < 0.3 else len(piece)
        codes = []
        for k, (part, first) in enumerate(((piece[:cut], True), (piece[cut:], False))):
            if not part:
                continue
            dx = adv[:len(part) - 1] if first else adv[cut:cut + len(part) - 1]
            if dx and len(set(dx)) == 1:
                dxs = f"g {len(dx)} {dx[0]:.3f}"
            else:
                dxs = " ".join(f"{d:.3f}" for d in dx)
            pos = f'X="0" Y="{s_mm:.3f}"' if first else ""
            codes.append(f'<ofd:TextCode {pos} DeltaX="{dxs}">{escape(part)}</ofd:TextCode>')
        ids[0] += 1
        out.append(f'<ofd:TextObject ID="{ids[0]}" Boundary="{x:.3f} {base - s_mm:.3f} {w + 1:.3f} {s_mm * 1.3:.3f}" '
                   f'Font="2" Size="{s_mm:.3f}"><ofd:FillColor Value="0 0 0"/>{"".join(codes)}</ofd:TextObject>')
        x += w
    return "".join(out)


def render_ofd(md: str, out: Path, running_header: str = "", red_header: str | None = None, seed: int = 7) -> list[str]:
    """An OFD (GB/T 33190) of the same layout as render_pdf: a zip of OFD XML, text in TextObjects, the
    running header in a template page. Returns each page's text (its lines joined) for the tests."""
    import zipfile

    rnd = random.Random(seed)
    pages = layout(md, red_header)
    ids = [10]
    head = '<?xml version="1.0" encoding="UTF-8"?>'
    page_texts, files = [], {}
    for n, page in enumerate(pages, 1):
        objs, texts = [], []
        y = MARGIN_TOP                                   # baseline, from the top, in points
        for ln in page:
            x = (PAGE_W - _width(ln.text, ln.size)) / 2 if ln.center else MARGIN_X + (2 * ln.size if ln.indent else 0)
            objs.append(_ofd_text_objects(ln.text, x * MM, y * MM, ln.size, rnd, ids))
            texts.append(ln.text)
            y += ln.size * (LEADING + (1.4 if ln.kind == "header" else 0))
        pn = f"— {n} —"
        objs.append(_ofd_text_objects(pn, (PAGE_W - _width(pn, 11)) / 2 * MM, (PAGE_H - 40) * MM, 11, rnd, ids))
        tpl = '<ofd:Template TemplateID="2" ZOrder="Background"/>' if n > 1 and running_header else ""
        files[f"Doc_0/Pages/Page_{n - 1}/Content.xml"] = (
            f'{head}<ofd:Page xmlns:ofd="{OFD_NS}">{tpl}<ofd:Content><ofd:Layer ID="{ids[0] + 1}">'
            f'{"".join(objs)}</ofd:Layer></ofd:Content></ofd:Page>')
        ids[0] += 1
        page_texts.append("".join(texts))
    header = _ofd_text_objects(running_header, (PAGE_W - _width(running_header, 9)) / 2 * MM, 50 * MM, 9, rnd, ids) \
        if running_header else ""
    files["Doc_0/Tpls/Tpl_0/Content.xml"] = (f'{head}<ofd:Page xmlns:ofd="{OFD_NS}"><ofd:Content><ofd:Layer ID="3">'
                                             f'{header}</ofd:Layer></ofd:Content></ofd:Page>')
    page_list = "".join(f'<ofd:Page ID="{100 + i}" BaseLoc="Pages/Page_{i}/Content.xml"/>' for i in range(len(pages)))
    files["Doc_0/Document.xml"] = (
        f'{head}<ofd:Document xmlns:ofd="{OFD_NS}"><ofd:CommonData><ofd:MaxUnitID>{ids[0] + 1}</ofd:MaxUnitID>'
        f'<ofd:PageArea><ofd:PhysicalBox>0 0 {PAGE_W * MM:.1f} {PAGE_H * MM:.1f}</ofd:PhysicalBox></ofd:PageArea>'
        f'<ofd:PublicRes>PublicRes.xml</ofd:PublicRes>'
        f'<ofd:TemplatePage ID="2" BaseLoc="Tpls/Tpl_0/Content.xml"/></ofd:CommonData>'
        f'<ofd:Pages>{page_list}</ofd:Pages></ofd:Document>')
    files["Doc_0/PublicRes.xml"] = (f'{head}<ofd:Res xmlns:ofd="{OFD_NS}" BaseLoc="Res"><ofd:Fonts>'
                                    f'<ofd:Font ID="1" FontName="宋体" FamilyName="宋体"/></ofd:Fonts></ofd:Res>')
    files["OFD.xml"] = (f'{head}<ofd:OFD xmlns:ofd="{OFD_NS}" Version="1.0" DocType="OFD"><ofd:DocBody>'
                        f'<ofd:DocInfo><ofd:DocID>selfeval-corpus</ofd:DocID></ofd:DocInfo>'
                        f'<ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>')
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name in ["OFD.xml"] + sorted(k for k in files if k != "OFD.xml"):
            z.writestr(name, files[name])
    return page_texts


SEED_TABLE = [["指标", "2023年"], ["学前三年毛入园率", "97.40%"], ["普惠性幼儿园覆盖率", "85.71%"],
              ["公办园在园幼儿占比", "41.49%"], ["在园幼儿（人）", "899"]]


def main():
    seed = HERE / "xingan-2024.md"
    md = seed.read_text(encoding="utf-8")
    red = "鹤岗市兴安区人民政府文件"
    running = "兴安区人民政府履行教育职责自评报告"
    n = render_pdf(md, HERE / "xingan-2024.pdf", running_header=running, red_header=red)
    render_scan_pdf(md, HERE / "xingan-2024-scan.pdf", running_header=running, red_header=red)
    render_docx(md, HERE / "xingan-2024.docx", table=SEED_TABLE, table_after="认真开展普惠性民办幼儿园的认定和奖补工作")
    render_ofd(md, HERE / "xingan-2024.ofd", running_header=running, red_header=red)
    first = render_images(md, running_header=running, red_header=red, seal=False)[2]
    first.save(HERE / "xingan-2024-p3.png")
    print(f"corpus: xingan-2024.pdf ({n} pages), xingan-2024-scan.pdf, xingan-2024.docx, xingan-2024.ofd, "
          "xingan-2024-p3.png")


if __name__ == "__main__":
    main()
