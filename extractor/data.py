"""Load the data in patterns/ once per process."""
from __future__ import annotations

import functools
import threading
from pathlib import Path
from typing import Optional

import yaml

PATTERNS_DIR = Path(__file__).resolve().parent.parent / "patterns"
# libyaml's loader where PyYAML was built with it: the same data, four times faster than the pure-Python one.
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@functools.lru_cache(maxsize=None)
def load(relpath: str):
    path = PATTERNS_DIR / relpath
    with open(path, encoding="utf-8") as f:
        return yaml.load(f, Loader=LOADER)


def compile(pattern: str, flags: int = 0):
    """regex.compile(pattern, flags), the same pattern object, made without regex's parser where it can be.

    `regex` parses a pattern in Python, and the patterns of patterns/ took ~0.14 s of every run to parse (more than
    all the rest of starting up). What its parser makes is data (a list of opcodes and the groups' names), handed to
    the C engine as the pattern object is built; that data is kept, per regex and Python version, in
    ~/.cache/selfeval (as Python keeps bytecode in __pycache__), and the next run builds the object from it directly.
    Anything unexpected (another regex, a damaged or foreign file) and the pattern is compiled as usual."""
    import regex
    key = (pattern, int(flags))
    kept = _compiled_cache()
    args = kept["entries"].get(key)
    if args is not None:
        try:
            return kept["engine"].compile(*args)
        except Exception:  # noqa: BLE001 - the engine refused what was kept: compile it as usual
            kept["entries"].pop(key, None)
    made, args = _compile_keeping(pattern, flags)
    if args is not None:
        kept["entries"][key] = args
        kept["new"] = True
    return made if made is not None else regex.compile(pattern, flags)


_CACHE_FORMAT = 1
_ARG_TYPES = (str, int, list, dict, dict, dict, list, int, (tuple, list, type(None)), int, int)


@functools.lru_cache(maxsize=1)
def _compiled_cache() -> dict:
    """{"entries": {(pattern, flags): the engine's arguments}, "engine": regex's C module, "path", "read": how many
    came from the cache file (where it holds a valid one), "new": whether a pattern was added, and then the file is
    written again at exit."""
    import atexit
    import os
    kept = {"entries": {}, "engine": None, "path": None, "read": 0, "new": False}
    try:
        import regex
        from regex import _main
        kept["engine"] = _main._regex
        kept["path"] = _cache_path(regex)
    except (ImportError, AttributeError):
        return kept
    kept["entries"] = _read_cache(kept["path"])
    kept["read"] = len(kept["entries"])
    atexit.register(_write_cache, kept, os.getpid())
    return kept


def _cache_path(regex) -> Path:
    import os
    import sys
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    name = f"regex-{regex.__version__}-v{int(regex.DEFAULT_VERSION)}-{sys.implementation.cache_tag}.marshal"
    return Path(base) / "selfeval" / name


def _read_cache(path) -> dict:
    import hashlib
    import marshal
    try:
        fmt, digest, payload = marshal.loads(path.read_bytes())
        if fmt != _CACHE_FORMAT or hashlib.sha256(payload).hexdigest() != digest:
            return {}
        entries = marshal.loads(payload)
    except Exception:  # noqa: BLE001 - no file, or one that is not ours: start empty
        return {}
    if not isinstance(entries, dict) or not all(_valid(k, v) for k, v in entries.items()):
        return {}
    return entries


def _valid(key, args) -> bool:
    return (isinstance(key, tuple) and len(key) == 2 and isinstance(key[0], str) and isinstance(key[1], int)
            and isinstance(args, tuple) and len(args) == len(_ARG_TYPES)
            and all(isinstance(a, t) for a, t in zip(args, _ARG_TYPES)) and args[0] == key[0])


