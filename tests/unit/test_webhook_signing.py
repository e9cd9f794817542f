"""Standard Webhooks signatures: the published test vector, and every way verify() refuses."""

from __future__ import annotations

import base64
import json
import time

import pytest

import unified_accounting as ua
from unified_accounting.webhooks.signing import (
    SeenIds,
    WebhookVerificationError,
    generate_secret,
    secret_key,
    sign,
    signed_headers,
    verify,
)

# The example of the Standard Webhooks reference libraries' tests.
VECTOR_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
VECTOR = ("msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, '{"test": 2432232314}',
          "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
BODY = json.dumps({"id": "evt_1", "type": "contacts.created", "data": {"name": "Acme"}})
NOW = 1_800_000_000


def _headers(secret: str = VECTOR_SECRET, body: str = BODY, at: int = NOW,
             webhook_id: str = "evt_1") -> dict[str, str]:
    return signed_headers(webhook_id, body, secret, timestamp=at)


def test_signatures_match_the_reference_vector() -> None:
    webhook_id, stamp, body, expected = VECTOR
    assert sign(webhook_id, stamp, body, VECTOR_SECRET) == expected
    assert sign(webhook_id, stamp, body.encode(), VECTOR_SECRET.removeprefix("whsec_")) == expected
    headers = {"Webhook-Id": webhook_id, "Webhook-Timestamp": str(stamp),
               "Webhook-Signature": expected}
    assert verify(body, headers, VECTOR_SECRET, now=stamp + 10) == {"test": 2432232314}


def test_the_package_root_offers_the_receiver_check() -> None:
    assert ua.webhooks.verify is verify
    assert ua.webhooks.SeenIds is SeenIds


def test_any_one_matching_signature_of_several_is_enough() -> None:
    headers = _headers()
    old = sign("evt_1", NOW, BODY, generate_secret())
    headers["webhook-signature"] = f"v1a,bm90IGEgc2lnbmF0dXJl {old} {headers['webhook-signature']}"
    assert verify(BODY, headers, VECTOR_SECRET, now=NOW)["type"] == "contacts.created"


@pytest.mark.parametrize(("change", "reason", "named"), [
    (lambda h: h.pop("webhook-id"), "missing_header", "webhook-id"),
    (lambda h: h.pop("webhook-signature"), "missing_header", "webhook-signature"),
    (lambda h: h.update({"webhook-timestamp": "soon"}), "bad_timestamp", "webhook-timestamp"),
    (lambda h: h.update({"webhook-id": "evt.1"}), "missing_header", "webhook-id"),
    (lambda h: h.update({"webhook-signature": "v1,AAAA"}), "bad_signature", "webhook-signature"),
])
def test_malformed_headers_are_refused_naming_the_header(change: object, reason: str,
                                                          named: str) -> None:
    headers = _headers()
    change(headers)  # type: ignore[operator]
    with pytest.raises(WebhookVerificationError) as refused:
        verify(BODY, headers, VECTOR_SECRET, now=NOW)
    assert refused.value.reason == reason
    assert str(refused.value).startswith(named)


def test_a_changed_body_or_another_secret_does_not_verify() -> None:
    with pytest.raises(WebhookVerificationError, match="no v1 signature matches"):
        verify(BODY.replace("Acme", "Evil"), _headers(), VECTOR_SECRET, now=NOW)
    with pytest.raises(WebhookVerificationError, match="no v1 signature matches"):
        verify(BODY, _headers(), generate_secret(), now=NOW)


def test_timestamps_outside_the_tolerance_are_refused_either_way() -> None:
    headers = _headers()
    assert verify(BODY, headers, VECTOR_SECRET, now=NOW + 299)
    with pytest.raises(WebhookVerificationError) as old:
        verify(BODY, headers, VECTOR_SECRET, now=NOW + 301)
    assert old.value.reason == "too_old"
    with pytest.raises(WebhookVerificationError) as early:
        verify(BODY, headers, VECTOR_SECRET, now=NOW - 31, tolerance=30)
    assert early.value.reason == "too_new"


def test_a_replayed_id_is_refused_and_forgetting_it_accepts_the_retry() -> None:
    seen = SeenIds()
    verify(BODY, _headers(), VECTOR_SECRET, now=NOW, seen=seen)
    with pytest.raises(WebhookVerificationError) as replayed:
        verify(BODY, _headers(at=NOW + 5), VECTOR_SECRET, now=NOW + 5, seen=seen)
    assert replayed.value.reason == "replayed"
    seen.forget("evt_1")  # the handler failed: the sender's retry must go through
    assert verify(BODY, _headers(at=NOW + 9), VECTOR_SECRET, now=NOW + 9, seen=seen)


def test_a_forged_request_does_not_use_up_the_id() -> None:
    seen = SeenIds()
    forged = _headers()
    forged["webhook-signature"] = "v1," + base64.b64encode(b"x" * 32).decode()
    with pytest.raises(WebhookVerificationError):
        verify(BODY, forged, VECTOR_SECRET, now=NOW, seen=seen)
    assert verify(BODY, _headers(), VECTOR_SECRET, now=NOW, seen=seen)


def test_seen_ids_expire_and_stay_bounded() -> None:
    seen = SeenIds(max_size=3)
    assert seen.first_time("a", keep_for=0.05)
    assert not seen.first_time("a", keep_for=0.05)
    time.sleep(0.06)
    assert seen.first_time("a", keep_for=60)
    for name in "bcde":
        seen.first_time(name, keep_for=60)
    assert len(seen) == 3


def test_a_signed_body_that_is_not_a_json_object_is_refused() -> None:
    for body in ("not json", "[1, 2]"):
        with pytest.raises(WebhookVerificationError) as refused:
            verify(body, _headers(body=body), VECTOR_SECRET, now=NOW)
        assert refused.value.reason == "bad_body"


def test_new_secrets_are_random_prefixed_and_masked() -> None:
    first, second = generate_secret(), generate_secret(48)
    assert first != second
    assert first.reveal().startswith("whsec_")
    assert len(secret_key(second, strict=True)) == 48
    assert first.reveal() not in repr(first) + str(first) + f"{first}"
    with pytest.raises(ValueError, match="size"):
        generate_secret(8)


@pytest.mark.parametrize(("secret", "message"), [
    ("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "must start with 'whsec_'"),
    ("whsec_not base64!", "not valid base64"),
    ("whsec_" + base64.b64encode(b"short").decode(), "24 to 64 bytes"),
])
def test_a_new_endpoint_secret_is_checked_strictly(secret: str, message: str) -> None:
    with pytest.raises(WebhookVerificationError, match=message) as refused:
        secret_key(secret, strict=True)
    assert secret.removeprefix("whsec_") not in str(refused.value)
