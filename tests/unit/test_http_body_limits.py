"""Response bodies: read up to a limit, and decoded as strict JSON or refused clearly."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest

from unified_accounting.errors import ProviderError
from unified_accounting.http.body import BodyTooLarge, read_limited
from unified_accounting.http.response import HttpResponse, ResponseDecodeError


class _Streamed:
    """Stands in for a streamed ``requests.Response``: headers, chunks, and ``close``."""

    def __init__(self, chunks: list[bytes], length: int | None = None) -> None:
        self.headers = {} if length is None else {"Content-Length": str(length)}
        self.chunks = chunks
        self.served = 0
        self.closed = False

    def iter_content(self, chunk_size: int) -> Iterator[bytes]:
        for chunk in self.chunks:
            self.served += 1
            yield chunk

    def close(self) -> None:
        self.closed = True


def test_a_body_within_the_limit_is_read_whole() -> None:
    body = _Streamed([b"ab", b"cd"], length=4)
    assert read_limited(body, 4) == b"abcd"  # type: ignore[arg-type]
    assert not body.closed


def test_an_announced_length_over_the_limit_is_refused_without_reading() -> None:
    body = _Streamed([b"x" * 10], length=10)
    with pytest.raises(BodyTooLarge):
        read_limited(body, 9)  # type: ignore[arg-type]
    assert (body.served, body.closed) == (0, True)


def test_a_streamed_body_stops_at_the_first_chunk_past_the_limit() -> None:
    body = _Streamed([b"x" * 4] * 100)
    with pytest.raises(BodyTooLarge):
        read_limited(body, 10)  # type: ignore[arg-type]
    assert (body.served, body.closed) == (3, True)


def _response(content: bytes) -> HttpResponse:
    return HttpResponse.build(200, {}, content, method="GET", path="/contacts/1")


@pytest.mark.parametrize(("content", "why"), [
    (b"<html>down</html>", "Expecting value"),
    (b'{"amount": NaN}', "NaN is not a JSON value"),
    (b'{"amount": -Infinity}', "-Infinity is not a JSON value"),
    (b"[" * 50_000 + b"]" * 50_000, "nested too deeply"),
])
def test_json_refuses_what_is_not_strict_json(content: bytes, why: str) -> None:
    with pytest.raises(ResponseDecodeError) as caught:
        _response(content).json()
    error = caught.value
    assert isinstance(error, ProviderError)
    assert isinstance(error, ValueError)  # what json() raised before, still catchable so
    assert why in error.message
    assert error.message.startswith("GET /contacts/1 answered 200 with a body that is not JSON")
    assert error.status == 200
    assert "<html" not in str(error)


def test_json_reads_fractions_as_decimals() -> None:
    assert _response(b'{"amount": 1.10, "n": 2}').json() == {"amount": Decimal("1.10"), "n": 2}
    assert _response(b"  ").json() is None


def test_copy_json_copies_containers_and_shares_immutable_values() -> None:
    from datetime import date
    from decimal import Decimal

    from unified_accounting.http.body import copy_json

    line = {"price": Decimal("1.10"), "tags": ["a"]}
    body = {"invoice": {"lines": [line], "on": date(2025, 1, 2), "flag": True, "none": None,
                        "n": 3, "other": {1, 2}}}
    copied = copy_json(body)
    assert copied == body
    assert copied["invoice"] is not body["invoice"]
    assert copied["invoice"]["lines"][0] is not body["invoice"]["lines"][0]
    assert copied["invoice"]["lines"][0]["tags"] is not body["invoice"]["lines"][0]["tags"]
    assert copied["invoice"]["other"] is not body["invoice"]["other"]  # not JSON: deep-copied
    copied["invoice"]["idempotency_id"] = "k"
    assert "idempotency_id" not in body["invoice"]
