"""What a run keeps for the next in the cache folder (data.Kept): patterns built from what regex's parser made in an
earlier run (data.compile) are the pattern objects regex.compile makes, a data file (data.load) is read again once it
changes, and a cache file that is damaged or foreign is never used."""
import json
import os
import subprocess
import sys

from conftest import ROOT, SEED

# Compiles a few patterns of patterns/ and some of its own, and prints what each finds in the seed.
PROBE = r"""
import json, sys
sys.path.insert(0, sys.argv[1])
import regex
from extractor import data
from extractor.text import extract
text = open(sys.argv[2], encoding="utf-8").read()
pats = [(r[2].pattern, int(r[2].flags) & ~int(regex.UNICODE)) for r in extract.rules()[:12]]
pats += [(r"(?P<n>\d+)(?P<u>万元|元)", 0), (r"\p{Han}{2,4}(?=小学)", regex.V1), (r"(?i)abc", 0)]
out = []
for p, f in pats:
    a, b = data.compile(p, f), regex.compile(p, f)
    assert (a.pattern, a.flags, a.groupindex, a.groups) == (b.pattern, b.flags, b.groupindex, b.groups), p
    out.append([[m.span(), m.groupdict()] for m in a.finditer(text)])
    assert out[-1] == [[m.span(), m.groupdict()] for m in b.finditer(text)], p
print(json.dumps({"kept": data._kept("regex").read, "found": out}))
"""


def probe(cache_home):
    r = subprocess.run([sys.executable, "-c", PROBE, str(ROOT), str(SEED)], capture_output=True, text=True, timeout=300,
                       env={**os.environ, "XDG_CACHE_HOME": str(cache_home)})
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def cache_files(cache_home):
    return sorted((cache_home / "selfeval").glob("regex-*.marshal"))


def test_a_pattern_built_from_the_cache_is_the_one_regex_compiles(tmp_path):
    first = probe(tmp_path)                     # nothing kept yet: compiled, and kept at exit
    assert first["kept"] == 0
    [kept] = cache_files(tmp_path)
    second = probe(tmp_path)                    # built from what was kept
    assert second["kept"] >= 15 and second["found"] == first["found"]
    assert sum(len(f) for f in second["found"]) > 50
    assert cache_files(tmp_path) == [kept]


def test_a_damaged_or_foreign_cache_file_is_not_used(tmp_path):
    first = probe(tmp_path)
    [kept] = cache_files(tmp_path)
    good = kept.read_bytes()
    for bad in (good[:len(good) // 2], good[:-40] + b"\0" * 40, b"not marshal at all", b""):
        kept.write_bytes(bad)
        again = probe(tmp_path)
        assert again["kept"] == 0 and again["found"] == first["found"]
        assert probe(tmp_path)["kept"] >= 15       # written again whole at the exit of the run before


# Loads patterns/-like files of a folder of its own through data.load, changes what it was given, prints what it read.
DATA_PROBE = r"""
import json, sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from extractor import data
data.PATTERNS_DIR = Path(sys.argv[2])
got = data.load("lexicon/words.yaml")
print(json.dumps({"kept": data._kept("data").read, "got": got}, ensure_ascii=False))
got["words"].append("changed by a caller")       # must not reach the next run
"""


def data_probe(cache_home, patterns):
    r = subprocess.run([sys.executable, "-c", DATA_PROBE, str(ROOT), str(patterns)], capture_output=True, text=True,
                       timeout=300, env={**os.environ, "XDG_CACHE_HOME": str(cache_home)})
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def test_a_data_file_is_read_again_once_it_changes_and_a_callers_changes_are_not_kept(tmp_path):
    patterns = tmp_path / "patterns"
    (patterns / "lexicon").mkdir(parents=True)
    words = patterns / "lexicon" / "words.yaml"
    words.write_text("words: [学校, 教师]\nlimit: 3\n", encoding="utf-8")
    first = data_probe(tmp_path, patterns)
    assert first == {"kept": 0, "got": {"words": ["学校", "教师"], "limit": 3}}
    again = data_probe(tmp_path, patterns)
    assert again["kept"] == 1 and again["got"] == first["got"]          # from the cache, as it was read
    words.write_text("words: [幼儿园]\nlimit: 30\n", encoding="utf-8")  # another size: changed
    assert data_probe(tmp_path, patterns)["got"] == {"words": ["幼儿园"], "limit": 30}
    assert data_probe(tmp_path, patterns)["got"] == {"words": ["幼儿园"], "limit": 30}
