"""The Python examples of docs/providers.md run, in order, as one script."""

from __future__ import annotations

import re
from pathlib import Path

DOC = Path(__file__).resolve().parents[2] / "docs" / "providers.md"


def test_provider_guide_examples_run(capsys: object) -> None:
    blocks = re.findall(r"^```python\n(.*?)^```", DOC.read_text(), flags=re.M | re.S)
    assert len(blocks) >= 5
    namespace: dict[str, object] = {"__name__": "providers_doc"}
    exec(compile("\n".join(blocks), str(DOC), "exec"), namespace)  # noqa: S102
    assert "created" in namespace
