"""Two processes sync the same scope into one SQLite mirror at once: one waits or refuses.

The mirror holds a lock file per stream; a second run of the same stream waits for it up to
``lock_timeout`` and then fails with ``ConflictError``. Either way nothing is lost or stored
twice: the mirror ends up equal to the sandbox, record by record. Each child process syncs
through ``ua.connect("sage", ...)`` over real HTTP against the Sage sandbox, which answers
every request a little late so that the two runs really contend.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from unified_accounting_sage.sandbox import SageSandbox

import unified_accounting as ua
from unified_accounting.syncing import Scope, SQLiteMirror

CHILD = Path(__file__).resolve().parents[1] / "support" / "mirror_sync_child.py"
CONTACTS = 500


@pytest.fixture
def sandbox() -> Iterator[SageSandbox]:
    with SageSandbox.running(port=0, seed=67,
                             faults={"latency": 1.0, "latency_seconds": 0.02}) as sb:
        sb.seed_contacts(CONTACTS)
        yield sb


def _start(sb: SageSandbox, mirror: Path, lock_timeout: float,
           hold: bool = False) -> subprocess.Popen[str]:
    """A child connected and ready; it syncs once :func:`_go` is called."""
    child = subprocess.Popen([sys.executable, str(CHILD)], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert child.stdin is not None
    child.stdin.write(json.dumps({
        "settings": sb.settings, "access_token": sb.issue_tokens()["access_token"],
        "business_id": sb.business_id("GB"), "mirror": str(mirror), "resources": ["contacts"],
        "page_size": 25, "lock_timeout": lock_timeout, "hold": hold}) + "\n")
    child.stdin.flush()
    assert _line(child) == "ready"
    return child


def _line(child: subprocess.Popen[str]) -> str:
    assert child.stdout is not None
    return child.stdout.readline().strip()


def _go(child: subprocess.Popen[str]) -> None:
    assert child.stdin is not None
    child.stdin.write("go\n")
    child.stdin.flush()


def _result(child: subprocess.Popen[str]) -> dict[str, Any]:
    out, err = child.communicate(timeout=180)
    assert child.returncode == 0, err[-2000:]
    return dict(json.loads(out.strip().splitlines()[-1]))


def _mirror_equals_sandbox(sb: SageSandbox, mirror_path: Path) -> None:
    with ua.connect("sage", access_token=sb.issue_tokens()["access_token"],
                    settings=sb.settings, business_id=sb.business_id("GB")) as client:
        live = {c.id: c.updated_at for c in client.contacts.list()}
    with SQLiteMirror(mirror_path) as mirror:
        scope = Scope("sage", "default", sb.business_id("GB"))
        held = [(r.id, r.updated_at) for r in mirror.records(scope, "contacts")]
    assert len(held) == len(live) == CONTACTS
    assert dict(held) == live


def test_a_second_sync_of_the_same_scope_waits_and_nothing_is_stored_twice(
    sandbox: SageSandbox, tmp_path: Path,
) -> None:
    mirror = tmp_path / "mirror.sqlite3"
    children = [_start(sandbox, mirror, lock_timeout=120) for _ in range(2)]
    for child in children:
        _go(child)
    first, second = sorted((_result(c) for c in children), key=lambda r: r["locked"][1])
    assert first["ok"], first["errors"]
    assert second["ok"], second["errors"]
    # Both went before the first finished, yet their locked spans never overlap.
    assert max(first["went"], second["went"]) < first["locked"][1]
    assert second["locked"][0] > first["locked"][1]
    assert first["inserted"] + second["inserted"] == CONTACTS
    _mirror_equals_sandbox(sandbox, mirror)


def test_a_second_sync_that_may_not_wait_is_refused_clearly(
    sandbox: SageSandbox, tmp_path: Path,
) -> None:
    mirror = tmp_path / "mirror.sqlite3"
    holder = _start(sandbox, mirror, lock_timeout=120, hold=True)
    _go(holder)
    assert _line(holder) == "page"  # it holds the stream's lock, and keeps it until told
    refused_child = _start(sandbox, mirror, lock_timeout=0)
    _go(refused_child)
    refused = _result(refused_child)
    _go(holder)
    assert refused["ok"] is False
    assert refused["errors"] == [
        f"ConflictError: another sync of contacts for business {sandbox.business_id('GB')} "
        "is still running"]
    assert refused["inserted"] == 0
    assert _result(holder)["ok"]
    _mirror_equals_sandbox(sandbox, mirror)
