"""Wire types every sandbox shares: one request and one response, whichever face carried them.

Also the number helpers a ledger imitation needs: JSON read with Decimals, never floats, and
rounding to cents.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

JSON_TYPE = "application/json; charset=utf-8"
CENT = Decimal("0.01")


@dataclass
class SandboxRequest:
    """One HTTP request as the sandbox core sees it, whichever face received it.

    Args:
        method: upper-case HTTP verb.
        path: the URL path without the query string, e.g. ``/v3.1/contacts``.
        query: the query parameters in the order they were sent.
        headers: request headers with lower-case names.
        body: the raw request body.
    """

    method: str
    path: str
    # Left out of the repr: they carry bearer tokens, client secrets and OAuth codes.
    query: list[tuple[str, str]] = field(default_factory=list, repr=False)
    headers: dict[str, str] = field(default_factory=dict, repr=False)
    body: bytes = field(default=b"", repr=False)

    def header(self, name: str) -> str | None:
        """Return a request header by case-insensitive name, or None."""
        return self.headers.get(name.lower())


@dataclass
class SandboxResponse:
    """What the core answers; ``drop`` asks the face to close the connection instead.

    A large body (a file) comes as ``stream``, which returns its pieces, and ``length``, the
    sum of their lengths: the face writes it piece by piece instead of ``body``.
    """

    status: int
    # Left out of the repr: token answers and redirects carry tokens and codes.
    headers: dict[str, str] = field(default_factory=dict, repr=False)
    body: bytes = field(default=b"", repr=False)
    drop: bool = False
    stream: Callable[[], Iterator[bytes]] | None = field(default=None, repr=False)
    length: int = 0

    def whole_body(self) -> bytes:
        """The body in one piece (for faces that cannot stream)."""
        return b"".join(self.stream()) if self.stream is not None else self.body


def loads(body: bytes) -> Any:
    """Parse a JSON body reading every non-integer number as a Decimal, never a float."""
    return json.loads(body.decode("utf-8"), parse_float=Decimal)


def to_decimal(value: Any) -> Decimal:
    """Read a number sent as a JSON number or a numeric string.

    Raises:
        ValueError: the value is not a finite number.
    """
    if isinstance(value, bool):
        raise ValueError("not a number")
    try:
        result = Decimal(str(value).strip())
    except InvalidOperation as exc:
        raise ValueError("not a number") from exc
    if not result.is_finite():
        raise ValueError("not a number")
    return result


def round_money(value: Decimal) -> Decimal:
    """Round to cents, half away from zero, as accounting ledgers do."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)
