"""Credentials that are not OAuth tokens: a login (user name, password, API key, ...).

Some providers authenticate every request with fixed credentials instead of short-lived
OAuth tokens. They declare the fields they need (:class:`CredentialField`) on the provider
class; the CLI prompts for them and the token store keeps them as one connection record, so
the same stores, encryption at rest, locks and health tracking serve both kinds of
connection. Values are wrapped in :class:`~unified_accounting.credentials.Secret` at once.

A refused login is final: a provider that blocks users after a few failed logins must never
see the same wrong password twice, so the sources here mark the connection as needing new
credentials and fail fast until they are replaced.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from unified_accounting.credentials import Secret, TokenSet
from unified_accounting.errors import ConfigurationError, ReauthorizationRequired
from unified_accounting.tokens.base import ConnectionInfo, Health, TokenStore

__all__ = [
    "CREDENTIALS_TOKEN_TYPE",
    "CredentialField",
    "LoginCredentials",
    "StaticCredentials",
    "StoredCredentials",
    "save_credentials",
]

#: ``TokenSet.token_type`` of a stored login; such a record never expires and has no refresh.
CREDENTIALS_TOKEN_TYPE = "credentials"  # noqa: S105 - a type name, not a secret
_NEVER = datetime(9999, 12, 31, tzinfo=UTC)


@dataclass(frozen=True)
class CredentialField:
    """One value a provider's login needs.

    Attributes:
        name: the key (``username``, ``password``, ``api_key``).
        prompt: what the CLI asks for.
        secret: prompted without echo; never printed.
        env: an environment variable the CLI reads the value from when it is set.
    """

    name: str
    prompt: str
    secret: bool = True
    env: str | None = None


class LoginCredentials:
    """A provider login: field name -> value, every value a :class:`Secret`.

    ``repr`` shows only the field names.
    """

    __slots__ = ("_values",)

    def __init__(self, values: Mapping[str, str | Secret]) -> None:
        self._values = {name: Secret(value) for name, value in values.items()}

    def value(self, name: str) -> Secret:
        """Return one value.

        Raises:
            ConfigurationError: the login has no such field.
        """
        try:
            return self._values[name]
        except KeyError:
            raise ConfigurationError(f"the stored login has no {name!r}") from None

    def check(self, fields: Iterable[CredentialField]) -> LoginCredentials:
        """Return self when every field has a non-empty value.

        Raises:
            ConfigurationError: naming the missing fields.
        """
        missing = [item.name for item in fields if not self._values.get(item.name)]
        if missing:
            raise ConfigurationError(f"the login needs {', '.join(missing)}")
        return self

    def to_secret(self) -> Secret:
        """The whole login as one secret (what the transport hands the provider)."""
        plain = {name: value.reveal() for name, value in sorted(self._values.items())}
        return Secret(json.dumps(plain, separators=(",", ":")))

    @classmethod
    def from_secret(cls, secret: Secret) -> LoginCredentials:
        """Read a login written by :meth:`to_secret`.

        Raises:
            ConfigurationError: the secret is not a stored login.
        """
        try:
            values = json.loads(secret.reveal())
        except ValueError:
            values = None
        if not isinstance(values, dict) or not all(isinstance(v, str) for v in values.values()):
            raise ConfigurationError("the stored credentials are not a login")
        return cls(values)

    def to_token_set(self) -> TokenSet:
        """The token-store record of this login (no refresh token, no expiry)."""
        return TokenSet(access_token=self.to_secret(), refresh_token=None, expires_at=_NEVER,
                        token_type=CREDENTIALS_TOKEN_TYPE)

    def __repr__(self) -> str:
        return f"LoginCredentials(fields={sorted(self._values)!r})"


def save_credentials(store: TokenStore, connection: str, provider: str,
                     credentials: LoginCredentials,
                     metadata: Mapping[str, str] | None = None) -> ConnectionInfo:
    """Store (or replace) a connection's login; its health becomes ``ok`` again."""
    return store.save(connection, credentials.to_token_set(), provider=provider,
                      metadata=metadata)


class StaticCredentials:
    """A login held in memory (an ``AccessTokenSource``); a 401 makes it unusable for good."""

    def __init__(self, credentials: LoginCredentials, *, connection: str = "default") -> None:
        self._secret = credentials.to_secret()
        self._connection = connection
        self._refused = threading.Event()

    def access_token(self) -> Secret:
        """The login, or ``ReauthorizationRequired`` once it was refused."""
        if self._refused.is_set():
            raise _refused(self._connection)
        return self._secret

    def refresh_after_unauthorized(self, rejected: Secret) -> Secret:
        """Never retry a refused login: remember the refusal and raise."""
        self._refused.set()
        raise _refused(self._connection)

    def __repr__(self) -> str:
        return f"StaticCredentials(connection={self._connection!r})"


class StoredCredentials:
    """A connection's login read from a token store (an ``AccessTokenSource``).

    The record is read on every request, so a login replaced by ``connect`` is used at once
    and a refusal recorded by one worker stops every worker sharing the store.
    """

    def __init__(self, connection: str, store: TokenStore) -> None:
        self._connection = connection
        self._store = store

    def access_token(self) -> Secret:
        """The stored login.

        Raises:
            ReauthorizationRequired: nothing is stored, or the login was refused before.
        """
        record = self._store.load(self._connection)
        if record is None or record.tokens.token_type != CREDENTIALS_TOKEN_TYPE:
            raise ReauthorizationRequired(
                f"no login is stored for connection {self._connection!r}",
                connection=self._connection)
        if record.info.health is Health.NEEDS_REAUTHORIZATION:
            raise _refused(self._connection)
        return record.tokens.access_token

    def refresh_after_unauthorized(self, rejected: Secret) -> Secret:
        """Mark the connection as needing new credentials (for every worker) and raise."""
        record = self._store.load(self._connection)
        # Only the login that was refused is marked: a replacement stored meanwhile stays ok.
        if record is not None and record.tokens.access_token == rejected:
            self._store.record_health(self._connection, Health.NEEDS_REAUTHORIZATION,
                                      error="http_401")
        raise _refused(self._connection)

    def __repr__(self) -> str:
        return f"StoredCredentials(connection={self._connection!r})"


def _refused(connection: str) -> ReauthorizationRequired:
    return ReauthorizationRequired(
        f"the provider refused the login of connection {connection!r}; store new "
        f"credentials (unified-accounting connect) before calling again",
        connection=connection, status=401)
