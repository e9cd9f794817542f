"""The pure routing policies: business changes and the 403 streak."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from unified_accounting_sage.business_routing import (
    describe_businesses,
    detect_business_change,
    next_forbidden_streak,
)

ids = st.sampled_from(["a", "b", "c", None])


def _detect(sent: str | None, echoed: str | None, lead: str | None) -> tuple[object, object]:
    return detect_business_change(sent=sent, echoed=echoed, lead=lead, path="/x",
                                  connection="c")


def test_no_header_means_nothing_to_compare() -> None:
    assert _detect("a", None, "b") == (None, "b")


def test_an_answer_for_another_business_is_a_change() -> None:
    change, lead = _detect("a", "b", None)
    assert change is not None
    assert change.kind == "routed_elsewhere"
    assert lead is None


def test_the_first_lead_seen_is_remembered_quietly() -> None:
    assert _detect(None, "a", None) == (None, "a")


def test_a_different_lead_is_a_change_and_is_remembered() -> None:
    change, lead = _detect(None, "b", "a")
    assert change is not None
    assert change.kind == "lead_changed"
    assert lead == "b"


@given(sent=ids, echoed=ids, lead=ids)
def test_a_change_is_reported_exactly_when_sage_names_another_business(
        sent: str | None, echoed: str | None, lead: str | None) -> None:
    change, _ = _detect(sent, echoed, lead)
    expected = sent if sent is not None else lead
    should = echoed is not None and expected is not None and echoed != expected
    assert (change is not None) == should


@given(st.lists(st.sampled_from([200, 201, 204, 400, 401, 403, 404, 422, 429, 500, 503])))
def test_the_streak_counts_403s_since_the_last_sign_of_access(statuses: list[int]) -> None:
    streak = 0
    for status in statuses:
        streak = next_forbidden_streak(streak, status)
    expected = 0
    for status in statuses:
        if status == 403:
            expected += 1
        elif status in (200, 201, 204, 400, 404, 422):
            expected = 0
    assert streak == expected


def test_businesses_are_described_with_name_and_country() -> None:
    text = describe_businesses([{"id": "1", "name": "A", "country": {"id": "GB"}},
                                {"id": "2", "displayed_as": "B"}])
    assert text == "1 (A, GB); 2 (B, country unknown)"
