"""One company's books: tables of records per controller, and the generic Save/Delete rules.

Save creates a record when the body has no ``ID`` (or 0) and replaces the writable fields of
an existing one otherwise (omitted fields fall back to their defaults, as ASP.NET model
binding does). Read-only and unknown fields in a body are ignored. Ids are integers drawn
from one counter shared by every company, like the six-digit ids of the real server.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from unified_accounting.sandbox_kit.wire import to_decimal
from unified_accounting_sage_za.sandbox.errors import ZAError, invalid, not_found
from unified_accounting_sage_za.sandbox.wire import local_stamp

__all__ = ["PARTY_FIELDS", "Books", "IdCounter", "Record", "Shape", "flag", "money_of"]

Record = dict[str, Any]

_ADDRESS = tuple(f"{kind}Address0{n}" for kind in ("Postal", "Delivery") for n in range(1, 6))
PARTY_FIELDS = (
    "Name", "ContactName", "Telephone", "Mobile", "Fax", "Email", "WebAddress", "TaxReference",
    "Active", "CreditLimit", "TextField1", "TextField2", "TextField3", "DefaultTaxTypeId",
    "CurrencyId", "BusinessRegistrationNumber", "AutoAllocateToOldestInvoice", *_ADDRESS,
)


_READ_ONLY = frozenset({"ID", "Created", "Modified", "HasActivity"})


class IdCounter:
    """Hands out integer ids, unique across every company of the sandbox."""

    def __init__(self, start: int = 100001) -> None:
        self._next = itertools.count(start)

    def take(self) -> int:
        """The next id."""
        return next(self._next)


@dataclass(frozen=True)
class Shape:
    """What a controller stores.

    Attributes:
        writable: fields a Save body may set (others are ignored); empty for a controller
            the sandbox keeps as given (the controllers the unified layer does not map).
        required: fields a Save must carry (400 naming them otherwise).
        defaults: values of writable fields a body omits.
        methods: the controller's methods (``get``, ``save``, ``delete``, ...).
        in_use: returns a reason when the record may not be deleted.
    """

    writable: tuple[str, ...]
    required: tuple[str, ...] = ()
    defaults: Mapping[str, Any] = field(default_factory=dict)
    methods: frozenset[str] = frozenset({"get", "save", "delete"})
    in_use: Callable[[Record], bool] = lambda record: bool(record.get("HasActivity"))


def flag(value: Any) -> bool:
    """Read a JSON boolean the way model binding does (``"true"`` too)."""
    if isinstance(value, str):
        return value.strip().lower() == "true"
    return bool(value)


def money_of(body: Mapping[str, Any], name: str, default: str = "0") -> Decimal:
    """Read a decimal field (a JSON number or numeric text).

    Raises:
        ZAError: 400 naming the field when it is not a number.
    """
    value = body.get(name)
    if value is None or value == "":
        return Decimal(default)
    try:
        return to_decimal(value)
    except ValueError:
        raise invalid(name, f"The value '{value}' is not valid for {name}.") from None


class Books:
    """The records of one company, per controller (``Customer``, ``TaxInvoice``, ...)."""

    def __init__(self, company_id: int, ids: IdCounter, now: Callable[[], datetime]) -> None:
        self.company_id = company_id
        self.ids = ids
        self.now = now
        self.tables: dict[str, dict[int, Record]] = {}
        self.sequences: dict[str, itertools.count[int]] = {}

    def table(self, controller: str) -> dict[int, Record]:
        """The records of one controller, by id."""
        return self.tables.setdefault(controller, {})

    def records(self, controller: str) -> Iterator[Record]:
        """Every record of a controller, in id order."""
        table = self.table(controller)
        return (table[key] for key in sorted(table))

    def find(self, controller: str, record_id: Any) -> Record | None:
        """One record, or None (also for ids that are not integers)."""
        try:
            key = int(record_id)
        except (TypeError, ValueError):
            return None
        return self.table(controller).get(key)

    def require(self, controller: str, record_id: Any, field_name: str) -> Record:
        """A record a Save refers to.

        Raises:
            ZAError: 400 naming the field when there is no such record.
        """
        record = self.find(controller, record_id)
        if record is None:
            raise invalid(field_name, f"{controller} with ID {record_id} does not exist.")
        return record

    def next_number(self, prefix: str) -> str:
        """The next system document number of a series (``INV0000001``)."""
        counter = self.sequences.setdefault(prefix, itertools.count(1))
        return f"{prefix}{next(counter):07d}"

    def save(self, controller: str, shape: Shape, body: Mapping[str, Any]) -> tuple[Record, bool]:
        """Create or replace a record from a Save body.

        Returns:
            The stored record and whether it was created.

        Raises:
            ZAError: 400 for a missing required field, 404 for an unknown ``ID``.
        """
        record_id = body.get("ID") or 0
        existing = self.find(controller, record_id) if record_id else None
        if record_id and existing is None:
            raise not_found(controller, record_id)
        for name in shape.required:
            if body.get(name) in (None, ""):
                raise invalid(name, f"The {name} field is required.")
        values = ({name: body.get(name, shape.defaults.get(name)) for name in shape.writable}
                  if shape.writable else
                  {name: value for name, value in body.items() if name not in _READ_ONLY})
        stamp = local_stamp(self.now())
        if existing is None:
            record: Record = {"ID": self.ids.take(), **values, "Created": stamp,
                              "Modified": None, "HasActivity": False}
            self.table(controller)[record["ID"]] = record
            return record, True
        existing.update(values)
        existing["Modified"] = stamp
        return existing, False

    def delete(self, controller: str, shape: Shape, record_id: Any) -> None:
        """Delete a record.

        Raises:
            ZAError: 404 when absent, 409 when it is in use.
        """
        record = self.find(controller, record_id)
        if record is None:
            raise not_found(controller, record_id)
        if shape.in_use(record):
            raise ZAError(409, f"The {controller} cannot be deleted because it is in use.")
        del self.table(controller)[record["ID"]]

    def touch(self, record: Record) -> None:
        """Mark a record as used by a transaction and modified now."""
        record["HasActivity"] = True
        record["Modified"] = local_stamp(self.now())
