"""Faults: 1,000 writes through the real client while the sandbox fails a fifth of requests.

The sandbox answers 500 (before or after committing the write), 503 with ``Retry-After``,
429 with ``Retry-After`` (a per-minute limit) and drops connections after committing a write.
The client's sleep moves the sandbox clock instead of waiting, so rate windows roll and the
test takes seconds. Afterwards every planned record exists exactly once: retries never
created a second one (idempotency ids), and every write that finally failed was reported,
looked up by its reference and sent again only when it was really missing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from support.fault_writes import (
    WHERE,
    Write,
    failure_kinds,
    plan,
    seed_prerequisites,
    send,
    stored_ids,
    stored_references,
)
from unified_accounting_sage.sandbox import SageSandbox

import unified_accounting as ua
from unified_accounting.http import LocalLimiter, RateLimits
from unified_accounting.sandbox_kit import CounterSnapshot

pytestmark = pytest.mark.slow

MIX = {"contact": 400, "invoice": 300, "payment": 150, "journal": 150}
FAULTS = {"error_500": 0.05, "error_500_after_commit": 0.04, "error_503": 0.05,
          "drop_after_commit": 0.05}
PER_MINUTE = 20  # one request in 21 is refused with 429 until the clock moves on
TRANSIENT = (ua.ProviderUnavailableError, ua.RateLimitError)


@pytest.fixture(scope="module")
def sandbox() -> Iterator[SageSandbox]:
    """A sandbox whose access tokens outlive the hours its clock is moved forward."""
    with SageSandbox.running(port=0, seed=23, access_token_ttl=10**8) as sb:
        yield sb


@pytest.fixture(scope="module")
def token(sandbox: SageSandbox) -> str:
    return str(sandbox.issue_tokens()["access_token"])


@dataclass
class Outcome:
    """What the run left: the writes (repaired), the first pass as reported, the counts."""

    writes: list[Write]
    first_pass: list[Write]
    counters: CounterSnapshot
    before_repair: Counter[tuple[str, str]]
    resent: int
    forced: tuple[Write, Write]
    final: Counter[tuple[str, str]]


@pytest.fixture(scope="module")
def outcome(sandbox: SageSandbox, token: str) -> Outcome:
    """Run the 1,000 writes under faults once; tests below check different promises."""
    pre = seed_prerequisites(sandbox, MIX["payment"])
    writes = plan(MIX, pre, seed=5)
    client = ua.connect(
        "sage", access_token=token, business_id=sandbox.business_id("GB"),
        settings=sandbox.settings, limiter=LocalLimiter(RateLimits()),
        # Waiting is simulated: the sandbox clock moves by every delay the client sleeps.
        sleep=sandbox.advance_clock, jitter=lambda ceiling: ceiling,
    )
    sandbox.reset_counters()
    sandbox.set_fault_rates(**FAULTS)
    sandbox.set_rate_limits(business_per_minute=PER_MINUTE)
    forced = {200: "error_503", 600: "drop_after_commit"}  # two writes fail on every attempt
    for number, write in enumerate(writes):
        if number in forced:
            collection = WHERE[write.kind][1][0 if write.kind != "invoice"
                                               or write.model.type == "sales" else 1]
            sandbox.queue_fault(forced[number], count=4, method="POST",
                                path_contains=f"/{collection}")
        send(client, write)
    counters = sandbox.counters
    first_pass = [Write(w.kind, w.reference, w.model, w.result, w.error) for w in writes]
    sandbox.set_rate_limits()
    before_repair = stored_references(sandbox, token)
    resent = repair(client, writes, sandbox, token)
    sandbox.clear_faults()
    client.close()
    refused, committed = (writes[n] for n in forced)
    return Outcome(writes, first_pass, counters, before_repair, resent, (refused, committed),
                   stored_references(sandbox, token))


def repair(client: ua.Client, writes: list[Write], sandbox: SageSandbox, token: str) -> int:
    """What a product does with reported failures: look each one up, resend if missing.

    Faults stay on; passes repeat until no write is left failed. Returns how many writes
    were sent again.
    """
    resent = 0
    for _ in range(10):
        failed = [w for w in writes if w.error is not None]
        if not failed:
            break
        present = stored_references(sandbox, token)
        for write in failed:
            if present[(write.kind, write.reference)]:
                write.error = None  # it was committed; the answer was lost
                continue
            resent += 1
            send(client, write)
    return resent


def test_the_sandbox_injected_every_fault_at_about_a_fifth_of_requests(
    outcome: Outcome,
) -> None:
    counters = outcome.counters
    for kind in FAULTS:
        assert counters.faults.get(kind, 0) >= 10, counters.faults
    assert counters.total_429 >= 20
    share = (counters.total_faults + counters.total_429) / counters.total_requests
    assert 0.15 <= share <= 0.30, share


def test_no_record_was_ever_duplicated(outcome: Outcome) -> None:
    for counts in (outcome.before_repair, outcome.final):
        assert {key: n for key, n in counts.items() if n > 1} == {}


def test_every_write_reported_success_or_a_clear_error(outcome: Outcome) -> None:
    assert len(outcome.first_pass) == sum(MIX.values())
    for write in outcome.first_pass:
        assert (write.result is None) != (write.error is None)
        if write.error is not None:
            assert isinstance(write.error, TRANSIENT)
            assert write.error.provider == "sage"
            assert write.error.message
    assert failure_kinds(outcome.first_pass)


def test_a_reported_success_is_stored_once_under_the_returned_id(
    sandbox: SageSandbox, token: str, outcome: Outcome,
) -> None:
    for kind in WHERE:
        ids = stored_ids(sandbox, token, kind)
        for write in outcome.first_pass:
            if write.kind == kind and write.result is not None:
                assert ids.get(write.reference) == [write.result.id]
                assert write.result.reference == write.reference


def test_failures_are_reported_whether_or_not_the_write_happened(outcome: Outcome) -> None:
    refused, committed = outcome.forced
    before = outcome.before_repair
    failed = {w.reference: w.error for w in outcome.first_pass if w.error is not None}
    # Refused on every attempt (503, or a 429 in between): reported, nothing written.
    assert isinstance(failed.get(refused.reference), TRANSIENT)
    assert before[(refused.kind, refused.reference)] == 0
    # Committed, but every answer was lost: reported, and written exactly once.
    assert isinstance(failed.get(committed.reference), TRANSIENT)
    assert before[(committed.kind, committed.reference)] == 1
    # A write missing from the sandbox was always reported as failed: nothing lost silently.
    for write in outcome.first_pass:
        if before[(write.kind, write.reference)] == 0:
            assert write.error is not None, write.reference


def test_after_the_repair_pass_the_sandbox_holds_exactly_the_planned_records(
    outcome: Outcome,
) -> None:
    planned = {(w.kind, w.reference) for w in outcome.writes}
    assert len(planned) == sum(MIX.values())
    assert set(outcome.final) == planned
    assert set(outcome.final.values()) == {1}
    assert all(w.error is None for w in outcome.writes)
    assert outcome.resent >= 1
