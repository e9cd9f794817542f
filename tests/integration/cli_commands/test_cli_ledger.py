"""``ledger_entries list|get`` and ``trial-balance`` on the sandbox."""

from __future__ import annotations

from typing import Any

import pytest
from unified_accounting_sage.sandbox import SageSandbox

from .conftest import Cli


@pytest.fixture(scope="module")
def invoice(cli_env: dict[str, str], sandbox: SageSandbox,
            tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The one sales invoice of this module's sandbox: 3 x 33.33 + 20 % VAT."""
    cli = Cli(cli_env, tmp_path_factory.mktemp("ledger"))
    customer = cli.json("contacts", "create", cli.file("customer.json", {
        "name": "Ledger Ltd", "reference": "LEDGER1", "is_customer": True}))
    assert isinstance(customer, dict)
    created = cli.json("invoices", "create", cli.file("invoice.json", {
        "type": "sales", "contact_id": customer["id"], "issue_date": "2025-03-03",
        "lines": [{"description": "Work", "quantity": "3", "unit_price": "33.33",
                   "account_id": sandbox.ledger_account_id("GB", 4000),
                   "tax_code": "standard"}]}))
    assert isinstance(created, dict)
    return created


def test_entries_are_listed_and_shown_but_never_created(cli: Cli,
                                                        invoice: dict[str, Any]) -> None:
    entries = cli.json("ledger_entries", "list", "--filter", "from_date=2025-03-01")
    assert isinstance(entries, list)
    assert sorted((e["debit"], e["credit"]) for e in entries) == [
        ("0.00", "20.00"), ("0.00", "99.99"), ("119.99", "0.00")]
    assert {e["transaction_type"] for e in entries} == {"sales_invoice"}
    table = cli.ok("ledger_entries", "list").stdout.splitlines()
    assert table[0].split() == ["ID", "DATE", "ACCOUNT", "DEBIT", "CREDIT", "TYPE",
                                "DESCRIPTION"]
    assert "sales_invoice" in table[1]
    shown = cli.json("ledger_entries", "get", entries[0]["id"])
    assert shown == entries[0]
    refused = cli("ledger_entries", "create", "-", input="{}")
    assert refused.exit_code == 2
    assert "No such command 'create'" in refused.stderr


def test_trial_balance_prints_a_balanced_table_or_json(cli: Cli,
                                                       invoice: dict[str, Any]) -> None:
    table = cli.ok("trial-balance", "--as-of", "2025-03-31").stdout.splitlines()
    assert table[0].split() == ["CODE", "ACCOUNT", "DEBIT", "CREDIT"]
    assert table[-1].split() == ["-", "Total", "119.99", "119.99"]
    assert [row.split()[0] for row in table[1:-1]] == ["1100", "2200", "4000"]
    document = cli.json("trial-balance", "--as-of", "2025-03-31")
    assert isinstance(document, dict)
    assert (document["total_debit"], document["total_credit"]) == ("119.99", "119.99")
    early = cli.ok("trial-balance", "--as-of", "2025-03-02").stdout
    assert early.strip() == "No balances at 2025-03-02."
    assert cli("trial-balance", "--as-of", "31/03/2025").exit_code == 2
