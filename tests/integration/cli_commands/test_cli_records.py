"""``businesses`` and ``contacts|invoices|payments|journals list|get|create`` on the sandbox."""

from __future__ import annotations

from datetime import date
from typing import Any

from unified_accounting_sage.sandbox import SageSandbox

from .conftest import Cli

TODAY = date.today().isoformat()


def _customer(cli: Cli, reference: str) -> dict[str, Any]:
    path = cli.file("customer.json", {"name": f"Cli {reference}", "reference": reference,
                                      "is_customer": True, "email": "ap@cli.test"})
    created = cli.json("contacts", "create", path)
    assert isinstance(created, dict)
    return created


def test_businesses_lists_every_business_without_choosing_one(
    cli: Cli, sandbox: SageSandbox
) -> None:
    # No --business: listing must not need one although the user has seven.
    cli.runner.env.pop("UNIFIED_ACCOUNTING_BUSINESS", None)
    table = cli.ok("businesses").stdout.splitlines()
    assert table[0].split() == ["ID", "NAME", "COUNTRY", "CURRENCY", "LEAD"]
    assert len(table) == 8
    found = cli.json("businesses")
    assert isinstance(found, list)
    lead = [b for b in found if b["is_lead"]]
    assert [(b["id"], b["country"]) for b in lead] == [(sandbox.business_id("GB"), "GB")]


def test_contacts_create_get_and_list(cli: Cli) -> None:
    created = _customer(cli, "CLI1")
    assert created["business_id"] == cli.runner.env["UNIFIED_ACCOUNTING_BUSINESS"]
    shown = cli.ok("contacts", "get", created["id"]).stdout
    assert '"reference": "CLI1"' in shown
    assert '"notes"' not in shown  # empty fields are left out for people...
    assert "notes" in cli.json("contacts", "get", created["id"])  # type: ignore[operator]
    listed = cli.json("contacts", "list", "--filter", "search=CLI1")
    assert [c["id"] for c in listed] == [created["id"]]  # type: ignore[union-attr]
    table = cli.ok("contacts", "list", "--limit", "1").stdout.splitlines()
    assert table[0].split()[:3] == ["ID", "NAME", "REFERENCE"]
    assert len(table) == 2


def test_create_from_stdin_says_what_it_made(cli: Cli) -> None:
    result = cli.ok("contacts", "create", "-",
                    input='{"name": "Stdin Ltd", "reference": "CLI2", "is_supplier": true}')
    assert result.stdout.startswith("Created contact ")


def test_invalid_input_is_refused_before_any_request(cli: Cli, sandbox: SageSandbox) -> None:
    before = sum(sandbox.counters.requests.values())
    bad = cli.file("bad.json", {"type": "sales", "contact_id": "x", "issue_date": "2025-02-30",
                                "lines": []})
    result = cli("invoices", "create", bad)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith("Error: invalid input: ")
    assert "issue_date" in result.stderr
    assert sum(sandbox.counters.requests.values()) == before


def test_usage_errors_exit_with_2(cli: Cli) -> None:
    missing = cli("contacts", "create", str(cli.folder / "nowhere.json"))
    assert missing.exit_code == 2
    assert "cannot read" in missing.stderr
    garbled = cli.folder / "garbled.json"
    garbled.write_text("{not json", encoding="utf-8")
    not_json = cli("contacts", "create", str(garbled))
    assert not_json.exit_code == 2
    assert "is not JSON" in not_json.stderr
    assert cli("contacts", "list", "--filter", "novalue").exit_code == 2
    assert cli("contacts", "explode").exit_code == 2


def test_provider_errors_exit_with_1_and_a_clean_message(cli: Cli) -> None:
    result = cli("contacts", "get", "0" * 32)
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ")
    assert "(status 404)" in result.stderr
    assert "Traceback" not in result.output
    unsupported = cli("contacts", "list", "--filter", "colour=red")
    assert unsupported.exit_code == 1
    assert "does not support filtering contacts by colour" in unsupported.stderr


def test_a_connection_without_tokens_says_how_to_authorize(cli: Cli) -> None:
    result = cli("contacts", "list", "--connection", "nobody")
    assert result.exit_code == 1
    assert "no tokens are stored for connection 'nobody'" in result.stderr
    assert "unified-accounting connect sage" in result.stderr


