"""The seeded company: a VAT-registered South African business with the default chart.

The tax types are the ones a new ZA VAT company has (the standard rate of 15 %, the capital
goods variant, zero-rated, exempt); the chart has the usual income statement and balance
sheet accounts plus the system accounts (control accounts and VAT) that ``Account/Get``
leaves out and ``Account/GetWithSystemAccounts`` includes.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from unified_accounting_sage_za.sandbox.books import Books, Record
from unified_accounting_sage_za.sandbox.wire import local_stamp

__all__ = ["CATEGORIES", "CHART", "TAX_TYPES", "company_record", "seed_books"]

#: (Description, Order) of the account categories.
CATEGORIES: tuple[tuple[str, int], ...] = (
    ("Sales", 1), ("Cost of Sales", 2), ("Other Income", 3), ("Expenses", 4),
    ("Current Assets", 5), ("Non-current Assets", 6), ("Current Liabilities", 7),
    ("Non-current Liabilities", 8), ("Owners Equity", 9),
)
#: (Name, category, system account) of the default chart.
CHART: tuple[tuple[str, str, bool], ...] = (
    ("Sales", "Sales", False),
    ("Services Rendered", "Sales", False),
    ("Cost of Sales", "Cost of Sales", False),
    ("Interest Received", "Other Income", False),
    ("Advertising and Promotions", "Expenses", False),
    ("Bank Charges", "Expenses", False),
    ("Computer Expenses", "Expenses", False),
    ("Rent Paid", "Expenses", False),
    ("Salaries and Wages", "Expenses", False),
    ("Telephone and Internet", "Expenses", False),
    ("Petty Cash", "Current Assets", False),
    ("Computer Equipment", "Non-current Assets", False),
    ("PAYE Payable", "Current Liabilities", False),
    ("Loan from Director", "Non-current Liabilities", False),
    ("Owners Contribution", "Owners Equity", False),
    ("Retained Earnings", "Owners Equity", True),
    ("Customer Control", "Current Assets", True),
    ("Supplier Control", "Current Liabilities", True),
    ("VAT Control", "Current Liabilities", True),
)
#: (Name, Percentage, IsDefault).
TAX_TYPES: tuple[tuple[str, str, bool], ...] = (
    ("Standard Rate", "15", True),
    ("Standard Rate (Capital Goods)", "15", False),
    ("Zero Rated", "0", False),
    ("Exempt", "0", False),
)


def company_record(company_id: int, name: str, created: str) -> Record:
    """A ``Company/Get`` record (the fields the captured fixture shows)."""
    address = ("12 Long Street", "Cape Town", "Western Cape", "8001", "")
    record: dict[str, Any] = {
        "ID": company_id, "Name": name, "DisplayName": name, "RegisteredName": name,
        "RegistrationNumber": "2019/123456/07", "TaxNumber": "4123456789",
        "CompanyTaxNumber": "9123456789", "TaxOffice": "Cape Town", "CurrencySymbol": "R",
        "CurrencyDecimalDigits": 2, "NumberDecimalDigits": 2, "DecimalSeparator": ".",
        "GroupSeparator": ",", "RoundingType": 0, "RoundingValue": 0, "TaxSystem": 2,
        "TaxPeriodFrequency": 2, "CountryId": 1, "HomeCurrencyId": 1, "CurrencyId": 1,
        "ContactName": "Thandi Nkosi", "Telephone": "021 555 0100",
        "Email": "accounts@example.co.za",
        "City": "Cape Town", "State": "Western Cape", "Country": "South Africa",
        "Active": True, "IsOwner": True, "IsPracticeAccount": False,
        "Created": created, "Modified": None,
    }
    for index, line in enumerate(address, start=1):
        record[f"PostalAddress0{index}"] = line
        record[f"PostalAddress{index}"] = line  # the legacy duplicate the API still sends
    return record


def seed_books(books: Books) -> None:
    """Fill a new company's books: categories, chart, tax types, a bank account, an item."""
    stamp = local_stamp(books.now())
    categories: dict[str, Record] = {}
    for description, order in CATEGORIES:
        categories[description] = _put(books, "AccountCategory", stamp, Description=description,
                                       Order=order, Comment="")
    for name, category, system in CHART:
        _put(books, "Account", stamp, Name=name, Category=dict(categories[category]),
             Active=True, Description="", Balance=Decimal("0"), DefaultTaxTypeId=None,
             ReportingGroupId=None, UnallocatedAccount=False, IsTaxLocked=system,
             AccountType=2 if system else 1, _System=system)
    for name, percentage, default in TAX_TYPES:
        _put(books, "TaxType", stamp, Name=name, Percentage=Decimal(percentage),
             IsDefault=default, IsManualTax=False, Active=True, CompanyId=books.company_id)
    _put(books, "BankAccount", stamp, Name="Current Account", BankName="First National Bank",
         AccountNumber="62000000001", Active=True, Default=True, Description="")
    _put(books, "Item", stamp, Code="CONSULT", Description="Consulting hour", Active=True,
         PriceExclusive=Decimal("950.00"))


def _put(books: Books, controller: str, stamp: str, **values: Any) -> Record:
    record: Record = {"ID": books.ids.take(), **values, "Created": stamp, "Modified": None,
                      "HasActivity": False}
    books.table(controller)[record["ID"]] = record
    return record
