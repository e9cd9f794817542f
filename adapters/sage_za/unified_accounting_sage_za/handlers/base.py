"""What every v2 handler shares: offset paging, reads, look-up-before-resend writes, deletions.

Lists ask for 100 records a call (Sage's cap) in a stable order (``$orderby=ID asc``) and
fetch the next page only when the previous one is used up. Writes carry no idempotency token
(v2 has none): a create whose answer is lost is looked up by the unique reference the adapter
set on it before it is sent again, so a retry never makes a second record. The reference is
derived from the call's idempotency token, so a call repeated with the same tokens (the write
outbox's redelivery, ``chosen_idempotency_keys(seed, repeat=True)``) sets the same reference,
and looks it up before sending anything.
"""

from __future__ import annotations

import dataclasses
import secrets
import time
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from typing import Any, ClassVar, TypeVar

from unified_accounting import validate_model
from unified_accounting.errors import ProviderError, ProviderUnavailableError, ValidationError
from unified_accounting.http import Transport
from unified_accounting.http.idempotency import repeating_chosen_call
from unified_accounting.provider import ProviderContext, RecordPage, ResourceHandler
from unified_accounting_sage_za.changes import snapshot_for
from unified_accounting_sage_za.config import setting_flag, setting_int
from unified_accounting_sage_za.wire import odata_datetime, parse_stamp, quoted

__all__ = ["PAGE_LIMIT", "ZAHandler", "merged", "new_reference", "read_envelope"]

M = TypeVar("M")
PAGE_LIMIT = 100
"""Sage returns at most 100 records a call, whatever ``$top`` asks for."""


def new_reference(prefix: str, token: str | None = None) -> str:
    """A unique reference for a new record (``UA-3F2A9C01B7D4``), the key of the look-up.

    ``token`` (an idempotency token, hex) fixes it; without one it is drawn at random.
    """
    return f"{prefix}-{(token or secrets.token_hex(6))[:12].upper()}"


def read_envelope(payload: Any) -> tuple[list[dict[str, Any]], int]:
    """``(Results, TotalResults)`` of a list answer.

    Raises:
        ProviderError: the answer is not the list envelope.
    """
    if not isinstance(payload, dict) or not isinstance(payload.get("Results"), list):
        raise ProviderError("Sage answered a list without its Results", provider="sage_za")
    records = [item for item in payload["Results"] if isinstance(item, dict)]
    total = payload.get("TotalResults")
    return records, total if isinstance(total, int) else len(records)


def merged(current: M, changes: M | Mapping[str, Any]) -> M:
    """A whole model, or the current one with the changed fields applied (then validated).

    Raises:
        ValidationError: a changed key is not a field of the model, or the result breaks
            the model's rules (as ``create`` would refuse it).
    """
    if not isinstance(changes, Mapping):
        return changes
    names = {field.name for field in dataclasses.fields(current)}  # type: ignore[arg-type]
    unknown = sorted(str(key) for key in changes if key not in names)
    if unknown:
        raise ValidationError({key: [f"not a field of {type(current).__name__}"]
                               for key in unknown}, provider="sage_za")
    updated = dataclasses.replace(current, **dict(changes))  # type: ignore[type-var]
    validate_model(updated)
    return updated


