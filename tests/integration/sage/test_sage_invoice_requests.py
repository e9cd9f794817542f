"""Invoice creation in steady state: one request per invoice, counted by the sandbox.

The contact-type check before an invoice is remembered per connection and business; these
tests count what reaches the sandbox to show when the check is served from memory and when
it must ask Sage again.
"""

from __future__ import annotations

import pytest
import requests
from unified_accounting_sage.sandbox import SageSandbox

import unified_accounting as ua

from .books import customer, sales_invoice

CONTACT_GET = "GET /contacts/{key}"
SALES_POST = "POST /sales_invoices"


@pytest.fixture
def sales_account(sandbox: SageSandbox) -> str:
    return sandbox.ledger_account_id("GB", 4000)


def counts(sandbox: SageSandbox) -> tuple[int, int]:
    seen = sandbox.counters.requests
    return seen.get(CONTACT_GET, 0), seen.get(SALES_POST, 0)


def test_invoices_for_a_known_contact_cost_one_request_each(
        client: ua.Client, sandbox: SageSandbox, sales_account: str) -> None:
    buyer = customer(client)
    gets, posts = counts(sandbox)
    for _ in range(4):
        client.invoices.create(sales_invoice(buyer.id, sales_account))  # type: ignore[arg-type]
    assert counts(sandbox) == (gets + 1, posts + 4)


def test_in_steady_state_an_invoice_is_its_post_and_nothing_else(
        client: ua.Client, sandbox: SageSandbox, sales_account: str) -> None:
    buyer = customer(client)
    client.invoices.create(sales_invoice(buyer.id, sales_account))  # type: ignore[arg-type]
    before = sandbox.counters.total_requests
    for _ in range(5):
        client.invoices.create(sales_invoice(buyer.id, sales_account))  # type: ignore[arg-type]
    assert sandbox.counters.total_requests - before == 5


def test_a_type_mismatch_answer_drops_the_remembered_check(
        client: ua.Client, sandbox: SageSandbox, token: str, sales_account: str) -> None:
    buyer = customer(client)
    client.invoices.create(sales_invoice(buyer.id, sales_account))  # type: ignore[arg-type]
    # Someone else makes the contact a supplier only, behind this client's back.
    changed = requests.put(
        f"{sandbox.base_url}/contacts/{buyer.id}", timeout=10,
        json={"contact": {"contact_type_ids": ["VENDOR"]}},
        headers={"Authorization": f"Bearer {token}", "X-Business": sandbox.business_id("GB")})
    assert changed.status_code == 200, changed.text
    gets, posts = counts(sandbox)
    with pytest.raises(ua.ValidationError) as refused_by_sage:
        client.invoices.create(sales_invoice(buyer.id, sales_account))  # type: ignore[arg-type]
    assert "contact_id" in refused_by_sage.value.errors
    assert counts(sandbox) == (gets, posts + 1)  # the remembered check let it through once
    with pytest.raises(ua.ValidationError) as refused_here:
        client.invoices.create(sales_invoice(buyer.id, sales_account))  # type: ignore[arg-type]
    assert list(refused_here.value.errors) == ["contact_id"]
    assert counts(sandbox) == (gets + 1, posts + 1)  # asked again, nothing sent


def test_updating_the_contact_through_the_client_forgets_its_check(
        client: ua.Client, sandbox: SageSandbox, sales_account: str) -> None:
    buyer = customer(client)
    client.invoices.create(sales_invoice(buyer.id, sales_account))  # type: ignore[arg-type]
    assert buyer.id is not None
    client.contacts.update(buyer.id, {"is_customer": False, "is_supplier": True})
    gets, posts = counts(sandbox)
    with pytest.raises(ua.ValidationError):
        client.invoices.create(sales_invoice(buyer.id, sales_account))
    assert counts(sandbox) == (gets + 1, posts)


def test_the_check_is_never_trusted_in_another_business(
        client: ua.Client, sandbox: SageSandbox, sales_account: str) -> None:
    buyer = customer(client)
    client.invoices.create(sales_invoice(buyer.id, sales_account))  # type: ignore[arg-type]
    other = next(c for c in sandbox.options.countries if c != "GB")
    elsewhere = client.for_business(sandbox.business_id(other))
    gets, _posts = counts(sandbox)
    with pytest.raises(ua.ValidationError) as caught:
        elsewhere.invoices.create(sales_invoice(buyer.id, sales_account))  # type: ignore[arg-type]
    assert "no such contact" in caught.value.errors["contact_id"][0]
    assert counts(sandbox)[0] == gets + 1
