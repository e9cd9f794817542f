"""Hostile input: paths that try to leave the base URL, and a provider that answers badly.

Every case ends in one of the library's errors with a short message that names the request,
never in a bare ``ValueError``, ``TypeError`` or ``RecursionError``, never with the body
echoed, and never with a request sent anywhere but the provider's base URL: a trap server
counts whatever reaches it.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterator
from typing import Any, BinaryIO

import pytest
from support.hostile_server import Answer, HostileServer, hostile_server
from unified_accounting_sage.sandbox import SageSandbox
from unified_accounting_sage_za.sandbox import SageZASandbox

import unified_accounting as ua
from unified_accounting.http import LocalLimiter, RateLimits

RECORD = "a" * 32
GET = f"/v3.1/contacts/{RECORD}"
LIST = "/v3.1/contacts"
CLIENT_OPTIONS: dict[str, Any] = {"limiter": LocalLimiter(RateLimits()),
                                  "sleep": lambda seconds: None}


@pytest.fixture(scope="module")
def trap() -> Iterator[HostileServer]:
    """Where an escaping request would land."""
    with hostile_server() as server:
        yield server


@pytest.fixture(scope="module")
def sandbox() -> Iterator[SageSandbox]:
    with SageSandbox.running(port=0, seed=37) as sb:
        yield sb


def _escapes(trap: HostileServer) -> list[str]:
    host = trap.origin.removeprefix("http://")
    return [
        "../token", "/../token", "/contacts/../../token", "/contacts/./x", "..%2Ftoken",
        "%2e%2e/token", "/contacts/%2E%2E/%2E%2E/token", "/contacts/%252e%252e/x",
        "/contacts%00", f"//{host}/x", f"http://{host}/x", f"https://{host}/x",
        f"http:{host}/x", "\\..\\token", "/contacts\r\nHost: evil", "/contacts#/../../x",
        " /contacts", "/con tacts", "javascript:alert(1)",
    ]


def test_proxy_paths_that_leave_the_base_url_are_refused_before_anything_is_sent(
    sandbox: SageSandbox, trap: HostileServer,
) -> None:
    client = sandbox.connect(**CLIENT_OPTIONS)
    sandbox.reset_counters()
    for path in _escapes(trap):
        for call in (lambda p=path: client.proxy.request("GET", p),
                     lambda p=path: client.proxy.request("POST", p, json={"x": 1}),
                     lambda p=path: next(client.proxy.paginate(p))):
            with pytest.raises(ua.ValidationError) as caught:
                call()
            assert list(caught.value.errors) == ["path"], path
            assert caught.value.message.startswith("refused path"), path
    assert sandbox.counters.total_requests == 0
    # "@host" is no user-info once the path starts with "/": it stays under the base URL.
    with pytest.raises(ua.NotFoundError):
        client.proxy.request("GET", trap.origin.replace("http://", "@"))
    assert sandbox.counters.total_requests == 1
    assert trap.requests == []
    client.close()


# Headers that would replace authentication or routing, split the header block or frame
# the request anew; each is refused before anything is sent.
HOSTILE_HEADERS: list[dict[str, Any]] = [
    {"X-Note": "a\r\nAuthorization: Bearer stolen"},
    {"X-Note": "a\nX-Business: other"},
    {"X-Note": "a\rb"},
    {"X-Note": "a\x00b"},
    {"X-Note\r\nAuthorization": "Bearer stolen"},
    {"X-Note: b": "c"},
    {"Bad Name": "x"},
    {" X-Note": "x"},
    {"": "x"},
    {"X-Number": 5},
    {"Authorization": "Bearer stolen"},
    {"AUTHORIZATION": "Basic c3RvbGVu"},
    {"Proxy-Authorization": "Basic c3RvbGVu"},
    {"Cookie": "session=1"},
    {"X-Business": "b" * 32},
    {"x-business": "b" * 32},
    {"X_Business": "b" * 32},
    {"Host": "evil.example"},
    {"Content-Length": "0"},
    {"Transfer-Encoding": "chunked"},
    {"Connection": "keep-alive, Upgrade"},
]


@pytest.mark.parametrize("headers", HOSTILE_HEADERS, ids=range(len(HOSTILE_HEADERS)))
def test_proxy_headers_that_split_or_take_over_the_request_are_refused_before_sending(
    sandbox: SageSandbox, headers: dict[str, Any],
) -> None:
    client = sandbox.connect(**CLIENT_OPTIONS)
    sandbox.reset_counters()
    for method, body in (("GET", None), ("POST", {"x": 1})):
        with pytest.raises(ua.ValidationError) as caught:
            client.proxy.request(method, "/contacts", json=body, headers=headers)
        assert [path.split(".", 1)[0] for path in caught.value.errors] == ["headers"]
        assert caught.value.message.startswith("refused headers")
    assert sandbox.counters.total_requests == 0
    client.close()


def test_plain_custom_headers_still_reach_the_provider(sandbox: SageSandbox) -> None:
    client = sandbox.connect(**CLIENT_OPTIONS)
    sandbox.reset_counters()
    answer = client.proxy.request("GET", "/contacts", headers={"X-Trace": "abc\tdef",
                                                               "Accept-Language": "en-GB"})
    assert answer.status == 200
    assert sandbox.counters.total_requests == 1
    client.close()


def test_v2_api_key_and_company_cannot_be_set_through_the_proxy() -> None:
    """Sage v2.0 authenticates with an ``apikey`` query parameter and routes by ``CompanyId``;
    its server reads query names in any case."""
    za = SageZASandbox(seed=43)
    with za.running():
        client = ua.connect("sage_za", settings=za.settings(), credentials=za.credentials,
                            business_id=za.company_id, sleep=lambda s: None)
        before = za.counters().total_requests
        refused = [
            lambda: client.proxy.request("GET", "/Customer/Get", params={"apikey": "{other}"}),
            lambda: client.proxy.request("GET", "/Customer/Get", params={"ApiKey": "{other}"}),
            lambda: client.proxy.request("GET", "/Customer/Get", params={"CompanyId": "1"}),
            lambda: client.proxy.request("GET", "/Customer/Get?apikey=%7Bother%7D"),
            lambda: client.proxy.request("GET", "/Customer/Get?%61pikey=x"),
            lambda: client.proxy.request("GET", "/Customer/Get?$top=1&COMPANYID=2"),
            lambda: next(client.proxy.paginate("/Customer/Get", {"companyid": "3"})),
            lambda: client.proxy.request("GET", "/Customer/Get",
                                         headers={"Authorization": "Basic c3RvbGVu"}),
        ]
        for call in refused:
            with pytest.raises(ua.ValidationError) as caught:
                call()
            assert {path.split(".", 1)[0] for path in caught.value.errors} <= {"params",
                                                                               "headers"}
        assert za.counters().total_requests == before
        assert client.proxy.request("GET", "/Customer/Get", params={"$top": "1"}).status == 200
        client.close()


def _hostile_client(server: HostileServer) -> ua.Client:
    return ua.connect("sage", access_token="t" * 40, business_id="b" * 32,
                      settings={"base_url": server.origin + "/v3.1"}, **CLIENT_OPTIONS)


def _flood(megabytes: int) -> Callable[[BinaryIO], None]:
    def write(out: BinaryIO) -> None:
        chunk = b" " * (1 << 20)
        for _ in range(megabytes):
            out.write(chunk)
    return write


def _page(items: list[dict[str, Any]], next_path: str | None = None) -> bytes:
    return json.dumps({"$items": items, "$next": next_path, "$total": len(items)}).encode()


def _get(client: ua.Client) -> Any:
    return client.contacts.get(RECORD)


def _list(client: ua.Client) -> Any:
    return list(client.contacts.list())


# (case, route, answer, call, expected error, text the message must hold)
BAD_ANSWERS: list[tuple[str, str, Answer, Callable[[ua.Client], Any], type[Exception], str]] = [
    ("HTML instead of JSON", GET, Answer(200, b"<html>maintenance</html>", "text/html"), _get,
     ua.ProviderError, "not JSON"),
    ("truncated JSON", LIST, Answer(200, b'{"$items": [{"id": "1", "na'), _list,
     ua.ProviderError, "not JSON"),
    ("NaN amount", GET, Answer(200, b'{"id": "x", "name": "n", "credit_limit": NaN}'), _get,
     ua.ProviderError, "NaN"),
    ("deeply nested JSON", GET, Answer(200, b"[" * 100_000 + b"]" * 100_000), _get,
     ua.ProviderError, "nested too deeply"),
    ("wrong value types", GET, Answer(200, json.dumps(
        {"id": "x", "name": "n", "credit_limit": {"a": 1}}).encode()), _get,
     ua.ProviderError, "cannot be read"),
    ("unreadable timestamp", GET, Answer(200, json.dumps(
        {"id": "x", "name": "n", "updated_at": "yesterday"}).encode()), _get,
     ua.ProviderError, "cannot be read"),
    ("array for a record", GET, Answer(200, b"[1, 2]"), _get, ua.ProviderError,
     "not a record"),
    ("items not a list", LIST, Answer(200, b'{"$items": "none"}'), _list, ua.ProviderError,
     "not a list"),
    ("502 HTML page", GET, Answer(502, b"<html>Bad gateway</html>" * 2000, "text/html"), _get,
     ua.ProviderUnavailableError, "502"),
    ("404 plain text", GET, Answer(404, b"Not here", "text/plain"), _get, ua.NotFoundError,
     "404"),
    ("422 unexpected JSON", GET, Answer(422, b'{"errors": "bad"}'), _get, ua.ValidationError,
     "422"),
    ("500 with a huge error array", GET, Answer(500, json.dumps([
        {"$severity": "error", "$dataCode": "X", "$message": "m" * 5000, "$source": "name"}
        for _ in range(2000)]).encode()), _get, ua.ProviderUnavailableError, "more"),
    ("body announced at 300 MB", GET, Answer(200, _flood(300), length=300 << 20), _get,
     ua.ProviderError, "more than"),
    ("body streamed past the limit", LIST, Answer(200, _flood(70)), _list, ua.ProviderError,
     "more than"),
    ("redirect to another host", GET, Answer(302, b"", headers={"Location": "TRAP/x"}), _get,
     ua.ProviderError, "302"),
]


@pytest.mark.parametrize(("route", "answer", "call", "expected", "says"),
                         [case[1:] for case in BAD_ANSWERS], ids=[c[0] for c in BAD_ANSWERS])
def test_bad_provider_answers_end_in_clear_errors(
    trap: HostileServer, route: str, answer: Answer, call: Callable[[ua.Client], Any],
    expected: type[Exception], says: str,
) -> None:
    with hostile_server() as server:
        if "Location" in answer.headers:
            answer.headers["Location"] = answer.headers["Location"].replace("TRAP", trap.origin)
        server.routes[route] = answer
        client = _hostile_client(server)
        with pytest.raises(ua.AccountingError) as caught:
            call(client)
        client.close()
    error = caught.value
    assert isinstance(error, expected), repr(error)
    assert says in str(error)
    assert len(str(error)) < 1200  # a few short provider messages at most, never the body
    assert "<html" not in str(error)
    assert trap.requests == []


def test_next_links_that_leave_the_base_url_are_refused(trap: HostileServer) -> None:
    first = [{"id": "1", "name": "One"}]
    host = trap.origin.removeprefix("http://")
    for link in (f"{trap.origin}/v3.1/contacts?page=2", f"//{host}/v3.1/contacts?page=2",
                 "/../token?page=2", "/contacts/%2e%2e/token"):
        with hostile_server() as server:
            server.routes[LIST] = Answer(200, _page(first, link))
            client = _hostile_client(server)
            with pytest.raises(ua.ValidationError) as caught:
                _list(client)
            client.close()
            assert list(caught.value.errors) == ["path"]
            assert len(server.requests) == 1
    assert trap.requests == []


def test_a_page_that_links_back_to_a_read_page_is_a_clear_error(trap: HostileServer) -> None:
    for link in ("/contacts", "/contacts?page=1"):  # to the first page, to itself
        with hostile_server() as server:
            server.routes[LIST] = Answer(200, _page([{"id": "1", "name": "One"}], link))
            client = _hostile_client(server)
            with pytest.raises(ua.ProviderError) as caught:
                _list(client)
            client.close()
        assert "links back to a page already read" in str(caught.value)
        assert len(server.requests) <= 2


def test_a_list_that_never_ends_stops_at_the_page_limit(trap: HostileServer) -> None:
    served = itertools.count(2)

    def endless(out: BinaryIO) -> None:  # a new next-page link on every page, forever
        out.write(_page([{"id": str(next(served)), "name": "Again"}],
                        f"/contacts?page={next(served)}"))

    with hostile_server() as server:
        server.routes[LIST] = Answer(200, endless)
        client = _hostile_client(server)
        client.context.transport.max_pages = 25
        with pytest.raises(ua.ProviderError) as caught:
            _list(client)
        client.close()
    assert "has more than 25 pages" in str(caught.value)
    assert len(server.requests) == 25


def test_enormous_pages_stream_under_the_limit_and_are_refused_over_it() -> None:
    items = [{"id": f"{n:032x}", "name": f"Contact {n}"} for n in range(50_000)]
    body = _page(items)  # 250 times the 200 records asked for, about 3 MB
    with hostile_server() as server:
        server.routes[LIST] = Answer(200, body)
        client = _hostile_client(server)
        assert sum(1 for _ in client.contacts.list()) == len(items)
        client.context.transport.max_response_bytes = len(body) - 1
        with pytest.raises(ua.ProviderError) as caught:
            _list(client)
        client.close()
    assert f"more than {len(body) - 1:,} bytes" in str(caught.value)
