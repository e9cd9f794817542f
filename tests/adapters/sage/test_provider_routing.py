"""Business routing, business changes and the 403 streak, over ``responses``."""

from __future__ import annotations

import logging

import pytest
import responses
from unified_accounting_sage.business_routing import BusinessChange, BusinessChangedWarning

import unified_accounting as ua

from .sage_http import BASE, BUSINESS_ID, add_business, calls_to, connect, envelope

OTHER = "c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1"


def _business(ident: str, name: str, country: str) -> dict[str, object]:
    return {"id": ident, "name": name, "displayed_as": name,
            "country": {"id": country, "displayed_as": country}}


def test_x_business_goes_on_data_paths_and_not_on_user_paths(
        rsps: responses.RequestsMock, client: ua.Client) -> None:
    rsps.get(f"{BASE}/contacts", json=envelope([]))
    rsps.get(f"{BASE}/businesses", json=envelope([], snake=True))
    rsps.get(f"{BASE}/user", json={"id": "u1"})
    list(client.contacts.list())
    client.proxy.request("GET", "/businesses")
    client.proxy.request("GET", "/user")
    assert rsps.calls[0].request.headers["X-Business"] == BUSINESS_ID
    assert "X-Business" not in rsps.calls[1].request.headers
    assert "X-Business" not in rsps.calls[2].request.headers


def test_a_user_with_one_business_is_connected_to_it(rsps: responses.RequestsMock) -> None:
    rsps.get(f"{BASE}/businesses", json=envelope([_business(OTHER, "Only Ltd", "IE")],
                                                 snake=True))
    client = connect(business_id=None)
    assert client.business_id == OTHER
    assert client.extras.lead_business_id == OTHER


def test_a_user_with_several_businesses_must_choose(rsps: responses.RequestsMock) -> None:
    rsps.get(f"{BASE}/businesses", json=envelope(
        [_business(BUSINESS_ID, "Acme UK", "GB"), _business(OTHER, "Acme Canada", "CA")],
        snake=True))
    with pytest.raises(ua.ConfigurationError) as caught:
        connect(business_id=None)
    text = str(caught.value)
    for part in (BUSINESS_ID, "Acme UK", "GB", OTHER, "Acme Canada", "CA"):
        assert part in text


def test_a_given_business_is_used_without_asking_sage(rsps: responses.RequestsMock) -> None:
    client = connect()
    assert client.business_id == BUSINESS_ID
    assert len(rsps.calls) == 0


def test_an_answer_for_another_business_warns_and_calls_back(
        rsps: responses.RequestsMock) -> None:
    seen: list[BusinessChange] = []
    client = connect(on_business_change=seen.append)
    rsps.get(f"{BASE}/contacts", json=envelope([]), headers={"X-Business": OTHER})
    with pytest.warns(BusinessChangedWarning) as warned:
        list(client.contacts.list())
    change = warned[0].message.change  # type: ignore[union-attr]
    assert (change.kind, change.expected, change.actual) == ("routed_elsewhere", BUSINESS_ID,
                                                              OTHER)
    assert seen == [change]
    assert client.extras.business_changes == [change]
    # Reported, never followed: the next request still names the chosen business.
    with pytest.warns(BusinessChangedWarning):
        list(client.contacts.list())
    assert rsps.calls[-1].request.headers["X-Business"] == BUSINESS_ID


def test_an_answer_for_the_chosen_business_is_quiet(
        rsps: responses.RequestsMock, client: ua.Client, recwarn: pytest.WarningsRecorder) -> None:
    rsps.get(f"{BASE}/contacts", json=envelope([]), headers={"X-Business": BUSINESS_ID})
    list(client.contacts.list())
    assert not [w for w in recwarn if issubclass(w.category, BusinessChangedWarning)]
    assert client.extras.business_changes == []


def test_a_request_routed_elsewhere_on_purpose_is_not_a_change(
        rsps: responses.RequestsMock, client: ua.Client, recwarn: pytest.WarningsRecorder) -> None:
    rsps.get(f"{BASE}/financial_settings", json={}, headers={"X-Business": OTHER})
    client.proxy.request("GET", "/financial_settings", business_id=OTHER)
    assert rsps.calls[0].request.headers["X-Business"] == OTHER
    assert client.extras.business_changes == []


def test_a_new_lead_business_is_reported(rsps: responses.RequestsMock) -> None:
    rsps.get(f"{BASE}/businesses", json=envelope([_business(BUSINESS_ID, "A", "GB")],
                                                 snake=True))
    calls: list[BusinessChange] = []
    client = connect(business_id=None, on_business_change=calls.append)
    rsps.get(f"{BASE}/businesses/lead", json=_business(OTHER, "B", "GB"))
    rsps.get(f"{BASE}/financial_settings", json={"base_currency": {"id": "GBP"}})
    with pytest.warns(BusinessChangedWarning, match="lead Sage business"):
        lead = client.businesses.lead()
    assert lead.id == OTHER
    assert lead.is_lead
    assert [(c.kind, c.expected, c.actual) for c in calls] == [
        ("lead_changed", BUSINESS_ID, OTHER)]
    assert client.extras.lead_business_id == OTHER
    assert client.business_id == BUSINESS_ID


def test_403_on_every_request_marks_the_connection(rsps: responses.RequestsMock) -> None:
    marked: list[object] = []
    client = connect(on_reauthorization_required=marked.append)
    denied = [{"$severity": "error", "$dataCode": "MultiUserAccessDenied",
               "$message": "not allowed", "$source": ""}]
    rsps.get(f"{BASE}/contacts", json=denied, status=403)
    for _ in range(2):
        with pytest.raises(ua.PermissionDeniedError):
            list(client.contacts.list())
    assert client.extras.needs_reauthorization is False
    with pytest.raises(ua.ReauthorizationRequired) as caught:
        list(client.contacts.list())
    assert caught.value.connection == "default"
    assert caught.value.code == "MultiUserAccessDenied"
    assert client.extras.needs_reauthorization is True
    with pytest.raises(ua.ReauthorizationRequired):
        list(client.contacts.list())
    assert len(marked) == 1
    assert marked[0].forbidden_streak == 3  # type: ignore[attr-defined]


def test_an_answer_showing_access_ends_the_403_streak(rsps: responses.RequestsMock) -> None:
    client = connect(forbidden_threshold=2)
    rsps.get(f"{BASE}/contacts", status=403, json=[])
    rsps.get(f"{BASE}/ledger_accounts", json=envelope([]))
    with pytest.raises(ua.PermissionDeniedError):
        list(client.contacts.list())
    with pytest.raises(ua.ReauthorizationRequired):
        list(client.contacts.list())
    list(client.ledger_accounts.list())
    assert client.extras.needs_reauthorization is False
    assert client.extras.state.forbidden_streak == 0


def test_a_bad_option_type_is_refused() -> None:
    with pytest.raises(ua.ConfigurationError):
        connect(on_business_change="not callable")
    with pytest.raises(ua.ConfigurationError):
        connect(forbidden_threshold=0)


def test_unknown_options_are_logged(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="unified_accounting_sage"):
        connect(on_busines_change=print)
    assert "on_busines_change" in caplog.text


def test_business_country_is_read_once(rsps: responses.RequestsMock, client: ua.Client) -> None:
    add_business(rsps, "IE")
    assert client.extras.country == "IE"
    assert client.extras.country == "IE"
    assert len(calls_to(rsps, "GET", f"/businesses/{BUSINESS_ID}")) == 1
    assert "X-Business" not in rsps.calls[0].request.headers
