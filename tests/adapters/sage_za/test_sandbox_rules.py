"""The sandbox follows the v2 notes: URL and query quirks, auth, envelope, cap, errors, blocks."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import requests
from unified_accounting_sage_za.sandbox import SageZASandbox
from unified_accounting_sage_za.sandbox.errors import LOGIN_BLOCKED, MINUTE_LIMIT_BLOCKED


@pytest.fixture
def sandbox() -> Iterator[SageZASandbox]:
    with SageZASandbox(seed=11).running() as running:
        yield running


def _call(sb: SageZASandbox, method: str, path: str, *, key: str | None = None,
          company: bool = True, auth: tuple[str, str] | None = None,
          **kwargs: Any) -> requests.Response:
    creds = sb.credentials
    params: dict[str, str] = {"apikey": key or creds["api_key"]}
    if company:
        params["companyid"] = sb.company_id
    params.update(kwargs.pop("params", {}))
    return requests.request(method, sb.base_url + path, params=params,
                            auth=auth or (creds["username"], creds["password"]), timeout=5,
                            **kwargs)


def test_names_and_routes_are_case_insensitive_and_the_key_may_carry_braces(
        sandbox: SageZASandbox) -> None:
    bare = sandbox.credentials["api_key"].strip("{}").lower()
    answer = requests.get(sandbox.base_url + "/taxtype/GET",
                          params={"APIKEY": bare, "CompanyId": sandbox.company_id},
                          auth=(sandbox.credentials["username"], sandbox.credentials["password"]),
                          timeout=5)
    assert answer.status_code == 200
    assert answer.json()["TotalResults"] == 4
    assert _call(sandbox, "GET", "/TaxType/Get").json()["ReturnedResults"] == 4


def test_lists_are_capped_at_100_whatever_top_asks(sandbox: SageZASandbox) -> None:
    for n in range(120):
        if n == 90:
            sandbox.advance_clock(60)  # stay under the minute limit
        assert _call(sandbox, "POST", "/Customer/Save", json={"Name": f"C{n}"}).status_code == 201
    page = _call(sandbox, "GET", "/Customer/Get", params={"$top": "500"}).json()
    assert (page["TotalResults"], page["ReturnedResults"], len(page["Results"])) == (120, 100, 100)
    rest = _call(sandbox, "GET", "/Customer/Get", params={"$skip": "100", "$orderby": "Name desc"})
    assert rest.json()["ReturnedResults"] == 20


def test_save_creates_then_replaces_and_ignores_read_only_fields(sandbox: SageZASandbox) -> None:
    created = _call(sandbox, "POST", "/Customer/Save", json={"Name": "A", "Balance": 999})
    assert created.status_code == 201
    record = created.json()
    assert record.get("Balance", 0) != 999
    assert isinstance(record["ID"], int)
    assert record["Modified"] is None
    updated = _call(sandbox, "POST", "/Customer/Save", json={"ID": record["ID"], "Name": "B"})
    assert updated.status_code == 200
    assert updated.json()["Name"] == "B"
    assert updated.json()["Modified"]
    assert _call(sandbox, "POST", "/Customer/Save", json={"ID": 1, "Name": "x"}).status_code == 404


def test_error_statuses_carry_the_notes_bodies(sandbox: SageZASandbox) -> None:
    invalid = _call(sandbox, "POST", "/Customer/Save", json={"Email": "x"})
    assert invalid.status_code == 400
    assert invalid.json()["ModelState"] == {"model.Name": ["The Name field is required."]}
    assert _call(sandbox, "GET", "/Customer/Save").status_code == 405
    assert _call(sandbox, "GET", "/Customer/Get/424242").status_code == 404
    assert _call(sandbox, "POST", "/Customer/Save", data=b"Name=x",
                 headers={"Content-Type": "text/plain"}).status_code == 415
    assert _call(sandbox, "DELETE", "/TaxInvoice/Delete/1").status_code == 404
    assert _call(sandbox, "GET", "/Customer/Get", company=False).status_code == 400


def test_deleting_a_record_in_use_is_a_conflict(sandbox: SageZASandbox) -> None:
    customer = _call(sandbox, "POST", "/Customer/Save", json={"Name": "Used"}).json()
    sales = next(r for r in sandbox.records("Account") if r["Name"] == "Sales")
    invoice = _call(sandbox, "POST", "/TaxInvoice/Save", json={
        "CustomerId": customer["ID"], "Date": "2026-01-05",
        "Lines": [{"LineType": 1, "SelectionId": sales["ID"], "Quantity": 1,
                   "UnitPriceExclusive": 100}]})
    assert invoice.status_code == 201
    answer = _call(sandbox, "DELETE", f"/Customer/Delete/{customer['ID']}")
    assert answer.status_code == 409
    assert "in use" in answer.json()["Message"]


def test_lines_come_with_include_detail_only(sandbox: SageZASandbox) -> None:
    customer = _call(sandbox, "POST", "/Customer/Save", json={"Name": "L"}).json()
    sales = next(r for r in sandbox.records("Account") if r["Name"] == "Sales")
    standard = next(r for r in sandbox.records("TaxType") if r["Name"] == "Standard Rate")
    saved = _call(sandbox, "POST", "/TaxInvoice/Save", json={
        "CustomerId": customer["ID"], "Date": "2026-01-05",
        "Lines": [{"LineType": 1, "SelectionId": sales["ID"], "TaxTypeId": standard["ID"],
                   "Quantity": 3, "UnitPriceExclusive": "33.33"}]}).json()
    assert (saved["Exclusive"], saved["Tax"], saved["Total"]) == (99.99, 15.0, 114.99)
    plain = _call(sandbox, "GET", "/TaxInvoice/Get").json()["Results"][0]
    detailed = _call(sandbox, "GET", "/TaxInvoice/Get",
                     params={"includeDetail": "true"}).json()["Results"][0]
    assert "Lines" not in plain
    assert len(detailed["Lines"]) == 1


def test_a_company_over_100_a_minute_is_blocked_for_an_hour_others_go_on() -> None:
    with SageZASandbox(seed=12, companies=("One", "Two"),
                       start_time=datetime(2026, 6, 1, 10, 0, 5, tzinfo=UTC)).running() as sb:
        for _ in range(100):
            assert _call(sb, "GET", "/TaxType/Get").status_code == 200
        blocked = _call(sb, "GET", "/TaxType/Get")
        assert blocked.status_code == 429
        assert blocked.json()["Message"] == MINUTE_LIMIT_BLOCKED
        other = str(sb.core.company_ids[1])
        assert _call(sb, "GET", "/TaxType/Get", company=False,
                     params={"companyid": other}).status_code == 200
        sb.advance_clock(61)
        assert _call(sb, "GET", "/TaxType/Get").status_code == 429  # the block lasts an hour
        sb.advance_clock(3601)
        assert _call(sb, "GET", "/TaxType/Get").status_code == 200


def test_twenty_failed_logins_block_the_user_name_for_a_day(sandbox: SageZASandbox) -> None:
    user = sandbox.credentials["username"]
    for _ in range(20):
        assert _call(sandbox, "GET", "/TaxType/Get", auth=(user, "wrong")).status_code == 401
    blocked = _call(sandbox, "GET", "/TaxType/Get")
    assert blocked.status_code == 429
    assert blocked.json()["Message"] == LOGIN_BLOCKED
    sandbox.advance_clock(24 * 3600 + 1)
    assert _call(sandbox, "GET", "/TaxType/Get").status_code == 200


def test_the_basic_header_is_required(sandbox: SageZASandbox) -> None:
    answer = requests.get(sandbox.base_url + "/Company/Get",
                          params={"apikey": sandbox.credentials["api_key"]}, timeout=5)
    assert answer.status_code == 401
    token = base64.b64encode(b"nobody:nothing").decode()
    answer = requests.get(sandbox.base_url + "/Company/Get", timeout=5,
                          params={"apikey": sandbox.credentials["api_key"]},
                          headers={"Authorization": f"Basic {token}"})
    assert answer.status_code == 401


def test_returns_take_allocations_only_up_to_what_they_have_left(
        sandbox: SageZASandbox) -> None:
    customer = _call(sandbox, "POST", "/Customer/Save", json={"Name": "Buyer"}).json()
    other = _call(sandbox, "POST", "/Customer/Save", json={"Name": "Other"}).json()
    account = next(a["ID"] for a in _call(sandbox, "GET", "/Account/Get").json()["Results"]
                   if a["Name"] == "Sales")
    line = {"LineType": 1, "SelectionId": account, "Quantity": 1, "UnitPriceExclusive": 100}

    def document(controller: str, party: dict[str, Any], **extra: Any) -> Any:
        return _call(sandbox, "POST", f"/{controller}/Save",
                     json={"CustomerId": party["ID"], "Date": "2026-04-01",
                           "Lines": [line], **extra})

    invoice = document("TaxInvoice", customer).json()
    foreign = document("CustomerReturn", other, FromDocumentId=invoice["ID"])
    assert (foreign.status_code, "another party" in foreign.text) == (400, True)
    credit = document("CustomerReturn", customer, FromDocumentId=invoice["ID"]).json()
    assert (credit["FromDocumentId"], credit["AmountDue"]) == (invoice["ID"], 100)

    def allocate(total: str) -> requests.Response:
        return _call(sandbox, "POST", "/Allocation/Save", json={
            "SourceDocumentId": credit["ID"], "AllocatedToDocumentId": invoice["ID"],
            "Total": total})

    assert allocate("100.01").status_code == 400
    assert allocate("60").status_code == 201
    assert allocate("40.01").status_code == 400
    after = _call(sandbox, "GET", f"/CustomerReturn/Get/{credit['ID']}").json()
    assert (after["AmountDue"], after["Status"]) == (40, "Partially Paid")
    assert _call(sandbox, "GET", f"/TaxInvoice/Get/{invoice['ID']}").json()["AmountDue"] == 40
    assert _call(sandbox, "DELETE", f"/CustomerReturn/Delete/{credit['ID']}").status_code == 404
