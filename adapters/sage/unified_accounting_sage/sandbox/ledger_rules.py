"""Double-entry posting rules: which ledger accounts a document debits and credits.

Pure functions over :class:`Decimal` amounts and ledger account ids, with no store and no
request: each takes what a stored document holds and returns its :class:`Posting` lines, which
always balance (every rule is built so that the control line takes the exact opposite of the
others). A document handler reads its amounts off the stored record, picks the rule and hands
the postings to ``ledger_posting.post_transaction``.

The rules follow Sage Business Cloud Accounting:

- sales invoice: debit the debtors control account with the total, credit each line's ledger
  account with its net amount and the sales (output) tax account with the tax of each rate;
- purchase invoice: the mirror image on the creditors control account and the purchase (input)
  tax account; a business without an input tax account (the US) adds the tax to each line's
  cost instead;
- credit notes: the reverse of the invoice of the same kind;
- customer receipt: debit the bank's ledger account, credit debtors; a settlement discount
  debits the sales discount account and credits debtors too. Supplier payment: the mirror;
- refunds: money back the other way (customer refund: debit debtors, credit bank);
- other receipts and payments (money in or out of a bank not tied to an invoice): the bank
  against each line's account and the output (receipts) or input (payments) tax account;
- bank transfer: debit the receiving bank's ledger account, credit the paying one;
- journal: its own lines.

An amount below zero swaps sides (a negative invoice line is a debit), and zero amounts post
nothing, so every posting has exactly one side above zero.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

__all__ = [
    "ControlAccounts",
    "Discount",
    "DocumentLine",
    "Posting",
    "bank_transfer",
    "customer_receipt",
    "customer_refund",
    "imbalance",
    "journal",
    "other_payment",
    "other_receipt",
    "purchase_credit_note",
    "purchase_invoice",
    "reverse",
    "sales_credit_note",
    "sales_invoice",
    "signed",
    "supplier_payment",
    "supplier_refund",
]

ZERO = Decimal(0)


@dataclass(frozen=True)
class Posting:
    """One ledger entry to be: a debit or a credit of one ledger account."""

    ledger_account_id: str
    debit: Decimal = ZERO
    credit: Decimal = ZERO
    description: str | None = None
    tax_rate_id: str | None = None

    @property
    def net(self) -> Decimal:
        """Debit minus credit: above zero for a debit."""
        return self.debit - self.credit


def signed(account: str, amount: Decimal, description: str | None = None,
           tax_rate_id: str | None = None) -> list[Posting]:
    """A debit of ``amount`` (a credit when it is below zero); nothing when it is zero."""
    if amount > 0:
        return [Posting(account, debit=amount, description=description, tax_rate_id=tax_rate_id)]
    if amount < 0:
        return [Posting(account, credit=-amount, description=description,
                        tax_rate_id=tax_rate_id)]
    return []


@dataclass(frozen=True)
class DocumentLine:
    """A line of an invoice, credit note or other payment, as the stored document holds it."""

    ledger_account_id: str
    net: Decimal
    tax: Decimal = ZERO
    tax_rate_id: str | None = None
    description: str | None = None


@dataclass(frozen=True)
class ControlAccounts:
    """The ledger accounts a business posts documents through.

    Attributes:
        debtors: what customers owe (Sage's DEBTORS control account).
        creditors: what the business owes suppliers (CREDITORS).
        sales_tax: output tax (SALES_TAX).
        purchase_tax: input tax (PURCHASE_TAX); ``None`` where the chart has none (US sales
            tax on purchases is part of the cost).
        sales_discount: settlement discounts allowed (SALES_DISCOUNT), if the chart has one.
        purchase_discount: settlement discounts received (PURCHASE_DISCOUNT), if any.
    """

    debtors: str
    creditors: str
    sales_tax: str
    purchase_tax: str | None = None
    sales_discount: str | None = None
    purchase_discount: str | None = None


@dataclass(frozen=True)
class Discount:
    """A settlement discount taken on one allocation, and the account it is booked to."""

    amount: Decimal
    ledger_account_id: str


def imbalance(postings: Iterable[Posting]) -> Decimal:
    """Total debits minus total credits (zero for a balanced set)."""
    return sum((posting.net for posting in postings), ZERO)


def reverse(postings: Iterable[Posting]) -> list[Posting]:
    """The same postings with debits and credits swapped (a credit note, a void)."""
    return [Posting(p.ledger_account_id, debit=p.credit, credit=p.debit,
                    description=p.description, tax_rate_id=p.tax_rate_id) for p in postings]


def _with_control(control: str, others: list[Posting], label: str | None) -> list[Posting]:
    """Put the control account first, taking exactly the opposite of ``others``."""
    return signed(control, -imbalance(others), label) + others


def _tax_by_rate(lines: Sequence[DocumentLine]) -> dict[str | None, Decimal]:
    totals: dict[str | None, Decimal] = {}
    for line in lines:
        totals[line.tax_rate_id] = totals.get(line.tax_rate_id, ZERO) + line.tax
    return totals


def _line_postings(lines: Sequence[DocumentLine], sign: int, label: str | None,
                   tax_account: str | None) -> list[Posting]:
    """Each line's net (with its tax when there is no tax account), then tax per rate."""
    postings: list[Posting] = []
    for line in lines:
        amount = line.net if tax_account is not None else line.net + line.tax
        postings += signed(line.ledger_account_id, sign * amount, line.description or label,
                           line.tax_rate_id)
    if tax_account is not None:
        for rate, tax in _tax_by_rate(lines).items():
            postings += signed(tax_account, sign * tax, label, rate)
    return postings


def sales_invoice(accounts: ControlAccounts, lines: Sequence[DocumentLine],
                  label: str | None = None) -> list[Posting]:
    """Debit debtors with the total; credit each line's net and the output tax per rate."""
    return _with_control(accounts.debtors, _line_postings(lines, -1, label, accounts.sales_tax),
                         label)


def purchase_invoice(accounts: ControlAccounts, lines: Sequence[DocumentLine],
                     label: str | None = None) -> list[Posting]:
    """Credit creditors with the total; debit each line's net and the input tax per rate."""
    return _with_control(accounts.creditors,
                         _line_postings(lines, 1, label, accounts.purchase_tax), label)


def sales_credit_note(accounts: ControlAccounts, lines: Sequence[DocumentLine],
                      label: str | None = None) -> list[Posting]:
    """The reverse of a sales invoice with the same lines."""
    return reverse(sales_invoice(accounts, lines, label))


def purchase_credit_note(accounts: ControlAccounts, lines: Sequence[DocumentLine],
                         label: str | None = None) -> list[Posting]:
    """The reverse of a purchase invoice with the same lines."""
    return reverse(purchase_invoice(accounts, lines, label))


def _discounts(discounts: Sequence[Discount], sign: int, label: str | None) -> list[Posting]:
    postings: list[Posting] = []
    for discount in discounts:
        postings += signed(discount.ledger_account_id, sign * discount.amount, label)
    return postings


def customer_receipt(accounts: ControlAccounts, bank_ledger_id: str, amount: Decimal,
                     discounts: Sequence[Discount] = (), label: str | None = None
                     ) -> list[Posting]:
    """Debit the bank with the money received and any discount's account; credit debtors."""
    others = signed(bank_ledger_id, amount, label) + _discounts(discounts, 1, label)
    return _with_control(accounts.debtors, others, label)


def supplier_payment(accounts: ControlAccounts, bank_ledger_id: str, amount: Decimal,
                     discounts: Sequence[Discount] = (), label: str | None = None
                     ) -> list[Posting]:
    """Credit the bank with the money paid and any discount's account; debit creditors."""
    others = signed(bank_ledger_id, -amount, label) + _discounts(discounts, -1, label)
    return _with_control(accounts.creditors, others, label)


def customer_refund(accounts: ControlAccounts, bank_ledger_id: str, amount: Decimal,
                    label: str | None = None) -> list[Posting]:
    """Money paid back to a customer: debit debtors, credit the bank."""
    return _with_control(accounts.debtors, signed(bank_ledger_id, -amount, label), label)


def supplier_refund(accounts: ControlAccounts, bank_ledger_id: str, amount: Decimal,
                    label: str | None = None) -> list[Posting]:
    """Money a supplier paid back: debit the bank, credit creditors."""
    return _with_control(accounts.creditors, signed(bank_ledger_id, amount, label), label)


def other_receipt(accounts: ControlAccounts, bank_ledger_id: str,
                  lines: Sequence[DocumentLine], label: str | None = None) -> list[Posting]:
    """Money in not tied to an invoice: debit the bank with the total; credit each line's
    net and the output tax per rate."""
    return _with_control(bank_ledger_id, _line_postings(lines, -1, label, accounts.sales_tax),
                         label)


def other_payment(accounts: ControlAccounts, bank_ledger_id: str,
                  lines: Sequence[DocumentLine], label: str | None = None) -> list[Posting]:
    """Money out not tied to an invoice: credit the bank with the total; debit each line's
    net and the input tax per rate (its cost, where the business has no input tax account)."""
    return _with_control(bank_ledger_id,
                         _line_postings(lines, 1, label, accounts.purchase_tax), label)


def bank_transfer(from_ledger_id: str, to_ledger_id: str, amount: Decimal,
                  label: str | None = None) -> list[Posting]:
    """Debit the receiving bank's ledger account, credit the paying one's."""
    return _with_control(from_ledger_id, signed(to_ledger_id, amount, label), label)


def journal(lines: Iterable[tuple[str, Decimal, Decimal, str | None]]) -> list[Posting]:
    """A manual journal's own lines ``(ledger account, debit, credit, details)``, as given.

    The journal handler checks the balance before anything is stored; these postings carry
    it over unchanged.
    """
    return [Posting(account, debit=debit, credit=credit, description=details)
            for account, debit, credit, details in lines if debit or credit]
