"""One sync of a Sage sandbox business into a SQLite mirror, in its own process.

Started as ``python mirror_sync_child.py``; reads one JSON object from stdin (``settings``,
``access_token``, ``business_id``, ``mirror``, ``resources``, ``page_size``, ``lock_timeout``,
``hold``). Once connected it prints ``ready`` and waits for a line (so that several children
start their syncs together). It prints ``page`` when its first page is committed, that is
while it holds the stream's lock; with ``hold`` it then waits for another line before going
on. At the end it prints one JSON line: ``{"ok": ..., "errors": [...], "inserted": n,
"went": start, "locked": [first page, finish]}`` (monotonic seconds of this machine).
"""

from __future__ import annotations

import json
import sys
import threading
import time

import unified_accounting as ua
from unified_accounting.syncing import SQLiteMirror, Syncer, SyncProgress


def main() -> int:
    spec = json.loads(sys.stdin.readline())
    client = ua.connect("sage", access_token=spec["access_token"], settings=spec["settings"],
                        business_id=spec["business_id"])
    first_page: list[float] = []
    said = threading.Lock()

    def progress(event: SyncProgress) -> None:
        with said:
            if event.phase == "page" and not first_page:
                first_page.append(time.monotonic())
                print("page", flush=True)
                if spec.get("hold"):
                    sys.stdin.readline()

    print("ready", flush=True)
    sys.stdin.readline()
    went = time.monotonic()
    with SQLiteMirror(spec["mirror"], lock_timeout=spec["lock_timeout"]) as mirror:
        result = Syncer(mirror, resources=spec["resources"], page_size=spec["page_size"],
                        on_progress=progress).run(client)
    print(json.dumps({
        "ok": result.ok,
        "errors": [f"{type(s.error).__name__}: {s.error}" for s in result.failed],
        "inserted": sum(s.inserted for s in result.streams),
        "went": went,
        "locked": [first_page[0] if first_page else None, time.monotonic()],
    }), flush=True)
    client.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
