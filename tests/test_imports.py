"""The import contract: data flows one way, so imports only point down, and no module imports itself round a circle.

Layers, lowest first. A module may import its own layer or a lower one; within a layer the imports must not
form a circle. Imports inside functions count: a lazy import is still an edge.
"""
import ast
from pathlib import Path

from conftest import ROOT

PACKAGE = "extractor"
LAYERS = [
    ["extractor", "extractor.records", "extractor.data", "extractor.errors"],
    ["extractor.readers"],
    ["extractor.text"],
    ["extractor.pipeline"],
    ["extractor.checks"],
    ["extractor.outputs"],
    ["extractor.batch"],
    ["extractor.server"],          # the review server: reads what batch wrote, records the inspectors' decisions
]


def layer_of(module: str) -> int:
    best, depth = None, -1
    for i, prefixes in enumerate(LAYERS):
        for p in prefixes:
            if (module == p or module.startswith(p + ".")) and p.count(".") > depth:
                best, depth = i, p.count(".")
    assert best is not None, f"{module} is in no layer of the import contract"
    return best


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(module: str, is_package: bool, tree: ast.AST, modules: set) -> set:
    """Modules of the package this module imports, anywhere in its body."""
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.split(".")[0] == PACKAGE}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".") if is_package else module.split(".")[:-1]
                base = base[:len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != PACKAGE:
                continue
            for a in node.names:
                sub = f"{target}.{a.name}"
                out.add(sub if sub in modules else target)
    return {m for m in out if m in modules and m != module}


def graph(root: Path) -> dict:
    files = {module_name(p, root): p for p in (root / PACKAGE).rglob("*.py")}
    return {m: imports_of(m, p.name == "__init__.py", ast.parse(p.read_text(encoding="utf-8")), set(files))
            for m, p in files.items()}


def violations(edges: dict) -> list[str]:
    bad = [f"{m} imports {t}, which is above it" for m, ts in edges.items() for t in ts if layer_of(t) > layer_of(m)]
    # circles: depth-first search, reporting each back edge once
    state, stack = {}, []

    def visit(m):
        state[m] = "open"
        stack.append(m)
        for t in sorted(edges.get(m, ())):
            if state.get(t) == "open":
                bad.append("circle: " + " -> ".join(stack[stack.index(t):] + [t]))
            elif t not in state:
                visit(t)
        stack.pop()
        state[m] = "done"

    for m in sorted(edges):
        if m not in state:
            visit(m)
    return bad


def test_imports_point_down_and_never_round_a_circle():
    edges = graph(ROOT)
    assert "extractor.pipeline" in edges and edges["extractor.pipeline"], "the scan found no imports"
    assert violations(edges) == []


def test_outputs_never_import_text():
    """Outputs only format: what they show of a report comes from the pipeline's records and the checks."""
    edges = graph(ROOT)
    assert [(m, t) for m, ts in edges.items() if m.startswith("extractor.outputs")
            for t in ts if t.startswith(("extractor.text", "extractor.readers"))] == []


def test_the_contract_catches_an_upward_import_and_a_circle():
    upward = {"extractor.readers.pdf": {"extractor.pipeline"}, "extractor.pipeline": set()}
    assert violations(upward) == ["extractor.readers.pdf imports extractor.pipeline, which is above it"]
    circle = {"extractor.text.a": {"extractor.text.b"}, "extractor.text.b": {"extractor.text.a"}}
    assert violations(circle) == ["circle: extractor.text.a -> extractor.text.b -> extractor.text.a"]


def test_relative_and_lazy_imports_are_resolved(tmp_path):
    pkg = tmp_path / PACKAGE
    (pkg / "readers").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "pipeline.py").write_text("")
    (pkg / "records.py").write_text("")
    (pkg / "readers" / "__init__.py").write_text("")
    (pkg / "readers" / "pdf.py").write_text("from ..records import Source\n"
                                            "def read():\n    from .. import pipeline\n")
    edges = graph(tmp_path)
    assert edges["extractor.readers.pdf"] == {"extractor.records", "extractor.pipeline"}
    assert violations(edges) == ["extractor.readers.pdf imports extractor.pipeline, which is above it"]
