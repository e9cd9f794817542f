"""The demo, run as ``make demo`` runs it, and against a stored connection as for real Sage."""

from __future__ import annotations

import json
import re
from pathlib import Path

from click.testing import CliRunner
from unified_accounting_sage.demo.target import authorize_headlessly
from unified_accounting_sage.sandbox import SageSandbox

import unified_accounting as ua
from unified_accounting.cli import main


def _check_story(output: str) -> None:
    assert "Working with Sandbox Trading Ltd (GB)." in output
    assert "upserted again: same id" in output
    assert "Tax code 'standard' resolves to the business's rate GB_STANDARD" in output
    assert "20.00%" in output
    assert re.search(r"sales\s+4000 Sales - Products", output)
    assert "net 1000.00 + tax 200.00 = 1200.00 GBP, status open." in output
    assert "is now paid, 0.00 due." in output
    assert "Unbalanced journal refused: invalid input: lines: debits 100.00 != credits 99.99 " \
           "(difference 0.01)" in output
    before, after = re.search(r"requests sent before and after: (\d+) -> (\d+)",
                              output).groups()  # type: ignore[union-attr]
    assert before == after
    assert "GET /financial_settings through the proxy: base currency GBP" in output
    assert "Trial balance at " in output
    debit, credit = re.search(r"Total\s+(\S+)\s+(\S+)", output).groups()  # type: ignore[union-attr]
    assert debit == credit
    assert re.search(r"2200\s+VAT on Sales\s+0\.00\s+\d+\.\d\d", output)
    assert re.search(r"7000\s+Gross Wages\s+\d+\.\d\d\s+0\.00", output)


def test_the_demo_runs_on_the_embedded_sandbox() -> None:
    result = CliRunner().invoke(main, ["demo"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    output = result.stdout
    assert output.startswith("unified-accounting demo against the embedded Sage sandbox at "
                             "http://127.0.0.1:")
    _check_story(output)
    sandbox_before, sandbox_after = re.search(r"the sandbox counted (\d+) -> (\d+)",
                                              output).groups()  # type: ignore[union-attr]
    assert sandbox_before == sandbox_after
    assert "Only the change came back: 1 record updated in contacts; 1 fetched in all." \
        in output


def test_the_demo_runs_on_a_stored_connection(tmp_path: Path) -> None:
    with SageSandbox.running(port=0, seed=3) as sandbox:
        store_path = tmp_path / "tokens.sqlite3"
        with ua.SQLiteTokenStore(store_path) as store:
            authorize_headlessly(sandbox, store)
        settings = tmp_path / "settings.json"
        settings.write_text(json.dumps(sandbox.settings), encoding="utf-8")
        result = CliRunner(env={
            "UNIFIED_ACCOUNTING_CLIENT_ID": sandbox.client_id,
            "UNIFIED_ACCOUNTING_CLIENT_SECRET": sandbox.client_secret,
        }).invoke(main, ["demo", "--connection", "demo", "--store", f"sqlite:///{store_path}",
                         "--settings", str(settings)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "the Sage business of the stored connection 'demo'" in result.stdout
    _check_story(result.stdout)
    # With the default overlap, the second run may read recent records again, unchanged.
    assert "Only the change came back: 1 record updated in contacts" in result.stdout


def test_real_mode_options_need_a_connection() -> None:
    result = CliRunner().invoke(main, ["demo", "--business", "x"])
    assert result.exit_code == 2
    assert "need --connection" in result.stderr
