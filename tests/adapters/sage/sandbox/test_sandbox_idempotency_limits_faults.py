"""idempotency_id, rate limits with Retry-After, and fault injection."""

from __future__ import annotations

import threading
import uuid

import pytest
import requests
from unified_accounting_sage.sandbox import FAULT_HEADER, SageSandbox

from .conftest import START, Api


def _contact_body(name: str, token: str | None = None) -> dict[str, object]:
    body: dict[str, object] = {"name": name, "contact_type_ids": ["CUSTOMER"]}
    if token:
        body["idempotency_id"] = token
    return {"contact": body}


def test_repeat_within_seven_days_returns_the_original_and_creates_nothing(
    sb: SageSandbox, api: Api
) -> None:
    token = uuid.uuid4().hex
    first = api.post("/contacts", _contact_body("Once", token))
    sb.advance_clock(6 * 24 * 3600)
    api.renew()
    second = api.post("/contacts", _contact_body("Once", token))
    assert second.status_code == first.status_code == 201
    assert second.json() == first.json()
    assert api.get("/contacts").json()["$total"] == 1
    sb.advance_clock(24 * 3600)
    api.renew()
    third = api.post("/contacts", _contact_body("Once", token))
    assert third.json()["id"] != first.json()["id"]
    assert api.get("/contacts").json()["$total"] == 2


def test_same_id_on_another_resource_type_is_a_mismatch(api: Api) -> None:
    token = uuid.uuid4().hex
    contact = api.post("/contacts", _contact_body("C", token)).json()
    reply = api.post("/sales_invoices", {"sales_invoice": {
        "idempotency_id": token, "contact_id": contact["id"], "date": "2025-03-01",
        "invoice_lines": [api.line()]}})
    assert reply.status_code == 422
    assert reply.json() == [{"$severity": "error", "$dataCode": "IdempotencyResourceMismatch",
                             "$message": "Entity type mismatch", "$source": ""}]


def test_idempotency_is_kept_per_business(sb: SageSandbox, api: Api) -> None:
    token = uuid.uuid4().hex
    api.post("/contacts", _contact_body("GB", token))
    api.business = sb.business_id("FR")
    assert api.post("/contacts", _contact_body("FR", token)).status_code == 201
    assert api.get("/contacts").json()["$total"] == 1


