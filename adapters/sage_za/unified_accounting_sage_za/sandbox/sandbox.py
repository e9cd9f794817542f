"""``SageZASandbox``: a local Sage Business Cloud Accounting API v2.0 (South Africa)."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from unified_accounting.sandbox_kit import CounterSnapshot, FaultRates, SandboxHTTPServer
from unified_accounting.sandbox_kit.responses_face import register as register_callbacks
from unified_accounting_sage_za.sandbox.access import Login, RequestLimits
from unified_accounting_sage_za.sandbox.core import API_PREFIX, ZACore, ZAOptions

if TYPE_CHECKING:
    import responses

__all__ = ["SAGE_ZA_ORIGIN", "SageZASandbox"]

SAGE_ZA_ORIGIN = "https://accounting.sageone.co.za"


def _login(seed: int | None) -> Login:
    if seed is None:
        return Login(f"user-{secrets.token_hex(4)}@example.co.za", secrets.token_urlsafe(12),
                     "{" + secrets.token_hex(16).upper() + "}")
    return Login(f"user{seed}@example.co.za", f"sandbox-password-{seed}",
                 "{" + f"{seed:032X}" + "}")


class SageZASandbox:
    """A local v2 API: the HTTP face (:meth:`running`) or the ``responses`` face (:meth:`register`).

    Args:
        seed: makes the login and the fault draws reproducible (random login when None).
        limits: request limits; a mapping of :class:`RequestLimits` fields is accepted.
        faults: fault probabilities; a mapping of :class:`FaultRates` fields is accepted.
        **options: further :class:`ZAOptions` fields (``companies``, ``start_time``, ...).
    """

    def __init__(self, *, seed: int | None = 0,
                 limits: RequestLimits | Mapping[str, Any] | None = None,
                 faults: FaultRates | Mapping[str, float] | None = None,
                 **options: Any) -> None:
        if isinstance(limits, Mapping):
            limits = RequestLimits(**limits)
        if isinstance(faults, Mapping):
            faults = FaultRates.from_mapping(faults)
        self.options = ZAOptions(login=_login(seed), limits=limits or RequestLimits(),
                                 faults=faults or FaultRates(), seed=seed or 0, **options)
        self.core = ZACore(self.options)
        self._server: SandboxHTTPServer | None = None
        self._origin = SAGE_ZA_ORIGIN

    # -- faces -------------------------------------------------------------------------
    def start(self, port: int = 0, host: str = "127.0.0.1") -> None:
        """Serve on loopback in a background thread."""
        self._server = SandboxHTTPServer(self.core, host, port, name="sage-za-sandbox")
        self._server.start()
        self._origin = self._server.origin

    def stop(self) -> None:
        """Stop serving."""
        if self._server is not None:
            self._server.stop()
            self._server = None

    @contextmanager
    def running(self, port: int = 0) -> Iterator[SageZASandbox]:
        """Serve while the block runs."""
        self.start(port)
        try:
            yield self
        finally:
            self.stop()

    def register(self, mock: responses.RequestsMock) -> None:
        """Answer requests to Sage's real ZA host from this sandbox inside a ``responses`` mock."""
        register_callbacks(self.core, mock, [re.escape(SAGE_ZA_ORIGIN + API_PREFIX) + r"/.*"])

    # -- where to point clients --------------------------------------------------------
    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT/api/2.0.0`` (the real host when not serving)."""
        return self._origin + API_PREFIX

    @property
    def company_id(self) -> str:
        """The seeded ZA company."""
        return str(self.core.company_ids[0])

    @property
    def credentials(self) -> dict[str, str]:
        """The login the sandbox accepts (user name, password, API key in braces)."""
        login = self.options.login
        return {"username": login.username, "password": login.password,
                "api_key": login.api_key}

    def settings(self, **extra: Any) -> dict[str, Any]:
        """Settings pointing a ``sage_za`` client here (pacing relaxed unless given)."""
        return {"base_url": self.base_url, "requests_per_minute": 6000, **extra}

    # -- control ------------------------------------------------------------------------
    def advance_clock(self, seconds: float) -> None:
        """Move the sandbox clock (limit windows, blocks and timestamps follow)."""
        self.core.clock.advance(seconds)

    def queue_fault(self, kind: str, count: int = 1, **match: Any) -> None:
        """Serve fault ``kind`` to the next ``count`` matching requests (see the kit)."""
        self.core.faults.queue(kind, count, **match)

    def set_fault_rates(self, rates: FaultRates | None = None, **values: float) -> None:
        """Replace the fault probabilities."""
        self.core.faults.configure(rates or FaultRates.from_mapping(values))

    def counters(self) -> CounterSnapshot:
        """Requests per endpoint, statuses and faults served so far."""
        return self.core.counters.snapshot()

    def requests_today(self, company_id: str | None = None) -> int:
        """Requests the company made today (the daily budget Sage counts)."""
        return self.core.access.requests_today(company_id or self.company_id,
                                               self.core.clock.epoch())

    def records(self, controller: str, company_id: str | None = None) -> list[dict[str, Any]]:
        """A copy of every stored record of a controller (for assertions)."""
        books = self.core.books[int(company_id or self.company_id)]
        with self.core.lock:
            return [dict(record) for record in books.records(controller)]
