"""No import cycle inside ``unified_accounting_sage``, not even one made of type-only imports.

The walk reads every ``import`` and ``from ... import`` of every module, at any depth
(functions, ``if TYPE_CHECKING:`` blocks) and relative ones too, and looks for a strongly
connected group of modules.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from pathlib import Path

import unified_accounting_sage

PACKAGE_ROOT = Path(unified_accounting_sage.__file__).parent


def _modules(root: Path) -> dict[str, tuple[Path, bool]]:
    """Dotted module name -> (file, whether it is a package's ``__init__``)."""
    found: dict[str, tuple[Path, bool]] = {}
    for file in root.rglob("*.py"):
        parts = list(file.relative_to(root.parent).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        found[".".join(parts[:-1] if is_package else parts)] = (file, is_package)
    return found


def _owner(name: str, modules: Mapping[str, object]) -> str | None:
    """The module that ``name`` (a module or a name inside one) lives in."""
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def _targets(node: ast.AST, here: list[str], modules: Mapping[str, object],
             package: str) -> list[str]:
    """The names an import statement reaches inside ``package``."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names if alias.name.startswith(package)]
    if not isinstance(node, ast.ImportFrom):
        return []
    base = here[: len(here) - node.level + 1] if node.level else []
    module = ".".join(base + ([node.module] if node.module else []))
    if not module.startswith(package):
        return []
    # ``from pkg import module`` reaches that module, ``from module import name`` the module.
    submodules = [f"{module}.{alias.name}" for alias in node.names
                  if f"{module}.{alias.name}" in modules]
    return submodules or [module]


def import_graph(root: Path) -> dict[str, set[str]]:
    """Module -> the modules of the same package it imports."""
    modules = _modules(root)
    graph: dict[str, set[str]] = {}
    for name, (file, is_package) in modules.items():
        here = name.split(".") if is_package else name.split(".")[:-1]
        tree = ast.parse(file.read_text(encoding="utf-8"))
        owners = {_owner(target, modules) for node in ast.walk(tree)
                  for target in _targets(node, here, modules, root.name)}
        graph[name] = {owner for owner in owners if owner is not None and owner != name}
    return graph


def cycles(graph: Mapping[str, set[str]]) -> list[list[str]]:
    """The groups of modules that import each other (Tarjan's strongly connected parts)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in sorted(graph[node]):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group: list[str] = []
            while not group or group[-1] != node:
                group.append(stack.pop())
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_adapter_has_no_import_cycle() -> None:
    graph = import_graph(PACKAGE_ROOT)
    assert "unified_accounting_sage.sandbox.connecting" in graph
    assert cycles(graph) == []


def test_the_walk_finds_a_cycle_hidden_behind_type_checking(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    (package / "sub").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "sub" / "__init__.py").write_text("")
    (package / "sub" / "a.py").write_text("from .b import thing\n")
    (package / "sub" / "b.py").write_text(
        "from typing import TYPE_CHECKING\n"
        "thing = 1\n"
        "if TYPE_CHECKING:\n"
        "    from pkg.sub import a\n")
    (package / "c.py").write_text("def late():\n    import pkg.sub.a\n")
    graph = import_graph(package)
    assert graph["pkg.c"] == {"pkg.sub.a"}
    assert cycles(graph) == [["pkg.sub.a", "pkg.sub.b"]]
