"""The installed ``unified-accounting`` script, run as a real process against the sandbox."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(sys.executable).with_name("unified-accounting")


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(SCRIPT), *args], env={**os.environ, **env}, capture_output=True,
                          text=True, timeout=120, check=False)


def test_the_script_reads_through_the_proxy_and_follows_exit_conventions(
    cli_env: dict[str, str],
) -> None:
    done = _run(cli_env, "proxy", "GET", "/financial_settings")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["base_currency"]["id"] == "GBP"

    missing = _run(cli_env, "invoices", "get", "0" * 32)
    assert missing.returncode == 1
    assert missing.stdout == ""
    assert missing.stderr.startswith("Error: ")

    usage = _run(cli_env, "sync", "--no-such-option")
    assert usage.returncode == 2
    assert "No such option" in usage.stderr
