"""Keep every request inside the provider's base URL.

Paths come from callers (the proxy) and from providers (``$next`` links). A path is joined to
the base URL as text, so anything that could make the URL library resolve it elsewhere is
refused: absolute URLs, ``//host``, backslashes, dot segments, and percent-encoded forms of
``.``, ``/``, ``\\`` and ``%`` (which hide the others, possibly encoded twice).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from unified_accounting.errors import ValidationError

__all__ = ["check_path", "join_url", "relative_to_base"]

_ENCODED_DANGER = re.compile(r"%(2e|2f|5c|25|00)", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x20\x7f]")


def _refuse(path: str, why: str) -> ValidationError:
    # The path is the caller's own input; quoting it (shortened) helps them find the mistake.
    return ValidationError({"path": [why]}, message=f"refused path {path[:80]!r}: {why}")


def check_path(path: str) -> str:
    """Return ``path`` when it stays under the base URL, else raise.

    Args:
        path: a path such as ``/contacts/abc?page=2``; a missing leading ``/`` is added.

    Raises:
        ValidationError: naming why the path was refused.
    """
    if not isinstance(path, str) or not path:
        raise _refuse(str(path), "a path is required")
    if "\\" in path:
        raise _refuse(path, "backslashes are not allowed")
    if _CONTROL.search(path):
        raise _refuse(path, "whitespace and control characters are not allowed")
    if path.startswith("//") or urlsplit(path).scheme or urlsplit(path).netloc:
        raise _refuse(path, "absolute URLs are not allowed; give a path under the base URL")
    route, _, query = path.partition("?")
    if "#" in path:
        raise _refuse(path, "fragments are not allowed")
    if _ENCODED_DANGER.search(route):
        raise _refuse(path, "encoded '.', '/', '\\' or '%' is not allowed in a path")
    if not route.startswith("/"):
        route = "/" + route
    if route.startswith("//"):
        raise _refuse(path, "absolute URLs are not allowed; give a path under the base URL")
    if any(segment in {".", ".."} for segment in route.split("/")):
        raise _refuse(path, "'.' and '..' segments are not allowed")
    return route + ("?" + query if query else "")


def relative_to_base(link: str, base_url: str) -> str:
    """Return a provider link as a path under ``base_url``.

    Providers may give the next page as a relative path or as an absolute URL under the base
    URL; anything else is refused.

    Raises:
        ValidationError: when the link points outside ``base_url``.
    """
    base = base_url.rstrip("/")
    if link.startswith(base + "/") or link.startswith(base + "?"):
        link = link[len(base):]
    return check_path(link)


def join_url(base_url: str, path: str) -> str:
    """Join a checked path to the base URL."""
    return base_url.rstrip("/") + check_path(path)
