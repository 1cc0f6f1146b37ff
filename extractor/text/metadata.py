"""Document metadata: who sent the report, to whom, under which number, when, for which years."""
from __future__ import annotations

from collections import Counter
from typing import Optional

import regex

from .. import __version__, data

YEAR = regex.compile(r"(?:19|20)\d{2}(?=年)")   # a year as reports write it: 2023年
_YMD = regex.compile(r"((?:19|20)\d{2})年\d{1,2}月\d{1,2}日")
_ISSUER = regex.compile(r"\p{Han}{1,12}?([区县市省旗州])人民政府")


def report_year(text: str) -> Optional[int]:
    """The year the report was written: its sign-off date, else the latest year in its title."""
    tail = list(_YMD.finditer(text[-600:]))
    if tail:
        return int(tail[-1].group(1))
    head = [int(y) for y in YEAR.findall(text[:400])]
    return max(head) if head else None


def performance_year(text: str) -> Optional[int]:
    """The year whose performance the report covers, when its title names exactly one."""
    for line in text[:800].split("\n"):
        if "报告" in line or "履行教育职责" in line:
            years = set(YEAR.findall(line))
            if "《" in line:
                continue
            return int(years.pop()) if len(years) == 1 else None
    return None


def level_char(text: str) -> str:
    """区 / 县 / 市 / 省: the level of the reporting government, from its name or how it calls itself."""
    m = _ISSUER.search(text[:600])
    if m:
        return m.group(1)
    counts = Counter(regex.findall(r"(?:我|全)([区县市省])", text))
    return counts.most_common(1)[0][0] if counts else ""


_PLACE = regex.compile(r"(\p{Han}{2,4}?[省市])?(\p{Han}{2,4}?[区县旗])?人民政府")


def places(text: str) -> tuple:
    """Names the reporting government uses for itself (鹤岗市, 兴安区, 兴安), from its issuer line."""
    out = []
    for m in _PLACE.finditer(text[:800]):
        for g in m.groups():
            if g:
                out += [g, g[:-1]] if len(g) > 2 else [g]
    return tuple(dict.fromkeys(out))


_FILE_HEADER = regex.compile(r"^(\p{Han}{2,30}?(?:人民政府|政府|教育局|教育厅))文件$")
_GOV_LINE = regex.compile(r"^(\p{Han}{2,30}?(?:人民政府|政府))$")
_DOC_NUMBER = regex.compile(r"\p{Han}{1,10}[〔\[［（(](?:19|20)\d{2}[〕\]］）)]\s*第?\d+\s*号")
_SIGNER = regex.compile(r"签发人[：:]\s*(\p{Han}{2,4})")
_CITY_COUNTY = regex.compile(r"^(?:(\p{Han}{2,6}?[省区])(?=\p{Han}{2,}[市州盟]))?(\p{Han}{2,5}?[市州盟])?(\p{Han}{1,5}?[区县旗])?(?:人民)?政府")


def _lines(text: str) -> list[str]:
    return [ln.strip() for ln in text.split("\n") if ln.strip()]


def describe(result, scheme=None, n_entities: Optional[int] = None) -> dict:
    src, text = result.source, result.norm.text
    lines = _lines(text)
    head = lines[:15]
    ti = next((i for i, ln in enumerate(head) if "报告" in ln and "《" not in ln), None)
    title = head[ti] if ti is not None else (lines[0] if lines else "")
    if ti and len(head[ti - 1]) <= 30 and not regex.search(r"[。；：:，,〕号]$|[：:]", head[ti - 1]) \
            and not _FILE_HEADER.match(head[ti - 1]):
        title = head[ti - 1] + title             # a title broken over two lines

    issuer = ""
    for ln in head:
        m = _FILE_HEADER.match(ln)
        if m:
            issuer = m.group(1)
            break
    if not issuer:
        for ln in reversed(lines[-8:]):
            m = _GOV_LINE.match(ln)
            if m:
                issuer = m.group(1)
                break
    if not issuer:
        m = regex.search(r"(\p{Han}{2,12}?人民政府)", regex.sub(r"^关于|(?:19|20)\d{2}\s*年度?", "\n", title))
        issuer = m.group(1) if m else ""

    province = city = county = ""
    m = _CITY_COUNTY.match(issuer) if issuer else None
    if m:
        province, city, county = m.group(1) or "", m.group(2) or "", m.group(3) or ""
    provinces = data.load("lexicon/entities.yaml")["provinces"]
    if issuer and not province:
        province = next((p for p in provinces if issuer.startswith(p)), "")
    if not province:
        counts = Counter(p for p in provinces for _ in regex.finditer(regex.escape(p), text))
        province = counts.most_common(1)[0][0] if counts else ""
    if city == province:
        city = ""

    addressee = next((ln.rstrip("：:") for ln in head if ln.endswith(("：", ":")) and len(ln) <= 30
                      and "签发" not in ln and "如下" not in ln), "")
    number = next((m for m in (_DOC_NUMBER.fullmatch(ln) for ln in head) if m), None)   # on a line of its own
    signer = _SIGNER.search("\n".join(head))

    dates = [f for f in result.facts if f.kind == "date" and f.indicator in ("落款日期", "印发")]
    report_date = dates[0].value if dates else ""

    years = sorted({int(y) for y in YEAR.findall(title)})
    perf = prog = None
    m = regex.search(r"((?:19|20)\d{2})\s*年\s*(?:度)?\s*(?:\p{Han}{0,8}?)履行教育职责", title)
    if m:
        perf = int(m.group(1))
    m = regex.search(r"((?:19|20)\d{2})\s*年\s*(?:\p{Han}{0,12}?)重点工作", title)
    if m:
        prog = int(m.group(1))
    if perf is None and len(years) == 1:
        perf = years[0]

    regions = result.seg.regions
    follows = result.seg.scheme_id is not None
    sections = sorted({r.section for r in regions if r.section is not None})
    items = sorted({r.item for r in regions if r.item is not None})
    all_items = sorted(scheme.item_section) if scheme is not None and follows else []
    pages = (len(src.page_starts) + 1) if src.input_kind in ("pdf", "ocr") else None
    return {
        "doc": src.doc, "path": src.path, "input_kind": src.input_kind, "pages": pages,
        "sha256": src.sha256, "encoding": src.encoding or None, "title": title, "issuer": issuer,
        "province": province, "city": city, "county": county, "addressee": addressee,
        "doc_number": number.group().replace(" ", "") if number else "",
        "signer": signer.group(1) if signer else "", "report_date": report_date,
        "performance_year": perf, "progress_year": prog, "years": ";".join(map(str, years)),
        "scheme": result.seg.scheme_id, "sections_found": ";".join(map(str, sections)),
        "items_found": ";".join(map(str, items)),
        "items_missing": ";".join(str(i) for i in all_items if i not in items),
        "n_facts": len(result.facts), "n_entities": n_entities, "extractor_version": __version__,
    }