class ZAHandler(ResourceHandler[M]):
    """Base of the v2 handlers; subclasses name their controller and map records."""

    controller: ClassVar[str] = ""
    list_method: ClassVar[str] = "Get"
    list_query: ClassVar[Mapping[str, str]] = {}

    def __init__(self, context: ProviderContext) -> None:
        super().__init__(context)
        self.snapshot = snapshot_for(context, self.resource)

    @property
    def transport(self) -> Transport:
        """The transport every request goes through."""
        return self.context.transport

    def reference_for(self, prefix: str) -> str:
        """The unique reference of the record this call creates, from its idempotency token."""
        return new_reference(prefix, self.transport.new_idempotency_key())

    # -- reading -------------------------------------------------------------------------

    def fetch_page(self, controller: str, query: Mapping[str, str], skip: int,
                   top: int = PAGE_LIMIT, method: str = "Get") -> tuple[list[dict[str, Any]], int]:
        """``GET {controller}/{method}?$skip=&$top=&$orderby=ID asc``: one page and the total."""
        params = {"$orderby": "ID asc", **query, "$skip": str(skip), "$top": str(top)}
        answer = self.transport.request("GET", f"/{controller}/{method}", params=params)
        return read_envelope(answer.json())

    def raw_list(self, controller: str, query: Mapping[str, str] | None = None,
                 method: str = "Get") -> Iterator[dict[str, Any]]:
        """Every record of a list, fetched page by page as they are consumed."""
        skip = 0
        while True:
            records, total = self.fetch_page(controller, query or {}, skip, method=method)
            yield from records
            skip += len(records)
            if not records or skip >= total:
                return

    def raw_get(self, controller: str, sage_id: int) -> dict[str, Any]:
        """``GET {controller}/Get/{id}``. Raises ``NotFoundError`` when absent."""
        return self.record(self.transport.request("GET", f"/{controller}/Get/{sage_id}").json())

    @staticmethod
    def record(payload: Any) -> dict[str, Any]:
        """Check that an answer is one record. Raises ``ProviderError`` otherwise."""
        if not isinstance(payload, dict):
            raise ProviderError("Sage answered with something that is not a record",
                                provider="sage_za")
        return payload

    def changed_query(self, filters: Mapping[str, Any]) -> dict[str, str]:
        """``$filter`` on ``Modified``/``Created`` when the server is known to take it."""
        since = filters.get("updated_since")
        if not isinstance(since, datetime) or not setting_flag(self.context.settings,
                                                               "modified_filter"):
            return {}
        literal = odata_datetime(since)
        return {"$filter": f"Modified ge {literal} or Created ge {literal}"}

    @staticmethod
    def changed_since(raw: Mapping[str, Any], filters: Mapping[str, Any]) -> bool:
        """Whether a record passes ``updated_since`` (compared here: v2 cannot filter)."""
        since = filters.get("updated_since")
        if not isinstance(since, datetime):
            return True
        stamp = parse_stamp(raw.get("Modified")) or parse_stamp(raw.get("Created"))
        return stamp is None or stamp >= since

    def listed(self, controller: str, filters: Mapping[str, Any],
               query: Mapping[str, str] | None = None) -> Iterator[dict[str, Any]]:
        """The raw records of a list that pass the filters; every id is remembered for the
        deletion check when the whole list was read."""
        server_filter = self.changed_query(filters)
        seen: set[int] = set()
        for raw in self.raw_list(controller, {**self.list_query, **(query or {}),
                                              **server_filter}, self.list_method):
            seen.add(int(raw.get("ID") or 0))
            if self.changed_since(raw, filters):
                yield raw
        if not server_filter:
            self.snapshot.listed(controller, seen)

    def paged(self, controller: str, filters: Mapping[str, Any], page_size: int,
              start_page: int) -> Iterator[tuple[list[dict[str, Any]], int]]:
        """Pages of one controller (one request each), filtered like :meth:`listed`."""
        size = max(1, min(page_size, PAGE_LIMIT))
        skip = (start_page - 1) * size
        query = {**self.list_query, **self.changed_query(filters)}
        first = True
        while True:
            records, total = self.fetch_page(controller, query, skip, size, self.list_method)
            if records or (first and start_page == 1):
                yield [raw for raw in records if self.changed_since(raw, filters)], total
            first = False
            skip += len(records)
            if not records or skip >= total:
                return

    def pages_of_one(self, controller: str, filters: Mapping[str, Any], page_size: int,
                     start_page: int, convert: Any) -> Iterator[RecordPage[M]]:
        """Numbered pages mapped to unified models (``convert`` maps one raw record)."""
        for raws, total in self.paged(controller, filters, page_size, start_page):
            yield RecordPage(items=[convert(raw) for raw in raws], total=total)

    # -- writing -------------------------------------------------------------------------

    def find_by(self, controller: str, field: str, value: str) -> dict[str, Any] | None:
        """The record whose ``field`` equals ``value`` (the adapter's unique reference)."""
        records, _ = self.fetch_page(controller, {"$filter": f"{field} eq {quoted(value)}"}, 0)
        return records[0] if records else None

    def save_new(self, controller: str, body: Mapping[str, Any], *, key_field: str,
                 key: str, params: Mapping[str, str] | None = None) -> dict[str, Any]:
        """``POST {controller}/Save`` of a new record, safe against lost answers.

        When the answer is lost (connection closed, 500 or 503), the record is looked up by
        ``key_field == key`` first and returned if Sage stored it; only otherwise is it sent
        again, up to the ``write_attempts`` setting. A repeated call looks it up before the
        first send too.
        """
        found = self.stored_before(controller, key_field, key)
        if found is not None:
            return found
        return self.send_new(controller, body, key_field=key_field, key=key, params=params)

    def send_new(self, controller: str, body: Mapping[str, Any], *, key_field: str,
                 key: str, params: Mapping[str, str] | None = None) -> dict[str, Any]:
        """:meth:`save_new` for a caller that has already looked for an earlier run's record."""
        return self._save(controller, body, params,
                          lambda: self.find_by(controller, key_field, key))

    def stored_before(self, controller: str, field: str, key: str) -> dict[str, Any] | None:
        """In a repeated call only, the record an earlier run of it already stored."""
        return self.find_by(controller, field, key) if repeating_chosen_call() else None

    def save_existing(self, controller: str, body: Mapping[str, Any],
                      params: Mapping[str, str] | None = None) -> dict[str, Any]:
        """``POST {controller}/Save`` with an ``ID``: a full replace, so resending is safe."""
        return self._save(controller, body, params, lambda: None)

    def _save(self, controller: str, body: Mapping[str, Any],
              params: Mapping[str, str] | None,
              stored: Callable[[], dict[str, Any] | None]) -> dict[str, Any]:
        """Send a Save; after a lost answer, return ``stored()`` if it finds the record, else
        send again (up to ``write_attempts``)."""
        attempts = setting_int(self.context.settings, "write_attempts")
        for attempt in range(1, attempts + 1):
            try:
                answer = self.transport.request("POST", f"/{controller}/Save", json=dict(body),
                                                params=params)
                return self.record(answer.json())
            except ProviderUnavailableError:
                found = stored()
                if found is not None:
                    return found
                if attempt == attempts:
                    raise
                self.pause(attempt)
        raise AssertionError("unreachable")  # pragma: no cover

    def pause(self, attempt: int) -> None:
        """Wait before a resend (the ``resend_sleep`` connect option replaces ``time.sleep``)."""
        sleep = self.context.options.get("resend_sleep", time.sleep)
        sleep(min(2.0, 0.05 * 2 ** (attempt - 1)))

    def remove(self, controller: str, sage_id: int) -> None:
        """``DELETE {controller}/Delete/{id}``; the deletion is remembered for sync."""
        self.transport.request("DELETE", f"/{controller}/Delete/{sage_id}")
        self.snapshot.deleted(controller, sage_id)
