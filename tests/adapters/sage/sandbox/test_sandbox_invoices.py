"""sales_invoices and purchase_invoices: tax, totals, status, release, void, delete."""

from __future__ import annotations

from unified_accounting_sage.sandbox import SageSandbox

from .conftest import Api


def test_line_tax_is_computed_from_the_rate_with_decimal_rounding(api: Api) -> None:
    customer = api.contact()
    invoice = api.sales_invoice(customer["id"], [
        api.line("33.33", "3"),                       # 99.99 net, 19.998 -> 20.00 tax
        api.line("10.05", "1", rate="GB_LOWER"),       # 10.05 net, 0.5025 -> 0.50 tax
        api.line("7.00", "2", rate="GB_ZERO"),
    ])
    lines = invoice["invoice_lines"]
    assert [(x["net_amount"], x["tax_amount"], x["total_amount"]) for x in lines] == [
        ("99.99", "20.0", "119.99"), ("10.05", "0.5", "10.55"), ("14.0", "0.0", "14.0")]
    assert invoice["net_amount"] == "124.04"
    assert invoice["tax_amount"] == "20.5"
    assert invoice["total_amount"] == "144.54"
    assert invoice["outstanding_amount"] == "144.54"
    assert invoice["status"]["id"] == "UNPAID"
    assert invoice["invoice_number"] == invoice["displayed_as"] == "SI-1"
    assert lines[0]["tax_rate"]["displayed_as"] == "Standard 20.00%"
    assert lines[0]["ledger_account"]["displayed_as"] == "Sales - Products (4000)"
    analysis = {item["tax_rate"]["id"]: item["tax_amount"] for item in invoice["tax_analysis"]}
    assert analysis == {"GB_STANDARD": "20.0", "GB_LOWER": "0.5", "GB_ZERO": "0.0"}


def test_client_supplied_tax_amount_and_discount_are_kept(api: Api) -> None:
    customer = api.contact()
    invoice = api.sales_invoice(customer["id"], [
        api.line("100", "1", tax_amount="19.99", discount_amount="10")])
    line = invoice["invoice_lines"][0]
    assert (line["net_amount"], line["tax_amount"], line["total_amount"]) == (
        "90.0", "19.99", "109.99")


def test_tax_rates_of_other_countries_apply(sb: SageSandbox, api: Api) -> None:
    api.business = sb.business_id("CA")
    customer = api.contact()
    invoice = api.sales_invoice(customer["id"], [api.line("200.00", rate="CA_QST")])
    assert invoice["tax_amount"] == "19.95"  # 9.975 % of 200
    assert invoice["currency"]["id"] == "CAD"
    api.business = sb.business_id("IE")
    invoice = api.sales_invoice(api.contact()["id"], [api.line("10.00", rate="IE_REDUCED")])
    assert invoice["tax_amount"] == "1.35"


def test_numbers_are_sequential_and_ids_32_hex(api: Api) -> None:
    customer = api.contact()
    numbers = [api.sales_invoice(customer["id"])["invoice_number"] for _ in range(3)]
    assert numbers == ["SI-1", "SI-2", "SI-3"]


def test_sales_invoice_needs_a_customer(api: Api) -> None:
    vendor = api.contact("Supplier", kind="VENDOR")
    reply = api.post("/sales_invoices", {"sales_invoice": {
        "contact_id": vendor["id"], "date": "2025-03-01", "invoice_lines": [api.line()]}})
    assert reply.status_code == 422
    assert reply.json()[0]["$source"] == "contact_id"


def test_purchase_invoice_needs_a_vendor_due_date_and_quantity(api: Api) -> None:
    customer = api.contact()
    vendor = api.contact("Supplier", kind="VENDOR")
    line = api.line("50", rate="GB_STANDARD", code=5000)
    wrong = api.post("/purchase_invoices", {"purchase_invoice": {
        "contact_id": customer["id"], "date": "2025-03-01", "due_date": "2025-03-31",
        "invoice_lines": [line]}})
    assert wrong.status_code == 422
    assert wrong.json()[0]["$source"] == "contact_id"
    no_due = api.post("/purchase_invoices", {"purchase_invoice": {
        "contact_id": vendor["id"], "date": "2025-03-01",
        "invoice_lines": [{k: v for k, v in line.items() if k != "quantity"}]}})
    assert no_due.status_code == 422
    assert {e["$source"] for e in no_due.json()} == {"due_date", "invoice_lines.0.quantity"}
    ok = api.create("purchase_invoices", "purchase_invoice", {
        "contact_id": vendor["id"], "date": "2025-03-01", "due_date": "2025-03-31",
        "vendor_reference": "INV-998", "invoice_lines": [line]})
    assert ok["total_amount"] == "60.0"
    assert ok["displayed_as"] == "INV-998"
    assert ok["transaction"] is not None


def test_unknown_line_references_are_404_naming_the_line(api: Api) -> None:
    customer = api.contact()
    reply = api.post("/sales_invoices", {"sales_invoice": {
        "contact_id": customer["id"], "date": "2025-03-01",
        "invoice_lines": [api.line(), api.line(rate="NOPE")]}})
    assert reply.status_code == 404
    assert reply.json()[0]["$source"] == "invoice_lines.1.tax_rate_id"
    missing = api.post("/sales_invoices", {"sales_invoice": {
        "contact_id": customer["id"], "date": "2025-03-01",
        "invoice_lines": [{"description": "x", "unit_price": 1}]}})
    assert missing.status_code == 422
    assert missing.json()[0]["$source"] == "invoice_lines.0.ledger_account_id"
    assert api.get("/sales_invoices").json()["$total"] == 0


