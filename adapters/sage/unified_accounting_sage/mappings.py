"""Per-connection mappings: product concepts to ledger accounts, unified tax codes to rates.

``client.extras.account_mapping`` and ``client.extras.tax_codes`` are the public faces. Both
validate against the business's own data (its chart of accounts, its tax rates) before
storing, and keep what they store in the connection's :class:`MappingStore`.

Where they are kept: the default store keeps them in the connection's in-process cache, so
they last as long as the client. A product that wants them to survive restarts passes its own
store to ``ua.connect`` (``mapping_store=...``): anything with :meth:`MappingStore.load` and
:meth:`MappingStore.save` over JSON-ready data, e.g. a table keyed by connection, business and
kind.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Mapping
from typing import Any, Literal, Protocol, runtime_checkable

from unified_accounting.errors import ValidationError
from unified_accounting.models import Classification
from unified_accounting_sage.countries import (
    AccountMapping,
    AccountSuggestion,
    resolve_tax_rate,
    suggest_account_mapping,
)

__all__ = [
    "AccountMappings",
    "InMemoryMappingStore",
    "MappedBusiness",
    "MappingKind",
    "MappingStore",
    "TaxCodes",
]


# -- where mappings are kept --------------------------------------------------------------

MappingKind = Literal["accounts", "tax_codes"]


@runtime_checkable
class MappingStore(Protocol):
    """Persistence for per-connection mappings.

    ``data`` is JSON-ready: for ``accounts`` ``{"accounts": {concept: ledger account id},
    "classifications": {concept: [classification, ...]}}``; for ``tax_codes``
    ``{"codes": {unified code or "code:REGION": tax rate id}}``.
    """

    def load(self, connection: str, business_id: str | None,
             kind: MappingKind) -> Mapping[str, Any] | None:
        """Return the stored data, or ``None`` when nothing is stored."""
        ...

    def save(self, connection: str, business_id: str | None, kind: MappingKind,
             data: Mapping[str, Any] | None) -> None:
        """Store ``data`` (``None`` removes it)."""
        ...


class InMemoryMappingStore:
    """Keeps mappings in a dict (the connection's cache by default)."""

    def __init__(self, backing: dict[Any, Any] | None = None) -> None:
        self._data: dict[Any, Any] = {} if backing is None else backing
        self._lock = threading.Lock()

    def load(self, connection: str, business_id: str | None,
             kind: MappingKind) -> Mapping[str, Any] | None:
        """Return a copy of the stored data."""
        with self._lock:
            found = self._data.get((connection, business_id, kind))
        return copy.deepcopy(found)

    def save(self, connection: str, business_id: str | None, kind: MappingKind,
             data: Mapping[str, Any] | None) -> None:
        """Store a copy of ``data``; ``None`` removes the entry."""
        with self._lock:
            if data is None:
                self._data.pop((connection, business_id, kind), None)
            else:
                self._data[(connection, business_id, kind)] = copy.deepcopy(dict(data))

    def __repr__(self) -> str:
        return f"InMemoryMappingStore(entries={len(self._data)})"


class MappedBusiness(Protocol):
    """What the mappings need from a connection's business: a
    :class:`~unified_accounting_sage.tenant.Tenant` is one. Stated here so that this module
    never imports the tenant, which imports the stores above."""

    @property
    def connection(self) -> str:
        """The connection name the mappings are stored under."""
        ...

    @property
    def business_id(self) -> str | None:
        """The business the mappings belong to."""
        ...

    @property
    def mapping_store(self) -> MappingStore:
        """Where the connection keeps its mappings."""
        ...

    def reference(self, name: str) -> list[dict[str, Any]]:
        """A cached reference list of the business (``ledger_accounts``, ``tax_rates``)."""
        ...

    def forget_reference(self, name: str) -> None:
        """Drop a cached reference list, so the next read fetches it again."""
        ...

    def country(self) -> str | None:
        """The business's country (ISO alpha-2)."""
        ...


# -- the mappings ------------------------------------------------------------------------

def _to_data(mapping: AccountMapping) -> dict[str, Any]:
    return {
        "accounts": dict(mapping.accounts),
        "classifications": {k: sorted(v) for k, v in mapping.classifications.items()},
    }


def _from_data(data: Mapping[str, Any]) -> AccountMapping:
    stored = data.get("classifications") or {}
    classes: dict[str, frozenset[Classification]] = {
        concept: frozenset(values) for concept, values in stored.items()
    }
    return AccountMapping(dict(data.get("accounts") or {}), classes)


class AccountMappings:
    """The connection's account mapping: product concept -> the business's ledger account.

    Lines that name an ``account_concept`` (invoices, journals) are resolved through it.
    Suggestions per country are offered by :meth:`suggest` and never applied by themselves.
    """

    def __init__(self, tenant: MappedBusiness) -> None:
        self._tenant = tenant

    def _where(self) -> tuple[str, str | None]:
        return self._tenant.connection, self._tenant.business_id

    def get(self) -> AccountMapping | None:
        """Return the stored mapping, or ``None``."""
        data = self._tenant.mapping_store.load(*self._where(), "accounts")
        return None if data is None else _from_data(data)

    def set(self, mapping: AccountMapping | Mapping[str, str], *,
            classifications: Mapping[str, frozenset[Classification]] | None = None
            ) -> AccountMapping:
        """Validate ``mapping`` against the business's chart of accounts and store it.

        Args:
            mapping: an ``AccountMapping`` or concept -> ledger account id.
            classifications: required classifications of concepts the standard table does
                not know (only with a plain dict).

        Raises:
            ValidationError: keyed by concept: the account is missing, not in the chart, or
                of the wrong classification. Nothing is stored then.
        """
        if not isinstance(mapping, AccountMapping):
            mapping = AccountMapping(dict(mapping), dict(classifications or {}))
        self.validate(mapping)
        self._tenant.mapping_store.save(*self._where(), "accounts", _to_data(mapping))
        return mapping

    def validate(self, mapping: AccountMapping | None = None) -> None:
        """Check a mapping (the stored one by default) against the chart of accounts.

        The chart is read from the cache; when the check fails it is read again once, in case
        an account was added since.

        Raises:
            ValidationError: keyed by concept, or ``account_mapping`` when none is stored.
        """
        mapping = mapping or self.get()
        if mapping is None:
            raise ValidationError({"account_mapping": ["no account mapping is set"]},
                                  provider="sage")
        try:
            mapping.validate(self._tenant.reference("ledger_accounts"))
        except ValidationError:
            self._tenant.forget_reference("ledger_accounts")
            mapping.validate(self._tenant.reference("ledger_accounts"))

    def suggest(self, country: str | None = None) -> list[AccountSuggestion]:
        """Propose accounts for the country's usual concepts (the business's country by default).

        Nothing is stored: review the suggestions, then call :meth:`set`.
        """
        where = country or self._tenant.country() or ""
        return suggest_account_mapping(where, self._tenant.reference("ledger_accounts"))

    def resolve(self, concept: str) -> str:
        """Return the ledger account id mapped to ``concept``.

        Raises:
            ValidationError: no mapping is stored, or it does not name the concept.
        """
        mapping = self.get()
        if mapping is None:
            raise ValidationError({"account_concept": [
                f"no account mapping is set for this connection, so {concept!r} cannot be "
                "resolved; see client.extras.account_mapping.set"]}, provider="sage")
        return mapping.resolve(concept)

    def clear(self) -> None:
        """Remove the stored mapping."""
        self._tenant.mapping_store.save(*self._where(), "accounts", None)

    def __repr__(self) -> str:
        return f"AccountMappings(business_id={self._tenant.business_id!r})"


class TaxCodes:
    """Unified tax codes -> the business's tax rate ids.

    Codes resolve through the explicit mapping stored here first, then through the business's
    ``/tax_rates`` matched against the country's statutory table (see
    :func:`unified_accounting_sage.countries.resolve_tax_rate`). US businesses need a mapping.
    """

    def __init__(self, tenant: MappedBusiness) -> None:
        self._tenant = tenant

    def _where(self) -> tuple[str, str | None]:
        return self._tenant.connection, self._tenant.business_id

    def get(self) -> dict[str, str]:
        """Return the explicit mapping (``{"standard": id, "standard:QC": id}``)."""
        data = self._tenant.mapping_store.load(*self._where(), "tax_codes")
        return dict((data or {}).get("codes") or {})

    def set(self, codes: Mapping[str, str]) -> dict[str, str]:
        """Store an explicit mapping after checking that every id is one of the business's.

        Raises:
            ValidationError: keyed by code, for ids the business does not have.
        """
        known = {str(rate.get("id")) for rate in self._tenant.reference("tax_rates")}
        missing = {code: [f"tax rate {rate_id!r} does not exist in this business"]
                   for code, rate_id in codes.items() if rate_id not in known}
        if missing:
            raise ValidationError(missing, provider="sage")
        stored = dict(codes)
        self._tenant.mapping_store.save(*self._where(), "tax_codes", {"codes": stored})
        return stored

    def clear(self) -> None:
        """Remove the explicit mapping."""
        self._tenant.mapping_store.save(*self._where(), "tax_codes", None)

    def resolve(self, code: str, *, region: str | None = None, name: str | None = None,
                agency: str | None = None) -> str:
        """Return the business's tax rate id for a unified code.

        Args:
            code: ``standard``, ``reduced``, ``second_reduced``, ``super_reduced``, ``zero``,
                ``exempt`` or ``no_tax``.
            region: the province of supply in Canada (``QC`` or ``CA-QC``).
            name, agency: US only, an exact rate name or agency to match.

        Raises:
            ValidationError: the code cannot be resolved to exactly one rate (never guessed).
        """
        country = self._tenant.country()
        if country is None:
            raise ValidationError({"tax_code": ["the business's country is unknown; map the "
                                                "code explicitly"]}, provider="sage")
        return resolve_tax_rate(country, self._tenant.reference("tax_rates"), code,
                                region=region, mapping=self.get(), name=name, agency=agency)

    def __repr__(self) -> str:
        return f"TaxCodes(business_id={self._tenant.business_id!r})"
