"""Per-connection mappings: product concepts to ledger accounts, unified tax codes to rates.

``client.extras.account_mapping`` and ``client.extras.tax_codes`` are the public faces. Both
validate against the business's own data (its chart of accounts, its tax rates) before
storing, and keep what they store in the connection's :class:`MappingStore`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from unified_accounting.errors import ValidationError
from unified_accounting.models import Classification
from unified_accounting_sage.countries import (
    AccountMapping,
    AccountSuggestion,
    resolve_tax_rate,
    suggest_account_mapping,
)
from unified_accounting_sage.services import Services

__all__ = ["AccountMappings", "TaxCodes"]


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

    def __init__(self, services: Services) -> None:
        self._services = services

    def _where(self) -> tuple[str, str | None]:
        return self._services.context.connection, self._services.business_id

    def get(self) -> AccountMapping | None:
        """Return the stored mapping, or ``None``."""
        data = self._services.shared.mappings.load(*self._where(), "accounts")
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
        self._services.shared.mappings.save(*self._where(), "accounts", _to_data(mapping))
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
            mapping.validate(self._services.reference("ledger_accounts"))
        except ValidationError:
            self._services.static.invalidate(self._services.business_id, "ledger_accounts")
            mapping.validate(self._services.reference("ledger_accounts"))

    def suggest(self, country: str | None = None) -> list[AccountSuggestion]:
        """Propose accounts for the country's usual concepts (the business's country by default).

        Nothing is stored: review the suggestions, then call :meth:`set`.
        """
        where = country or self._services.country() or ""
        return suggest_account_mapping(where, self._services.reference("ledger_accounts"))

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
        self._services.shared.mappings.save(*self._where(), "accounts", None)

    def __repr__(self) -> str:
        return f"AccountMappings(business_id={self._services.business_id!r})"


class TaxCodes:
    """Unified tax codes -> the business's tax rate ids.

    Codes resolve through the explicit mapping stored here first, then through the business's
    ``/tax_rates`` matched against the country's statutory table (see
    :func:`unified_accounting_sage.countries.resolve_tax_rate`). US businesses need a mapping.
    """

    def __init__(self, services: Services) -> None:
        self._services = services

    def _where(self) -> tuple[str, str | None]:
        return self._services.context.connection, self._services.business_id

    def get(self) -> dict[str, str]:
        """Return the explicit mapping (``{"standard": id, "standard:QC": id}``)."""
        data = self._services.shared.mappings.load(*self._where(), "tax_codes")
        return dict((data or {}).get("codes") or {})

    def set(self, codes: Mapping[str, str]) -> dict[str, str]:
        """Store an explicit mapping after checking that every id is one of the business's.

        Raises:
            ValidationError: keyed by code, for ids the business does not have.
        """
        known = {str(rate.get("id")) for rate in self._services.reference("tax_rates")}
        missing = {code: [f"tax rate {rate_id!r} does not exist in this business"]
                   for code, rate_id in codes.items() if rate_id not in known}
        if missing:
            raise ValidationError(missing, provider="sage")
        stored = dict(codes)
        self._services.shared.mappings.save(*self._where(), "tax_codes", {"codes": stored})
        return stored

    def clear(self) -> None:
        """Remove the explicit mapping."""
        self._services.shared.mappings.save(*self._where(), "tax_codes", None)

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
        country = self._services.country()
        if country is None:
            raise ValidationError({"tax_code": ["the business's country is unknown; map the "
                                                "code explicitly"]}, provider="sage")
        return resolve_tax_rate(country, self._services.reference("tax_rates"), code,
                                region=region, mapping=self.get(), name=name, agency=agency)

    def __repr__(self) -> str:
        return f"TaxCodes(business_id={self._services.business_id!r})"