def test_each_posted_invoice_creates_one_transaction(api: Api) -> None:
    customer = api.contact()
    invoice = api.sales_invoice(customer["id"])
    transactions = api.get("/transactions", params={"attributes": "all"}).json()["$items"]
    assert len(transactions) == 1
    assert transactions[0]["id"] == invoice["transaction"]["id"]
    assert transactions[0]["origin"]["id"] == invoice["id"]
    assert transactions[0]["transaction_type"]["id"] == "SALES_INVOICE"
    assert transactions[0]["total"] == invoice["total_amount"]
    assert transactions[0]["deleted"] is False


def test_draft_has_no_transaction_until_released(api: Api) -> None:
    customer = api.contact()
    draft = api.sales_invoice(customer["id"], status_id="DRAFT")
    assert draft["status"]["id"] == "DRAFT"
    assert draft["transaction"] is None
    assert api.get("/transactions").json()["$total"] == 0
    released = api.post(f"/sales_invoices/{draft['id']}/release")
    assert released.status_code == 201
    assert released.json()["status"]["id"] == "UNPAID"
    assert api.get("/transactions").json()["$total"] == 1
    again = api.post(f"/sales_invoices/{draft['id']}/release")
    assert again.status_code == 422


def test_delete_voids_a_sales_invoice_and_needs_a_reason(sb: SageSandbox, api: Api) -> None:
    customer = api.contact()
    invoice = api.sales_invoice(customer["id"])
    refused = api.delete(f"/sales_invoices/{invoice['id']}")
    assert refused.status_code == 422
    assert refused.json()[0]["$source"] == "void_reason"
    assert api.get(f"/contacts/{customer['id']}").json()["balance"] == "120.0"
    voided = api.delete(f"/sales_invoices/{invoice['id']}", params={"void_reason": "Typo"})
    assert voided.status_code == 200
    body = voided.json()
    assert body["status"]["id"] == "VOID"
    assert body["void_reason"] == "Typo"
    assert body["outstanding_amount"] == "0.0"
    assert api.get(f"/sales_invoices/{invoice['id']}").json()["status"]["id"] == "VOID"
    transaction = api.get(f"/transactions/{invoice['transaction']['id']}").json()
    assert transaction["deleted"] is True
    assert api.get(f"/contacts/{customer['id']}").json()["balance"] == "0.0"


def test_delete_of_a_draft_sales_invoice_removes_it(api: Api) -> None:
    draft = api.sales_invoice(api.contact()["id"], status_id="DRAFT")
    assert api.delete(f"/sales_invoices/{draft['id']}").status_code == 204
    deleted = api.get("/sales_invoices", params={"deleted_since": "2025-01-01T00:00:00Z"})
    assert [item["id"] for item in deleted.json()["$items"]] == [draft["id"]]


def test_purchase_invoice_delete_is_204_and_recorded(api: Api) -> None:
    vendor = api.contact("Supplier", kind="VENDOR")
    invoice = api.create("purchase_invoices", "purchase_invoice", {
        "contact_id": vendor["id"], "date": "2025-03-01", "due_date": "2025-03-31",
        "invoice_lines": [api.line("10", code=5000)]})
    reply = api.delete(f"/purchase_invoices/{invoice['id']}")
    assert reply.status_code == 204
    assert api.get(f"/purchase_invoices/{invoice['id']}").status_code == 404
    deleted = api.get("/purchase_invoices", params={"deleted_since": "2025-01-01T00:00:00Z"})
    assert deleted.json()["$items"][0]["id"] == invoice["id"]
    assert api.get(f"/transactions/{invoice['transaction']['id']}").json()["deleted"] is True


def test_put_replaces_lines_and_recomputes(api: Api) -> None:
    customer = api.contact()
    invoice = api.sales_invoice(customer["id"])
    reply = api.put(f"/sales_invoices/{invoice['id']}", {"sales_invoice": {
        "reference": "PO-9", "invoice_lines": [api.line("50.00", "2")]}})
    assert reply.status_code == 200
    body = reply.json()
    assert (body["reference"], body["total_amount"]) == ("PO-9", "120.0")
    assert len(body["invoice_lines"]) == 1
    transaction = api.get(f"/transactions/{invoice['transaction']['id']}").json()
    assert transaction["total"] == "120.0"


def test_invoice_filters(sb: SageSandbox, api: Api) -> None:
    alice, bob = api.contact("Alice"), api.contact("Bob")
    march = api.sales_invoice(alice["id"], reference="MARCH")
    api.sales_invoice(bob["id"], date="2025-04-10")
    api.sales_invoice(bob["id"], date="2025-05-01", status_id="DRAFT")

    def ids(**params: str) -> list[str]:
        return [item["id"] for item in api.get("/sales_invoices", params=params).json()["$items"]]

    assert ids(contact_id=alice["id"]) == [march["id"]]
    assert len(ids(status_id="DRAFT")) == 1
    assert len(ids(from_date="2025-04-01")) == 2
    assert ids(to_date="2025-03-31") == [march["id"]]
    assert ids(search="march") == [march["id"]]
    dates = [item["date"] for item in api.get(
        "/sales_invoices", params={"sort": "date:desc", "attributes": "date"}).json()["$items"]]
    assert dates == ["2025-05-01", "2025-04-10", "2025-03-01"]


def test_due_date_defaults_from_credit_days(api: Api) -> None:
    customer = api.contact(credit_days=14)
    assert api.sales_invoice(customer["id"])["due_date"] == "2025-03-15"
