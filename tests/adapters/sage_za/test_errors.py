"""v2 error answers map into the unified hierarchy, with field paths where the body names one."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import responses
from unified_accounting_sage_za.errors import field_path
from unified_accounting_sage_za.sandbox import SAGE_ZA_ORIGIN, SageZASandbox

import unified_accounting as ua

BASE = SAGE_ZA_ORIGIN + "/api/2.0.0"


@pytest.fixture
def mocked() -> Iterator[tuple[responses.RequestsMock, ua.Client]]:
    sandbox = SageZASandbox(seed=31)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        sandbox.register(mock)
        client = ua.connect("sage_za", credentials=sandbox.credentials,
                            business_id=sandbox.company_id, sleep=lambda s: None,
                            settings={"requests_per_minute": 6000})
        yield mock, client


@pytest.mark.parametrize(("status", "body", "error"), [
    (400, {"Message": "The request is invalid.",
           "ModelState": {"model.Lines[0].TaxTypeId": ["TaxType does not exist."]}},
     ua.ValidationError),
    (404, {"Message": "No Customer found matching ID 5."}, ua.NotFoundError),
    (405, {"Message": "The requested resource does not support http method 'GET'."},
     ua.ProviderError),
    (409, {"Message": "The Customer cannot be deleted because it is in use."}, ua.ConflictError),
    (415, {"Message": "The request entity's media type 'text/plain' is not supported."},
     ua.ProviderError),
    (429, {"Message": "Your IP address has exceeded ..."}, ua.RateLimitError),
    (500, {"Message": "An error has occurred."}, ua.ProviderUnavailableError),
    (503, "Service Unavailable", ua.ProviderUnavailableError),
])
def test_statuses_map_into_the_hierarchy(status: int, body: object, error: type) -> None:
    sandbox = SageZASandbox(seed=1000 + status)  # a login of its own: a 429 blocks it
    text = body if isinstance(body, str) else json.dumps(body)
    with responses.RequestsMock() as mock:
        mock.add(responses.DELETE, f"{BASE}/Customer/Delete/5", body=text, status=status)
        client = ua.connect("sage_za", credentials=sandbox.credentials, business_id="1",
                            sleep=lambda s: None, settings={"requests_per_minute": 6000})
        with pytest.raises(error) as caught:
            client.contacts.delete("C5")
    assert caught.value.status == status
    assert caught.value.provider == "sage_za"
    if status == 400:
        assert caught.value.errors == {"lines[0].tax_rate_id": ["TaxType does not exist."]}
    if status == 429:
        assert caught.value.retry_after == 3600
    if status == 503:
        assert "Service Unavailable" in str(caught.value)


def test_a_validation_body_from_the_sandbox_names_the_field(
        mocked: tuple[responses.RequestsMock, ua.Client]) -> None:
    _, client = mocked
    answer = client.proxy.request("POST", "/Customer/Save", json={"Email": "x"},
                                  raise_for_status=False)
    assert answer.status == 400
    with pytest.raises(ua.ValidationError) as caught:
        client.proxy.request("POST", "/Customer/Save", json={"Email": "x"})
    assert caught.value.errors == {"name": ["The Name field is required."]}


@pytest.mark.parametrize(("sage", "unified"), [
    ("model.Name", "name"), ("model.Lines[2].SelectionId", "lines[2].account_id"),
    ("model[3].AccountId", "[3].account_id"), ("model.Unknown", "Unknown"), ("model", "body"),
])
def test_field_paths(sage: str, unified: str) -> None:
    assert field_path(sage) == unified
