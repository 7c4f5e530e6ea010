"""The package layout holds: no import cycles, formats never import each other, the core imports no format.

Imports are read from the source (every import statement, also those inside functions), so a lazy
import cannot hide a cycle.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parents[2] / "specpatch"
FORMATS = {"kops", "kubespray", "terraform", "kubebench"}
# Core and shared tools: they may import each other (never in a circle) but no format, command or reporter.
CORE = {"model", "engine", "options", "versions", "plan", "target", "benchmarks", "text"}
# A format may reach another only through that format's single entry point, and only these pairs.
ENTRY = "api"
ALLOWED_FORMAT_EDGES = {
    ("terraform", "kops"),  # kops_cluster resources are kops specs written in HCL: linted through the kops model
    ("kubebench", "kops"),  # bench-import joins live results to the spec it names
    ("kubebench", "kubespray"),
    ("kubebench", "terraform"),
}
MAX_LINES = 400


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PKG.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in PKG.rglob("*.py")}


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """Every specpatch module this one imports, resolved to a module (not a name inside one)."""
    tree = ast.parse(path.read_text())
    pkg = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = pkg
                for _ in range(node.level - 1):
                    base = base.rpartition(".")[0]
                mod = f"{base}.{node.module}" if node.module else base
            else:
                mod = node.module or ""
            targets = [f"{mod}.{a.name}" if f"{mod}.{a.name}" in known else mod for a in node.names]
        else:
            continue
        for t in targets:
            while t and t not in known:
                t = t.rpartition(".")[0]
            if t.startswith("specpatch.") and t != name:
                out.add(t)
    return out


def graph() -> dict[str, set[str]]:
    mods = modules()
    known = set(mods)
    return {name: imports_of(name, path, known) for name, path in mods.items()}


def room(mod: str) -> str:
    parts = mod.split(".")
    return parts[1] if len(parts) > 1 else ""


def find_cycle(g: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(n: str) -> list[str] | None:
        state[n] = 1
        stack.append(n)
        for m in sorted(g.get(n, ())):
            if m == "specpatch":
                continue
            if state.get(m) == 1:
                return stack[stack.index(m):] + [m]
            if m not in state:
                found = visit(m)
                if found:
                    return found
        stack.pop()
        state[n] = 2
        return None

    for n in sorted(g):
        if n not in state:
            found = visit(n)
            if found:
                return found
    return None


def test_graph_is_read():
    g = graph()
    assert "specpatch.kops.lint" in g and "specpatch.engine" in g["specpatch.kops.lint"]


def test_no_import_cycle():
    assert find_cycle(graph()) is None, " -> ".join(find_cycle(graph()) or [])


def test_cycle_finder_finds_one():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]


def test_core_imports_no_format_or_command():
    bad = [(m, d) for m, deps in graph().items() if room(m) in CORE for d in deps if room(d) not in CORE and d != "specpatch"]
    assert bad == []


def test_formats_reach_each_other_only_through_entry_points():
    bad = []
    for m, deps in graph().items():
        src = room(m)
        if src not in FORMATS:
            continue
        for d in deps:
            dst = room(d)
            if dst in FORMATS and dst != src:
                if (src, dst) not in ALLOWED_FORMAT_EDGES or d != f"specpatch.{dst}.{ENTRY}":
                    bad.append((m, d))
            elif dst not in CORE and dst not in FORMATS and d != "specpatch":
                bad.append((m, d))
    assert bad == []


@pytest.mark.parametrize("name", sorted(modules()))
def test_module_size(name):
    lines = modules()[name].read_text().count("\n")
    assert lines <= MAX_LINES + 40, f"{name} has {lines} lines; split it by what it holds"


@pytest.mark.parametrize("pkg", sorted(p.parent.name for p in PKG.glob("*/__init__.py")))
def test_each_room_says_what_it_holds(pkg):
    doc = ast.get_docstring(ast.parse((PKG / pkg / "__init__.py").read_text())) or ""
    assert len(doc) > 40 and "import" in doc.lower(), f"{pkg}/__init__.py must say what it holds and what it may import"
