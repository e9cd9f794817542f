"""Chart of accounts: Sage ledger account types, concept suggestions and account mappings.

Every Sage ledger account has a ``ledger_account_type``; :data:`LEDGER_ACCOUNT_TYPES` gives its
unified classification and type. Types without a unified equivalent map to type ``other``
(keeping their classification where it is clear), and unknown types to ``(None, "other")``:
the account is kept and its Sage type id travels in ``remote_data``.

An :class:`AccountMapping` names, per product concept (``subscription_revenue``), the tenant's
ledger account. It is validated against the tenant's chart before use. Per-country defaults
(:func:`suggest_account_mapping`) are only offered for review, never applied by themselves.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from unified_accounting.errors import ValidationError
from unified_accounting.models import Classification, LedgerAccountType
from unified_accounting_sage.countries.registry import COUNTRIES
from unified_accounting_sage.json_values import ref_id

__all__ = [
    "CONCEPT_CLASSIFICATIONS",
    "LEDGER_ACCOUNT_TYPES",
    "AccountMapping",
    "AccountSuggestion",
    "classify_account_type",
    "sage_account_type",
    "suggest_account_mapping",
]

#: Sage ``ledger_account_type`` id -> (unified classification, unified type).
LEDGER_ACCOUNT_TYPES: Mapping[str, tuple[Classification, LedgerAccountType]] = {
    "SALES": ("revenue", "revenue"),
    "OTHER_INCOME": ("revenue", "other_income"),
    "DIRECT_EXPENSES": ("expense", "cost_of_sales"),
    "OVERHEADS": ("expense", "expense"),
    "DEPRECIATION": ("expense", "depreciation"),
    "CURRENT_ASSETS": ("asset", "current_asset"),
    "FIXED_ASSETS": ("asset", "fixed_asset"),
    # Non-current assets that are not fixed assets; the unified types have no such entry.
    "FUTURE_ASSETS": ("asset", "other"),
    "BANK": ("asset", "bank"),
    "CURRENT_LIABILITY": ("liability", "current_liability"),
    "FUTURE_LIABILITY": ("liability", "long_term_liability"),
    "EQUITY": ("equity", "equity"),
    # A credit line used like a bank account; a liability, not a bank (asset) account.
    "LINE_OF_CREDIT": ("liability", "other"),
}

#: Unified type -> Sage type id, for every type that has exactly one Sage counterpart.
_SAGE_TYPES: Mapping[str, str] = {
    unified: sage for sage, (_, unified) in LEDGER_ACCOUNT_TYPES.items() if unified != "other"
}

_ANY: frozenset[Classification] = frozenset(
    {"asset", "liability", "equity", "revenue", "expense"}
)
#: Classification each standard concept's account must have.
CONCEPT_CLASSIFICATIONS: Mapping[str, frozenset[Classification]] = {
    "sales": frozenset({"revenue"}),
    "subscription_revenue": frozenset({"revenue"}),
    "services_revenue": frozenset({"revenue"}),
    "other_income": frozenset({"revenue"}),
    "sales_discount": frozenset({"revenue", "expense"}),
    "cost_of_sales": frozenset({"expense"}),
    "purchase_discount": frozenset({"expense", "revenue"}),
    "accounts_receivable": frozenset({"asset"}),
    "prepayments": frozenset({"asset"}),
    "bank": frozenset({"asset"}),
    "accounts_payable": frozenset({"liability"}),
    "accruals": frozenset({"liability"}),
    "sales_tax": frozenset({"liability"}),
    # Input tax is a liability account in Sage's UK chart and a receivable (asset) elsewhere.
    "purchase_tax": frozenset({"asset", "liability"}),
    "retained_earnings": frozenset({"equity"}),
    "wages": frozenset({"expense"}),
    "bank_charges": frozenset({"expense"}),
    "bad_debts": frozenset({"expense"}),
    "suspense": _ANY,
}


def classify_account_type(type_id: str | None) -> tuple[Classification | None, LedgerAccountType]:
    """Return (classification, type) for a Sage ledger account type id.

    Unknown or missing ids give ``(None, "other")``.
    """
    return LEDGER_ACCOUNT_TYPES.get(type_id or "", (None, "other"))


def sage_account_type(unified_type: str | None, fallback: str | None = None) -> str | None:
    """Return the Sage type id for a unified type.

    Args:
        unified_type: the unified ``LedgerAccount.type``.
        fallback: the Sage id to use for type ``other`` (from ``remote_data``).

    Returns:
        The Sage id, or ``None`` when the type is ``other``/missing and no fallback is known.
    """
    if unified_type is None or unified_type == "other":
        return fallback
    return _SAGE_TYPES.get(unified_type, fallback)


def _concept_key(concept: str) -> str:
    return "_".join(concept.strip().lower().replace("-", " ").split())


@dataclass(frozen=True)
class _Account:
    id: str
    code: str
    classification: Classification | None
    type_id: str | None
    included: bool
    label: str


def _account(raw: Mapping[str, Any]) -> _Account:
    type_id = ref_id(raw, "ledger_account_type")
    return _Account(
        id=str(raw.get("id")),
        code=str(raw.get("nominal_code") or ""),
        classification=classify_account_type(type_id)[0],
        type_id=type_id,
        included=raw.get("included_in_chart") is not False,
        label=str(raw.get("displayed_as") or raw.get("name") or raw.get("id")),
    )


@dataclass(frozen=True)
class AccountMapping:
    """Product concepts -> the tenant's ledger account ids, for one connection.

    Attributes:
        accounts: concept -> Sage ledger account id.
        classifications: classification(s) required per concept, for concepts beyond
            :data:`CONCEPT_CLASSIFICATIONS` (or to override it).
    """

    accounts: Mapping[str, str]
    classifications: Mapping[str, frozenset[Classification]] = field(default_factory=dict)

    def _allowed(self, concept: str) -> frozenset[Classification] | None:
        if concept in self.classifications:
            return self.classifications[concept]
        return CONCEPT_CLASSIFICATIONS.get(_concept_key(concept))

    def _problems(self, concept: str, account: _Account | None, wanted_id: str) -> list[str]:
        if account is None:
            return [f"ledger account {wanted_id!r} does not exist in this business"]
        problems = []
        if not account.included:
            problems.append(f"{account.label} is not included in the chart of accounts")
        allowed = self._allowed(concept)
        if allowed is None:
            problems.append("no classification is known for this concept; declare it")
        elif account.classification not in allowed:
            shown = account.classification or f"unknown (Sage type {account.type_id})"
            problems.append(f"{account.label} is {shown}; expected {' or '.join(sorted(allowed))}")
        return problems

    def validate(self, chart: Iterable[Mapping[str, Any]]) -> None:
        """Check every mapped account against the tenant's chart (``/ledger_accounts`` JSON).

        Raises:
            ValidationError: keyed by concept: the account is missing, not included in the
                chart, or of the wrong classification.
        """
        accounts = {acc.id: acc for acc in map(_account, chart)}
        errors = {
            concept: problems
            for concept, account_id in self.accounts.items()
            if (problems := self._problems(concept, accounts.get(account_id), account_id))
        }
        if errors:
            raise ValidationError(errors, provider="sage")

    def resolve(self, concept: str) -> str:
        """Return the ledger account id mapped to ``concept``.

        Raises:
            ValidationError: ``{"account_concept": [...]}`` when the concept is not mapped.
        """
        if concept in self.accounts:
            return self.accounts[concept]
        key = _concept_key(concept)
        for name, account_id in self.accounts.items():
            if _concept_key(name) == key:
                return account_id
        raise ValidationError({"account_concept": [f"no ledger account is mapped to {concept!r}"]},
                              provider="sage")


@dataclass(frozen=True)
class AccountSuggestion:
    """A proposed account for a concept, to be reviewed before it is stored."""

    concept: str
    code: str
    confirmed: bool
    ledger_account_id: str | None
    candidates: tuple[str, ...]


def suggest_account_mapping(
    country: str, chart: Iterable[Mapping[str, Any]]
) -> list[AccountSuggestion]:
    """Propose tenant accounts for the country's standard concepts.

    A suggestion names an account only when exactly one included account of the right
    classification carries the suggested code; otherwise ``candidates`` lists what was found.
    Nothing is stored or applied.

    Args:
        country: ISO alpha-2 code of the business.
        chart: the tenant's ``/ledger_accounts`` records (Sage JSON).

    Returns:
        One suggestion per concept the country's table knows (empty for unknown countries).
    """
    rules = COUNTRIES.get(country.strip().upper())
    if rules is None:
        return []
    accounts = [acc for acc in map(_account, chart) if acc.included]
    out = []
    for item in rules.suggestions:
        allowed = CONCEPT_CLASSIFICATIONS.get(item.concept, _ANY)
        found = tuple(
            acc.id for acc in accounts
            if (acc.code.startswith(item.code) if item.prefix else acc.code == item.code)
            and acc.classification in allowed
        )
        chosen = found[0] if len(found) == 1 else None
        out.append(AccountSuggestion(item.concept, item.code, item.confirmed, chosen, found))
    return out
