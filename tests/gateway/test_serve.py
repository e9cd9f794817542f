"""``unified-accounting serve``: worker processes, shared keys and store, graceful shutdown."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from unified_accounting_sage.sandbox import SageSandbox

from unified_accounting.gateway.apikeys import ApiKeys
from unified_accounting.gateway.database import GatewayDatabase
from unified_accounting.tokens import SQLiteTokenStore

from .conftest import authorize

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_healthy(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stderr.read().decode() if process.stderr else ""
        try:
            if requests.get(f"{url}/healthz", timeout=1).ok:
                return
        except requests.ConnectionError:
            time.sleep(0.1)
    raise AssertionError("the gateway did not start")


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, str, SageSandbox, subprocess.Popen[bytes]]]:
    with SageSandbox.running(port=0, seed=29) as sandbox:
        store = SQLiteTokenStore(tmp_path / "tokens.sqlite3")
        authorize(sandbox, store, "acme", "books")
        store.close()
        settings = tmp_path / "settings.json"
        settings.write_text(json.dumps({"sage": {
            **sandbox.settings, "client_id": sandbox.client_id,
            "client_secret": sandbox.client_secret}}))
        _, key = ApiKeys(GatewayDatabase(tmp_path / "gw.sqlite3")).create("acme")
        port = _free_port()
        command = [str(Path(sys.executable).with_name("unified-accounting")), "serve",
                   "--port", str(port),
                   "--workers", "2", "--db", str(tmp_path / "gw.sqlite3"),
                   "--store", f"sqlite://{tmp_path / 'tokens.sqlite3'}",
                   "--settings", str(settings)]
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   env=env, start_new_session=True)
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_healthy(url, process)
            yield url, key, sandbox, process
        finally:
            if process.poll() is None:
                process.kill()
            process.wait(timeout=30)


def test_two_workers_serve_and_a_sigterm_lets_requests_finish(
    served: tuple[str, str, SageSandbox, subprocess.Popen[bytes]],
) -> None:
    url, key, sandbox, process = served
    headers = {"Authorization": f"Bearer {key}"}
    for _ in range(4):
        assert requests.get(f"{url}/v1/connections/books/contacts", headers=headers,
                            timeout=30).status_code == 200
    sandbox.queue_fault("latency", count=1, path_contains="/ledger_accounts", latency=1.5)
    slow: list[int] = []
    caller = threading.Thread(target=lambda: slow.append(requests.get(
        f"{url}/v1/connections/books/ledger_accounts?limit=1", headers=headers,
        timeout=30).status_code))
    caller.start()
    time.sleep(0.5)
    os.killpg(process.pid, signal.SIGTERM)
    caller.join(timeout=30)
    assert slow == [200]
    assert process.wait(timeout=30) == 0
    logs = process.stderr.read().decode() if process.stderr else ""
    assert key not in logs
    assert '"path":"/v1/connections/books/contacts"' in logs
