"""Line tax checked against the rate each line resolves to, before an invoice is sent.

The unified model checks what it can alone (line amounts against quantity x price, header
totals against the lines). The tax of a line depends on the business's tax rate, which only
the adapter knows: a line that gives both ``net_amount`` and ``tax_amount`` must have
``tax_amount == net_amount x rate / 100``, rounded once to the currency, half up
(:func:`unified_accounting.schemas.rules.line_tax`). Rates made of several components
(Canada's combined GST and PST rates) are not checked: Sage rounds each component apart.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from typing import Any

from unified_accounting.errors import ValidationError
from unified_accounting.models import Invoice, InvoiceLine
from unified_accounting.schemas.rules import tax_amount_error
from unified_accounting_sage.json_values import parse_bool, parse_money

__all__ = ["line_tax_errors", "single_rates"]


def single_rates(tax_rates: Iterable[Mapping[str, Any]]) -> dict[str, Decimal]:
    """Tax rate id -> percentage, for the business's rates that have one percentage."""
    found: dict[str, Decimal] = {}
    for rate in tax_rates:
        percentage = parse_money(rate.get("percentage"))
        if rate.get("id") and percentage is not None and not parse_bool(
                rate.get("is_combined_rate"), False):
            found[str(rate["id"])] = percentage
    return found


def line_tax_errors(invoice: Invoice, rates: Mapping[str, Decimal],
                    resolve: Callable[[str], str]) -> dict[str, list[str]]:
    """Every line whose tax disagrees with its rate, by ``lines[i].tax_amount``.

    Args:
        invoice: the invoice about to be sent.
        rates: :func:`single_rates` of the business.
        resolve: unified tax code -> tax rate id (a code that cannot be resolved is reported
            by the mapping, at ``lines[i].tax_code``, and skipped here).
    """
    errors: dict[str, list[str]] = {}
    for index, line in enumerate(invoice.lines):
        if line.tax_amount is None or line.net_amount is None:
            continue
        rate = rates.get(_rate_id(line, resolve) or "")
        if rate is None:
            continue
        message = tax_amount_error(line.tax_amount, line.net_amount, rate, invoice.currency)
        if message:
            errors[f"lines[{index}].tax_amount"] = [message]
    return errors


def _rate_id(line: InvoiceLine, resolve: Callable[[str], str]) -> str | None:
    if line.tax_rate_id:
        return line.tax_rate_id
    if not line.tax_code:
        return None
    try:
        return resolve(line.tax_code)
    except ValidationError:
        return None
