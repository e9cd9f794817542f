"""contact_payments settle invoices; journals must balance; ledger accounts and tax rates."""

from __future__ import annotations

from typing import Any

from unified_accounting_sage.sandbox import SageSandbox

from .conftest import Api


def _receipt(api: Api, contact_id: str, total: str, allocations: list[dict[str, Any]],
             kind: str = "CUSTOMER_RECEIPT") -> Any:
    return api.post("/contact_payments", {"contact_payment": {
        "transaction_type_id": kind, "contact_id": contact_id,
        "bank_account_id": api.sb.bank_account_id("GB"), "date": "2025-03-20",
        "total_amount": total, "payment_method_id": "BANK_TRANSFER",
        "allocated_artefacts": allocations}})


def test_allocations_update_outstanding_amount_and_status(api: Api) -> None:
    customer = api.contact()
    invoice = api.sales_invoice(customer["id"])  # 120.00
    first = _receipt(api, customer["id"], "50.00",
                     [{"artefact_id": invoice["id"], "amount": "50.00"}])
    assert first.status_code == 201
    payment = first.json()
    assert payment["allocated_artefacts"][0]["artefact"]["id"] == invoice["id"]
    assert payment["transaction"] is not None
    after = api.get(f"/sales_invoices/{invoice['id']}").json()
    assert (after["outstanding_amount"], after["total_paid"], after["status"]["id"]) == (
        "70.0", "50.0", "PART_PAID")
    assert after["last_paid"] == "2025-03-20"
    _receipt(api, customer["id"], "70", [{"artefact_id": invoice["id"], "amount": 70}])
    paid = api.get(f"/sales_invoices/{invoice['id']}").json()
    assert (paid["outstanding_amount"], paid["status"]["id"]) == ("0.0", "PAID")
    assert api.get(f"/contacts/{customer['id']}").json()["balance"] == "0.0"
    bank = api.get(f"/bank_accounts/{api.sb.bank_account_id('GB')}").json()
    assert bank["balance"] == "120.0"
    types = [t["transaction_type"]["id"] for t in api.get(
        "/transactions", params={"attributes": "transaction_type"}).json()["$items"]]
    assert types == ["SALES_INVOICE", "CUSTOMER_RECEIPT", "CUSTOMER_RECEIPT"]


def test_over_allocation_and_wrong_contact_are_rejected(api: Api) -> None:
    customer, other = api.contact("A"), api.contact("B")
    invoice = api.sales_invoice(customer["id"])
    too_much = _receipt(api, customer["id"], "500",
                        [{"artefact_id": invoice["id"], "amount": "120.01"}])
    assert too_much.status_code == 422
    assert too_much.json()[0]["$source"] == "allocated_artefacts.0.amount"
    short_total = _receipt(api, customer["id"], "10",
                           [{"artefact_id": invoice["id"], "amount": "20"}])
    assert short_total.status_code == 422
    wrong = _receipt(api, other["id"], "10", [{"artefact_id": invoice["id"], "amount": "10"}])
    assert wrong.status_code == 422
    vendor_pays = _receipt(api, customer["id"], "10", [], kind="VENDOR_PAYMENT")
    assert vendor_pays.status_code == 422
    unknown = _receipt(api, customer["id"], "10", [{"artefact_id": "0" * 32, "amount": "1"}])
    assert unknown.status_code == 404
    assert api.get(f"/sales_invoices/{invoice['id']}").json()["outstanding_amount"] == "120.0"
    assert api.get("/contact_payments").json()["$total"] == 0


def test_deleting_a_payment_reopens_the_invoice(api: Api) -> None:
    customer = api.contact()
    invoice = api.sales_invoice(customer["id"])
    payment = _receipt(api, customer["id"], "120",
                       [{"artefact_id": invoice["id"], "amount": "120"}]).json()
    assert api.delete(f"/sales_invoices/{invoice['id']}",
                      params={"void_reason": "x"}).status_code == 422
    assert api.delete(f"/contact_payments/{payment['id']}").status_code == 204
    reopened = api.get(f"/sales_invoices/{invoice['id']}").json()
    assert (reopened["outstanding_amount"], reopened["status"]["id"]) == ("120.0", "UNPAID")
    assert reopened["payments_allocations"] == []
    deleted = api.get("/contact_payments", params={"deleted_since": "2025-01-01T00:00:00Z"})
    assert deleted.json()["$items"][0]["id"] == payment["id"]


def test_vendor_payment_settles_a_purchase_invoice(api: Api) -> None:
    vendor = api.contact("Supplier", kind="VENDOR")
    bill = api.create("purchase_invoices", "purchase_invoice", {
        "contact_id": vendor["id"], "date": "2025-03-01", "due_date": "2025-03-31",
        "invoice_lines": [api.line("100", code=5000)]})
    reply = _receipt(api, vendor["id"], "120", [{"artefact_id": bill["id"], "amount": "120"}],
                     kind="VENDOR_PAYMENT")
    assert reply.status_code == 201
    assert api.get(f"/purchase_invoices/{bill['id']}").json()["status"]["id"] == "PAID"
    bank = api.get(f"/bank_accounts/{api.sb.bank_account_id('GB')}").json()
    assert bank["balance"] == "-120.0"


