"""The scale benchmark's sandbox, in a process of its own, steered through a pipe.

A real provider runs on its own machine; here the sandbox gets its own process so that its
CPU time is not billed to the workers' interpreter. :func:`serve` answers these commands
(tuples sent over a ``multiprocessing`` pipe):

- ``("setup", tenants, contacts, invoices, token_store_url)``: add one business per tenant,
  seed it, authorize a connection for it into the shared token store; answers the tenants,
  the sandbox settings and the client secret;
- ``("quota", rate, concurrent)``: R requests per fixed one-second window and C in flight per
  app, 429 beyond (``None``: unlimited);
- ``("reset",)``, ``("counters",)``: zero and read the requests admitted, the 429s and the
  seconds from the first admitted request to the last;
- ``("snapshot",)``: every tenant's live record ids and ``updated_at``, read from the store;
- ``("seed", contacts, invoices, lines)``: seed the GB business (invoices of ``lines`` lines to
  its first 200 contacts); answers what a client needs (:func:`seed`);
- ``("latency", seconds)``: add that delay to every request (0: none);
- ``("stop",)``.

:class:`SandboxProcess` starts :func:`serve` in a child process and steers it.
"""

from __future__ import annotations

import gc
import multiprocessing
from collections.abc import Sequence
from multiprocessing.connection import Connection
from typing import Any

from bench_quota import SecondWindows
from unified_accounting_sage.sandbox import SageSandbox
from unified_accounting_sage.sandbox.options import SandboxRateLimits

from unified_accounting.sandbox_kit.limits import RateLimiter
from unified_accounting.tokens import token_store_from_url

COUNTRIES = ("GB", "IE", "US", "CA", "FR")


class TimedWindows(SecondWindows):
    """The quota benchmark's limiter, also noting when it admitted the first and last request."""

    def __init__(self, per_second: int, concurrent: int) -> None:
        super().__init__(per_second, concurrent)
        self.first: float | None = None
        self.last: float | None = None

    def acquire(self, keys: Sequence[tuple[str, str]], now: float) -> Any:
        """Admit or refuse as :class:`SecondWindows` does; remember admission times."""
        refusal = super().acquire(keys, now)
        if refusal is None:
            self.first = now if self.first is None else self.first
            self.last = now
        return refusal

    def busy_seconds(self) -> float:
        """From the first admission to the last, plus the last one's own share of a second."""
        if self.first is None or self.last is None:
            return 0.0
        return self.last - self.first + 1 / self.per_second
COLLECTIONS = {"contacts": ("contacts",), "invoices": ("sales_invoices", "purchase_invoices")}


def setup(sb: SageSandbox, tenants: int, contacts: int, invoices: int,
          store_url: str) -> dict[str, Any]:
    """Seed one business per tenant and connect each; return what the workers need."""
    store = token_store_from_url(store_url)
    made = []
    for number in range(tenants):
        country = COUNTRIES[number % len(COUNTRIES)]
        business_id = sb.add_business(country, key=f"tenant-{number}")
        ids = sb.seed_contacts(contacts, country=country, business_id=business_id)
        sb.seed_invoices(invoices, country=country, business_id=business_id,
                         contact_ids=ids[:50], lines=2)
        connection = f"tenant-{number:03d}"
        sb.connect(country, token_store=store, connection=connection,
                   business_id=business_id).close()
        store.set_business_ids(connection, (business_id,))
        made.append((connection, business_id))
    store.close()
    return {"tenants": made, "settings": sb.settings, "client_secret": sb.client_secret}


def snapshot(sb: SageSandbox, tenants: list[tuple[str, str]]) -> dict[str, dict[str, Any]]:
    """business id -> resource -> {record id: updated_at} of live records."""
    found: dict[str, dict[str, Any]] = {}
    with sb.core.lock:
        for _connection, business_id in tenants:
            found[business_id] = {
                resource: {record["id"]: record["updated_at"]
                           for name in names
                           for record in sb.core.store.collection(business_id, name).ordered()}
                for resource, names in COLLECTIONS.items()
            }
    return found


def seed(sb: SageSandbox, contacts: int, invoices: int, lines: int) -> dict[str, Any]:
    """Seed the GB business; return its id, an access token, settings and ids to write with."""
    ids = sb.seed_contacts(contacts)
    sb.seed_invoices(invoices, lines=lines, contact_ids=ids[:200])
    gc.collect()
    gc.freeze()  # keep the collector off the seeded records, as a real provider's would be
    return {"business_id": sb.business_id("GB"), "settings": sb.settings,
            "token": str(sb.issue_tokens()["access_token"]), "customer_ids": ids[:5],
            "sales_account": sb.ledger_account_id("GB", 4000)}


def serve(pipe: Connection) -> None:
    """Run the sandbox until told to stop."""
    with SageSandbox.running(port=0, seed=1, access_token_ttl=24 * 3600) as sb:
        windows: TimedWindows | None = None
        tenants: list[tuple[str, str]] = []
        pipe.send(sb.settings)
        while True:
            command, *args = pipe.recv()
            if command == "setup":
                answer = setup(sb, *args)
                tenants = [tuple(t) for t in answer["tenants"]]  # type: ignore[misc]
                pipe.send(answer)
            elif command == "quota":
                rate, concurrent = args
                windows = None if rate is None else TimedWindows(rate, concurrent)
                sb.core.limiter = windows or RateLimiter(SandboxRateLimits())
                pipe.send(True)
            elif command == "reset":
                sb.reset_counters()
                if windows is not None:
                    windows = TimedWindows(windows.per_second, windows.concurrent)
                    sb.core.limiter = windows
                pipe.send(True)
            elif command == "counters":
                counters = sb.counters
                pipe.send({"requests": counters.total_requests, "total_429": counters.total_429,
                           "busy_seconds": windows.busy_seconds() if windows else 0.0})
            elif command == "snapshot":
                pipe.send(snapshot(sb, tenants))
            elif command == "seed":
                pipe.send(seed(sb, *args))
            elif command == "latency":
                (seconds,) = args
                sb.set_fault_rates(latency=1.0 if seconds else 0.0, latency_seconds=seconds)
                pipe.send(True)
            elif command == "stop":
                pipe.send(True)
                return


class SandboxProcess:
    """The sandbox child process and the pipe that steers it."""

    def __init__(self) -> None:
        context = multiprocessing.get_context("spawn")
        self.pipe, child = context.Pipe()
        self.process = context.Process(target=serve, args=(child,), daemon=True)
        self.process.start()
        self.settings: dict[str, str] = self.pipe.recv()

    def ask(self, *command: Any) -> Any:
        """Send one command and return its answer."""
        self.pipe.send(command)
        return self.pipe.recv()

    def stop(self) -> None:
        """Stop the sandbox and wait for its process."""
        self.ask("stop")
        self.process.join(timeout=30)
