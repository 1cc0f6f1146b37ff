"""The evaluation schemes a report may follow: every file in patterns/schemes/ (or a user's, --scheme), as
records. Which one a report follows is segment's to decide (segment.choose); this module only loads them.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import regex

from .. import data
from ..errors import InputError
from ..i18n import said


@dataclass(frozen=True)
class Scheme:
    id: str
    name: str
    shape: dict
    sections: tuple      # of dicts
    min_sections: int
    min_items: int
    governments: tuple = ()   # the levels of government the scheme evaluates (empty: any)
    cites: tuple = ()         # patterns of the words a report cites it by (its title, its 文号)
    printed: bool = False     # read off the report's own headings (points or codes): nothing is asked of it
    year: int = 0             # the year the scheme is for; a report cites the year's scheme
    items_asked: bool = True  # completeness asks for each item (False: for the sections only)
    report_sections: bool = False  # its first level is the report's own grouping: a section is numbered as printed
    cites_needed: bool = False  # followed only where a report cites it or declares its shape, never by topics alone

    @functools.cached_property
    def item_section(self) -> dict:
        return {it["number"]: s["number"] for s in self.sections for it in s.get("items", [])}

    @functools.cached_property
    def cite_patterns(self) -> tuple:
        return tuple(data.compile(c) for c in self.cites)

    def code(self, section, item=None) -> str:
        """The section's or item's code as the scheme prints it (B2, 3.1, 一); its number where it prints none."""
        for s in self.sections:
            if s["number"] != section:
                continue
            if item is None:
                return str(s.get("code", section))
            for it in s.get("items", []):
                if it["number"] == item:
                    return str(it.get("code", item))
        return "" if section is None else str(item if item is not None else section)


def from_spec(spec: dict, where: str) -> Scheme:
    """A scheme record from a file's YAML; an InputError naming the file where it is not one."""
    try:
        sections = tuple(spec["sections"])
        for s in sections:
            int(s["number"]), s["title"]
            for it in s.get("items", []):
                int(it["number"]), it["title"]
        return Scheme(id=str(spec.get("id", Path(where).stem)), name=str(spec.get("name", "")),
                      shape=dict(spec.get("shape") or {}), sections=sections,
                      min_sections=int(spec.get("min_sections_matched", 3)),
                      min_items=int(spec.get("min_items_matched", 4)),
                      governments=tuple(spec.get("governments") or ()),
                      cites=tuple(spec.get("cites") or ()), year=int(spec.get("year") or 0),
                      items_asked=bool(spec.get("items_asked", True)),
                      cites_needed=bool(spec.get("cites_needed", False)),
                      report_sections=bool(spec.get("report_sections", False)))
    except (KeyError, TypeError, ValueError, regex.error) as e:
        raise InputError("invalid-config", where, said("errors.scheme_bad", detail=str(e))) from e


@functools.lru_cache(maxsize=1)
def builtin() -> tuple:
    """Every scheme in patterns/schemes/, in file-name order."""
    folder = data.PATTERNS_DIR / "schemes"
    return tuple(from_spec(data.load(f"schemes/{p.name}"), f"patterns/schemes/{p.name}")
                 for p in sorted(folder.glob("*.yaml")))


def by_id(scheme_id: str):
    return next((s for s in builtin() if s.id == scheme_id), None)


def load_scheme(path=None):
    """The scheme a user names (--scheme: a file, or a built-in scheme's id); None, the default, lets each report's
    own text choose among the built-in ones (segment.choose)."""
    if path is None or str(path) == "":
        return None
    if not Path(path).exists() and by_id(str(path)):
        return by_id(str(path))
    where = str(path)
    try:
        spec = data.yaml().safe_load(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError as e:
        raise InputError("missing", path, said("errors.scheme_missing")) from e
    except data.yaml().YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        detail = str(getattr(e, "problem", None) or e)
        raise InputError("invalid-config", path, said("errors.yaml_line", line=mark.line + 1, detail=detail) if mark
                         else said("errors.yaml", detail=detail)) from e
    if not isinstance(spec, dict):
        raise InputError("invalid-config", where, said("errors.scheme_bad", detail="not a mapping"))
    return from_spec(spec, where)
