"""What a person reads is Chinese by default and English with --lang en; the catalog is complete."""
import os
import re
import subprocess
import sys

import pytest

from conftest import ROOT
from extractor import i18n

CJK = re.compile(r"[\u4e00-\u9fff]")
ENGLISH_WORDS = ("Usage", "Options", "Show this message", "no such", "empty file", "Missing", "must be",
                 "not a folder", "rules file", "default:", "required", "Example")


def run(*args, env=None):
    return subprocess.run([sys.executable, str(ROOT / "cli.py"), *map(str, args)], capture_output=True, text=True,
                          timeout=120, env={**os.environ, **(env or {})})


def test_every_key_is_in_both_languages_with_the_same_placeholders():
    zh, en = i18n.catalog("zh"), i18n.catalog("en")
    assert set(zh) == set(en)
    for k in zh:
        assert zh[k] not in ("", None) and en[k] not in ("", None), k
        assert set(re.findall(r"\{(\w*)\}", str(zh[k]))) == set(re.findall(r"\{(\w*)\}", str(en[k]))), k
        assert not CJK.search(str(en[k])) or k in ("app.help",), k          # English is English


# How code and templates name catalog keys: a literal key, or a family (a section and some code, a prefix).
_CALLS = [  # (regex over source, how a match becomes a key)
    (r"""\b(?:t|i18n\.t|said|render|i18n\.said)\(\s*["']([a-z_]+\.[a-z_.]+)["']""", "{}"),
    (r"""\bsay\(\s*["']([a-z_]+)["']""", None),                   # readers: errors.x; batch: batch.x
    (r"""\bstored\(\s*["']([a-z_]+)["']""", "errors.{}"),
    (r"""\bpages\(\s*["']([a-z_]+)["']""", "errors.{}"),
    (r"""\bmsg\(\s*["']([a-z_.]+)["']""", "findings.{}"),
    (r"""\bw\(\s*["']([a-z_.]+)["'](?:,\s*["']([a-z_]+)["'])?""", "memo"),
    (r"""\bwords\(\s*["']([a-z_.]+)["'](?:,\s*["']([a-z_]+)["'])?""", "memo"),
]
_FAMILIES = [  # a section named with code: every key under it is in use
    r"""\bword\(\s*["']([a-z_]+)["']""", r"""\bt\(\s*f["']([a-z_.]+)\{""", r"""\bsaid\(\s*f["']([a-z_.]+)\{""",
    r"""\bt\(\s*["']([a-z_.]+_)["']\s*\+""", r"""\bcatalog\([^)]*\)\.get\(\s*f["']([a-z_.]+)\{""",
    r"""\bcatalog\([^)]*\)\[\s*["']([a-z_.]+)["']""", r"""\bmsg\(\s*f["']([a-z_.]+)\{""",
    r"""\btemplate_of\([^,]+,\s*["']([a-z_]+)["']""",                     # every template of the section
]


def _sources():
    for path in [ROOT / "cli.py", *(ROOT / "extractor").rglob("*.py"), *(ROOT / "extractor").rglob("*.html")]:
        yield path, path.read_text(encoding="utf-8")


_LITERAL = re.compile(r"""["']([a-z_][a-z_]*\.[A-Za-z0-9_.<>=-]+)["']""")
_PREFIX = re.compile(r"""f["']([a-z_][a-z_.]*)\{""")        # f"cmd.{cmd}.ocr", f"status.{code}"


def _used():
    """Keys the code and templates name (any literal that is a key, and the short names of say, msg, w …), and the
    families (prefixes) they name with code (word("status", code), f"verdict.{v}", "site.group_" + g)."""
    catalog = set(i18n.catalog("zh"))
    keys, prefixes = set(), set()
    for path, text in _sources():
        say_section = "batch" if "batch" in path.parts else "errors"
        keys |= {k for k in _LITERAL.findall(text) if k in catalog}
        for rx, form in _CALLS:
            for m in re.finditer(rx, text):
                if form is None:
                    keys.add(f"{say_section}.{m.group(1)}")
                elif form == "memo":
                    keys.add(f"{m.group(2) or 'memo'}.{m.group(1)}")
                else:
                    keys.add(form.format(m.group(1)))
        for rx in _FAMILIES:
            prefixes |= {m.group(1).rstrip(".") for m in re.finditer(rx, text)}
        prefixes |= {p.rstrip(".") for p in _PREFIX.findall(text) if "." in p or p.endswith("_")}
        prefixes |= {f"memo.{p.rstrip('.')}" for p in re.findall(r"""\bw\(\s*f["']([a-z_.]+)\{""", text)}
        if "memo" in path.parts:             # the memo names its words by their short names, its section given apart
            words = set(re.findall(r"""["']([a-z_]+)["']""", text))
            keys |= {f"{section}.{w}" for section in ("memo", "memo_summary") for w in words} & catalog
    from extractor.outputs.tables import WORDS          # the sections of codes shown in words, by table column
    prefixes |= {section for columns in WORDS.values() for section in columns.values()}
    return keys, prefixes

def test_every_key_the_code_asks_for_exists():
    keys, _ = _used()
    assert len(keys) > 200
    catalog = set(i18n.catalog("zh"))
    missing = sorted(k for k in keys if k not in catalog and not any(c.startswith(k + ".") for c in catalog)
                     and not k.endswith((".html", "_")))            # a template's name; a family's prefix
    assert missing == []


def test_every_key_of_the_catalogs_is_used():
    """No dead words: each key is named by code or a template, or belongs to a family code names (status.pass).
    The findings' keys have their own test (tests/checks/test_standards.py)."""
    keys, prefixes = _used()
    dead = sorted(k for k in i18n.catalog("zh") if k not in keys and not any(k.startswith(p) for p in prefixes)
                  and not any(k.startswith(u + ".") for u in keys) and not k.startswith("findings."))
    assert dead == []


