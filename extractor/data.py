"""Load the data in patterns/ once per process."""
from __future__ import annotations

import functools
import threading
from pathlib import Path
from typing import Optional

PATTERNS_DIR = Path(__file__).resolve().parent.parent / "patterns"


def yaml():
    """PyYAML, imported when a file is first parsed: a run whose patterns/ files are all kept in the cache folder
    (load) never needs it."""
    import yaml
    return yaml


def loader():
    """libyaml's loader where PyYAML was built with it: the same data, four times faster than the pure-Python one."""
    y = yaml()
    return getattr(y, "CSafeLoader", y.SafeLoader)


def __getattr__(name: str):
    """data.LOADER, the loader above, made when first asked for (the tests read their YAML with it)."""
    if name == "LOADER":
        return loader()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@functools.lru_cache(maxsize=None)
def load(relpath: str):
    """The YAML file patterns/relpath, parsed. What an earlier run parsed of a file not changed since (its
    modification time and size, as Python's bytecode cache tells a changed source) is taken from the cache folder
    instead: libyaml reads the lexicons in ~20 ms of every run, marshal in under 1."""
    import marshal
    path = PATTERNS_DIR / relpath
    kept = _kept("data")
    try:
        st = path.stat()
        stamp = [st.st_mtime_ns, st.st_size]
    except OSError:
        stamp = None
    hit = kept.get(str(path)) if stamp else None
    if hit is not None and hit[0] == stamp:
        try:
            return marshal.loads(hit[1])
        except Exception:  # noqa: BLE001 - not what was kept: read the file
            kept.drop(str(path))
    with open(path, encoding="utf-8") as f:
        spec = yaml().load(f, Loader=loader())
    try:
        kept_as = marshal.dumps(spec)         # as it is now: a caller that changes what it was given changes no other's
    except ValueError:                        # a value marshal does not keep (a date): read from the file each time
        return spec
    if stamp:
        kept.put(str(path), (stamp, kept_as))
    return spec


def compile(pattern: str, flags: int = 0):
    """regex.compile(pattern, flags), the same pattern object, made without regex's parser where it can be.

    `regex` parses a pattern in Python, and the patterns of patterns/ took ~0.14 s of every run to parse (more than
    all the rest of starting up). What its parser makes is data (a list of opcodes and the groups' names), handed to
    the C engine as the pattern object is built; that data is kept, per regex and Python version, in the cache folder
    (as Python keeps bytecode in __pycache__), and the next run builds the object from it directly. Anything
    unexpected (another regex, a damaged or foreign file) and the pattern is compiled as usual."""
    import regex
    key = (pattern, int(flags))
    kept = _kept("regex")
    args = kept.get(key)
    engine = _engine()
    if args is not None and engine is not None:
        try:
            return engine.compile(*args)
        except Exception:  # noqa: BLE001 - the engine refused what was kept: compile it as usual
            kept.drop(key)
    made, args = _compile_keeping(pattern, flags)
    if args is not None:
        kept.put(key, args)
    return made if made is not None else regex.compile(pattern, flags)


def _engine():
    """regex's C module, which builds a pattern object from what its parser made; None where it cannot be reached."""
    try:
        from regex import _main
        return _main._regex
    except (ImportError, AttributeError):
        return None


_ARG_TYPES = (str, int, list, dict, dict, dict, list, int, (tuple, list, type(None)), int, int)


def _valid_regex(key, args) -> bool:
    return (isinstance(key, tuple) and len(key) == 2 and isinstance(key[0], str) and isinstance(key[1], int)
            and isinstance(args, tuple) and len(args) == len(_ARG_TYPES)
            and all(isinstance(a, t) for a, t in zip(args, _ARG_TYPES)) and args[0] == key[0])


def _valid_data(key, value) -> bool:
    return (isinstance(key, str) and isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], list)
            and len(value[0]) == 2 and all(isinstance(x, int) for x in value[0]) and isinstance(value[1], bytes))


@functools.lru_cache(maxsize=None)
def _kept(what: str) -> "Kept":
    import sys
    tag = sys.implementation.cache_tag                   # marshal's format is the interpreter's
    if what == "regex":
        try:
            import regex
            return Kept(f"regex-{regex.__version__}-v{int(regex.DEFAULT_VERSION)}-{tag}.marshal", _valid_regex)
        except (ImportError, AttributeError, TypeError, ValueError):
            return Kept(None, _valid_regex)
    # one file per patterns/ folder (its entries are keyed by the files' paths): a run reads and checks what its own
    # checkout or installation keeps, not what every other copy of selfeval on the machine kept beside it
    import hashlib
    where = hashlib.sha256(str(PATTERNS_DIR).encode("utf-8")).hexdigest()[:12]
    return Kept(f"data-{where}-{tag}.marshal", _valid_data)


def cache_dir() -> Path:
    """~/.cache/selfeval (or $XDG_CACHE_HOME/selfeval): jieba's dictionary, the last error's log, what a run keeps."""
    import os
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "selfeval"


class Kept:
    """What runs keep for the runs after them, in one file of the cache folder: {key: value} of plain data (marshal),
    with a digest of it. A file that is missing, damaged or not ours is not read; at the exit of the process that
    read it (not a copy forked from it), when something was added, the file is written again, whole, under another
    name and moved into place, with what it holds now and this process's entries (only those this process used,
    when that would pass LIMIT: what changed patterns left behind goes)."""

    FORMAT = 1
    LIMIT = 5000

    def __init__(self, name: Optional[str], valid):
        import atexit
        import os
        self.path = cache_dir() / name if name else None
        self.valid = valid
        self.entries = self._read()
        self.read = len(self.entries)
        self.used, self.new = set(), False
        if self.path is not None:
            atexit.register(self._write, os.getpid())

    def get(self, key):
        value = self.entries.get(key)
        if value is not None:
            self.used.add(key)
        return value

    def put(self, key, value):
        self.entries[key] = value
        self.used.add(key)
        self.new = True

    def drop(self, key):
        self.entries.pop(key, None)

    def _read(self) -> dict:
        import hashlib
        import marshal
        if self.path is None:
            return {}
        try:
            fmt, digest, payload = marshal.loads(self.path.read_bytes())
            if fmt != self.FORMAT or hashlib.sha256(payload).hexdigest() != digest:
                return {}
            entries = marshal.loads(payload)
        except Exception:  # noqa: BLE001 - no file, or one that is not ours: start empty
            return {}
        if not isinstance(entries, dict) or not all(self.valid(k, v) for k, v in entries.items()):
            return {}
        return entries

    def _write(self, pid: int):
        import hashlib
        import marshal
        import os
        import tempfile
        if not self.new or os.getpid() != pid:
            return
        try:
            entries = {**self._read(), **self.entries}
            if len(entries) > self.LIMIT:
                entries = {k: v for k, v in self.entries.items() if k in self.used}
            payload = marshal.dumps(entries)
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=self.path.name, suffix=".tmp")
            with os.fdopen(fd, "wb") as f:
                f.write(marshal.dumps((self.FORMAT, hashlib.sha256(payload).hexdigest(), payload)))
            os.replace(tmp, self.path)
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
