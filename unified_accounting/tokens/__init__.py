"""Token stores and the rotation-safe refresh of OAuth tokens.

See ``docs/connections.md`` for the guarantees and how to choose a store.
"""

from __future__ import annotations

from unified_accounting.tokens.base import (
    AuthorizationState,
    ConnectionInfo,
    ConnectionRecord,
    Health,
    LockTimeoutError,
    StoreLock,
    TokenStore,
)
from unified_accounting.tokens.crypto import KEY_ENV, FernetCipher, TokenCipher, generate_key
from unified_accounting.tokens.manager import TokenManager
from unified_accounting.tokens.policy import RefreshPolicy
from unified_accounting.tokens.redis import RedisTokenStore
from unified_accounting.tokens.registry import (
    TOKEN_STORE_ENTRY_POINT_GROUP,
    available_token_stores,
    default_token_store,
    token_store_from_url,
)
from unified_accounting.tokens.sqlite import SQLiteTokenStore

__all__ = [
    "KEY_ENV",
    "TOKEN_STORE_ENTRY_POINT_GROUP",
    "AuthorizationState",
    "ConnectionInfo",
    "ConnectionRecord",
    "FernetCipher",
    "Health",
    "LockTimeoutError",
    "RedisTokenStore",
    "RefreshPolicy",
    "SQLiteTokenStore",
    "StoreLock",
    "TokenCipher",
    "TokenManager",
    "TokenStore",
    "available_token_stores",
    "default_token_store",
    "generate_key",
    "token_store_from_url",
]
