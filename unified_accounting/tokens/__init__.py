"""Token stores and the rotation-safe refresh of OAuth tokens.

See ``docs/connections.md`` for the guarantees and how to choose a store.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from unified_accounting.lazy_exports import lazy_exports

if TYPE_CHECKING:
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

# Public name -> its module, imported on first use: one store does not load the others.
_IMPORTS: dict[str, str] = {
    "AuthorizationState": "unified_accounting.tokens.base",
    "ConnectionInfo": "unified_accounting.tokens.base",
    "ConnectionRecord": "unified_accounting.tokens.base",
    "FernetCipher": "unified_accounting.tokens.crypto",
    "Health": "unified_accounting.tokens.base",
    "KEY_ENV": "unified_accounting.tokens.crypto",
    "LockTimeoutError": "unified_accounting.tokens.base",
    "RedisTokenStore": "unified_accounting.tokens.redis",
    "RefreshPolicy": "unified_accounting.tokens.policy",
    "SQLiteTokenStore": "unified_accounting.tokens.sqlite",
    "StoreLock": "unified_accounting.tokens.base",
    "TOKEN_STORE_ENTRY_POINT_GROUP": "unified_accounting.tokens.registry",
    "TokenCipher": "unified_accounting.tokens.crypto",
    "TokenManager": "unified_accounting.tokens.manager",
    "TokenStore": "unified_accounting.tokens.base",
    "available_token_stores": "unified_accounting.tokens.registry",
    "default_token_store": "unified_accounting.tokens.registry",
    "generate_key": "unified_accounting.tokens.crypto",
    "token_store_from_url": "unified_accounting.tokens.registry",
}

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

__getattr__, __dir__ = lazy_exports(globals(), _IMPORTS)
