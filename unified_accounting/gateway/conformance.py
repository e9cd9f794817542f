"""The conformance suite over HTTP: the contract tests, sent to a running gateway.

The same behaviours as :class:`unified_accounting.testing.ProviderConformance`, seen from a
program that speaks only HTTP and JSON: unsupported operations answer 405 before any
provider request, unknown filters 400, lists page with cursors that cover the whole list,
a missing record 404, records go round create/get/update/delete as unified JSON, changes
and deletions can be read back, and a retried create with the same ``Idempotency-Key``
creates one record. Use it from a provider package's tests::

    class TestMyGateway(GatewayConformance):
        @pytest.fixture
        def ua_gateway(self, ...): return GatewayTarget(base_url, api_key, "books", ...)

        @pytest.fixture
        def ua_http_samples(self): return HttpSamples(new_records={"contacts": ...})
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests

from unified_accounting.provider import RESOURCES

__all__ = ["GatewayConformance", "GatewayTarget", "HttpSamples"]

_PROBLEM = "application/problem+json"
# HTTP method and path suffix of each operation on a resource.
_CALLS: Mapping[str, tuple[str, str]] = {
    "list": ("GET", ""), "create": ("POST", ""), "get": ("GET", "/x"),
    "update": ("PATCH", "/x"), "delete": ("DELETE", "/x"),
}


@dataclass
class GatewayTarget:
    """A running gateway and a connection to test through it.

    Attributes:
        base_url: e.g. ``http://127.0.0.1:8080``.
        api_key: a key of the tenant that owns ``connection``.
        connection: the tenant's connection name.
        provider_requests: returns how many requests reached the provider so far.
        foreign_api_key: a key of another tenant (which must not see ``connection``).
    """

    base_url: str
    api_key: str
    connection: str
    provider_requests: Callable[[], int]
    foreign_api_key: str | None = None

    def url(self, resource: str, suffix: str = "") -> str:
        """The URL of ``resource`` of the connection, plus ``suffix``."""
        return f"{self.base_url}/v1/connections/{self.connection}/{resource}{suffix}"

    def send(self, method: str, url: str, *, key: str | None = None,
             **kwargs: Any) -> requests.Response:
        """Send one request with the tenant's key (or ``key``)."""
        headers = {"Authorization": f"Bearer {key or self.api_key}", **kwargs.pop("headers", {})}
        return requests.request(method, url, headers=headers, timeout=60, **kwargs)


@dataclass
class HttpSamples:
    """What the suite needs to know: JSON bodies of new records and of changes.

    Attributes:
        new_records: resource -> a function returning the unified JSON of a new record.
        changes: resource -> the JSON fields a PATCH changes.
        missing_id: an id no record has.
    """

    new_records: Mapping[str, Callable[[], dict[str, Any]]] = field(default_factory=dict)
    changes: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    missing_id: str = "00000000000000000000000000000000"


def _capabilities(target: GatewayTarget) -> dict[str, Any]:
    answer = target.send("GET", f"{target.base_url}/v1/connections/{target.connection}")
    assert answer.status_code == 200, answer.text
    table: dict[str, Any] = answer.json()["capabilities"]
    return table


def _require(target: GatewayTarget, name: str, *operations: str) -> dict[str, Any]:
    caps: dict[str, Any] = _capabilities(target)[name]
    missing = [op for op in operations if op not in caps["operations"]]
    if missing:
        pytest.skip(f"{name} does not support {', '.join(missing)}")
    return caps


def _sample(samples: HttpSamples, name: str) -> dict[str, Any]:
    if name not in samples.new_records:
        pytest.skip(f"no sample record for {name}")
    return samples.new_records[name]()


def _is_problem(answer: requests.Response, status: int) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith(_PROBLEM)
    body: dict[str, Any] = answer.json()
    assert body["status"] == status
    assert body["type"].startswith("/docs#problem-")
    return body


def _all_ids(target: GatewayTarget, name: str, limit: int, query: str = "") -> list[str]:
    ids: list[str] = []
    url: str | None = target.url(name, f"?limit={limit}{query}")
    while url is not None:
        answer = target.send("GET", url)
        assert answer.status_code == 200, answer.text
        page = answer.json()
        assert len(page["items"]) <= limit
        ids.extend(item["id"] for item in page["items"])
        url = target.base_url + page["next"] if page["next"] else None
    return ids


def _created(target: GatewayTarget, name: str, body: dict[str, Any],
             key: str | None = None) -> dict[str, Any]:
    headers = {"Idempotency-Key": key} if key else {}
    answer = target.send("POST", target.url(name), json=body, headers=headers)
    assert answer.status_code == 201, answer.text
    record: dict[str, Any] = answer.json()
    assert record["id"]
    assert answer.headers["location"].endswith("/" + record["id"])
    return record


def _since(record: Mapping[str, Any]) -> str:
    stamp = record.get("updated_at")
    moment = datetime.fromisoformat(stamp) if stamp else datetime.now(UTC)
    return (moment - timedelta(minutes=1)).isoformat()


