"""sage_za figures: requests per N records listed, and the cost of lost-answer look-ups.

Paging: the sandbox is seeded with N customers (written straight into its books, so only
the reads are counted) and ``client.contacts.list()`` reads them all; v2 serves at most 100
records a call. Lost answers: W creates against a sandbox that fails about a fifth of the
requests (answers dropped or turned into 500 after the commit, 503s and drops before it);
the table gives the faults served, the records stored (duplicates would show here) and the
requests per write.

    python benchmarks/bench_sage_za.py [--records 1000,5000] [--writes 500]
"""

from __future__ import annotations

import argparse
import sys
import time

from unified_accounting_sage_za.sandbox import SageZASandbox
from unified_accounting_sage_za.sandbox.controllers import CONTROLLERS

import unified_accounting as ua

FAULTS = {"drop_after_commit": 0.08, "error_500_after_commit": 0.06, "error_503": 0.03,
          "drop": 0.03}


def _client(sb: SageZASandbox) -> ua.Client:
    return ua.connect("sage_za", settings=sb.settings(write_attempts=8),
                      credentials=sb.credentials, business_id=sb.company_id,
                      sleep=lambda s: None, jitter=lambda c: 0.0, resend_sleep=lambda s: None)


def paging(records: int) -> tuple[int, int, int, float]:
    """(records, records read, requests, seconds) for listing ``records`` customers."""
    with SageZASandbox(seed=1, limits={"per_minute": 10**9}).running() as sb:
        books = sb.core.books[int(sb.company_id)]
        for n in range(records):
            books.save("Customer", CONTROLLERS["Customer"].shape, {"Name": f"Customer {n:06d}"})
        client = _client(sb)
        before = sb.counters().total_requests
        started = time.perf_counter()
        read = sum(1 for _ in client.contacts.list())
        elapsed = time.perf_counter() - started
        return records, read, sb.counters().total_requests - before, elapsed


def lost_answers(writes: int) -> dict[str, float]:
    """Faults served, records stored and requests per write for ``writes`` contact creates."""
    with SageZASandbox(seed=5, limits={"per_minute": 10**9}, faults=FAULTS).running() as sb:
        client = _client(sb)
        before = sb.counters().total_requests
        ids = [client.contacts.create(ua.Contact(name=f"W{n}", is_customer=True)).id
               for n in range(writes)]
        counters = sb.counters()
        stored = len(sb.records("Customer"))
    return {"writes": writes, "faults": counters.total_faults, "stored": stored,
            "distinct ids": len(set(ids)),
            "requests per write": (counters.total_requests - before) / writes}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", default="250,1000,5000")
    parser.add_argument("--writes", type=int, default=500)
    args = parser.parse_args()
    print("command: python " + " ".join(sys.argv))
    print(f"{'records':>8} {'read':>8} {'requests':>9} {'per 1,000':>10} {'seconds':>8}")
    for size in (int(n) for n in args.records.split(",")):
        records, read, requests, seconds = paging(size)
        print(f"{records:>8} {read:>8} {requests:>9} {requests * 1000 / records:>10.1f} "
              f"{seconds:>8.2f}")
    result = lost_answers(args.writes)
    print()
    print("  ".join(f"{name}: {value:g}" for name, value in result.items()))


if __name__ == "__main__":
    main()
