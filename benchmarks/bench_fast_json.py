"""The fast unified JSON path: ``ua.dump``/``ua.load``/``ua.validate_model`` vs ``json.loads``.

Each figure is a ratio of CPU time per record against ``json.loads`` of the same record's
Sage JSON text (the floor: any client must at least decode what it is sent), measured in one
run with the sides alternating, median of ``--rounds``. The marshmallow rows are the schema
of record's own load/dump, i.e. what these calls cost without the functions compiled from the
schemas (``unified_accounting/schemas/compiled.py``), which they still run for every record
that is refused. The sample records are a full contact and a five-line sales invoice as a
sandbox list returns them.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from typing import Any

from bench_mapping import per_call_us, sample_records
from harness import Report, alternate, log, median, running_sandbox, verdict
from unified_accounting_sage.mappers import contacts, invoices

import unified_accounting as ua
from unified_accounting.schemas import SCHEMAS

GOALS = {"ua.dump": 2.0, "ua.load": 3.0, "ua.validate_model": 3.0}


def operations(kind: str, model: Any, raw_text: str) -> dict[str, Callable[[], Any]]:
    """Operation name -> one call of it, for one record."""
    document = ua.dump(model)
    schema = SCHEMAS[kind]()
    return {
        "json.loads": lambda: json.loads(raw_text),
        "ua.dump": lambda: ua.dump(model),
        "ua.load": lambda: ua.load(kind, document),
        "ua.validate_model": lambda: ua.validate_model(model),
        "marshmallow dump": lambda: schema.dump(model),
        "marshmallow load": lambda: schema.load(document),
    }


def main() -> None:
    """Time every operation for a contact and an invoice; print and save the ratio table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--number", type=int, default=1_000, help="calls per round")
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    with running_sandbox() as bench:
        contact_raw, invoice_raw = sample_records(bench, 5)
        business_id = bench.sandbox.business_id("GB")
    models = {
        "contact": (contacts.to_unified(contact_raw, business_id=business_id), contact_raw),
        "invoice": (invoices.to_unified(invoice_raw, business_id=business_id,
                                        invoice_type="sales"), invoice_raw),
    }
    sides = {}
    for kind, (model, raw) in models.items():
        for name, action in operations(kind, model, json.dumps(raw, default=str)).items():
            sides[f"{kind}|{name}"] = (lambda a=action: per_call_us(a, args.number))
    log(f"{len(sides)} operations, {args.rounds} rounds of {args.number:,} calls")
    runs = alternate(sides, args.rounds)
    report = Report("fast_json", "7. Unified JSON path vs json.loads of the record",
                    ["record", "operation", "us per call", "x json.loads", "goal", "verdict"])
    for kind in models:
        floor = median(runs[f"{kind}|json.loads"])
        for name in operations(kind, *models[kind][:1], "{}"):
            value = median(runs[f"{kind}|{name}"])
            times = value / floor
            goal = GOALS.get(name)
            report.rows.append([kind, name, round(value, 1), f"{times:.1f}x",
                                f"<= {goal:.0f}x" if goal else "-",
                                verdict(times <= goal) if goal else "-"])
    report.show()
    report.save()


if __name__ == "__main__":
    main()
