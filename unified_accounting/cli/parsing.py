"""Reading the values given on the command line: ``KEY=VALUE`` pairs and JSON files."""

from __future__ import annotations

import json
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import click

__all__ = ["parse_pairs", "read_json_file"]


def parse_pairs(items: Sequence[str], option: str, *, strip: bool = True) -> list[tuple[str, str]]:
    """Split each ``KEY=VALUE`` item at its first ``=``, in the order given.

    Args:
        items: the option's values, e.g. ``("token_url=http://...", "country=gb")``.
        option: the option they came from (``--setting``), named in the error.
        strip: drop the spaces around key and value; ``False`` keeps the value exactly as
            typed (a query parameter of ``proxy``).

    Returns:
        The ``(key, value)`` pairs; a key given twice appears twice (``dict()`` keeps the last).

    Raises:
        click.BadParameter: an item has no ``=`` or an empty key; the message names the option
            and the item (a usage error, exit status 2).
    """
    pairs: list[tuple[str, str]] = []
    for item in items:
        key, sep, value = item.partition("=")
        if strip:
            key, value = key.strip(), value.strip()
        if not sep or not key:
            raise click.BadParameter(f"expected KEY=VALUE, got {item!r}", param_hint=option)
        pairs.append((key, value))
    return pairs


def read_json_file(path: str, what: str) -> Any:
    """Read JSON from ``path`` (``-`` for stdin); numbers with a fraction become ``Decimal``.

    Raises:
        click.BadParameter: the file cannot be read or is not JSON.
    """
    try:
        with click.open_file(path, encoding="utf-8") as handle:
            text = handle.read()
        return json.loads(text, parse_float=Decimal)
    except OSError as exc:
        raise click.BadParameter(f"cannot read {path}: {exc.strerror}", param_hint=what) from exc
    except ValueError as exc:
        raise click.BadParameter(f"{path} is not JSON: {exc}", param_hint=what) from exc
