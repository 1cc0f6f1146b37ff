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


def test_every_key_the_code_asks_for_exists():
    used = set()
    for path in [ROOT / "cli.py", *(ROOT / "extractor").rglob("*.py")]:
        used |= set(re.findall(r"""\bt\(\s*f?["']([a-z_]+\.[a-z_.{}]+)["']""", path.read_text(encoding="utf-8")))
    assert len(used) > 40
    keys = set(i18n.catalog("zh"))
    for key in used:
        if "{" in key:                     # t(f"cmd.{cmd}.ocr"): some key of that shape exists for each command
            rx = re.compile(re.sub(r"\\\{\w+\\\}", r"[a-z_]+", re.escape(key)) + r"\Z")
            assert any(rx.match(k) for k in keys), key
        elif key.endswith(("_", ".")):     # t("site.group_" + g): a family of keys
            assert any(k.startswith(key) for k in keys), key
        else:
            assert key in keys, key


def test_stored_english_causes_read_in_chinese():
    assert i18n.cause("empty file", "zh") == "空文件"
    assert i18n.cause("file too large for a report (21 MB; limit 20 MB)", "zh") == "文件太大，不像是一份报告（21 MB，上限 20 MB）"
    assert i18n.cause("unsupported file type '.doc': save it as .docx in Word or WPS", "zh") == \
        "不支持的文件类型“.doc”：请用 Word 或 WPS 另存为 .docx"
    assert i18n.cause("something nobody wrote down", "zh") == "something nobody wrote down"
    assert i18n.cause("empty file", "en") == "empty file"


@pytest.mark.parametrize("key", sorted(k for k in i18n.catalog("en") if k.startswith("errors.")))
def test_every_stored_cause_comes_back_in_chinese(key):
    """Each English cause, filled with sample words, reads as its Chinese template filled with the same words."""
    import string
    names = {f for _, f, _, _ in string.Formatter().parse(i18n.catalog("en")[key]) if f}
    sample = {n: f"<{n}{i}>" for i, n in enumerate(sorted(names))}
    if key == "errors.unsupported_hint":
        sample["suffix"] = ".xyz"           # no hint of its own: the English hint stays
    english = i18n.catalog("en")[key].format(**sample)
    assert i18n.cause(english, "zh") == i18n.catalog("zh")[key].format(**sample)


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
