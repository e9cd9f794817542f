from __future__ import annotations

import pytest

import unified_accounting as ua
from unified_accounting.errors import error_class_for_status


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (400, ua.ValidationError),
        (401, ua.AuthenticationError),
        (403, ua.PermissionDeniedError),
        (404, ua.NotFoundError),
        (409, ua.ConflictError),
        (422, ua.ValidationError),
        (429, ua.RateLimitError),
        (503, ua.ProviderUnavailableError),
        (599, ua.ProviderUnavailableError),
        (418, ua.ProviderError),
    ],
)
def test_status_maps_to_error_class(status: int, expected: type[ua.AccountingError]) -> None:
    assert error_class_for_status(status) is expected


def test_repr_shows_message_status_and_request_id_only() -> None:
    err = ua.ProviderError("boom", status=418, request_id="req-1", code="TEAPOT")
    assert repr(err) == "ProviderError(message='boom', status=418, request_id='req-1')"
    assert str(err) == "boom (status 418) [request req-1]"


def test_validation_error_collects_fields_and_summarises() -> None:
    err = ua.ValidationError({"lines[0].debit": ["must not be negative"], "name": ["required"]})
    assert err.errors == err.field_errors
    assert "lines[0].debit: must not be negative" in err.message
    assert isinstance(err, ValueError)


def test_rate_limit_error_is_retryable_and_carries_wait() -> None:
    err = ua.RateLimitError("slow down", retry_after=2.5, rate_limit={"ratelimit-remaining": "0"})
    assert err.retryable is True
    assert err.retry_after == 2.5
    assert err.rate_limit == {"ratelimit-remaining": "0"}
    assert ua.ValidationError({}).retryable is False


def test_reauthorization_required_names_connection() -> None:
    err = ua.ReauthorizationRequired("grant revoked", connection="acme")
    assert isinstance(err, ua.AuthenticationError)
    assert err.connection == "acme"


def test_secret_is_masked_everywhere() -> None:
    secret = ua.Secret("tok-abc-123")
    rendered = [repr(secret), str(secret), f"{secret}", f"{secret!r}", repr([secret])]
    assert all("tok-abc-123" not in text for text in rendered)
    assert secret.reveal() == "tok-abc-123"
    assert ua.Secret(secret).reveal() == "tok-abc-123"
