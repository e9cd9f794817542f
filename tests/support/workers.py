"""Running storm_worker.py processes in step with each other, against a Sage sandbox."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from unified_accounting_sage.sandbox import SageSandbox

WORKER = Path(__file__).with_name("storm_worker.py")


def sandbox_spec(sandbox: SageSandbox, country: str = "GB") -> str:
    """What a worker needs to reach the running sandbox, as one JSON argument."""
    return json.dumps({
        "settings": sandbox.settings,
        "client_id": sandbox.client_id,
        "client_secret": sandbox.client_secret,
        "business_id": sandbox.business_id(country),
    })


def worker_command(
    store_url: str, sandbox: SageSandbox, *, mode: str = "storm", threads: int = 16,
    connection: str = "acme",
) -> list[str]:
    return [
        sys.executable, str(WORKER), "--store", store_url, "--sandbox", sandbox_spec(sandbox),
        "--connection", connection, "--threads", str(threads), "--mode", mode,
    ]


def run_together(commands: list[list[str]], timeout: float = 120) -> list[tuple[int, Any]]:
    """Start every worker, wait until all are ready, let them go at once, collect results.

    Returns:
        ``(exit code, parsed JSON line or None)`` per worker.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("UNIFIED_ACCOUNTING_")}
    processes = [
        subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for command in commands
    ]
    try:
        for process in processes:
            assert process.stdout is not None
            line = process.stdout.readline()
            assert line.strip() == "ready", process.stderr.read() if process.stderr else line
        for process in processes:
            assert process.stdin is not None
            process.stdin.write("go\n")
            process.stdin.flush()
        results = []
        for process in processes:
            out, err = process.communicate(timeout=timeout)
            text = out.strip()
            results.append((process.returncode, json.loads(text) if text else None))
            if process.returncode not in (0, -9):
                raise AssertionError(f"worker failed ({process.returncode}): {err[-2000:]}")
        return results
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()
