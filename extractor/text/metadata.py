"""Document facts: who sent the report, to whom, under which number, when, for which years.

One definition of each, computed once per report by the pipeline (`document`) and carried on its Result;
the documents table (`describe`) and the attach stages read them from there. Patterns are in
patterns/lexicon/metadata.yaml.
"""
from __future__ import annotations

import functools
from collections import Counter
from dataclasses import dataclass
from typing import Optional

from .. import __version__, data
from ..records import PAGED_KINDS

YEAR = data.compile(data.load("lexicon/periods.yaml")["year_mention"])   # a year as reports write it: 2023年


@dataclass(frozen=True)
class Document:
    title: str = ""
    issuer: str = ""
    province: str = ""
    city: str = ""
    county: str = ""
    addressee: str = ""
    doc_number: str = ""
    signer: str = ""
    years: tuple = ()                       # the years named in the title
    report_year: Optional[int] = None
    performance_year: Optional[int] = None
    progress_year: Optional[int] = None
    level_char: str = ""
    places: tuple = ()


@functools.lru_cache(maxsize=1)
def lexicon() -> dict:
    spec = dict(data.load("lexicon/metadata.yaml"))
    entities = data.load("lexicon/entities.yaml")
    spec["_provinces"] = entities["provinces"]
    provinces = data.alternation(entities["provinces"])
    for key in ("government_name", "city_named"):
        spec[key] = spec[key].replace("{provinces}", provinces)
    for key in ("title_excluded", "title_not_joined", "file_header", "government_line", "title_issuer",
                "title_issuer_noise", "government_name", "not_a_name", "name_left", "title_place", "city_named", "scheme_title",
                "self_name", "signoff_date", "performance_year", "progress_year", "level_issuer", "level_self",
                "places"):
        spec["_" + key] = data.compile(spec[key])
    spec["_signer"] = data.compile(entities["persons"]["signer"])
    # A document number on a line of its own: the shape negatives.yaml keeps from being a fact.
    numbers = [n["pattern"] for n in data.load("lexicon/negatives.yaml")["protect"]
               if n["name"].startswith("document numbers")]
    spec["_doc_number"] = data.compile(numbers[0])
    return spec


def report_year(text: str) -> Optional[int]:
    """The year the report was written: its sign-off date, else the latest year in its head."""
    lex = lexicon()
    tail = list(lex["_signoff_date"].finditer(text[-lex["signoff_window"]:]))
    if tail:
        return int(tail[-1].group(1))
    head = [int(y) for y in YEAR.findall(text[:lex["report_year_head"]])]
    return max(head) if head else None


def level_char(text: str) -> str:
    """区 / 县 / 市 / 省: the level of the reporting government, from its name or how it calls itself."""
    lex = lexicon()
    m = lex["_level_issuer"].search(text[:lex["level_issuer_window"]])
    if m:
        return m.group(1)
    counts = Counter(lex["_level_self"].findall(text))
    return counts.most_common(1)[0][0] if counts else ""


def places(text: str) -> tuple:
    """Names the reporting government uses for itself (鹤岗市, 兴安区, 兴安), from its issuer line."""
    lex = lexicon()
    out = []
    for m in lex["_places"].finditer(text[:lex["places_window"]]):
        for g in m.groups():
            if g:
                out += [g, g[:-1]] if len(g) > 2 else [g]
    return tuple(dict.fromkeys(out))


def title(lines: list[str]) -> str:
    lex = lexicon()
    head = lines[:lex["head_lines"]]
    ti = next((i for i, ln in enumerate(head) if any(w in ln for w in lex["title_words"])
               and not lex["_title_excluded"].search(ln)), None)
    found = head[ti] if ti is not None else (lines[0] if lines else "")
    if ti and len(head[ti - 1]) <= lex["title_join_max"] and not lex["_title_not_joined"].search(head[ti - 1]) \
            and not lex["_file_header"].match(head[ti - 1]):
        found = head[ti - 1] + found             # a title broken over two lines
    return found


def performance_year(title_text: str) -> Optional[int]:
    """The year whose performance the report covers: the year before 履行教育职责, else the title's only year."""
    m = lexicon()["_performance_year"].search(title_text)
    if m:
        return int(m.group(1))
    years = {int(y) for y in YEAR.findall(title_text)}
    return years.pop() if len(years) == 1 else None


def government(name: str):
    """The match of government_name (groups province, city, county) when name is a government's name, else None."""
    lex = lexicon()
    if not name or lex["_not_a_name"].search(name):
        return None
    m = lex["_government_name"].fullmatch(name)
    return m if m and any(m.group(g) for g in ("province", "city", "county")) else None


def issuer(lines: list[str], title_text: str) -> str:
    lex = lexicon()
    for ln in lines[:lex["head_lines"]]:
        m = lex["_file_header"].match(ln)
        if m and government(m.group(1)):
            return m.group(1)
    for ln in reversed(lines[-lex["signoff_lines"]:]):
        m = lex["_government_line"].match(ln)
        if m and government(m.group(1)):
            return m.group(1)
    return _title_government(lex["_title_issuer_noise"].sub("\n", title_text))


def _title_government(title_text: str) -> str:
    """The longest government's name in the title that starts where a name can (after 关于, 根据 …, a line's
    start): never a sentence run into the title (…的自评报告根据省人民政府), nor a level (县级人民政府)."""
    lex = lexicon()
    names = [m.group(1) for m in lex["_title_issuer"].finditer(title_text, overlapped=True)
             if lex["_name_left"].search(title_text[:m.start(1)]) and government(m.group(1))]
    return max(names, key=len, default="")