def _write_cache(kept: dict, pid: int):
    """At exit of the process that read the cache (not of a copy forked from it), when a pattern was added: the
    file again with this process's patterns added, written whole under another name and moved into place."""
    import hashlib
    import marshal
    import os
    import tempfile
    if not kept["new"] or os.getpid() != pid or kept["path"] is None:
        return
    path = kept["path"]
    try:
        entries = {**_read_cache(path), **kept["entries"]}
        payload = marshal.dumps(entries)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            f.write(marshal.dumps((_CACHE_FORMAT, hashlib.sha256(payload).hexdigest(), payload)))
        os.replace(tmp, path)
    except Exception:  # noqa: BLE001 - a cache that cannot be written is only slower next time
        return


_KEEPING = threading.Lock()


def _compile_keeping(pattern: str, flags: int):
    """(the compiled pattern, the arguments regex gave its engine to build it), or (None, None) where they cannot
    be taken (a pattern that depends on the locale, a regex made otherwise)."""
    import regex
    from regex import _main
    engine = _main.__dict__.get("_regex")
    if engine is None or not hasattr(engine, "compile") or int(flags) & int(regex.LOCALE):
        return None, None
    seen = []

    class Recorder:
        def __getattr__(self, name):
            return getattr(engine, name)

        def compile(self, *args):
            made = engine.compile(*args)
            if args and args[0] is pattern:
                seen.append((args, made))
            return made

    with _KEEPING:
        _main._regex = Recorder()
        try:
            regex.compile(pattern, flags, cache_pattern=False)
        except Exception:  # noqa: BLE001 - compiled again below, where its error is raised as usual
            return None, None
        finally:
            _main._regex = engine
    if len(seen) != 1 or _main._locale_sensitive.get((str, pattern)):
        return None, None
    args, made = seen[0]
    args = tuple(int(a) if isinstance(a, int) else a for a in args)       # regex's flags are an IntFlag: plain ints
    return (made, args) if all(isinstance(a, t) for a, t in zip(args, _ARG_TYPES)) and len(args) == len(_ARG_TYPES) \
        else (made, None)


def alternation(words) -> str:
    """Longest first, so 人次 wins over 人 and 平方公里 over 平方米."""
    import regex
    return "|".join(regex.escape(w) for w in sorted(set(words), key=lambda w: (-len(w), w)))


def max_width(pattern: str, flags: int):
    """The most characters `pattern` can match, or None when unbounded or not known (regex's own parser, which
    checks lookbehinds' widths the same way; a regex without it gives None, and the plain scan is used)."""
    import regex
    try:
        from regex import _regex_core as core
        source = core.Source(pattern)
        info = core.Info(flags, source.char_type, {})
        source.use_unicode_space(bool(flags & regex.V1))
        width = core._parse_pattern(source, info).max_width()
    except Exception:  # noqa: BLE001 - any change in regex's internals falls back to the plain scan
        return None
    return width if isinstance(width, int) and width < getattr(core, "UNLIMITED", 0) else None


class Shape:
    """A pattern that is a name (a lead of bounded width) and then a suffix (大陆南小学, 兴安区教育局, 鹤兴政呈〔2024〕79号),
    found as `finditer` of name+suffix finds it, but tried only where a suffix starts within the name's widest reach:
    a match at i has its suffix at some j in [i, i + width], so before the first suffix at or after the scan's
    position, nothing starts earlier than that suffix less the width. The plain scan tries the name's classes at
    every character, several times slower."""

    def __init__(self, name: str, suffix: str, flags: Optional[int] = None):
        import regex
        flags = regex.V1 if flags is None else flags
        self.pattern = compile(f"{name}{suffix}", flags)
        self.suffix = compile(suffix, flags)
        self.width = max_width(name, flags)

    def finditer(self, text: str):
        if self.width is None:
            yield from self.pattern.finditer(text)
            return
        pos, match, search, width = 0, self.pattern.match, self.suffix.search, self.width
        while True:
            s = search(text, pos)
            if s is None:
                return
            j = s.start()
            for i in range(max(pos, j - width), j + 1):
                m = match(text, i)
                if m is not None:
                    yield m
                    pos = m.end() if m.end() > i else i + 1
                    break
            else:
                pos = j + 1
