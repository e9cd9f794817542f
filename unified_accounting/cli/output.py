"""How commands print: JSON for scripts, aligned tables for people, errors as sentences."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from unified_accounting.errors import AccountingError

__all__ = ["cell", "echo_json", "echo_table", "error_text"]


def error_text(exc: AccountingError) -> str:
    """The message shown for an error: its sentence, then any field not already named."""
    lines = [str(exc)]
    unnamed = {path: msgs for path, msgs in exc.field_errors.items() if path not in exc.message}
    lines += [f"  {path}: {'; '.join(msgs)}" for path, msgs in sorted(unnamed.items())]
    return "\n".join(lines)


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON")


def echo_json(data: Any) -> None:
    """Print ``data`` as indented JSON (``Decimal`` as a string, dates as ISO text)."""
    click.echo(json.dumps(data, indent=2, default=_plain, ensure_ascii=False))


def cell(value: Any) -> str:
    """One table cell: ``-`` for nothing, text otherwise."""
    if value is None or value == "":
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def echo_table(headers: Sequence[str], rows: Sequence[Sequence[Any]], *,
               empty: str = "Nothing to show.") -> None:
    """Print rows under upper-case headers, in aligned columns."""
    if not rows:
        click.echo(empty)
        return
    table = [[h.upper() for h in headers], *[[cell(v) for v in row] for row in rows]]
    widths = [max(len(row[col]) for row in table) for col in range(len(headers))]
    for row in table:
        click.echo("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