def test_balanced_journal_is_posted(sb: SageSandbox, api: Api) -> None:
    reply = api.post("/journals", {"journal": {
        "date": "2025-03-31", "reference": "PAYROLL-03", "journal_lines": [
            {"ledger_account_id": sb.ledger_account_id("GB", 7000), "debit": "1200.00",
             "credit": 0},
            {"ledger_account_id": sb.ledger_account_id("GB", 2210), "debit": 0,
             "credit": "1200.00"}]}})
    assert reply.status_code == 201
    journal = reply.json()
    assert journal["total"] == "1200.0"
    assert journal["journal_lines"][0]["debit"] == "1200.0"
    assert journal["transaction"] is not None
    assert api.delete(f"/journals/{journal['id']}").status_code == 204
    assert api.get(f"/transactions/{journal['transaction']['id']}").json()["deleted"] is True


def test_unbalanced_journal_is_422_naming_both_totals(sb: SageSandbox, api: Api) -> None:
    reply = api.post("/journals", {"journal": {
        "date": "2025-03-31", "reference": "BAD", "journal_lines": [
            {"ledger_account_id": sb.ledger_account_id("GB", 7000), "debit": "100", "credit": 0},
            {"ledger_account_id": sb.ledger_account_id("GB", 2210), "debit": 0,
             "credit": "99.99"}]}})
    assert reply.status_code == 422
    error = reply.json()[0]
    assert error["$dataCode"] == "RecordInvalid"
    assert "100.0" in error["$message"]
    assert "99.99" in error["$message"]
    assert "0.01" in error["$message"]
    assert api.get("/journals").json()["$total"] == 0


def test_journal_lines_need_both_sides_and_a_known_account(sb: SageSandbox, api: Api) -> None:
    missing = api.post("/journals", {"journal": {
        "date": "2025-03-31", "reference": "X", "journal_lines": [
            {"ledger_account_id": sb.ledger_account_id("GB", 7000), "debit": "1"},
            {"ledger_account_id": "0" * 32, "debit": 0, "credit": "1"}]}})
    assert missing.status_code == 422
    assert missing.json()[0]["$source"] == "journal_lines.0.credit"


def test_ledger_accounts_create_filter_and_duplicate_code(api: Api) -> None:
    body = {"ledger_account_type_id": "SALES", "included_in_chart": True,
            "name": "Sales - Online", "display_name": "Online Sales", "nominal_code": 4020}
    created = api.create("ledger_accounts", "ledger_account", body)
    assert created["displayed_as"] == "Sales - Online (4020)"
    duplicate = api.post("/ledger_accounts", {"ledger_account": {**body, "nominal_code": 4000}})
    assert duplicate.status_code == 422
    assert duplicate.json()[0]["$source"] == "nominal_code"
    sales = api.get("/ledger_accounts", params={"ledger_account_type_id": "SALES",
                                                "attributes": "nominal_code"}).json()
    assert 4020 in [item["nominal_code"] for item in sales["$items"]]
    assert api.get("/ledger_accounts", params={"search": "4020"}).json()["$total"] == 1


def test_a_refused_ledger_account_update_changes_nothing(api: Api) -> None:
    created = api.create("ledger_accounts", "ledger_account", {
        "ledger_account_type_id": "SALES", "included_in_chart": True, "name": "Sales - Shop",
        "display_name": "Shop Sales", "nominal_code": 4030})
    path = f"/ledger_accounts/{created['id']}"
    unknown_rate = api.put(path, {"ledger_account": {
        "ledger_account_type_id": "OTHER_INCOME", "tax_rate_id": "0" * 32}})
    assert unknown_rate.status_code == 404
    taken_code = api.put(path, {"ledger_account": {
        "ledger_account_type_id": "OTHER_INCOME", "nominal_code": 4000}})
    assert taken_code.status_code == 422
    assert api.get(path).json() == created


def test_ledger_accounts_cannot_be_created_in_spain(sb: SageSandbox, api: Api) -> None:
    api.business = sb.business_id("ES")
    reply = api.post("/ledger_accounts", {"ledger_account": {
        "ledger_account_type_id": "SALES", "included_in_chart": True, "name": "x",
        "display_name": "x", "nominal_code": 700100}})
    assert reply.status_code == 403


def test_tax_rates_are_written_only_in_us_businesses(sb: SageSandbox, api: Api) -> None:
    gb = api.post("/tax_rates", {"tax_rate": {"name": "Nope"}})
    assert gb.status_code == 422
    api.business = sb.business_id("US")
    created = api.create("tax_rates", "tax_rate", {"name": "Austin", "component_tax_rate": [
        {"name": "Texas", "percentage": "6.25"}, {"name": "Austin", "percentage": "2"}]})
    assert created["percentage"] == "8.25"
    assert created["is_combined_rate"] is True
    assert len(created["id"]) == 32
    assert api.delete(f"/tax_rates/{created['id']}").status_code == 204


def test_financial_settings_and_bank_accounts(api: Api) -> None:
    settings = api.put("/financial_settings", {"financial_settings": {"tax_number": "GB999"}})
    assert settings.json()["tax_number"] == "GB999"
    bank = api.create("bank_accounts", "bank_account", {
        "bank_account_type_id": "SAVINGS", "nominal_code": 1230,
        "bank_account_details": {"account_name": "Reserve"}})
    assert bank["displayed_as"] == "Reserve (1230)"
    assert api.get("/bank_accounts").json()["$total"] == 3
