"""docs/reliability.md names only tests that exist, and names every reliability test file."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "reliability.md").read_text(encoding="utf-8")
REFERENCE = re.compile(r"`(tests/[\w/]+\.py)(?:::(\w+))?`")


def _test_names(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {node.name for node in ast.walk(tree)
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")}


def test_every_test_the_page_names_exists() -> None:
    references = REFERENCE.findall(DOC)
    assert len(references) >= 10
    for file, name in references:
        path = ROOT / file
        assert path.is_file(), file
        if name:
            assert name in _test_names(path), f"{file}::{name}"


def test_every_reliability_test_file_is_on_the_page() -> None:
    named = {file for file, _ in REFERENCE.findall(DOC)}
    for path in sorted((ROOT / "tests" / "reliability").glob("test_*.py")):
        assert str(path.relative_to(ROOT)) in named, path.name
