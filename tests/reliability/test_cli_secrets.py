"""The command line never prints a credential: ``connect``, ``connections``, data and errors.

Each command runs as its own process (``python -m unified_accounting.cli``), as a person would
run it, and everything it writes to stdout and stderr is searched: for Sage v3.1 every code,
access token, refresh token and the client secret the sandbox issued, for Sage v2.0 the
password and the API key (whole, URL-quoted, or their first 24 characters). The runs cover
success, a 404, a refused path, a refused login and a grant that is gone, each of which prints
an error.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import quote

import requests
from unified_accounting_sage.sandbox import SageSandbox
from unified_accounting_sage_za.sandbox import SageZASandbox

CLI = [sys.executable, "-m", "unified_accounting.cli"]


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("UNIFIED_ACCOUNTING_",
                                                                     "SAGE_ZA_"))}
    return {**env, **extra}


def _run(args: list[str], env: dict[str, str], stdin: str = "") -> tuple[int, str]:
    done = subprocess.run([*CLI, *args], input=stdin, capture_output=True, text=True, env=env,
                          timeout=120, check=False)
    return done.returncode, done.stdout + done.stderr


def _leaks(secrets: Iterable[str], text: str) -> list[str]:
    needles = {n for s in secrets for n in (s, quote(s, safe=""), s[:24]) if len(n) >= 8}
    return sorted(n[:10] + "..." for n in needles if n in text)


def _connect_sage(sb: SageSandbox, store: str, env: dict[str, str]) -> str:
    """``connect sage`` in a process; the test plays the browser that consents."""
    args = [*CLI, "connect", "sage", "--connection", "acme", "--store", store,
            "--client-id", sb.client_id, "--no-browser", "--redirect-port", "0",
            "--timeout", "60", "--country", "gb",
            *(x for key, value in sb.settings.items() for x in ("--setting", f"{key}={value}"))]
    process = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, env=env)
    assert process.stdin is not None
    assert process.stdout is not None
    process.stdin.write(sb.client_secret + "\n")
    process.stdin.close()
    lines: list[str] = []
    for line in process.stdout:
        lines.append(line)
        if line.strip().startswith(sb.settings["authorize_url"]):
            threading.Thread(target=requests.get, args=(line.strip(),),
                             kwargs={"timeout": 30}).start()
            break
    lines.append(process.stdout.read())
    assert process.wait(timeout=60) == 0, "".join(lines)
    return "".join(lines)


def test_sage_commands_print_no_token_code_or_client_secret(tmp_path: Path) -> None:
    store = f"sqlite:///{tmp_path / 'tokens.sqlite3'}"
    with SageSandbox.running(port=0, seed=59) as sb:
        env = _env(UNIFIED_ACCOUNTING_CLIENT_SECRET=sb.client_secret)
        outputs = [_connect_sage(sb, store, _env())]
        assert "Connected 'acme' (sage)" in outputs[0]
        common = ["--connection", "acme", "--store", store, "--client-id", sb.client_id,
                  "--business", sb.business_id("GB"),
                  *(x for key, value in sb.settings.items() for x in ("--setting",
                                                                      f"{key}={value}"))]
        runs = [
            (["connections", "list", "--store", store], 0),
            (["connections", "show", "acme", "--store", store], 0),
            (["proxy", "GET", "/financial_settings", *common], 0),
            (["proxy", "GET", f"/contacts/{'0' * 32}", *common], 1),
            (["proxy", "GET", "/../token", *common], 1),
            (["contacts", "list", *common], 0),
        ]
        for args, status in runs:
            code, output = _run(args, env)
            assert code == status, output
            outputs.append(output)
        sb.expire_access_tokens()
        outputs.append(_run(["proxy", "GET", "/financial_settings", *common], env)[1])
        sb.expire_refresh_tokens()
        sb.expire_access_tokens()
        code, gone = _run(["proxy", "GET", "/financial_settings", *common], env)
        assert code == 1
        assert "must be authorized again" in gone
        outputs.append(gone)
        code, refused = _run(["connect", "sage", "--connection", "other", "--store", store,
                              "--client-id", sb.client_id, "--client-secret",
                              "wrong-" + sb.client_secret, "--no-browser", "--timeout", "0.5",
                              "--redirect-port", "0"], _env())
        outputs.append(refused.replace("wrong-" + sb.client_secret, ""))
        secrets = sb.issued_secrets()
    text = "\n".join(outputs)
    assert sb.counters.refreshes >= 1  # an expired access token was refreshed through the CLI
    assert len(secrets) >= 5
    assert _leaks(secrets, text) == []
    assert "Bearer " not in text


def test_sage_za_commands_print_no_password_or_api_key(tmp_path: Path) -> None:
    store = f"sqlite:///{tmp_path / 'tokens.sqlite3'}"
    with SageZASandbox(seed=61, limits={"per_minute": 100_000}).running() as za:
        secrets = [za.credentials["password"], za.credentials["api_key"],
                   za.credentials["api_key"].strip("{}")]
        env = _env(SAGE_ZA_API_KEY=za.credentials["api_key"])
        connect = ["connect", "sage_za", "--connection", "shop", "--store", store,
                   "--setting", f"base_url={za.base_url}",
                   "--credential", f"username={za.credentials['username']}"]
        outputs = []
        code, output = _run(connect, env, stdin=za.credentials["password"] + "\n")
        assert code == 0, output
        outputs.append(output)
        code, output = _run([*connect[:3], "other", *connect[4:]], env,
                            stdin="wrong-password-1\n")
        assert code == 1, output
        outputs.append(output)
        common = ["--provider", "sage_za", "--connection", "shop", "--store", store,
                  "--business", za.company_id, "--setting", f"base_url={za.base_url}"]
        for args, status in [
            (["connections", "list", "--store", store], 0),
            (["connections", "show", "shop", "--store", store], 0),
            (["proxy", "GET", "/Customer/Get", *common], 0),
            (["proxy", "GET", "/Customer/Get/999999", *common], 1),
            (["proxy", "GET", "/Customer/Get", "--param", "apikey=x", *common], 1),
            (["contacts", "list", *common], 0),
        ]:
            code, output = _run(args, env)
            assert code == status, output
            outputs.append(output)
    text = "\n".join(outputs)
    assert "Connected 'shop' (sage_za)" in text
    assert _leaks(secrets, text) == []
    assert "Basic " not in text
