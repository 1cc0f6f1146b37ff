"""Chinese lives in patterns/: a Han character in a string literal of extractor/ fails, outside the allowlist.

Docstrings and comments may quote Chinese examples; code may not spell words, messages or patterns.
"""
import ast

import regex

from conftest import ROOT

HAN = regex.compile(r"\p{Han}")
# file → why it may still hold Han literals. Keep this short; every entry is a debt.
ALLOWLIST = {
    # empty: the numeral glue of extract.py moved to patterns/lexicon/units.yaml (numerals, money_unit)
}


def han_literals(source: str) -> list[tuple[int, str]]:
    tree = ast.parse(source)
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                docstrings.add(id(first.value))
    return [(n.lineno, n.value) for n in ast.walk(tree)
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docstrings
            and HAN.search(n.value)]


def test_no_han_string_literal_in_code_outside_the_allowlist():
    found = []
    for path in sorted((ROOT / "extractor").rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if rel in ALLOWLIST:
            continue
        found += [f"{rel}:{line}: {value[:40]!r}" for line, value in han_literals(path.read_text(encoding="utf-8"))]
    assert found == [], "Chinese belongs in patterns/:\n" + "\n".join(found)


def test_the_allowlist_is_not_stale():
    for rel in ALLOWLIST:
        assert han_literals((ROOT / rel).read_text(encoding="utf-8")), f"{rel} needs no allowlist entry any more"


def test_the_check_sees_literals_f_strings_and_not_docstrings():
    src = '"""模块说明"""\nX = "教育"\ndef f(a):\n    """函数说明"""\n    return f"{a}所"  # 注释\n'
    assert [line for line, _ in han_literals(src)] == [2, 5]
