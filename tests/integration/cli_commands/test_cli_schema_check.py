"""``create`` checks its JSON file against the published JSON Schema before ``ua.load``."""

from __future__ import annotations

from unified_accounting_sage.sandbox import SageSandbox

from .conftest import Cli


def test_schema_faults_are_named_by_json_path_and_nothing_is_sent(
    cli: Cli, sandbox: SageSandbox
) -> None:
    before = sum(sandbox.counters.requests.values())
    bad = cli.file("schema_bad.json", {
        "type": "sales", "contact_id": "c1", "issue_date": "2026-11-01", "colour": "red",
        "lines": [{"description": "Work", "quantity": 2, "unit_price": "50.00"}]})
    result = cli("invoices", "create", bad)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "colour: Unknown field." in result.stderr
    assert "lines[0].quantity: must be a JSON string" in result.stderr
    assert sum(sandbox.counters.requests.values()) == before


def test_a_document_the_schema_accepts_is_created(cli: Cli) -> None:
    created = cli.json("contacts", "create", cli.file("ok.json", {
        "name": "Schema Ltd", "is_customer": True, "credit_limit": "500.00"}))
    assert isinstance(created, dict)
    assert created["credit_limit"] == "500.00"
