"""docs/sage_za.md stays true: its examples run, and its tax table matches the code."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from unified_accounting_sage_za.country import TAX_NAMES

DOC = Path(__file__).resolve().parents[3] / "docs" / "sage_za.md"
TEXT = DOC.read_text(encoding="utf-8")
EXAMPLES = re.findall(r"```python\n(.*?)```", TEXT, flags=re.DOTALL)


def test_the_page_has_examples() -> None:
    assert len(EXAMPLES) >= 3


@pytest.mark.parametrize("source", EXAMPLES, ids=lambda s: s.splitlines()[0][:40])
def test_examples_run(source: str) -> None:
    exec(compile(source, str(DOC), "exec"), {})  # noqa: S102 - our own documentation


def test_the_tax_table_matches_the_code() -> None:
    rows = re.findall(r"^\| ([A-Z][^|]+?) \| `([a-z_]+)`", TEXT, flags=re.MULTILINE)
    assert {name.lower(): code for name, code in rows} == dict(TAX_NAMES)
