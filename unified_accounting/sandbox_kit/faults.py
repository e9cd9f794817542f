"""Fault injection: random (seeded), queued by a control call, or asked for per request.

A request may carry ``X-Sandbox-Fault`` (honoured only by the sandbox) with one or more
comma-separated tokens: ``500``, ``503``, ``drop``, ``500-after-commit``,
``drop-after-commit``, ``latency=<seconds>`` or ``none`` (no random fault for this request).
"""

from __future__ import annotations

import random
import threading
from collections.abc import Mapping
from dataclasses import dataclass, fields

FAULT_HEADER = "x-sandbox-fault"
#: Faults that answer before the request is handled (nothing is written).
BEFORE = ("error_500", "error_503", "drop")
#: Faults applied after a write was committed.
AFTER_COMMIT = ("error_500_after_commit", "drop_after_commit")
KINDS = (*BEFORE, *AFTER_COMMIT, "latency")
_TOKENS = {
    "500": "error_500",
    "503": "error_503",
    "drop": "drop",
    "500-after-commit": "error_500_after_commit",
    "drop-after-commit": "drop_after_commit",
}
WRITE_METHODS = frozenset({"POST", "PUT", "DELETE", "PATCH"})


@dataclass
class FaultRates:
    """Probabilities (0..1) of injected faults on data API requests.

    ``error_500``/``error_503`` answer before anything is written; ``error_500_after_commit``
    and ``drop_after_commit`` apply to writes, which are committed first; ``drop`` closes the
    connection without handling the request; ``latency`` adds ``latency_seconds`` of delay.
    """

    error_500: float = 0.0
    error_503: float = 0.0
    error_500_after_commit: float = 0.0
    drop_after_commit: float = 0.0
    drop: float = 0.0
    latency: float = 0.0
    latency_seconds: float = 0.2

    @classmethod
    def from_mapping(cls, values: Mapping[str, float]) -> FaultRates:
        """Build rates from ``{"error_503": 0.05, ...}``.

        Raises:
            ValueError: a key is not a known fault.
        """
        known = {item.name for item in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(f"unknown {cls.__name__} option(s): {', '.join(unknown)}")
        return cls(**values)


@dataclass
class FaultDecision:
    """What to do to one request."""

    before: str | None = None
    after_commit: str | None = None
    latency: float = 0.0


@dataclass
class _Queued:
    kind: str
    remaining: int
    method: str | None
    path_contains: str | None
    latency: float


def parse_header(value: str) -> tuple[FaultDecision, bool]:
    """Read an ``X-Sandbox-Fault`` header.

    Returns:
        The decision it asks for, and whether random faults are suppressed (``none``).

    Raises:
        ValueError: an unknown token.
    """
    decision = FaultDecision()
    suppress = False
    for token in (part.strip().lower() for part in value.split(",")):
        if not token:
            continue
        if token in ("none", "off"):
            suppress = True
        elif token.startswith("latency="):
            decision.latency = float(token.partition("=")[2])
        elif _TOKENS.get(token) in BEFORE:
            decision.before = _TOKENS[token]
        elif token in _TOKENS:
            decision.after_commit = _TOKENS[token]
        else:
            raise ValueError(f"unknown fault {token!r}")
    return decision, suppress


class FaultInjector:
    """Decides, deterministically for a given seed and request order, which faults to serve.

    Args:
        rates: probabilities per fault kind.
        seed: seeds the random draws.
    """

    def __init__(self, rates: FaultRates, seed: int) -> None:
        self._lock = threading.Lock()
        self._rates = rates
        self._random = random.Random(seed)
        self._queue: list[_Queued] = []

    def configure(self, rates: FaultRates) -> None:
        """Replace the probabilities."""
        with self._lock:
            self._rates = rates

    def queue(
        self,
        kind: str,
        count: int = 1,
        *,
        method: str | None = None,
        path_contains: str | None = None,
        latency: float = 0.0,
    ) -> None:
        """Serve ``kind`` to the next ``count`` matching requests.

        Raises:
            ValueError: an unknown kind.
        """
        if kind not in KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; expected one of {KINDS}")
        with self._lock:
            method = method.upper() if method else None
            self._queue.append(_Queued(kind, count, method, path_contains, latency))

    def clear(self) -> None:
        """Drop queued faults and set every probability to zero."""
        with self._lock:
            self._queue.clear()
            self._rates = FaultRates()

    def decide(self, method: str, path: str, header: str | None) -> FaultDecision:
        """Pick the faults for one request (header first, then the queue, then chance).

        Raises:
            ValueError: the header holds an unknown token.
        """
        decision, suppress = parse_header(header) if header else (FaultDecision(), False)
        if decision.before or decision.after_commit or decision.latency:
            return decision
        with self._lock:
            queued = self._take_queued(method, path)
            if queued is not None:
                return queued
            if suppress:
                return decision
            return self._draw(method)

    def _take_queued(self, method: str, path: str) -> FaultDecision | None:
        for item in self._queue:
            if item.method and item.method != method:
                continue
            if item.path_contains and item.path_contains not in path:
                continue
            item.remaining -= 1
            if item.remaining <= 0:
                self._queue.remove(item)
            return _decision_for(item.kind, item.latency or self._rates.latency_seconds)
        return None

    def _draw(self, method: str) -> FaultDecision:
        rates = self._rates
        decision = FaultDecision()
        # One draw per configured kind in a fixed order keeps a seed's sequence reproducible.
        for kind in BEFORE:
            rate = getattr(rates, kind)
            if rate and self._random.random() < rate and decision.before is None:
                decision.before = kind
        if method in WRITE_METHODS:
            for kind in AFTER_COMMIT:
                rate = getattr(rates, kind)
                if rate and self._random.random() < rate and decision.after_commit is None:
                    decision.after_commit = kind
        if rates.latency and self._random.random() < rates.latency:
            decision.latency = rates.latency_seconds
        return decision


def _decision_for(kind: str, latency: float) -> FaultDecision:
    if kind == "latency":
        return FaultDecision(latency=latency)
    if kind in BEFORE:
        return FaultDecision(before=kind)
    return FaultDecision(after_commit=kind)
