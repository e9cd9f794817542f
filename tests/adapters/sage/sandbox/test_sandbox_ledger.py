"""The sandbox's general ledger over HTTP: what each document posts, and /ledger_entries."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from unified_accounting_sage.sandbox import SageSandbox

from .conftest import Api

D = Decimal


def _entries(api: Api, **params: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    page = 1
    while True:
        reply = api.get("/ledger_entries", params={"attributes": "all", "page": str(page),
                                                   "items_per_page": "200", **params})
        assert reply.status_code == 200, reply.text
        body = reply.json()
        found += body["$items"]
        if body["$next"] is None:
            return found
        page += 1


def _net(entries: list[dict[str, Any]]) -> dict[str, Decimal]:
    totals: dict[str, Decimal] = {}
    for entry in entries:
        account = entry["ledger_account"]["id"]
        totals[account] = totals.get(account, D(0)) + D(entry["debit"]) - D(entry["credit"])
    return {account: amount for account, amount in totals.items() if amount}


def _code(sb: SageSandbox, code: int, country: str = "GB") -> str:
    return sb.ledger_account_id(country, code)


def _of(api: Api, document: dict[str, Any]) -> list[dict[str, Any]]:
    return _entries(api, transaction_id=document["transaction"]["id"])


def _receipt(api: Api, contact: str, total: str, allocations: list[dict[str, Any]],
             kind: str = "CUSTOMER_RECEIPT", date: str = "2025-03-20") -> dict[str, Any]:
    return api.create("contact_payments", "contact_payment", {
        "transaction_type_id": kind, "contact_id": contact,
        "bank_account_id": api.sb.bank_account_id("GB"), "date": date,
        "total_amount": total, "allocated_artefacts": allocations})


def test_a_sales_invoice_posts_debtors_against_its_lines_and_output_tax(
    sb: SageSandbox, api: Api
) -> None:
    customer = api.contact()
    invoice = api.sales_invoice(customer["id"], lines=[
        api.line("100.00"), api.line("50.00", rate="GB_LOWER", code=4010)])
    entries = _of(api, invoice)
    assert [(e["ledger_account"]["id"], e["debit"], e["credit"]) for e in entries] == [
        (_code(sb, 1100), "172.5", "0.0"), (_code(sb, 4000), "0.0", "100.0"),
        (_code(sb, 4010), "0.0", "50.0"), (_code(sb, 2200), "0.0", "20.0"),
        (_code(sb, 2200), "0.0", "2.5")]
    assert {e["contact"]["id"] for e in entries} == {customer["id"]}
    assert {e["date"] for e in entries} == {"2025-03-01"}
    assert entries[3]["tax_rate"]["id"] == "GB_STANDARD"
    assert entries[1]["description"] == "Consulting"
    assert all(e["deleted"] is False and e["transaction"]["id"] == invoice["transaction"]["id"]
               for e in entries)
    one = api.get(f"/ledger_entries/{entries[0]['id']}").json()
    assert one == entries[0]
    assert api.get("/ledger_entries/" + "0" * 32).status_code == 404


def test_a_draft_posts_nothing_until_it_is_released(api: Api) -> None:
    customer = api.contact()
    draft = api.sales_invoice(customer["id"], status_id="DRAFT")
    assert draft["transaction"] is None
    assert _entries(api) == []
    released = api.post(f"/sales_invoices/{draft['id']}/release").json()
    assert _net(_of(api, released))


def test_voiding_reverses_and_keeps_every_entry(sb: SageSandbox, api: Api) -> None:
    invoice = api.sales_invoice(api.contact()["id"])
    posted = _of(api, invoice)
    reply = api.delete(f"/sales_invoices/{invoice['id']}", params={"void_reason": "Mistake"})
    assert reply.status_code == 200
    after = _of(api, invoice)
    assert after[:len(posted)] == posted  # append-only: nothing edited or removed
    assert len(after) == 2 * len(posted)
    assert _net(after) == {}
    assert after[-1]["description"] == f"Reversal of {invoice['invoice_number']}"
    transaction = api.get(f"/transactions/{invoice['transaction']['id']}").json()
    assert transaction["deleted"] is True


def test_editing_a_posted_invoice_reposts_only_when_its_amounts_change(
    sb: SageSandbox, api: Api
) -> None:
    invoice = api.sales_invoice(api.contact()["id"])
    count = len(_of(api, invoice))
    path = f"/sales_invoices/{invoice['id']}"
    assert api.put(path, json={"sales_invoice": {"notes": "Thanks"}}).status_code == 200
    assert len(_of(api, invoice)) == count
    reply = api.put(path, json={"sales_invoice": {"invoice_lines": [api.line("250.00")]}})
    assert reply.status_code == 200
    assert _net(_of(api, invoice)) == {_code(sb, 1100): D("300.00"),
                                       _code(sb, 4000): D("-250.00"),
                                       _code(sb, 2200): D("-50.00")}
    transaction = api.get(f"/transactions/{invoice['transaction']['id']}").json()
    assert transaction["total"] == "300.0"


def test_receipts_with_discounts_and_money_on_account_keep_debtors_with_the_contacts(
    sb: SageSandbox, api: Api
) -> None:
    customer = api.contact()
    invoice = api.sales_invoice(customer["id"])  # 120.00
    receipt = _receipt(api, customer["id"], "150.00", [
        {"artefact_id": invoice["id"], "amount": "115.00", "discount": "5.00"}])
    assert _net(_of(api, receipt)) == {_code(sb, 1200): D("150.00"),
                                       _code(sb, 4009): D("5.00"),
                                       _code(sb, 1100): D("-155.00")}
    contact = api.get(f"/contacts/{customer['id']}").json()
    assert contact["balance"] == "-35.0"  # 35.00 paid on account
    assert _net(_entries(api))[_code(sb, 1100)] == D("-35.00")
    assert api.delete(f"/contact_payments/{receipt['id']}").status_code == 204
    assert api.get(f"/contacts/{customer['id']}").json()["balance"] == "120.0"
    assert _net(_entries(api)) == _net(_of(api, invoice))


def test_refunds_and_supplier_payments_post_the_mirror_images(
    sb: SageSandbox, api: Api
) -> None:
    vendor = api.contact("Paper Co", kind="VENDOR")
    bill = api.create("purchase_invoices", "purchase_invoice", {
        "contact_id": vendor["id"], "date": "2025-03-02", "due_date": "2025-03-31",
        "invoice_lines": [api.line("100", code=5000)]})
    assert _net(_of(api, bill)) == {_code(sb, 2100): D("-120.00"),
                                    _code(sb, 5000): D("100.00"), _code(sb, 2201): D("20.00")}
    paid = _receipt(api, vendor["id"], "118", [
        {"artefact_id": bill["id"], "amount": "118", "discount": "2"}], kind="VENDOR_PAYMENT")
    assert _net(_of(api, paid)) == {_code(sb, 2100): D("120"), _code(sb, 1200): D("-118"),
                                    _code(sb, 5009): D("-2")}
    customer = api.contact()
    refund = _receipt(api, customer["id"], "40", [], kind="CUSTOMER_REFUND")
    assert _net(_of(api, refund)) == {_code(sb, 1100): D("40"), _code(sb, 1200): D("-40")}
    assert api.get(f"/contacts/{customer['id']}").json()["balance"] == "40.0"


def test_a_new_payment_date_moves_its_postings(sb: SageSandbox, api: Api) -> None:
    customer = api.contact()
    receipt = _receipt(api, customer["id"], "60", [])
    reply = api.put(f"/contact_payments/{receipt['id']}",
                    json={"contact_payment": {"date": "2025-03-25"}})
    assert reply.status_code == 200
    entries = _of(api, receipt)
    by_date = {day: _net([e for e in entries if e["date"] == day])
               for day in ("2025-03-20", "2025-03-25")}
    assert by_date == {"2025-03-20": {},
                       "2025-03-25": {_code(sb, 1200): D("60"), _code(sb, 1100): D("-60")}}


def test_journals_post_their_lines_and_deleting_reverses(sb: SageSandbox, api: Api) -> None:
    journal = api.create("journals", "journal", {
        "date": "2025-03-31", "reference": "PAYROLL-03", "journal_lines": [
            {"ledger_account_id": _code(sb, 7000), "debit": "1200.00", "credit": 0,
             "details": "March wages"},
            {"ledger_account_id": _code(sb, 2210), "debit": 0, "credit": "1200.00"}]})
    entries = _of(api, journal)
    assert [(e["debit"], e["credit"], e["description"]) for e in entries] == [
        ("1200.0", "0.0", "March wages"), ("0.0", "1200.0", "PAYROLL-03")]
    assert entries[0]["contact"] is None
    api.delete(f"/journals/{journal['id']}")
    assert _net(_of(api, journal)) == {}


def test_a_us_bill_adds_its_sales_tax_to_the_cost(sb: SageSandbox, api: Api) -> None:
    api.business = sb.business_id("US")
    vendor = api.contact("Office Depot", kind="VENDOR")
    bill = api.create("purchase_invoices", "purchase_invoice", {
        "contact_id": vendor["id"], "date": "2025-03-02", "due_date": "2025-03-31",
        "invoice_lines": [api.line("100", code=7500, rate=None, tax_amount="8.88")]})
    assert _net(_of(api, bill)) == {_code(sb, 2100, "US"): D("-108.88"),
                                    _code(sb, 7500, "US"): D("108.88")}


def test_entries_filter_by_account_date_type_and_change(sb: SageSandbox, api: Api) -> None:
    customer = api.contact()
    first = api.sales_invoice(customer["id"])
    sb.advance_clock(60)
    second = api.sales_invoice(customer["id"], date="2025-03-15")
    receipt = _receipt(api, customer["id"], "10", [])
    debtors = _entries(api, ledger_account_id=_code(sb, 1100))
    assert len(debtors) == 3
    assert {e["transaction"]["id"] for e in _entries(api, from_date="2025-03-10",
                                                     to_date="2025-03-15")} == {
        second["transaction"]["id"]}
    assert {e["transaction"]["id"] for e in _entries(api, transaction_type_id="CUSTOMER_RECEIPT")
            } == {receipt["transaction"]["id"]}
    changed = _entries(api, updated_or_created_since="2025-03-01T09:00:30Z")
    assert first["transaction"]["id"] not in {e["transaction"]["id"] for e in changed}
    assert len(changed) == len(_entries(api)) - len(_of(api, first))


def test_the_whole_ledger_balances_and_bank_and_debtors_agree_with_their_records(
    sb: SageSandbox, api: Api
) -> None:
    customers = [api.contact(f"Customer {n}") for n in range(3)]
    invoices = [api.sales_invoice(c["id"], lines=[api.line(f"{40 * (n + 1)}.10")])
                for n, c in enumerate(customers)]
    _receipt(api, customers[0]["id"], "48.12",
             [{"artefact_id": invoices[0]["id"], "amount": "48.12"}])
    _receipt(api, customers[1]["id"], "20.00", [])
    api.delete(f"/sales_invoices/{invoices[2]['id']}", params={"void_reason": "Duplicate"})
    net = _net(_entries(api))
    assert sum(net.values(), D(0)) == 0
    balances = sum((D(api.get(f"/contacts/{c['id']}").json()["balance"]) for c in customers),
                   D(0))
    assert net[_code(sb, 1100)] == balances
    bank = api.get(f"/bank_accounts/{sb.bank_account_id('GB')}").json()
    assert net[_code(sb, 1200)] == D(bank["balance"])


def test_moving_an_invoice_to_another_customer_moves_its_postings(
    sb: SageSandbox, api: Api
) -> None:
    first, second = api.contact("First"), api.contact("Second")
    invoice = api.sales_invoice(first["id"])
    reply = api.put(f"/sales_invoices/{invoice['id']}",
                    json={"sales_invoice": {"contact_id": second["id"]}})
    assert reply.status_code == 200
    entries = _of(api, invoice)
    per_contact = {contact: _net([e for e in entries if e["contact"]["id"] == contact])
                   for contact in (first["id"], second["id"])}
    assert per_contact == {first["id"]: {}, second["id"]: {
        _code(sb, 1100): D("120.00"), _code(sb, 4000): D("-100.00"),
        _code(sb, 2200): D("-20.00")}}
    transaction = api.get(f"/transactions/{invoice['transaction']['id']}").json()
    assert transaction["contact"]["id"] == second["id"]
    assert [api.get(f"/contacts/{c['id']}").json()["balance"] for c in (first, second)] == [
        "0.0", "120.0"]
