"""The user-accounts endpoints: ``/user``, ``/businesses`` and ``/businesses/{id|lead}``.

They are answered without ``X-Business`` routing, and ``/businesses`` uses the user service's
own envelope: snake-case ``$items_per_page`` and every business on one page.
"""

from __future__ import annotations

from typing import Any

from unified_accounting_sage.sandbox.errors import not_found
from unified_accounting_sage.sandbox.routing import Ctx, Reply, Route
from unified_accounting_sage.sandbox.seed import BUSINESSES, GLOBAL
from unified_accounting_sage.sandbox.store import Record
from unified_accounting_sage.sandbox.validation import validate

UNPAGED = 2147483647


def visible_businesses(ctx: Ctx) -> list[Record]:
    """The businesses the user can access, in creation order."""
    hidden = set(ctx.store.meta("inaccessible", []))
    records = ctx.store.collection(GLOBAL, BUSINESSES).ordered()
    return [record for record in records if record["id"] not in hidden]


def _list(ctx: Ctx, key: str | None) -> Reply:
    items = visible_businesses(ctx)
    return 200, {
        "$total": len(items),
        "$page": 1,
        "$next": None,
        "$back": None,
        "$items_per_page": UNPAGED,
        "$items": items,
    }


def _find(ctx: Ctx, key: str | None) -> Record:
    wanted = ctx.store.meta("lead_business") if key == "lead" else key
    for record in visible_businesses(ctx):
        if record["id"] == wanted:
            return record
    raise not_found()


def _update(ctx: Ctx, key: str | None) -> Reply:
    record = _find(ctx, key)
    data = ctx.wrapped("business")
    validate("business.update", data)
    for name, value in data.items():
        if name in record and name not in ("id", "$path", "country", "subscriptions"):
            record[name] = value
    record["displayed_as"] = record["name"]
    record["updated_at"] = ctx.stamp
    ctx.store.save(GLOBAL, BUSINESSES, record)
    return 200, record


def _user(ctx: Ctx, key: str | None) -> Reply:
    user: Any = ctx.store.meta("user")
    return 200, user


ROUTES = [
    Route("GET", "/businesses", _list, scoped=False),
    Route("GET", "/businesses/{key}", lambda ctx, key: (200, _find(ctx, key)), scoped=False),
    Route("PUT", "/businesses/{key}", _update, wrapper="business", scoped=False),
    Route("GET", "/user", _user, scoped=False),
]
