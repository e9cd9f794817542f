"""Optional encryption at rest for stored tokens (the ``encryption`` extra: ``cryptography``).

The key comes from the environment variable ``UNIFIED_ACCOUNTING_TOKEN_KEY``: one or more
Fernet keys separated by commas. The first key encrypts; every key decrypts, so a key can be
rotated by putting the new key first and keeping the old one until every token was rewritten
(tokens are rewritten at every refresh, so within minutes for an active connection).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

from unified_accounting.credentials import Secret, TokenSet
from unified_accounting.errors import ConfigurationError
from unified_accounting.tokens.codec import (
    fingerprint,
    token_fields,
    tokens_from_json,
    tokens_to_json,
)

__all__ = [
    "KEY_ENV",
    "FernetCipher",
    "TokenCipher",
    "TokenCodec",
    "cipher_from_env",
    "generate_key",
]

KEY_ENV = "UNIFIED_ACCOUNTING_TOKEN_KEY"


class TokenCipher(Protocol):
    """Turns serialised tokens into opaque text and back."""

    def encrypt(self, plaintext: str) -> str:
        """Return ciphertext for ``plaintext``."""
        ...

    def decrypt(self, ciphertext: str) -> str:
        """Return the plaintext, or raise ``ValueError`` when the key does not fit."""
        ...


def _require_cryptography() -> None:
    try:
        import cryptography.fernet  # noqa: F401
    except ImportError as exc:  # pragma: no cover - depends on the installed extras
        raise ConfigurationError(
            "token encryption needs the 'cryptography' package: "
            "pip install 'unified-accounting[encryption]'"
        ) from exc


class FernetCipher:
    """Authenticated symmetric encryption (AES-128-CBC + HMAC-SHA256) with key rotation.

    Args:
        keys: Fernet keys (url-safe base64, 32 bytes); the first one encrypts.

    Raises:
        ConfigurationError: when no key is given, a key is malformed or ``cryptography`` is
            not installed.
    """

    def __init__(self, keys: Sequence[str | Secret]) -> None:
        _require_cryptography()
        from cryptography.fernet import Fernet, MultiFernet

        plain = [k.reveal() if isinstance(k, Secret) else k for k in keys]
        plain = [k.strip() for k in plain if k.strip()]
        if not plain:
            raise ConfigurationError("no token encryption key given")
        try:
            self._fernet = MultiFernet([Fernet(k.encode("ascii")) for k in plain])
        except (ValueError, TypeError) as exc:
            raise ConfigurationError(
                f"malformed token encryption key in {KEY_ENV}: expected Fernet keys "
                "(url-safe base64 of 32 bytes), separated by commas"
            ) from exc

    def encrypt(self, plaintext: str) -> str:
        """Encrypt ``plaintext`` with the first key."""
        return self._fernet.encrypt(plaintext.encode("utf-8")).decode("ascii")

    def decrypt(self, ciphertext: str) -> str:
        """Decrypt with whichever key fits.

        Raises:
            ValueError: when no key fits or the ciphertext was tampered with.
        """
        from cryptography.fernet import InvalidToken

        try:
            return self._fernet.decrypt(ciphertext.encode("ascii")).decode("utf-8")
        except InvalidToken as exc:
            raise ValueError("no configured key decrypts these tokens") from exc

    def __repr__(self) -> str:
        return "FernetCipher(keys=<masked>)"


def cipher_from_env(environ: Mapping[str, str] | None = None) -> FernetCipher | None:
    """Build the cipher named by ``UNIFIED_ACCOUNTING_TOKEN_KEY``, or ``None`` when it is unset.

    Raises:
        ConfigurationError: when the variable is set but unusable.
    """
    env = os.environ if environ is None else environ
    value = env.get(KEY_ENV, "").strip()
    if not value:
        return None
    return FernetCipher(value.split(","))


def generate_key() -> str:
    """Return a new random Fernet key (for ``UNIFIED_ACCOUNTING_TOKEN_KEY``)."""
    _require_cryptography()
    from cryptography.fernet import Fernet

    return Fernet.generate_key().decode("ascii")


class TokenCodec:
    """Serialises token sets for a store, encrypting them when a cipher is configured.

    Args:
        cipher: the cipher to use; ``None`` stores tokens as plain JSON.
    """

    def __init__(self, cipher: TokenCipher | None) -> None:
        self.cipher = cipher

    def encode(self, tokens: TokenSet) -> tuple[str, bool]:
        """Return ``(blob, encrypted)`` for a token set."""
        text = tokens_to_json(tokens)
        if self.cipher is None:
            return text, False
        return self.cipher.encrypt(text), True

    def stored_fields(self, tokens: TokenSet, now: datetime) -> dict[str, Any]:
        """Every column a token write changes: the blob, the refresh fingerprint, the expiries.

        Args:
            tokens: the tokens being written.
            now: when they were obtained (stored as ``issued_at``).
        """
        blob, encrypted = self.encode(tokens)
        return {
            "tokens": blob,
            "encrypted": int(encrypted),
            "refresh_fp": fingerprint(tokens.refresh_token),
            **token_fields(tokens, now),
        }

    def decode(self, connection: str, blob: str, encrypted: bool) -> TokenSet:
        """Rebuild the token set of ``connection`` from its stored blob.

        Raises:
            ConfigurationError: when the blob is encrypted and no configured key opens it.
        """
        if not encrypted:
            return tokens_from_json(blob)
        if self.cipher is None:
            raise ConfigurationError(
                f"the tokens of connection {connection!r} are encrypted; set {KEY_ENV} "
                "to the key they were written with"
            )
        try:
            return tokens_from_json(self.cipher.decrypt(blob))
        except ValueError as exc:
            raise ConfigurationError(
                f"cannot decrypt the tokens of connection {connection!r}: "
                f"{KEY_ENV} does not hold the key they were written with"
            ) from exc
