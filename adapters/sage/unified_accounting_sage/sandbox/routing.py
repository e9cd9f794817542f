"""Routes of the data API and the context a resource handler receives."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import unquote

from unified_accounting_sage.sandbox.errors import SageError, bad_request, blank, invalid, not_found
from unified_accounting_sage.sandbox.messages import loads, timestamp
from unified_accounting_sage.sandbox.store import Record, Store

Reply = tuple[int, Any]


@dataclass
class Ctx:
    """What a handler may use: the business's records, the request and the clock.

    Attributes:
        store: every record.
        business: the business record the request is routed to (None for user endpoints).
        query: query parameters (last value wins for repeated names).
        query_list: query parameters in the order sent (kept for ``$next`` links).
        raw_body: the request body.
        now: the sandbox time when the request started.
        path: the request path without ``/v3.1``.
        trusted: bodies come from the sandbox's own bulk seeding, so schema checks are skipped.
    """

    store: Store
    business: Record | None
    query: dict[str, str]
    query_list: list[tuple[str, str]]
    raw_body: bytes
    now: datetime
    path: str
    caches: Any = None
    trusted: bool = False
    _body: Any = field(default=None, repr=False)
    # Lower-case names; left out of the repr, since they carry the bearer token.
    headers: dict[str, str] = field(default_factory=dict, repr=False)

    @property
    def business_id(self) -> str:
        """The id of the business the request is routed to."""
        assert self.business is not None
        return str(self.business["id"])

    @property
    def country(self) -> str:
        """The business's country code."""
        assert self.business is not None
        return str(self.business["country"]["id"])

    @property
    def stamp(self) -> str:
        """The request time formatted for ``created_at``/``updated_at``."""
        return timestamp(self.now)

    def body(self) -> Any:
        """The parsed JSON body.

        Raises:
            SageError: 400 when the body is not JSON.
        """
        if self._body is None:
            try:
                self._body = loads(self.raw_body) if self.raw_body else {}
            except (ValueError, UnicodeDecodeError) as exc:
                raise bad_request("The request body is not valid JSON") from exc
        return self._body

    def wrapped(self, wrapper: str) -> dict[str, Any]:
        """The object inside the write wrapper (``{"contact": {...}}`` -> ``{...}``).

        Raises:
            SageError: 422 when the wrapper is missing or not an object.
        """
        body = self.body()
        if not isinstance(body, dict) or wrapper not in body:
            raise blank(wrapper)
        inner = body[wrapper]
        if not isinstance(inner, dict):
            raise invalid(wrapper, "must be an object")
        return inner

    def get(self, collection: str, record_id: str) -> Record | None:
        """A record of this business."""
        return self.store.get(self.business_id, collection, record_id)

    def require(self, collection: str, record_id: Any, source: str = "") -> Record:
        """A record of this business, or 404 naming ``source``."""
        found = self.get(collection, record_id) if isinstance(record_id, str) else None
        if found is None:
            raise not_found(source)
        return found


def new_id() -> str:
    """A fresh 32-hex id, as Sage gives business records."""
    return uuid.uuid4().hex


Handler = Callable[[Ctx, str | None], Reply]


@dataclass(frozen=True)
class Route:
    """One endpoint.

    Attributes:
        method: HTTP verb.
        pattern: path under ``/v3.1`` with an optional ``{key}`` segment.
        handler: called with the context and the ``key`` (unquoted) or None.
        wrapper: the write wrapper key, which also names the resource type for idempotency.
        scoped: whether the route reads ``X-Business`` (all but ``/businesses`` and ``/user``).
    """

    method: str
    pattern: str
    handler: Handler
    wrapper: str | None = None
    scoped: bool = True

    @property
    def endpoint(self) -> str:
        """The counter key, e.g. ``"GET /contacts/{key}"``."""
        return f"{self.method} {self.pattern}"


class Router:
    """Matches a path and verb to a :class:`Route`."""

    def __init__(self, routes: list[Route]) -> None:
        self._routes = [(self._compile(route.pattern), route) for route in routes]

    @staticmethod
    def _compile(pattern: str) -> re.Pattern[str]:
        return re.compile("^" + re.escape(pattern).replace(r"\{key\}", "(?P<key>[^/]+)") + "$")

    def match(self, method: str, path: str) -> tuple[Route, str | None] | None:
        """The route for ``method path`` and its unquoted key.

        Raises:
            SageError: 405 when the path exists but not for this verb.
        """
        path_known = False
        for regex, route in self._routes:
            found = regex.match(path)
            if found is None:
                continue
            path_known = True
            if route.method == method:
                key = found.groupdict().get("key")
                return route, unquote(key) if key is not None else None
        if path_known:
            raise SageError(405, [("MethodNotAllowed", "Method not allowed", "")])
        return None
