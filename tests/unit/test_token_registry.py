"""Token stores found through the entry-point group, and the public names."""

from __future__ import annotations

from importlib.metadata import entry_points

import pytest

import unified_accounting as ua
from unified_accounting.errors import ConfigurationError
from unified_accounting.tokens import TOKEN_STORE_ENTRY_POINT_GROUP, available_token_stores
from unified_accounting.tokens.registry import token_store_class


def test_builtin_stores_are_registered_as_entry_points() -> None:
    assert TOKEN_STORE_ENTRY_POINT_GROUP == "unified_accounting.token_stores"
    declared = {ep.name: ep.value for ep in entry_points(group=TOKEN_STORE_ENTRY_POINT_GROUP)}
    assert declared["sqlite"] == "unified_accounting.tokens.sqlite:SQLiteTokenStore"
    assert declared["redis"] == "unified_accounting.tokens.redis:RedisTokenStore"
    assert {"redis", "sqlite"} <= set(available_token_stores())
    assert token_store_class("sqlite") is ua.SQLiteTokenStore
    assert token_store_class("redis") is ua.RedisTokenStore


def test_unknown_store_name() -> None:
    with pytest.raises(ConfigurationError, match="no token store named 'nope'"):
        token_store_class("nope")


@pytest.mark.parametrize(
    "name",
    [
        "TokenStore",
        "SQLiteTokenStore",
        "RedisTokenStore",
        "TokenManager",
        "ConnectionInfo",
        "AuthorizationRequest",
        "OAuthStateError",
        "begin_authorization",
        "complete_authorization",
        "revoke",
    ],
)
def test_connection_names_are_public(name: str) -> None:
    assert name in ua.__all__
    assert getattr(ua, name) is not None


def test_stores_are_token_stores() -> None:
    assert issubclass(ua.SQLiteTokenStore, ua.TokenStore)
    assert issubclass(ua.RedisTokenStore, ua.TokenStore)
