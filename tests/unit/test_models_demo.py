from __future__ import annotations

from click.testing import CliRunner

from unified_accounting.cli import main
from unified_accounting.demo import run_demo


def test_models_demo_shows_each_record_and_the_refused_journal() -> None:
    said: list[str] = []
    run_demo(said.append)
    text = "\n".join(said)
    for kind in ("contact", "invoice", "journal_entry"):
        assert f"{kind}: loaded, validated and dumped back as JSON" in text
    assert '"credit_limit": "5000.00"' in text
    assert '"total_amount": "1200.00"' in text
    assert said[-1] == (
        "unbalanced journal refused: lines: debits 100.00 != credits 99.99 (difference 0.01)"
    )


def test_demo_command_runs() -> None:
    result = CliRunner().invoke(main, ["demo"])
    assert result.exit_code == 0, result.output
    assert "unbalanced journal refused" in result.output