class GatewayConformance:
    """Contract tests over HTTP; a subclass gives ``ua_gateway`` and ``ua_http_samples``."""

    def test_capabilities_cover_every_unified_resource(self, ua_gateway: GatewayTarget) -> None:
        assert set(_capabilities(ua_gateway)) == set(RESOURCES)

    def test_no_key_and_another_tenants_key_are_refused(self, ua_gateway: GatewayTarget) -> None:
        url = f"{ua_gateway.base_url}/v1/connections/{ua_gateway.connection}"
        assert _is_problem(requests.get(url, timeout=30), 401)["error"] is None
        if ua_gateway.foreign_api_key:
            foreign = ua_gateway.send("GET", url, key=ua_gateway.foreign_api_key)
            _is_problem(foreign, 404)

    @pytest.mark.parametrize("name", RESOURCES)
    def test_unsupported_operations_answer_405_before_any_request(
        self, ua_gateway: GatewayTarget, name: str
    ) -> None:
        operations = _capabilities(ua_gateway)[name]["operations"]
        before = ua_gateway.provider_requests()
        for operation, (method, suffix) in _CALLS.items():
            if operation not in operations:
                answer = ua_gateway.send(method, ua_gateway.url(name, suffix), json={})
                _is_problem(answer, 405)
                assert "allow" in {header.lower() for header in answer.headers}
        assert ua_gateway.provider_requests() == before

    @pytest.mark.parametrize("name", RESOURCES)
    def test_unknown_filter_answers_400_before_any_request(
        self, ua_gateway: GatewayTarget, name: str
    ) -> None:
        _require(ua_gateway, name, "list")
        before = ua_gateway.provider_requests()
        answer = ua_gateway.send("GET", ua_gateway.url(name, "?no_such_filter_anywhere=1"))
        body = _is_problem(answer, 400)
        assert "no_such_filter_anywhere" in body["errors"]
        assert ua_gateway.provider_requests() == before

    @pytest.mark.parametrize("name", RESOURCES)
    def test_cursor_pages_cover_the_list(self, ua_gateway: GatewayTarget, name: str) -> None:
        _require(ua_gateway, name, "list")
        small = _all_ids(ua_gateway, name, 2)
        assert len(small) == len(set(small)), "a record came twice"
        assert set(small) == set(_all_ids(ua_gateway, name, 200))

    @pytest.mark.parametrize("name", RESOURCES)
    def test_get_of_a_missing_record_answers_404(
        self, ua_gateway: GatewayTarget, ua_http_samples: HttpSamples, name: str
    ) -> None:
        _require(ua_gateway, name, "get")
        answer = ua_gateway.send("GET", ua_gateway.url(name, "/" + ua_http_samples.missing_id))
        assert _is_problem(answer, 404)["error"] == "NotFoundError"

    @pytest.mark.parametrize("name", RESOURCES)
    def test_create_get_update_delete_round_trip(
        self, ua_gateway: GatewayTarget, ua_http_samples: HttpSamples, name: str
    ) -> None:
        caps = _require(ua_gateway, name, "create", "get")
        created = _created(ua_gateway, name, _sample(ua_http_samples, name))
        record_url = ua_gateway.url(name, "/" + created["id"])
        assert ua_gateway.send("GET", record_url).json()["id"] == created["id"]
        changes = ua_http_samples.changes.get(name)
        if changes and "update" in caps["operations"]:
            updated = ua_gateway.send("PATCH", record_url, json=dict(changes))
            assert updated.status_code == 200, updated.text
            for key, value in changes.items():
                assert updated.json()[key] == value
        if "delete" in caps["operations"]:
            assert ua_gateway.send("DELETE", record_url).status_code == 204
            _is_problem(ua_gateway.send("GET", record_url), 404)

    @pytest.mark.parametrize("name", RESOURCES)
    def test_updated_since_includes_a_new_record(
        self, ua_gateway: GatewayTarget, ua_http_samples: HttpSamples, name: str
    ) -> None:
        caps = _require(ua_gateway, name, "create", "list")
        if "updated_since" not in caps["filters"]:
            pytest.skip(f"{name} has no updated_since filter")
        created = _created(ua_gateway, name, _sample(ua_http_samples, name))
        query = "&" + requests.compat.urlencode({"updated_since": _since(created)})
        assert created["id"] in _all_ids(ua_gateway, name, 200, query)

    @pytest.mark.parametrize("name", RESOURCES)
    def test_list_deleted_reports_a_deletion(
        self, ua_gateway: GatewayTarget, ua_http_samples: HttpSamples, name: str
    ) -> None:
        _require(ua_gateway, name, "create", "delete", "list_deleted")
        created = _created(ua_gateway, name, _sample(ua_http_samples, name))
        assert ua_gateway.send("DELETE", ua_gateway.url(name, "/" + created["id"])).ok
        url = (f"{ua_gateway.base_url}/v1/connections/{ua_gateway.connection}/deleted/{name}"
               f"?{requests.compat.urlencode({'since': _since(created)})}")
        answer = ua_gateway.send("GET", url)
        assert answer.status_code == 200, answer.text
        assert created["id"] in {item["id"] for item in answer.json()["items"]}

    @pytest.mark.parametrize("name", RESOURCES)
    def test_a_retried_create_with_one_idempotency_key_creates_once(
        self, ua_gateway: GatewayTarget, ua_http_samples: HttpSamples, name: str
    ) -> None:
        _require(ua_gateway, name, "create", "list")
        body, key = _sample(ua_http_samples, name), uuid.uuid4().hex
        before = set(_all_ids(ua_gateway, name, 200))
        first = _created(ua_gateway, name, body, key)
        again = _created(ua_gateway, name, body, key)
        assert again["id"] == first["id"]
        assert set(_all_ids(ua_gateway, name, 200)) - before == {first["id"]}