def test_a_stored_message_reads_in_either_language_and_survives_a_worker():
    import json
    import pickle
    m = i18n.said("errors.unsupported_hint", suffix=".doc", hint=i18n.said("hints..doc"))
    assert str(m) == "unsupported file type '.doc': save it as .docx in Word or WPS"      # English for logs and SQL
    assert i18n.cause(m, "zh") == "不支持的文件类型“.doc”：请用 Word 或 WPS 另存为 .docx"
    back = pickle.loads(pickle.dumps(m))
    assert (back.key, i18n.cause(back, "zh")) == (m.key, i18n.cause(m, "zh"))
    key, params = i18n.stored(m)
    assert json.loads(params)["hint"] == {"key": "hints..doc", "params": {}}
    assert i18n.shown(key, params, str(m), "zh") == i18n.cause(m, "zh")
    assert i18n.shown("", "", "as written", "zh") == "as written"       # text kept before messages had keys


def test_a_held_language_stays_until_released(monkeypatch):
    monkeypatch.setenv("SELFEVAL_LANG", "en")
    with i18n.held():
        monkeypatch.setenv("SELFEVAL_LANG", "zh")
        assert i18n.lang() == "en" and i18n.t("site.colon") == i18n.catalog("en")["site.colon"]
    assert i18n.lang() == "zh"                  # the environment again, as before it was held


def test_an_input_error_refuses_prose():
    from extractor.errors import InputError
    with pytest.raises(TypeError):
        InputError("empty", "x.txt", "empty file")
    assert InputError("empty", "x.txt", i18n.said("errors.empty")).cause.key == "errors.empty"


@pytest.mark.parametrize("key", sorted(k for k in i18n.catalog("en") if k.startswith("errors.")))
def test_every_stored_cause_comes_back_in_chinese(key):
    """Each cause, filled with sample words and stored as key and parameters, reads as its Chinese template."""
    import string
    names = {f for _, f, _, _ in string.Formatter().parse(i18n.catalog("en")[key]) if f}
    sample = {n: f"<{n}{i}>" for i, n in enumerate(sorted(names))}
    m = i18n.said(key, **sample)
    assert i18n.shown(*i18n.stored(m), str(m), "zh") == i18n.catalog("zh")[key].format(**sample)


@pytest.fixture(scope="module")
def bad(tmp_path_factory):
    d = tmp_path_factory.mktemp("bad")
    (d / "empty.txt").write_bytes(b"")
    (d / "rules.yaml").write_text("rules:\n  - id: q\n    kind: threshold\n", encoding="utf-8")
    (d / "afile.txt").write_text("x", encoding="utf-8")
    return d


def cases(d):
    return {
        "extract": ["extract", d / "missing.md"],
        "check": ["check", d / "empty.txt"],
        "batch": ["batch", d / "afile.txt", "-o", d / "out"],
        "rules": ["rules", "--rules", d / "rules.yaml"],
        "usage": ["extract", "--bogus", d / "empty.txt"],
        "choice": ["batch", d, "-o", d / "out", "--ocr", "sometimes"],
    }


HELP = [[], ["extract"], ["check"], ["batch"], ["rules"]]


@pytest.mark.parametrize("how", ["default", "--lang en", "SELFEVAL_LANG=en", "--lang=zh after SELFEVAL_LANG=en"])
def test_every_command_reads_in_the_chosen_language(bad, how):
    english = how in ("--lang en", "SELFEVAL_LANG=en")
    env = {"SELFEVAL_LANG": "en"} if "SELFEVAL_LANG=en" in how else {"SELFEVAL_LANG": ""}
    extra = ["--lang", "en"] if how == "--lang en" else (["--lang=zh"] if how.startswith("--lang=zh") else [])
    for name, args in cases(bad).items():
        r = run(*args, *extra, env=env)
        assert r.returncode != 0 and "Traceback" not in r.stderr, (name, r.stderr)
        lines = [l for l in r.stderr.splitlines() if l.strip()]
        assert len(lines) == 1, (name, r.stderr)
        said = lines[0]
        if english:
            assert not CJK.search(said.replace(str(bad), "")), (name, said)
        else:
            assert CJK.search(said.replace(str(bad), "")), (name, said)
            assert not any(w in said for w in ENGLISH_WORDS), (name, said)
    for args in HELP:
        r = run(*args, "--help", *extra, env=env)
        assert r.returncode == 0, (args, r.stderr)
        text = r.stdout
        if english:
            assert "Usage: selfeval" in text and "Show this message and exit." in text and "Example:" in text
            assert not CJK.search(text.replace("履行教育职责自评报告", "")), args
        else:
            assert "用法： selfeval" in text and "显示本帮助并退出。" in text and "示例：" in text
            assert not any(w in text for w in ENGLISH_WORDS), (args, text)


def test_help_lists_choices_and_defaults_as_they_behave():
    r = run("batch", "-h")
    assert "auto|always|never" in r.stdout and "默认：0" not in r.stdout and "每个 CPU 核一个" in r.stdout
    r = run("rules", "-h", "--lang", "en")
    assert "table|csv|json" in r.stdout and "<list[Path]>" not in r.stdout


def test_every_rule_kind_has_a_word_in_both_languages():
    """`selfeval rules`, the workbook and the memo name a rule's kind in words: a kind without them shows its code."""
    from extractor.checks.loading import KINDS
    for language in ("zh", "en"):
        assert sorted(k for k in KINDS if f"kind.{k}" not in i18n.catalog(language)) == [], language