def _named_city(text: str, addressee: str) -> str:
    """A city named by the addressee or by a scheme cited in the head (江州市教育局：, 《江州市…评价方案》)."""
    lex = lexicon()
    heads = [addressee] + [m.group(1) for m in lex["_scheme_title"].finditer(text[:lex["head_chars"]])]
    for h in heads:
        m = lex["_city_named"].match(h or "")
        if m and not lex["_not_a_name"].search(m.group("city")):
            return m.group("city")
    return ""


def _self_named(text: str, title_text: str) -> str:
    """The district a report names without its government: at the start of its title (南湖县2023年度履行…), else as
    the one that evaluates itself in the opening (…，方正县对照相关评价要素…)."""
    lex = lexicon()
    m = lex["_title_place"].match(lex["_title_issuer_noise"].sub("\n", title_text).lstrip())
    names = ([m.group("name")] if m else []) + [s.group("name") for s in lex["_self_name"].finditer(text[:lex["head_chars"]])]
    return next((n for n in names if government(n + lex["government_suffix"])), "")


def _region(issuer_name: str, text: str, addressee: str, title_text: str) -> tuple[str, str, str]:
    """Province, city and county: from the issuer's name, else the district the report names; a city named by
    the addressee or the scheme fills a county's city, and makes a lone city in the name a county-level one."""
    lex = lexicon()
    m = government(issuer_name) or government(_self_named(text, title_text) + lex["government_suffix"])
    province, city, county = (m.group("province") or "", m.group("city") or "", m.group("county") or "") if m \
        else ("", "", "")
    named = _named_city(text, addressee) if m else ""
    if named and not county and city and city != named:
        city, county = named, city             # 丰城市 reporting to 宜春市: a county-level city
    elif named and county and not city:
        city = named
    provinces = lex["_provinces"]
    if not province and m:
        province = next((p for p in provinces if issuer_name.startswith(p)), "")
    if not province:
        counts = Counter({p: text.count(p) for p in provinces if p in text})
        province = counts.most_common(1)[0][0] if counts else ""
    if city == province:
        city = ""
    return province, city, county


def document(text: str) -> Document:
    """The document facts of a report's normalized text."""
    lex = lexicon()
    lines = [ln.strip() for ln in text.split("\n") if ln.strip()]
    head = lines[:lex["head_lines"]]
    title_text = title(lines)
    issuer_name = issuer(lines, title_text)
    addressee = next((ln.rstrip("：:") for ln in head if ln.endswith(("：", ":")) and len(ln) <= lex["addressee_max"]
                      and not any(w in ln for w in lex["addressee_excluded"])), "")
    province, city, county = _region(issuer_name, text, addressee, title_text)
    number = next((m for m in (lex["_doc_number"].fullmatch(ln) for ln in head) if m), None)   # on a line of its own
    signer = lex["_signer"].search("\n".join(head))
    progress = lex["_progress_year"].search(title_text)
    return Document(
        title=title_text, issuer=issuer_name, province=province, city=city, county=county, addressee=addressee,
        doc_number=number.group().replace(" ", "") if number else "", signer=signer.group(1) if signer else "",
        years=tuple(sorted({int(y) for y in YEAR.findall(title_text)})),
        report_year=report_year(text), performance_year=performance_year(title_text),
        progress_year=int(progress.group(1)) if progress else None,
        level_char=level_char(text), places=places(text))


def _pages(src, part) -> Optional[int]:
    """Pages of paged input; a part counts the pages it spans."""
    if src.input_kind not in PAGED_KINDS:
        return None
    if part is None:
        return len(src.page_starts) + 1
    last = part.start + max(len(src.text[part.start:part.end].rstrip()) - 1, 0)   # the break before the next part is not its page
    return src.page_of(last) - src.page_of(part.start) + 1


def describe(result, n_entities: Optional[int] = None) -> dict:
    """The documents-table row of a processed report."""
    src, doc = result.source, result.document
    dates = [f for f in result.facts if f.kind == "date" and f.indicator in lexicon()["report_date_indicators"]]
    report_date = dates[0].value if dates else ""
    regions = result.seg.regions
    follows = result.seg.scheme_id is not None
    sections = sorted({r.section for r in regions if r.section is not None})
    items = sorted({r.item for r in regions if r.item is not None})
    scheme = result.seg.scheme
    all_items = sorted(scheme.item_section) if follows and not scheme.printed else []
    part = result.part
    return {
        "doc": src.doc, "path": src.path, "part": part.index if part else None,
        "part_start": part.start if part else None, "part_end": part.end if part else None,
        "input_kind": src.input_kind, "pages": _pages(src, part),
        "sha256": src.sha256, "encoding": src.encoding or None, "title": doc.title, "issuer": doc.issuer,
        "province": doc.province, "city": doc.city, "county": doc.county, "addressee": doc.addressee,
        "doc_number": doc.doc_number, "signer": doc.signer, "report_date": report_date,
        "performance_year": doc.performance_year, "progress_year": doc.progress_year,
        "years": ";".join(map(str, doc.years)),
        "scheme": result.seg.scheme_id, "scheme_name": scheme.name if follows else "",
        "scheme_why": result.seg.why, "sections_found": ";".join(map(str, sections)),
        "items_found": ";".join(map(str, items)),
        "items_missing": ";".join(str(i) for i in all_items if i not in items),
        "n_facts": len(result.facts), "n_entities": n_entities, "extractor_version": __version__,
    }