def test_invoices_payments_and_journals(cli: Cli, sandbox: SageSandbox) -> None:
    customer = _customer(cli, "CLI3")
    sales = sandbox.ledger_account_id("GB", 4000)
    invoice = cli.json("invoices", "create", cli.file("invoice.json", {
        "type": "sales", "contact_id": customer["id"], "issue_date": TODAY,
        "lines": [{"description": "Work", "quantity": "2", "unit_price": "50.00",
                   "account_id": sales, "tax_code": "standard"}]}))
    assert isinstance(invoice, dict)
    assert (invoice["total_amount"], invoice["status"]) == ("120.00", "open")
    rows = cli.ok("invoices", "list", "--filter", f"contact_id={customer['id']}").stdout
    assert invoice["number"] in rows
    assert "120.00" in rows

    bank = sandbox.bank_account_id("GB")
    payment = cli.json("payments", "create", cli.file("payment.json", {
        "type": "customer_receipt", "contact_id": customer["id"], "date": TODAY,
        "amount": "120.00", "bank_account_id": bank,
        "allocations": [{"invoice_id": invoice["id"], "amount": "120.00"}]}))
    assert isinstance(payment, dict)
    assert cli.json("invoices", "get", invoice["id"])["status"] == "paid"  # type: ignore[index]
    listed = cli.json("payments", "list", "--filter", f"contact_id={customer['id']}")
    assert [p["id"] for p in listed] == [payment["id"]]  # type: ignore[union-attr]
    shown = cli.json("payments", "get", payment["id"])
    assert shown["allocations"] == [  # type: ignore[index]
        {"invoice_id": invoice["id"], "amount": "120.00", "discount": "0.00"}]

    wages, accruals = sandbox.ledger_account_id("GB", 7000), sandbox.ledger_account_id("GB", 2109)
    journal = cli.json("journals", "create", cli.file("journal.json", {
        "date": TODAY, "reference": "CLI-J1", "lines": [
            {"account_id": wages, "debit": "10.00"}, {"account_id": accruals, "credit": "10.00"}]}))
    assert isinstance(journal, dict)
    table = cli.ok("journals", "list").stdout
    assert "CLI-J1" in table
    assert "10.00" in table
    assert cli.json("journals", "get", journal["id"])["reference"] == "CLI-J1"  # type: ignore[index]


def test_items_and_credit_notes_from_the_command_line(cli: Cli, sandbox: SageSandbox) -> None:
    sales = sandbox.ledger_account_id("GB", 4000)
    item = cli.json("items", "create", cli.file("item.json", {
        "type": "service", "code": "CLI-H", "description": "Cli hour", "sales_price": "80",
        "sales_account_id": sales}))
    assert isinstance(item, dict)
    table = cli.ok("items", "list", "--filter", "type=service").stdout.splitlines()
    assert table[0].split()[:4] == ["ID", "TYPE", "CODE", "DESCRIPTION"]
    assert any("CLI-H" in line and "80.0" in line for line in table[1:])

    customer = _customer(cli, "CLI5")
    line = {"description": "Hours", "quantity": "2", "unit_price": "80", "account_id": sales,
            "item_id": item["id"]}
    invoice = cli.json("invoices", "create", cli.file("invoice.json", {
        "type": "sales", "contact_id": customer["id"], "issue_date": TODAY, "lines": [line]}))
    assert isinstance(invoice, dict)
    assert invoice["lines"][0]["item_id"] == item["id"]
    note = cli.json("credit-notes", "create", cli.file("note.json", {
        "type": "sales", "contact_id": customer["id"], "issue_date": TODAY,
        "lines": [{**line, "quantity": "1"}]}))
    assert isinstance(note, dict)
    said = cli.ok("credit-notes", "allocate", note["id"], f"{invoice['id']}=50.00").stdout
    assert said.strip() == f"Allocated; credit note {note['id']} has 30.00 left " \
                           "(partially_allocated)."
    assert cli.json("invoices", "get", invoice["id"])["amount_due"] == "110.00"  # type: ignore[index]
    too_much = cli("credit-notes", "allocate", note["id"], f"{invoice['id']}=30.01")
    assert too_much.exit_code == 1
    assert "allocations" in too_much.stderr
    bad = cli("credit-notes", "allocate", note["id"], f"{invoice['id']}=lots")
    assert bad.exit_code == 2
    listed = cli.ok("credit-notes", "list").stdout.splitlines()
    assert listed[0].split()[-2:] == ["REMAINING", "STATUS"]