def test_per_business_minute_limit_gives_429_with_retry_after(sb: SageSandbox,
                                                              api: Api) -> None:
    sb.set_rate_limits(business_per_minute=3)
    statuses = [api.get("/contacts").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = api.get("/contacts")
    assert refused.headers["Retry-After"] == "60"  # the clock is frozen at hh:mm:00
    assert refused.json()[0]["$dataCode"] == "TooManyRequests"
    other = api.get("/contacts", headers={"X-Business": sb.business_id("IE")})
    assert other.status_code == 200
    sb.advance_clock(60)
    assert api.get("/contacts").status_code == 200
    assert sb.counters.rate_limited == {"business_per_minute": 2}


def test_retry_after_counts_down_within_the_window(sb: SageSandbox, api: Api) -> None:
    sb.set_rate_limits(app_per_minute=1)
    api.get("/contacts")
    sb.advance_clock(45)
    refused = api.get("/contacts", headers={"X-Business": sb.business_id("DE")})
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "15"


def test_per_day_limit(sb: SageSandbox, api: Api) -> None:
    sb.set_rate_limits(business_per_day=2)
    assert [api.get("/contacts").status_code for _ in range(3)] == [200, 200, 429]
    sb.advance_clock(3600)
    api.renew()
    assert api.get("/contacts").status_code == 429
    sb.advance_clock(24 * 3600)
    api.renew()
    assert api.get("/contacts").status_code == 200


def test_per_app_limit_counts_across_businesses(sb: SageSandbox, api: Api) -> None:
    sb.set_rate_limits(app_per_minute=2)
    api.get("/contacts")
    api.get("/contacts", headers={"X-Business": sb.business_id("FR")})
    assert api.get("/contacts", headers={"X-Business": sb.business_id("ES")}).status_code == 429
    sb.add_client("second-app", "second-secret")
    assert sb.counters.rate_limited == {"app_per_minute": 1}


def test_concurrency_limit(sb: SageSandbox, api: Api) -> None:
    sb.set_rate_limits(business_concurrent=1)
    release = threading.Event()
    sb.core._sleep = lambda seconds: release.wait(5)  # hold the first request in flight
    holder = threading.Thread(target=lambda: api.get("/contacts",
                                                     headers={FAULT_HEADER: "latency=1"}))
    holder.start()
    try:
        for _ in range(200):
            if sb.counters.faults.get("latency"):
                break
            threading.Event().wait(0.01)
        blocked = requests.get(sb.base_url + "/contacts", timeout=10,
                               headers={"Authorization": api.session.headers["Authorization"]})
        assert blocked.status_code == 429
        assert blocked.headers["Retry-After"] == "1"
    finally:
        release.set()
        holder.join()
    assert api.get("/contacts").status_code == 200


@pytest.mark.parametrize(("token", "status", "kind"), [
    ("500", 500, "error_500"), ("503", 503, "error_503")])
def test_fault_header_serves_errors_before_writing(api: Api, token: str, status: int,
                                                   kind: str) -> None:
    reply = api.post("/contacts", _contact_body("Never"), headers={FAULT_HEADER: token})
    assert reply.status_code == status
    assert reply.json()[0]["$severity"] == "error"
    if status == 503:
        assert reply.headers["Retry-After"] == "1"
    assert api.get("/contacts").json()["$total"] == 0
    assert api.sb.counters.faults == {kind: 1}


def test_dropped_connection_after_commit_keeps_the_write(api: Api) -> None:
    with pytest.raises(requests.ConnectionError):
        api.post("/contacts", _contact_body("Committed"),
                 headers={FAULT_HEADER: "drop-after-commit"})
    listed = api.get("/contacts", params={"attributes": "name"}).json()["$items"]
    assert [item["name"] for item in listed] == ["Committed"]
    assert api.sb.counters.faults == {"drop_after_commit": 1}


def test_500_after_commit_keeps_the_write_and_idempotent_retry_returns_it(api: Api) -> None:
    token = uuid.uuid4().hex
    failed = api.post("/contacts", _contact_body("Kept", token),
                      headers={FAULT_HEADER: "500-after-commit"})
    assert failed.status_code == 500
    retried = api.post("/contacts", _contact_body("Kept", token))
    assert retried.status_code == 201
    assert api.get("/contacts").json()["$total"] == 1


def test_queued_faults_hit_the_next_matching_requests(sb: SageSandbox, api: Api) -> None:
    sb.queue_fault("error_503", count=2, method="GET", path_contains="/contacts")
    assert api.get("/tax_rates").status_code == 200
    assert [api.get("/contacts").status_code for _ in range(3)] == [503, 503, 200]
    sb.queue_fault("drop")
    with pytest.raises(requests.ConnectionError):
        api.get("/contacts")
    assert sb.counters.total_faults == 3


def test_random_faults_are_deterministic_for_a_seed() -> None:
    def run(seed: int) -> list[int]:
        with SageSandbox.running(seed=seed, start_time=START,
                                 faults={"error_503": 0.3, "error_500": 0.1}) as sandbox:
            token = sandbox.issue_tokens()["access_token"]
            session = requests.Session()
            session.headers["Authorization"] = f"Bearer {token}"
            return [session.get(sandbox.base_url + "/contacts", timeout=10).status_code
                    for _ in range(30)]

    first, second = run(11), run(11)
    assert first == second
    assert {500, 503, 200} <= set(first)
    assert run(12) != first


def test_fault_none_header_suppresses_random_faults(sb: SageSandbox, api: Api) -> None:
    sb.set_fault_rates(error_503=1.0)
    assert api.get("/contacts").status_code == 503
    assert api.get("/contacts", headers={FAULT_HEADER: "none"}).status_code == 200
    sb.clear_faults()
    assert api.get("/contacts").status_code == 200


def test_latency_fault_is_counted_and_unknown_fault_is_400(sb: SageSandbox, api: Api) -> None:
    waits: list[float] = []
    sb.core._sleep = waits.append
    assert api.get("/contacts", headers={FAULT_HEADER: "latency=0.25"}).status_code == 200
    assert waits == [0.25]
    assert sb.counters.faults == {"latency": 1}
    assert api.get("/contacts", headers={FAULT_HEADER: "explode"}).status_code == 400


def test_counters_count_requests_per_endpoint(sb: SageSandbox, api: Api) -> None:
    sb.reset_counters()
    contact = api.contact()
    api.get(f"/contacts/{contact['id']}")
    api.get(f"/contacts/{contact['id']}")
    requests_seen = sb.counters.requests
    assert requests_seen["POST /contacts"] == 1
    assert requests_seen["GET /contacts/{key}"] == 2
    assert sb.counters.statuses == {201: 1, 200: 2}
    assert sb.record_counts()["GB"]["contacts"] == 1
    assert sb.record_counts()["GB"]["tax_rates"] == 5
