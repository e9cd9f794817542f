from __future__ import annotations

import pytest

from unified_accounting.http.headers import normalize_rate_limit, request_id_from


@pytest.mark.parametrize(
    "headers",
    [
        {"RateLimit-Limit": "100", "RateLimit-Remaining": "7", "RateLimit-Reset": "30"},
        {"X-RateLimit-Limit": "100", "X-RateLimit-Remaining": "7", "X-RateLimit-Reset": "30"},
        {"x-rate-limit-limit": "100", "x-rate-limit-remaining": "7", "x-rate-limit-reset": "30"},
        {"RateLimit": "limit=100, remaining=7, reset=30"},
    ],
)
def test_spellings_normalize_to_ietf_names(headers: dict[str, str]) -> None:
    assert normalize_rate_limit(headers) == {
        "ratelimit-limit": "100",
        "ratelimit-remaining": "7",
        "ratelimit-reset": "30",
    }


def test_reset_given_as_a_timestamp_becomes_seconds() -> None:
    found = normalize_rate_limit({"X-RateLimit-Reset": "1767225630"}, now=1767225600)
    assert found == {"ratelimit-reset": "30"}


def test_no_rate_limit_headers_give_an_empty_mapping() -> None:
    assert normalize_rate_limit({"Content-Type": "application/json"}) == {}


def test_request_id_is_found_in_any_case() -> None:
    assert request_id_from({"X-Request-ID": "abc"}) == "abc"
    assert request_id_from({"Request-Id": "def"}) == "def"
    assert request_id_from({"Server": "x"}) is None
