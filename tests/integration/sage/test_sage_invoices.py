"""Sales and purchase invoices over HTTP against the Sage sandbox."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from unified_accounting_sage.sandbox import SageSandbox

import unified_accounting as ua

from .books import customer, purchase_invoice, sales_invoice, supplier


@pytest.fixture
def sales_account(sandbox: SageSandbox) -> str:
    return sandbox.ledger_account_id("GB", 4000)


@pytest.fixture
def purchase_account(sandbox: SageSandbox) -> str:
    return sandbox.ledger_account_id("GB", 5000)


def test_a_sales_invoice_with_a_tax_code(client: ua.Client, sales_account: str) -> None:
    buyer = customer(client)
    created = client.invoices.create(sales_invoice(buyer.id, sales_account, tax_code="standard"))
    assert created.type == "sales"
    assert created.status == "open"
    assert created.number
    assert created.number.startswith("SI-")
    assert created.lines[0].tax_rate_id == "GB_STANDARD"
    assert (created.net_amount, created.tax_amount, created.total_amount) == (
        Decimal("100.00"), Decimal("20.00"), Decimal("120.00"))
    assert created.amount_due == Decimal("120.00")
    assert client.invoices.get(created.id).number == created.number  # type: ignore[arg-type]


def test_the_contact_type_is_checked_before_anything_is_sent(
        client: ua.Client, sandbox: SageSandbox, sales_account: str, purchase_account: str
) -> None:
    vendor, buyer = supplier(client), customer(client)
    counts = sandbox.counters.requests
    sales, purchases = (counts.get(f"POST /{kind}_invoices", 0) for kind in ("sales", "purchase"))
    with pytest.raises(ua.ValidationError) as caught:
        client.invoices.create(sales_invoice(vendor.id, sales_account))  # type: ignore[arg-type]
    assert list(caught.value.errors) == ["contact_id"]
    with pytest.raises(ua.ValidationError):
        client.invoices.create(purchase_invoice(buyer.id, purchase_account))  # type: ignore[arg-type]
    counts = sandbox.counters.requests
    assert counts.get("POST /sales_invoices", 0) == sales
    assert counts.get("POST /purchase_invoices", 0) == purchases
    assert counts.get("GET /contacts/{key}", 0) >= 2


def test_a_purchase_invoice_is_created_listed_and_deleted(
        client: ua.Client, purchase_account: str) -> None:
    vendor = supplier(client)
    created = client.invoices.create(purchase_invoice(vendor.id, purchase_account,  # type: ignore[arg-type]
                                                      tax_code="standard"))
    assert created.type == "purchase"
    assert created.number
    assert created.total_amount == Decimal("96.12")
    mine = list(client.invoices.list(type="purchase", contact_id=vendor.id))
    assert [i.id for i in mine] == [created.id]
    client.invoices.delete(created.id)  # type: ignore[arg-type]
    with pytest.raises(ua.NotFoundError):
        client.invoices.get(created.id)  # type: ignore[arg-type]
    since = created.updated_at - timedelta(seconds=1)  # type: ignore[operator]
    assert created.id in {d.id for d in client.invoices.list_deleted(since=since)}


def test_list_filters_and_both_kinds(client: ua.Client, sales_account: str,
                                     purchase_account: str) -> None:
    buyer, vendor = customer(client), supplier(client)
    sale = client.invoices.create(sales_invoice(buyer.id, sales_account, tax_code="zero"))  # type: ignore[arg-type]
    purchase = client.invoices.create(purchase_invoice(vendor.id, purchase_account,  # type: ignore[arg-type]
                                                       tax_code="zero"))
    since = sale.updated_at - timedelta(seconds=1)  # type: ignore[operator]
    both = {i.id: i.type for i in client.invoices.list(updated_since=since)}
    assert both[sale.id] == "sales"
    assert both[purchase.id] == "purchase"
    open_sales = {i.id for i in client.invoices.list(type="sales", status="open")}
    assert sale.id in open_sales
    assert sale.id not in {i.id for i in client.invoices.list(type="sales", status="paid")}


def test_a_draft_is_updated_then_released(client: ua.Client, sales_account: str) -> None:
    buyer = customer(client)
    draft = client.invoices.create(sales_invoice(buyer.id, sales_account, status="draft",  # type: ignore[arg-type]
                                                 tax_code="standard"))
    assert draft.status == "draft"
    changed = client.invoices.update(draft.id, {"notes": "Net 30", "reference": "PO-9"})  # type: ignore[arg-type]
    assert (changed.notes, changed.reference) == ("Net 30", "PO-9")
    released = client.invoices.release(draft.id)  # type: ignore[arg-type]
    assert released.status == "open"
    assert released.number


def test_deleting_a_sales_invoice_voids_it_with_a_reason(client: ua.Client,
                                                         sales_account: str) -> None:
    buyer = customer(client)
    sale = client.invoices.create(sales_invoice(buyer.id, sales_account, tax_code="standard"))  # type: ignore[arg-type]
    with pytest.raises(ua.ValidationError):
        client.invoices.delete(sale.id)  # type: ignore[arg-type]
    client.invoices.delete(sale.id, void_reason="Raised in error")  # type: ignore[arg-type]
    voided = client.invoices.get(sale.id)  # type: ignore[arg-type]
    assert voided.status == "void"
    assert voided.amount_due == Decimal("0")


def test_account_concepts_use_the_connection_mapping(client: ua.Client,
                                                     sales_account: str) -> None:
    buyer = customer(client)
    client.extras.account_mapping.set({"subscription_revenue": sales_account})
    created = client.invoices.create(sales_invoice(
        buyer.id, None, account_concept="subscription_revenue", tax_code="standard"))  # type: ignore[arg-type]
    assert created.lines[0].account_id == sales_account


def test_provider_fields_reach_sage(client: ua.Client, sales_account: str) -> None:
    buyer = customer(client)
    created = client.invoices.create(
        sales_invoice(buyer.id, sales_account, tax_code="standard"),  # type: ignore[arg-type]
        provider_fields={"notes": "from provider fields"})
    assert created.notes == "from provider fields"


def test_a_line_tax_that_disagrees_with_its_rate_is_refused_before_sending(
        client: ua.Client, sandbox: SageSandbox, sales_account: str) -> None:
    """GB standard is 20 %: 19.00 on 100.00 is refused, 20.00 goes through."""
    buyer = customer(client)
    posts = sandbox.counters.requests.get("POST /sales_invoices", 0)
    wrong = sales_invoice(buyer.id, sales_account, tax_code="standard",  # type: ignore[arg-type]
                          net_amount=Decimal("100.00"), tax_amount=Decimal("19.00"),
                          total_amount=Decimal("119.00"))
    with pytest.raises(ua.ValidationError) as caught:
        client.invoices.create(wrong)
    assert caught.value.errors == {"lines[0].tax_amount": [
        "tax_amount 19.00 != net_amount x 20% 20.00 (difference 1.00)"]}
    assert sandbox.counters.requests.get("POST /sales_invoices", 0) == posts
    right = sales_invoice(buyer.id, sales_account, tax_code="standard",  # type: ignore[arg-type]
                          net_amount=Decimal("100.00"), tax_amount=Decimal("20.00"),
                          total_amount=Decimal("120.00"))
    created = client.invoices.create(right)
    # An update of the lines goes through the same check, before any PUT.
    puts = sandbox.counters.requests.get("PUT /sales_invoices/{key}", 0)
    with pytest.raises(ua.ValidationError) as caught:
        client.invoices.update(created.id, {"lines": wrong.lines})  # type: ignore[arg-type]
    assert list(caught.value.errors) == ["lines[0].tax_amount"]
    assert sandbox.counters.requests.get("PUT /sales_invoices/{key}", 0) == puts
