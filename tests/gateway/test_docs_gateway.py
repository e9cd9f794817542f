"""Every curl example of docs/gateway.md runs against a gateway serving the Sage sandbox.

Each ``sh`` block that calls curl runs in bash with ``set -euo pipefail`` (the examples use
``--fail-with-body``, and ``test`` lines assert what they show); a block followed by a
``json`` block must print that JSON.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from .conftest import LiveGateway, authorize

DOC = (Path(__file__).resolve().parents[2] / "docs" / "gateway.md").read_text(encoding="utf-8")
_BLOCK = re.compile(r"```sh\n(.*?)```(?:\s*```json\n(.*?)```)?", re.DOTALL)
EXAMPLES = [(code, expected) for code, expected in _BLOCK.findall(DOC) if "curl" in code]


def _tools() -> None:
    missing = [tool for tool in ("bash", "curl", "jq") if shutil.which(tool) is None]
    if missing:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"the doc examples need {', '.join(missing)}")
        pytest.skip(f"{', '.join(missing)} not installed")


def test_the_page_has_curl_examples() -> None:
    assert len(EXAMPLES) >= 8


@pytest.fixture(scope="module")
def documented(live: LiveGateway) -> LiveGateway:
    """The state the page assumes: customers to page through, and ``old-books`` to revoke."""
    live.sandbox.seed_contacts(3, country="GB", contact_type="CUSTOMER")
    authorize(live.sandbox, live.store, "acme", "old-books")
    return live


@pytest.mark.parametrize(("code", "expected"), EXAMPLES,
                         ids=[f"example-{n}" for n in range(1, len(EXAMPLES) + 1)])
def test_the_example_runs(documented: LiveGateway, code: str, expected: str) -> None:
    _tools()
    env = {**os.environ, "GATEWAY": documented.url, "KEY": documented.key}
    done = subprocess.run(["bash", "-c", "set -euo pipefail\n" + code], env=env, text=True,
                          capture_output=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip()
    if expected:
        assert json.loads(done.stdout) == json.loads(expected)
