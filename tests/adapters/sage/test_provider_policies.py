"""The Sage provider's small policies: endpoints, limits, pages, idempotency, errors."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
import responses
from unified_accounting_sage.list_pages import read_envelope
from unified_accounting_sage.provider import SageProvider

import unified_accounting as ua
from unified_accounting.http import HttpResponse, OutgoingRequest

from .sage_http import BASE, body, calls_to, connect, envelope

HEX32 = re.compile(r"^[0-9a-f]{32}$")


def test_default_endpoints_are_sages() -> None:
    provider = SageProvider()
    settings = provider.default_settings()
    assert settings["base_url"] == "https://api.accounting.sage.com/v3.1"
    endpoints = provider.oauth_endpoints({})
    assert endpoints.authorize_url == (
        "https://www.sageone.com/oauth2/auth/central?filter=apiv3.1")
    assert endpoints.token_url == "https://oauth.accounting.sage.com/token"
    assert endpoints.revoke_url == "https://oauth.accounting.sage.com/revoke"
    assert endpoints.default_scopes == ("full_access",)


def test_every_endpoint_can_be_replaced() -> None:
    urls = {"authorize_url": "http://127.0.0.1:1/auth", "token_url": "http://127.0.0.1:1/token",
            "revoke_url": "http://127.0.0.1:1/revoke"}
    endpoints = SageProvider().oauth_endpoints(urls)
    assert (endpoints.authorize_url, endpoints.token_url, endpoints.revoke_url) == tuple(
        urls.values())
    client = connect(settings={"base_url": "http://127.0.0.1:9/v3.1/"})
    assert client.context.transport.base_url == "http://127.0.0.1:9/v3.1"


def test_token_response_keeps_the_user_id_and_masks_tokens() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    tokens = SageProvider().parse_token_response(
        {"access_token": "acc-secret", "refresh_token": "ref-secret", "expires_in": 300,
         "refresh_token_expires_in": 2678400, "token_type": "bearer", "scope": "full_access",
         "requested_by_id": "u123"}, now)
    assert tokens.seconds_left(now) == 300
    assert tokens.extra["requested_by_id"] == "u123"
    assert "acc-secret" not in repr(tokens)
    assert "ref-secret" not in repr(tokens)


def test_published_limits_are_the_default() -> None:
    limits = SageProvider().rate_limits({})
    assert limits.max_concurrency == 150
    assert limits.requests_per_second == 15
    assert limits.business_requests_per_second is None


def test_limits_are_configurable() -> None:
    provider = SageProvider()
    assert provider.rate_limits({"requests_per_day": 86_400}).requests_per_second == 1
    limits = provider.rate_limits({"requests_per_second": 3, "max_concurrency": 10,
                                   "business_max_concurrency": 2,
                                   "business_requests_per_second": 0.5})
    assert (limits.requests_per_second, limits.max_concurrency) == (3, 10)
    assert (limits.business_max_concurrency, limits.business_requests_per_second) == (2, 0.5)
    with pytest.raises(ua.ConfigurationError):
        provider.rate_limits({"max_concurrency": -1})
    with pytest.raises(ua.ConfigurationError):
        provider.rate_limits({"requests_per_day": "lots"})


def test_lists_ask_for_200_records_a_page() -> None:
    provider = SageProvider()
    assert provider.prepare_list_params({"search": "a"}) == {"items_per_page": 200,
                                                             "search": "a"}
    assert provider.prepare_list_params({"items_per_page": 5}) == {"items_per_page": 5}


@pytest.mark.parametrize("snake", [False, True])
def test_both_page_size_spellings_are_read(snake: bool) -> None:
    page = read_envelope(envelope([{"id": "a"}], "/contacts?page=2", total=9, snake=snake))
    assert page.items_per_page == 200
    assert (page.total, page.next_path) == (9, "/contacts?page=2")


def test_next_links_are_made_relative_to_the_base_url() -> None:
    page = read_envelope(envelope([{"id": "a"}], "/v3.1/contacts?page=2"))
    assert page.next_path == "/contacts?page=2"


def test_a_bare_array_is_one_last_page_and_an_empty_page_ends_a_list() -> None:
    assert read_envelope([{"id": "a"}, "junk"]).as_page().items == [{"id": "a"}]
    assert read_envelope(envelope([], "/contacts?page=2")).next_path is None
    with pytest.raises(ua.ProviderError):
        read_envelope({"$items": "nope"})


def test_the_idempotency_id_goes_inside_the_wrapper() -> None:
    provider = SageProvider()
    key = provider.new_idempotency_key()
    assert HEX32.match(key)
    request = provider.apply_idempotency_key(
        OutgoingRequest("POST", "/contacts", json={"contact": {"name": "A"}}), key)
    assert request.json == {"contact": {"name": "A", "idempotency_id": key}}
    assert "Idempotency-Key" not in request.headers
    with pytest.raises(ua.ValidationError):
        provider.apply_idempotency_key(OutgoingRequest("POST", "/x", json={"a": 1, "b": 2}), key)


def test_a_retried_write_resends_the_same_idempotency_id(
        rsps: responses.RequestsMock, client: ua.Client) -> None:
    rsps.post(f"{BASE}/contacts", status=503, json=[])
    rsps.post(f"{BASE}/contacts", status=500, json=[])
    rsps.post(f"{BASE}/contacts", status=201, json={"id": "c1", "name": "A",
                                                    "contact_types": [{"id": "CUSTOMER"}]})
    created = client.contacts.create(ua.Contact(name="A", is_customer=True))
    assert created.id == "c1"
    sent = [body(call)["contact"]["idempotency_id"] for call in calls_to(rsps, "POST",
                                                                         "/contacts")]
    assert len(sent) == 3
    assert len(set(sent)) == 1
    assert HEX32.match(sent[0])


def test_each_write_gets_its_own_idempotency_id(
        rsps: responses.RequestsMock, client: ua.Client) -> None:
    rsps.post(f"{BASE}/contacts", status=201, json={"id": "c1", "name": "A"})
    client.contacts.create(ua.Contact(name="A", is_customer=True))
    client.contacts.create(ua.Contact(name="A", is_customer=True))
    first, second = (body(c)["contact"]["idempotency_id"] for c in rsps.calls)
    assert first != second


def test_numbered_documents_are_written_one_at_a_time() -> None:
    provider = SageProvider()
    for path in ("/contacts", "/sales_invoices", "/purchase_invoices", "/contact_payments",
                 "/journals", "/sales_invoices/x/release", "/products", "/services",
                 "/stock_items", "/sales_credit_notes", "/purchase_credit_notes",
                 "/sales_quotes", "/sales_estimates", "/sales_corrective_invoices",
                 "/purchase_corrective_invoices", "/sales_quick_entries",
                 "/purchase_quick_entries", "/products?x=1"):
        assert provider.is_sequential("POST", path)
    assert not provider.is_sequential("PUT", "/contacts/x")
    assert not provider.is_sequential("POST", "/ledger_accounts")


def test_sage_error_fields_come_back_in_unified_names() -> None:
    provider = SageProvider()
    response = HttpResponse.build(
        422, {}, b'[{"$severity":"error","$dataCode":"RecordInvalid","$message":"is invalid",'
                 b'"$source":"invoice_lines.0.ledger_account_id"}]',
        method="POST", path="/sales_invoices")
    error = provider.map_error(response)
    assert isinstance(error, ua.ValidationError)
    assert error.errors == {"lines[0].account_id": ["is invalid"]}
    assert error.code == "RecordInvalid"


def test_a_refused_write_raises_with_unified_paths(
        rsps: responses.RequestsMock, client: ua.Client) -> None:
    rsps.post(f"{BASE}/contacts", status=422, json=[
        {"$severity": "error", "$dataCode": "RecordInvalid", "$message": "is taken",
         "$source": "reference"},
        {"$severity": "error", "$dataCode": "RecordInvalid", "$message": "is invalid",
         "$source": "main_contact_person.email"}])
    with pytest.raises(ua.ValidationError) as caught:
        client.contacts.create(ua.Contact(name="A", is_customer=True, reference="R1",
                                          email="jo@acme.test"))
    assert caught.value.errors == {"reference": ["is taken"], "email": ["is invalid"]}
    assert len(rsps.calls) == 1
