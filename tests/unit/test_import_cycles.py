"""No import cycle in the core or in any adapter, not even one that only type checkers follow.

The walk reads the source, not the running interpreter: every ``import`` and ``from ... import``
counts (inside ``if TYPE_CHECKING:`` or a function too), relative imports are resolved, and so
are ``importlib.import_module("literal")`` calls. A package's ``__init__`` that imports its
submodules (even only for type checkers) is fine as long as none of them imports the package
back: submodules import from the modules that define a name, never from a package root.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CORE = ROOT / "unified_accounting"
ADAPTER_PACKAGES = sorted(
    init.parent for init in ROOT.glob("adapters/*/*/__init__.py") if init.parent.name != "tests"
)
# A cycle that is fixed on another branch; the marker turns into a failure once it is gone.
# The transport layer may use only these parts of the core besides itself.
HTTP_FORBIDDEN = ("provider", "client", "plugins", "tokens", "syncing")


def module_names(package: Path) -> dict[str, Path]:
    """Map every module's dotted name in ``package`` to its file."""
    names: dict[str, Path] = {}
    for path in package.rglob("*.py"):
        parts = list(path.relative_to(package.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        names[".".join(parts)] = path
    return names


def _resolve_relative(module: str, is_package: bool, level: int, target: str | None) -> str:
    base = module.split(".")
    if not is_package:
        base.pop()
    base = base[: len(base) - (level - 1)] if level > 1 else base
    return ".".join(base + ([target] if target else []))


def imported_names(module: str, path: Path) -> Iterator[str]:
    """Yield the dotted names ``module`` imports, anywhere in its source."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_package = path.name == "__init__.py"
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = (_resolve_relative(module, is_package, node.level, node.module)
                    if node.level else node.module or "")
            # ``pkg.name`` resolves to the submodule when ``name`` is one, else to ``pkg``.
            yield from (f"{base}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Call) and _is_import_module(node.func):
            first = node.args[0] if node.args else None
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                yield first.value


def _is_import_module(func: ast.expr) -> bool:
    if isinstance(func, ast.Attribute):
        return func.attr == "import_module"
    return isinstance(func, ast.Name) and func.id == "import_module"


def _known(name: str, modules: dict[str, Path]) -> str | None:
    """The longest prefix of ``name`` that is a module of the graph."""
    parts = name.split(".")
    while parts:
        candidate = ".".join(parts)
        if candidate in modules:
            return candidate
        parts.pop()
    return None


def import_graph(package: Path) -> dict[str, set[str]]:
    """Module -> the modules of the same package it imports."""
    modules = module_names(package)
    graph: dict[str, set[str]] = {}
    for module, path in modules.items():
        targets = {_known(name, modules) for name in imported_names(module, path)}
        graph[module] = {target for target in targets if target not in (None, module)}
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """Return one cycle as a list of modules (first repeated at the end), or ``None``."""
    state: dict[str, int] = {}  # 1: on the current path, 2: finished
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == 1:
                return [*stack[stack.index(target):], target]
            if target not in state and (found := visit(target)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_the_walk_sees_type_checking_relative_and_import_module_edges(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    (package / "sub").mkdir(parents=True)
    (package / "__init__.py").write_text("from pkg.a import A\n")
    (package / "a.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg.b import B\n")
    (package / "b.py").write_text("from .sub import c\n")
    (package / "sub" / "__init__.py").write_text("")
    (package / "sub" / "c.py").write_text(
        "import importlib\ndef late():\n    return importlib.import_module('pkg.a')\n")
    graph = import_graph(package)
    assert graph["pkg"] == {"pkg.a"}
    assert graph["pkg.b"] == {"pkg.sub.c"}
    assert find_cycle(graph) == ["pkg.a", "pkg.b", "pkg.sub.c", "pkg.a"]


def test_a_package_root_offering_its_modules_is_no_cycle(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg.a import A\n")
    (package / "a.py").write_text("from pkg.b import B\n")
    (package / "b.py").write_text("B = 1\n")
    assert find_cycle(import_graph(package)) is None


def test_a_submodule_importing_its_package_root_is_a_cycle(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("from pkg.a import A\n")
    (package / "a.py").write_text("from pkg import helper, A\n")
    (package / "helper.py").write_text("X = 1\n")
    graph = import_graph(package)
    assert graph["pkg.a"] == {"pkg", "pkg.helper"}  # a submodule by name, the rest from root
    assert find_cycle(graph) == ["pkg", "pkg.a", "pkg"]


def test_the_core_has_no_import_cycle() -> None:
    assert find_cycle(import_graph(CORE)) is None


def test_adapters_are_found() -> None:
    assert "unified_accounting_sage" in {package.name for package in ADAPTER_PACKAGES}


@pytest.mark.parametrize("package", ADAPTER_PACKAGES, ids=lambda package: package.name)
def test_an_adapter_has_no_import_cycle(package: Path) -> None:
    assert find_cycle(import_graph(package)) is None


def test_the_transport_layer_looks_only_down() -> None:
    forbidden = tuple(f"unified_accounting.{name}" for name in HTTP_FORBIDDEN)
    offenders = {
        f"{module} -> {target}"
        for module, targets in import_graph(CORE).items()
        if module == "unified_accounting.http" or module.startswith("unified_accounting.http.")
        for target in targets
        if target == "unified_accounting"
        or any(target == bad or target.startswith(bad + ".") for bad in forbidden)
    }
    assert offenders == set()
