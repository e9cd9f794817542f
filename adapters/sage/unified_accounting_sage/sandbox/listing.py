"""List endpoints: filters, the ``$items`` envelope, paging and ``attributes``.

Filtered results are cached per business, collection and filter until the collection changes,
so walking a large list 200 at a time costs one scan, then a slice per page.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any
from urllib.parse import urlencode

from unified_accounting_sage.sandbox.errors import invalid
from unified_accounting_sage.sandbox.messages import parse_date, parse_timestamp, timestamp
from unified_accounting_sage.sandbox.routing import Ctx, Reply
from unified_accounting_sage.sandbox.store import Record

Predicate = Callable[[Record], bool]
FilterFactory = Callable[[str], Predicate]
BASE_FIELDS = ("id", "displayed_as", "$path")
DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 200
_CACHE_SIZE = 64


def since(field: str = "updated_at") -> FilterFactory:
    """``updated_or_created_since``: records changed at or after the moment (inclusive)."""

    def factory(value: str) -> Predicate:
        bound = timestamp(parse_timestamp(value))
        return lambda record: str(record.get(field) or "") >= bound

    return factory


def date_from(field: str = "date") -> FilterFactory:
    """``from_date``: records dated on or after the day."""

    def factory(value: str) -> Predicate:
        bound = parse_date(value).isoformat()
        return lambda record: str(record.get(field) or "") >= bound

    return factory


def date_to(field: str = "date") -> FilterFactory:
    """``to_date``: records dated on or before the day."""

    def factory(value: str) -> Predicate:
        bound = parse_date(value).isoformat()
        return lambda record: str(record.get(field) or "9999") <= bound

    return factory


def ref_is(field: str) -> FilterFactory:
    """Records whose nested reference ``field`` has the given id."""

    def factory(value: str) -> Predicate:
        return lambda record: (record.get(field) or {}).get("id") == value

    return factory


def ref_list_has(field: str) -> FilterFactory:
    """Records whose list of references ``field`` contains the given id."""

    def factory(value: str) -> Predicate:
        return lambda record: any(item.get("id") == value for item in record.get(field) or [])

    return factory


def search(*fields: str) -> FilterFactory:
    """Case-insensitive substring search over text fields."""

    def factory(value: str) -> Predicate:
        needle = value.lower()

        def matches(record: Record) -> bool:
            return any(needle in str(_dig(record, name) or "").lower() for name in fields)

        return matches

    return factory


def _dig(record: Mapping[str, Any], dotted: str) -> Any:
    value: Any = record
    for part in dotted.split("."):
        value = value.get(part) if isinstance(value, Mapping) else None
    return value


def list_reply(
    ctx: Ctx,
    collection: str,
    filters: Mapping[str, FilterFactory] | None = None,
    *,
    deletable: bool = False,
    sortable: Sequence[str] = (),
) -> Reply:
    """Answer a list request over one collection of the current business.

    Args:
        ctx: the request context.
        collection: collection name (also the path segment of ``$next``).
        filters: query parameter -> predicate factory, for the filters Sage offers here.
        deletable: whether ``deleted_since`` is offered.
        sortable: attributes accepted by ``sort=attr[:asc|:desc]``.

    Raises:
        SageError: 422 for a filter value that cannot be parsed.
    """
    if deletable and "deleted_since" in ctx.query:
        # Tombstones are returned whole: id, displayed_as, $path and deleted_at.
        return 200, envelope(ctx, collection, _deleted(ctx, collection), whole=True)
    return 200, envelope(ctx, collection, _filtered(ctx, collection, filters or {}, sortable))


def envelope(
    ctx: Ctx, collection: str, records: Sequence[Record], *, whole: bool = False
) -> dict[str, Any]:
    """The paged ``$items`` envelope of a filtered sequence."""
    page, per_page = _paging(ctx)
    total = len(records)
    last_page = max(1, -(-total // per_page))
    page = min(page, last_page)  # Sage answers a page past the end with the last page.
    items = records[(page - 1) * per_page : page * per_page]
    return {
        "$total": total,
        "$page": page,
        "$next": _link(ctx, collection, page + 1, per_page) if page < last_page else None,
        "$back": _link(ctx, collection, page - 1, per_page) if page > 1 else None,
        "$itemsPerPage": per_page,
        "$items": [record if whole else project(record, ctx.query.get("attributes"))
                   for record in items],
    }


def project(record: Record, attributes: str | None) -> dict[str, Any]:
    """Base fields plus the requested ``attributes`` (``all`` gives the whole record)."""
    if attributes and attributes.strip().lower() == "all":
        return record
    wanted = list(BASE_FIELDS)
    if attributes:
        wanted += [name.strip() for name in attributes.split(",") if name.strip()]
    return {name: record[name] for name in wanted if name in record}


def _paging(ctx: Ctx) -> tuple[int, int]:
    try:
        page = int(ctx.query.get("page", "1"))
        per_page = int(ctx.query.get("items_per_page", str(DEFAULT_PER_PAGE)))
    except ValueError as exc:
        raise invalid("items_per_page", "must be an integer") from exc
    return max(1, page), min(MAX_PER_PAGE, max(1, per_page))


def _link(ctx: Ctx, collection: str, page: int, per_page: int) -> str:
    others = [(k, v) for k, v in ctx.query_list if k not in ("page", "items_per_page")]
    query = urlencode([("page", str(page)), ("items_per_page", str(per_page)), *others])
    return f"/{collection}?{query}"


def _deleted(ctx: Ctx, collection: str) -> list[Record]:
    try:
        bound = timestamp(parse_timestamp(ctx.query["deleted_since"]))
    except ValueError as exc:
        raise invalid("deleted_since", "is not a valid date-time") from exc
    tombstones = ctx.store.deletions(ctx.business_id, collection)
    # Not inclusive of the passed timestamp, as Sage documents.
    return [item for item in tombstones if item["deleted_at"] > bound]


def _filtered(
    ctx: Ctx, collection: str, filters: Mapping[str, FilterFactory], sortable: Sequence[str]
) -> Sequence[Record]:
    used = tuple((name, ctx.query[name]) for name in filters if ctx.query.get(name))
    sort = ctx.query.get("sort", "") if sortable else ""
    coll = ctx.store.collection(ctx.business_id, collection)
    if not used and not sort:
        return coll.ordered()
    cache: dict[Any, tuple[int, Sequence[Record]]] = ctx.caches.list_cache
    key = (ctx.business_id, collection, used, sort)
    hit = cache.get(key)
    if hit is not None and hit[0] == coll.version:
        return hit[1]
    predicates = [_predicate(filters[name], name, value) for name, value in used]
    records = [r for r in coll.ordered() if all(p(r) for p in predicates)]
    if sort:
        records = _sorted(records, sort, sortable)
    if len(cache) >= _CACHE_SIZE:
        cache.pop(next(iter(cache)))
    cache[key] = (coll.version, records)
    return records


def _predicate(factory: FilterFactory, name: str, value: str) -> Predicate:
    try:
        return factory(value)
    except ValueError as exc:
        raise invalid(name, "is invalid") from exc


def _sorted(records: list[Record], sort: str, sortable: Sequence[str]) -> list[Record]:
    field, _, direction = sort.partition(":")
    if field not in sortable or direction not in ("", "asc", "desc"):
        raise invalid("sort", "is invalid")
    return sorted(records, key=lambda r: str(r.get(field) or ""), reverse=direction == "desc")
