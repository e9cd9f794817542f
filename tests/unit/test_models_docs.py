"""The Python examples in docs/models.md run, in order, in one namespace."""

from __future__ import annotations

import re
from pathlib import Path

DOC = Path(__file__).resolve().parents[2] / "docs" / "models.md"


def test_models_doc_examples_run() -> None:
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.DOTALL)
    assert len(blocks) >= 4
    namespace: dict[str, object] = {}
    for block in blocks:
        exec(compile(block, str(DOC), "exec"), namespace)  # noqa: S102 - our own docs


def test_models_doc_lists_every_message_the_schemas_can_give() -> None:
    text = DOC.read_text(encoding="utf-8")
    for message in (
        "is required", "must not be null", "is not a known field", "must not be blank",
        "must be above zero", "must not be negative", "has more than N decimal places for GBP",
        "debits 100.00 != credits 99.99 (difference 0.01)", "needs a debit or a credit above zero",
        "at least one of is_customer and is_supplier must be true",
    ):
        assert message in text, message
