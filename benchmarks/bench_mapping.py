"""Mapping cost per record: Sage JSON -> unified model and back, for a contact and an invoice.

The records are what the sandbox answers to a list with the mapper's ``attributes`` (a
contact with every field the mapper reads filled in, and a sales invoice of five lines),
decoded the way the transport decodes them. Each operation runs ``--number`` times per round;
rounds alternate the order of the operations; garbage collection stays on, as in real use.

Besides the two mapping directions the table shows, for context, what a create adds
(``validate_model``: the marshmallow rules every model passes before a request is built) and
marshmallow's own load and dump of the unified JSON.
"""

from __future__ import annotations

import argparse
import gc
import json
import time
import timeit
from collections.abc import Callable
from typing import Any

from harness import Bench, Report, alternate, log, median, running_sandbox, verdict
from unified_accounting_sage.json_values import loads
from unified_accounting_sage.mappers import contacts, invoices

import unified_accounting as ua

TARGETS_US = {"contact": 25.0, "invoice": 100.0}

CONTACT_BODY: dict[str, Any] = {
    "name": "Acme Trading Ltd", "contact_type_ids": ["CUSTOMER", "VENDOR"],
    "reference": "ACME001", "tax_number": "GB123456789", "notes": "Key account",
    "currency_id": "GBP", "credit_limit": "25000.00", "credit_days": 45,
    "main_address": {"address_line_1": "1 High Street", "address_line_2": "Floor 2",
                     "city": "Leeds", "region": "West Yorkshire", "postal_code": "LS1 1AA",
                     "country_id": "GB"},
    "delivery_address": {"address_line_1": "Unit 7, Dock Road", "city": "Hull",
                         "postal_code": "HU1 2AB", "country_id": "GB"},
    "main_contact_person": {"name": "Jane Smith", "email": "jane@acme.example",
                            "telephone": "+44 113 496 0000", "job_title": "Finance lead"},
    "bank_account_details": {"account_name": "Acme Trading Ltd", "account_number": "12345678",
                             "sort_code": "401234", "iban": "GB33BUKB20201555555555",
                             "bic": "BUKBGB22"},
    "default_sales_tax_rate_id": "GB_STANDARD",
}


def sample_records(bench: Bench, lines: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """Create one full contact and one invoice, and read them back as a list returns them."""
    sandbox = bench.sandbox
    body = {**CONTACT_BODY, "default_sales_ledger_account_id":
            sandbox.ledger_account_id("GB", 4000)}
    contact_id = sandbox.bulk_create("contacts", [body])[0]
    sandbox.seed_invoices(1, lines=lines, contact_ids=[contact_id])
    raw = bench.session()
    listed_contact = _first(raw, "contacts", contacts.ATTRIBUTES)
    listed_invoice = _first(raw, "sales_invoices", invoices.ATTRIBUTES_BY_TYPE["sales"])
    raw.close()
    return listed_contact, listed_invoice


def _first(raw: Any, collection: str, attributes: tuple[str, ...]) -> dict[str, Any]:
    page = raw.get(f"/{collection}", {"items_per_page": 1, "attributes": ",".join(attributes)})
    # Decode again as the transport does (numbers with a fraction become Decimal).
    record: dict[str, Any] = loads(json.dumps(page["$items"][0]))
    return record


def operations(contact_raw: dict[str, Any], invoice_raw: dict[str, Any],
               business_id: str) -> dict[tuple[str, str], Callable[[], Any]]:
    """(record, operation) -> a call doing it once."""
    contact = contacts.to_unified(contact_raw, business_id=business_id)
    invoice = invoices.to_unified(invoice_raw, business_id=business_id, invoice_type="sales")
    contact_json, invoice_json = ua.dump(contact), ua.dump(invoice)
    return {
        ("contact", "Sage JSON -> Contact (read)"):
            lambda: contacts.to_unified(contact_raw, business_id=business_id),
        ("contact", "Contact -> Sage body (write)"): lambda: contacts.to_sage(contact),
        ("contact", "validate_model (create adds)"): lambda: ua.validate_model(contact),
        ("contact", "marshmallow ua.load(unified JSON)"):
            lambda: ua.load("contact", contact_json),
        ("contact", "marshmallow ua.dump(Contact)"): lambda: ua.dump(contact),
        ("invoice", "Sage JSON -> Invoice (read)"):
            lambda: invoices.to_unified(invoice_raw, business_id=business_id,
                                        invoice_type="sales"),
        ("invoice", "Invoice -> Sage body (write)"): lambda: invoices.to_sage(invoice),
        ("invoice", "validate_model (create adds)"): lambda: ua.validate_model(invoice),
        ("invoice", "marshmallow ua.load(unified JSON)"):
            lambda: ua.load("invoice", invoice_json),
        ("invoice", "marshmallow ua.dump(Invoice)"): lambda: ua.dump(invoice),
    }


def per_call_us(action: Callable[[], Any], number: int) -> float:
    """CPU microseconds per call over ``number`` calls, garbage collection on.

    CPU time of this thread, not wall time: on a shared machine, waiting for a core would
    otherwise count as mapping.
    """
    timer = timeit.Timer(action, setup=gc.enable, timer=time.thread_time)
    return timer.timeit(number) / number * 1e6


def _calls(operation: str, number: int) -> int:
    # The marshmallow rows cost ten times more; fewer calls keep every round about as long.
    slow = "marshmallow" in operation or "validate" in operation
    return max(50, number // 10) if slow else number


def _measure(action: Callable[[], Any], number: int) -> Callable[[], float]:
    return lambda: per_call_us(action, number)


def main() -> None:
    """Read the sample records, time every operation, print and save the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--number", type=int, default=2_000, help="calls per round")
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--lines", type=int, default=5)
    args = parser.parse_args()

    with running_sandbox() as bench:
        contact_raw, invoice_raw = sample_records(bench, args.lines)
        business_id = bench.sandbox.business_id("GB")
    ops = operations(contact_raw, invoice_raw, business_id)
    log(f"{len(ops)} operations, {args.rounds} rounds of {args.number:,} calls")
    runs = alternate({f"{record}|{operation}": _measure(action, _calls(operation, args.number))
                      for (record, operation), action in ops.items()}, args.rounds)

    report = Report("mapping", "2. Mapping cost per record (CPU microseconds)",
                    ["record", "operation", "us per record (median)", "best round", "target",
                     "verdict"])
    for (record, operation) in ops:
        value = median(runs[f"{record}|{operation}"])
        mapped = "(read)" in operation or "(write)" in operation
        target = TARGETS_US[record]
        report.rows.append([record, operation, round(value, 1),
                            round(min(runs[f"{record}|{operation}"]), 1),
                            f"<= {target:.0f}" if mapped else "-",
                            verdict(value <= target) if mapped else "-"])
        report.figures[f"{record}: {operation}"] = {"median_us": value,
                                                    "rounds_us": runs[f"{record}|{operation}"]}
    report.notes.append(
        f"Contact: both addresses, a main contact person, bank details, credit terms. Invoice: "
        f"{args.lines} lines. Read = what list() and get() do per record; write = the body "
        "create() and update() send. validate_model and marshmallow rows have no target: "
        "they are shown so the cost of the checks at the boundary is visible. The verdict "
        f"uses the median of {args.rounds} rounds; the best round shows what the code costs "
        "when no other process competes for the core.")
    report.show()
    report.save()


if __name__ == "__main__":
    main()
