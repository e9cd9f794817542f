"""What each delivery error does to an outbox item: pure rules, no store, no provider."""

from __future__ import annotations

import pytest

import unified_accounting as ua
from unified_accounting.outbox.items import OutboxItem, Queue
from unified_accounting.outbox.outcomes import RetryPolicy, error_json, outcome_of

NOW = 1_000.0
POLICY = RetryPolicy(max_failures=3, backoff_base=2.0, backoff_cap=5.0, rate_limit_pause=60.0)


def item(*, attempts: int = 1, failures: int = 0, action: str = "create") -> OutboxItem:
    return OutboxItem(id="ob_" + "a" * 20, seq=1, queue=Queue("sage", "acme", "b"),
                      resource="contacts", action=action, target_id="C1", payload=None,  # type: ignore[arg-type]
                      options={}, references=(), idempotency_key="k", status="sending",
                      attempts=attempts, failures=failures)


def test_a_rate_limit_pauses_for_retry_after_and_is_no_failure() -> None:
    outcome = outcome_of(ua.RateLimitError("blocked", retry_after=3600.0, provider="sage_za"),
                         item(failures=2), POLICY, NOW)
    assert (outcome.status, outcome.not_before, outcome.counted) == ("queued", NOW + 3600, False)
    assert outcome.error is not None
    assert outcome.error["retry_after"] == 3600.0
    unnamed = outcome_of(ua.RateLimitError("slow down"), item(), POLICY, NOW)
    assert unnamed.not_before == NOW + 60


@pytest.mark.parametrize("error", [
    ua.ProviderUnavailableError("503", status=503),
    ConnectionResetError("reset"),
    ua.ReauthorizationRequired("grant gone"),
    # A corrupt token store: waiting will not mend it, an operator may; the write is sound.
    ua.StoreUnavailableError("token store /x is not a SQLite database", retryable=False),
])
def test_transient_errors_back_off_then_end_dead(error: BaseException) -> None:
    first = outcome_of(error, item(failures=0), POLICY, NOW, jitter=lambda: 1.0)
    assert (first.status, first.counted, first.not_before) == ("queued", True, NOW + 2.0)
    second = outcome_of(error, item(failures=1), POLICY, NOW, jitter=lambda: 0.0)
    assert second.not_before == NOW + 2.0  # a ceiling of 4, jittered down to half
    last = outcome_of(error, item(failures=2), POLICY, NOW)
    assert (last.status, last.counted) == ("dead", True)


def test_the_backoff_doubles_to_its_cap() -> None:
    assert [POLICY.backoff(n, lambda: 1.0) for n in (1, 2, 3, 4, 100)] == [2, 4, 5, 5, 5]


def test_a_refusal_fails_the_item_and_keeps_the_unified_error() -> None:
    refusal = ua.ValidationError({"email": ["not an address"]}, status=422, code="INVALID",
                                 provider="sage", request_id="req-1")
    outcome = outcome_of(refusal, item(), POLICY, NOW)
    assert outcome.status == "failed"
    assert outcome.error == {
        "type": "ValidationError", "message": "invalid input: email: not an address",
        "field_errors": {"email": ["not an address"]}, "status": 422, "code": "INVALID",
        "request_id": "req-1", "provider": "sage"}
    assert outcome_of(ua.NotFoundError("gone"), item(), POLICY, NOW).status == "failed"


def test_a_repeated_delete_that_finds_nothing_was_done_by_the_earlier_attempt() -> None:
    gone = ua.NotFoundError("no such contact", status=404)
    repeated = outcome_of(gone, item(attempts=2, action="delete"), POLICY, NOW)
    assert (repeated.status, repeated.provider_id) == ("delivered", "C1")
    first = outcome_of(gone, item(attempts=1, action="delete"), POLICY, NOW)
    assert first.status == "failed"


def test_a_worker_that_cannot_connect_never_fails_the_write() -> None:
    error = ua.ConfigurationError("no client secret")
    assert outcome_of(error, item(), POLICY, NOW).status == "failed"
    assert outcome_of(error, item(), POLICY, NOW, retry_any=True).status == "queued"


def test_unexpected_errors_keep_their_type_and_a_short_message() -> None:
    described = error_json(KeyError("x" * 2000))
    assert described["type"] == "KeyError"
    assert len(described["message"]) == 500
    assert described["field_errors"] == {}
