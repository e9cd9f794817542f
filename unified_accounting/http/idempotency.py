"""Idempotency tokens chosen by the caller instead of drawn at random for each write.

A write the library sends draws a fresh token from the provider (``new_idempotency_key``) and
reuses it on every retry of that call, so the transport's own retries never create twice. A
caller that repeats a whole call itself (a server whose client retried a request, a job run
again after a crash) needs the repeated call to send the *same* tokens as the first one:

    with chosen_idempotency_keys("order-1234"):
        client.invoices.create(invoice)

Inside the block every write draws its token from a sequence derived from the seed: the first
write gets the first token, the second the second, and so on. The same seed and the same
calls in the same order therefore send the same tokens, and the provider answers the
repetition with the records it created the first time. The tokens have the default format of
:meth:`unified_accounting.provider.Provider.new_idempotency_key` (32 lowercase hex
characters); the context is per thread and per asyncio task.

A provider without idempotency tokens makes a repeated write safe by looking it up first (by
a reference derived from the same tokens). It needs to know that the call is a repetition:
``chosen_idempotency_keys(seed, repeat=True)`` says the block repeats a call that may already
have reached the provider, and :func:`repeating_chosen_call` tells the provider so.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

__all__ = ["chosen_idempotency_keys", "next_chosen_key", "repeating_chosen_call"]


class _KeySequence:
    """The tokens derived from one seed, handed out in order."""

    def __init__(self, seed: str, repeat: bool) -> None:
        self._seed = seed
        self._drawn = 0
        self.repeat = repeat

    def draw(self) -> str:
        self._drawn += 1
        material = f"{self._drawn}:{self._seed}".encode()
        return hashlib.sha256(material).hexdigest()[:32]


_CHOSEN: ContextVar[_KeySequence | None] = ContextVar("chosen_idempotency_keys", default=None)


@contextmanager
def chosen_idempotency_keys(seed: str, *, repeat: bool = False) -> Iterator[None]:
    """Make the writes inside the block use tokens derived from ``seed``.

    Args:
        seed: any text unique to the operation being repeated (include whatever scopes it,
            such as a tenant and a connection: two operations with one seed share tokens).
        repeat: the block repeats calls that may already have reached the provider (a
            write whose worker died, or whose answer was lost); providers that cannot
            deduplicate look the record up before sending it again.

    Raises:
        ValueError: ``seed`` is empty.
    """
    if not seed:
        raise ValueError("an idempotency seed must not be empty")
    token = _CHOSEN.set(_KeySequence(seed, repeat))
    try:
        yield
    finally:
        _CHOSEN.reset(token)


def next_chosen_key() -> str | None:
    """Return the next token of the enclosing :func:`chosen_idempotency_keys`, else ``None``."""
    sequence = _CHOSEN.get()
    return None if sequence is None else sequence.draw()


def repeating_chosen_call() -> bool:
    """Whether the enclosing :func:`chosen_idempotency_keys` block repeats an earlier call."""
    sequence = _CHOSEN.get()
    return sequence is not None and sequence.repeat
