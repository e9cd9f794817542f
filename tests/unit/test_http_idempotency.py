"""Caller-chosen idempotency tokens: the same seed and calls give the same tokens."""

from __future__ import annotations

import re
import threading

import pytest

from unified_accounting.http.idempotency import chosen_idempotency_keys, next_chosen_key


def _drawn(seed: str, count: int) -> list[str]:
    with chosen_idempotency_keys(seed):
        return [next_chosen_key() or "" for _ in range(count)]


def test_a_seed_gives_the_same_sequence_every_time() -> None:
    first = _drawn("tenant\norder-1", 3)
    assert first == _drawn("tenant\norder-1", 3)
    assert len(set(first)) == 3
    assert all(re.fullmatch(r"[0-9a-f]{32}", token) for token in first)
    assert _drawn("tenant\norder-2", 1)[0] not in first


def test_outside_a_block_nothing_is_chosen() -> None:
    assert next_chosen_key() is None
    with chosen_idempotency_keys("x"):
        assert next_chosen_key() is not None
    assert next_chosen_key() is None


def test_the_choice_does_not_leak_into_other_threads() -> None:
    seen: list[str | None] = []
    with chosen_idempotency_keys("x"):
        worker = threading.Thread(target=lambda: seen.append(next_chosen_key()))
        worker.start()
        worker.join()
    assert seen == [None]


def test_an_empty_seed_is_refused() -> None:
    with pytest.raises(ValueError, match="empty"), chosen_idempotency_keys(""):
        pass


def test_the_transport_draws_the_chosen_tokens() -> None:
    from unified_accounting_sage.provider import SageProvider

    from unified_accounting.credentials import StaticAccessToken
    from unified_accounting.http import LocalLimiter, RateLimits
    from unified_accounting.http.transport import Transport

    transport = Transport(provider=SageProvider(), base_url="http://127.0.0.1:9",
                          token_source=StaticAccessToken("t"),
                          limiter=LocalLimiter(RateLimits()), app_key="a")
    with chosen_idempotency_keys("seed"):
        chosen = [transport.new_idempotency_key() for _ in range(2)]
    assert chosen == _drawn("seed", 2)
    assert transport.new_idempotency_key() not in chosen
    transport.close()
