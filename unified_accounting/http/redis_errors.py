"""Redis, as the library's stores name it: where a client points, and what to say when it fails.

The Redis token store, the shared limiter and the job locks keep their state in Redis. When
Redis is down they raise :class:`~unified_accounting.errors.StoreUnavailableError` naming
what failed and where (a URL without its password), never a bare ``redis`` exception.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, ParamSpec, TypeVar
from urllib.parse import parse_qsl, urlencode, urlsplit

from unified_accounting.errors import StoreUnavailableError

__all__ = ["describe_redis_client", "redact_redis_url", "redis_failure", "speaking_redis",
           "translated_redis"]

P = ParamSpec("P")
R = TypeVar("R")


def redact_redis_url(url: str) -> str:
    """``url`` with any password (in the user part or a ``password`` parameter) masked."""
    parts = urlsplit(url)
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, host = netloc.rsplit("@", 1)
        user, has_password, _ = userinfo.partition(":")
        netloc = f"{user}:***@{host}" if has_password else netloc
    query = urlencode([(k, "***" if k.lower() == "password" else v)
                       for k, v in parse_qsl(parts.query, keep_blank_values=True)], safe="*")
    # Built by hand: urlunsplit would turn unix:///path into unix:/path.
    return f"{parts.scheme}://{netloc}{parts.path}" + (f"?{query}" if query else "")


def describe_redis_client(client: Any) -> str:
    """Where a ``redis.Redis`` client points, from its pool's settings (never its password)."""
    kwargs = getattr(getattr(client, "connection_pool", None), "connection_kwargs", {})
    if "path" in kwargs:
        return f"unix://{kwargs['path']}?db={kwargs.get('db', 0)}"
    if "host" in kwargs:
        return f"redis://{kwargs['host']}:{kwargs.get('port', 6379)}/{kwargs.get('db', 0)}"
    return type(client).__name__


def redis_failure(what: str, where: str, exc: Exception) -> StoreUnavailableError:
    """The library's error for a Redis failure of ``what`` (e.g. ``"Redis token store"``)."""
    kind = type(exc).__name__
    if kind in {"ConnectionError", "TimeoutError", "BusyLoadingError"}:
        return StoreUnavailableError(f"{what} at {where} cannot be reached ({kind})",
                                     retryable=True)
    # Other Redis errors (an ACL refusal, a read-only replica, out of memory) say what is wrong
    # in a short server message, which carries no value of ours.
    return StoreUnavailableError(f"{what} at {where} failed ({kind}: {str(exc)[:200]})",
                                 retryable=kind in {"ReadOnlyError", "ClusterDownError"})


@contextmanager
def translated_redis(what: str, where: str) -> Iterator[None]:
    """Turn Redis errors raised in the block into :func:`redis_failure`."""
    import redis as redis_lib

    try:
        yield
    except redis_lib.RedisError as exc:
        raise redis_failure(what, where, exc) from exc


def speaking_redis(what: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Decorate a method of an object with a ``where`` attribute so Redis errors name it."""

    def decorate(method: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(method)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            with translated_redis(what, str(getattr(args[0], "where", "?"))):
                return method(*args, **kwargs)

        return wrapper

    return decorate
