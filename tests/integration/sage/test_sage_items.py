"""Items through the Sage adapter and the sandbox over HTTP: products, services, lines."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from unified_accounting_sage.sandbox import SageSandbox

import unified_accounting as ua
from unified_accounting.syncing import SQLiteMirror, Syncer, scope_of

from .books import TODAY, customer, unique


@pytest.fixture
def accounts(sandbox: SageSandbox) -> tuple[str, str]:
    return sandbox.ledger_account_id("GB", 4000), sandbox.ledger_account_id("GB", 5000)


def _product(accounts: tuple[str, str], **fields: object) -> ua.Item:
    values: dict[str, object] = {
        "type": "product", "code": unique("P"), "description": "Widget",
        "sales_price": Decimal("12.345"), "purchase_price": Decimal("7.5"),
        "sales_account_id": accounts[0], "purchase_account_id": accounts[1],
        "sales_tax_rate_id": "GB_STANDARD"}
    values.update(fields)
    return ua.Item(**values)  # type: ignore[arg-type]


def test_a_product_and_a_service_read_back_as_written(
    client: ua.Client, accounts: tuple[str, str]
) -> None:
    product = client.items.create(_product(accounts))
    assert (product.type, product.sales_price, product.purchase_price) == (
        "product", Decimal("12.345"), Decimal("7.5"))
    assert (product.sales_account_id, product.purchase_account_id) == accounts
    assert product.sales_tax_rate_id == "GB_STANDARD"
    raw = client.proxy.request("GET", f"/products/{product.id}").json()
    assert raw["sales_prices"][0]["price_includes_tax"] is False
    service = client.items.create(ua.Item(type="service", description="Support hour",
                                          sales_price=Decimal("80"),
                                          sales_account_id=accounts[0]))
    assert (service.type, service.sales_price, service.purchase_account_id) == (
        "service", Decimal("80.0"), None)
    assert client.items.get(service.id or "") == service
    assert {i.id for i in client.items.list(type="service")} >= {service.id}
    assert product.id not in {i.id for i in client.items.list(type="service")}


def test_what_sage_requires_is_refused_before_a_request(
    client: ua.Client, sandbox: SageSandbox, accounts: tuple[str, str]
) -> None:
    before = sandbox.counters.total_requests
    with pytest.raises(ua.ValidationError) as caught:
        client.items.create(_product(accounts, purchase_account_id=None))
    assert caught.value.errors == {"purchase_account_id": ["required by Sage"]}
    with pytest.raises(ua.ValidationError) as places:
        client.items.create(_product(accounts, sales_price=Decimal("1.0000001")))
    assert "sales_price" in places.value.errors
    assert sandbox.counters.total_requests == before


def test_updates_keep_the_type_and_a_used_item_is_not_deleted(
    client: ua.Client, accounts: tuple[str, str]
) -> None:
    product = client.items.create(_product(accounts))
    renamed = client.items.update(product.id or "", {"description": "Blue widget",
                                                     "is_active": False})
    assert (renamed.description, renamed.is_active, renamed.code) == (
        "Blue widget", False, product.code)
    assert [i.id for i in client.items.list(is_active=False)] == [product.id]
    with pytest.raises(ua.ValidationError) as kind:
        client.items.update(product.id or "", {"type": "service"})
    assert "cannot become" in kind.value.errors["type"][0]

    contact = customer(client)
    invoice = client.invoices.create(ua.Invoice(
        type="sales", contact_id=contact.id or "", issue_date=TODAY, lines=[
            ua.InvoiceLine(description="Widgets", quantity=Decimal("3"),
                           unit_price=Decimal("12.345"), account_id=accounts[0],
                           item_id=product.id)]))
    assert invoice.lines[0].item_id == product.id
    with pytest.raises(ua.ValidationError) as used:
        client.items.delete(product.id or "")
    assert "deactivate" in str(used.value)
    spare = client.items.create(_product(accounts))
    client.items.delete(spare.id or "")
    with pytest.raises(ua.NotFoundError):
        client.items.get(spare.id or "")
    assert spare.created_at is not None
    since = spare.created_at - timedelta(seconds=1)  # deleted_since is exclusive
    assert spare.id in {d.id for d in client.items.list_deleted(since=since)}


def test_an_unknown_item_on_a_line_is_refused_before_the_invoice_is_sent(
    client: ua.Client, sandbox: SageSandbox, accounts: tuple[str, str]
) -> None:
    contact = customer(client)
    before = sandbox.counters.requests.get("POST /sales_invoices", 0)
    with pytest.raises(ua.ValidationError) as caught:
        client.invoices.create(ua.Invoice(
            type="sales", contact_id=contact.id or "", issue_date=TODAY, lines=[
                ua.InvoiceLine(description="?", unit_price=Decimal("1"),
                               account_id=accounts[0], item_id="0" * 32)]))
    assert "no such product or service" in caught.value.errors["lines[0].item_id"][0]
    assert sandbox.counters.requests.get("POST /sales_invoices", 0) == before


def test_items_sync_into_the_mirror(
    sandbox: SageSandbox, client: ua.Client, accounts: tuple[str, str], tmp_path: Path
) -> None:
    product = client.items.create(_product(accounts))
    with SQLiteMirror(tmp_path / "m.sqlite3") as mirror:
        result = Syncer(mirror, resources=["items"], clock=sandbox.now).run(client)
        assert result.ok
        stored = mirror.get(scope_of(client), "items", product.id or "")
        assert stored is not None
        assert stored.model() == product
