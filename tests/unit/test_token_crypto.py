"""Encryption at rest: the Fernet cipher, keys from the environment, the token codec."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from unified_accounting.credentials import Secret, TokenSet
from unified_accounting.errors import ConfigurationError
from unified_accounting.tokens.crypto import (
    KEY_ENV,
    FernetCipher,
    TokenCodec,
    cipher_from_env,
    generate_key,
)

TOKENS = TokenSet(
    access_token=Secret("at-plain"),
    refresh_token=Secret("rt-plain"),
    expires_at=datetime(2026, 3, 1, tzinfo=UTC),
)


def test_round_trip_and_ciphertext_hides_the_plaintext() -> None:
    cipher = FernetCipher([generate_key()])
    sealed = cipher.encrypt("rt-plain" * 1000)
    assert "rt-plain" not in sealed
    assert cipher.decrypt(sealed) == "rt-plain" * 1000
    assert cipher.encrypt("x") != cipher.encrypt("x")  # randomised


def test_old_keys_still_decrypt_after_rotation() -> None:
    old, new = generate_key(), generate_key()
    sealed = FernetCipher([old]).encrypt("secret")
    assert FernetCipher([new, old]).decrypt(sealed) == "secret"
    with pytest.raises(ValueError, match="no configured key"):
        FernetCipher([new]).decrypt(sealed)


@pytest.mark.parametrize("keys", [[], ["  "], ["not-a-key"]])
def test_bad_keys_are_configuration_errors(keys: list[str]) -> None:
    with pytest.raises(ConfigurationError):
        FernetCipher(keys)


def test_cipher_from_env() -> None:
    key = generate_key()
    assert cipher_from_env({}) is None
    assert cipher_from_env({KEY_ENV: " "}) is None
    cipher = cipher_from_env({KEY_ENV: f"{key}, {generate_key()}"})
    assert cipher is not None
    assert FernetCipher([key]).decrypt(cipher.encrypt("x")) == "x"
    assert key not in repr(cipher)


def test_codec_plain_and_encrypted() -> None:
    blob, encrypted = TokenCodec(None).encode(TOKENS)
    assert not encrypted
    assert "rt-plain" in blob
    assert TokenCodec(None).decode("acme", blob, False) == TOKENS
    codec = TokenCodec(FernetCipher([generate_key()]))
    sealed, encrypted = codec.encode(TOKENS)
    assert encrypted
    assert "rt-plain" not in sealed
    assert codec.decode("acme", sealed, True) == TOKENS
    with pytest.raises(ConfigurationError, match="'acme' are encrypted"):
        TokenCodec(None).decode("acme", sealed, True)
