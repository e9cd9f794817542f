"""No two public classes of the project share a name, so a name says which one it is."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = [ROOT / "unified_accounting", *sorted(
    init.parent for init in ROOT.glob("adapters/*/*/__init__.py"))]


def public_classes() -> dict[str, list[str]]:
    """Class name -> the modules defining a public top-level class of that name."""
    found: dict[str, list[str]] = defaultdict(list)
    for package in PACKAGES:
        for path in sorted(package.rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in tree.body:
                if isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
                    found[node.name].append(str(path.relative_to(ROOT)))
    return found


def twins() -> dict[str, list[str]]:
    return {name: paths for name, paths in public_classes().items() if len(paths) > 1}


def test_no_public_class_name_is_used_twice() -> None:
    assert twins() == {}
