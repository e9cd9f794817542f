"""Field paths for error messages: ``lines[2].debit`` instead of marshmallow's nested dicts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from marshmallow.exceptions import SCHEMA

__all__ = ["ROOT", "Path", "flatten", "join", "nest"]

ROOT = SCHEMA
"""The key for errors about a whole top-level record (for example, input that is no object)."""

Path = tuple[str | int, ...]


def join(path: Path) -> str:
    """Write a path as text: ``("lines", 2, "debit")`` -> ``"lines[2].debit"``."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text or ROOT


def flatten(messages: Any, path: Path = ()) -> dict[str, list[str]]:
    """Turn marshmallow's nested error messages into ``{path: [messages]}``.

    Errors about a whole nested record (marshmallow's ``_schema`` key) are reported at the
    record's own path (``lines[2]``); about the top-level record, at :data:`ROOT`.

    Args:
        messages: ``ValidationError.messages`` from marshmallow (dicts keyed by field name or
            list index, lists of strings at the leaves).
        path: the path of ``messages`` inside the document.

    Returns:
        Every failing path with its messages, in the order marshmallow reported them.
    """
    flat: dict[str, list[str]] = {}
    if isinstance(messages, Mapping):
        for key, value in messages.items():
            child = path if key == SCHEMA else (*path, key)
            for child_path, texts in flatten(value, child).items():
                flat.setdefault(child_path, []).extend(texts)
        return flat
    texts = [messages] if isinstance(messages, str) else list(_strings(messages))
    if texts:
        flat[join(path)] = texts
    return flat


def _strings(messages: Sequence[Any]) -> list[str]:
    out: list[str] = []
    for item in messages:
        out.extend(_strings(item) if isinstance(item, list) else [str(item)])
    return out


def nest(path: Path, message: str) -> dict[Any, Any]:
    """Build marshmallow's nested error form for one message at ``path`` (for validators)."""
    tree: Any = [message]
    for part in reversed(path):
        tree = {part: tree}
    assert isinstance(tree, dict), "nest() needs a non-empty path"
    return tree
