"""One measured process of the memory benchmark: stream a contact list, report peak RSS.

Started by ``bench_memory.py``, one process per run so that each peak belongs to one list:
``memory_child.py SIDE BASE_URL BUSINESS_ID`` (SIDE: ``requests``, ``library``,
``library-read-ahead`` or ``library-parallel``) with the access token in ``BENCH_TOKEN`` (kept
out of the process list). Prints one JSON line: records seen, RSS before the list and the peak.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import requests
from unified_accounting_sage.mappers import contacts

import unified_accounting as ua


def _status_kb(field: str) -> int:
    """A ``/proc/self/status`` figure in kB (``VmRSS``: now, ``VmHWM``: the peak so far)."""
    for line in Path("/proc/self/status").read_text(encoding="utf-8").splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"{field} is not in /proc/self/status")


def library(base_url: str, business_id: str, token: str, **options: Any) -> int:
    """Count contacts through ``client.contacts.list(**options)``."""
    settings = {"base_url": base_url, "requests_per_second": 1e9, "max_concurrency": 200}
    client = ua.connect("sage", access_token=token, business_id=business_id, settings=settings)
    with client:
        return sum(1 for _ in client.contacts.list(**options))


def plain(base_url: str, business_id: str, token: str) -> int:
    """Count contacts with a ``requests`` loop that follows ``$next``."""
    session = requests.Session()
    session.headers.update({"Authorization": f"Bearer {token}", "X-Business": business_id})
    params: dict[str, Any] | None = {"items_per_page": 200,
                                     "attributes": ",".join(contacts.ATTRIBUTES)}
    path: str | None = "/contacts"
    count = 0
    while path:
        reply = session.get(base_url + path, params=params, timeout=60)
        reply.raise_for_status()
        page = reply.json()
        count += len(page["$items"])
        path, params = page.get("$next"), None
    return count


def main() -> None:
    """Measure one run and print its figures as JSON."""
    side, base_url, business_id = sys.argv[1:4]
    token = os.environ["BENCH_TOKEN"]
    before = _status_kb("VmRSS")
    sides: dict[str, Callable[[str, str, str], int]] = {
        "requests": plain, "library": library,
        "library-read-ahead": partial(library, read_ahead=True),
        "library-parallel": partial(library, parallel=4),
    }
    count = sides[side](base_url, business_id, token)
    print(json.dumps({"side": side, "records": count, "rss_before_kb": before,
                      "peak_kb": _status_kb("VmHWM"), "rss_after_kb": _status_kb("VmRSS")}))


if __name__ == "__main__":
    main()
