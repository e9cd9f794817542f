"""One sync run of Sage sandbox businesses in its own process, for the kill-and-resume test.

Started as ``python sage_sync_child.py``; reads one JSON object from stdin:

- ``settings``, ``client_id``, ``client_secret``: the running sandbox, as a product configures
  real Sage;
- ``store``, ``connection``: the token store URL and the connection the tokens are kept under;
- ``business_ids``: one client per business, all synced in one run;
- ``mirror``, ``resources``, ``page_size``: what to sync, and where to;
- ``now``: the sync clock. The test freezes the sandbox's clock while this process runs, so the
  host clock the engine reads must be that same frozen moment.

Every request goes through ``ua.connect("sage", ...)``: the adapter, the transport and the token
manager, as in production. The process exits 0 once every stream finished, 1 when one failed;
the test usually kills it with SIGKILL long before.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime
from typing import Any

import unified_accounting as ua
from unified_accounting.syncing import SQLiteMirror, Syncer
from unified_accounting.tokens import TokenStore, token_store_from_url


def connect(spec: dict[str, Any], store: TokenStore, business_id: str) -> ua.Client:
    """A client of one sandbox business over the shared token store."""
    return ua.connect(
        "sage", connection=spec["connection"], settings=spec["settings"],
        business_id=business_id, token_store=store, client_id=spec["client_id"],
        client_secret=spec["client_secret"],
    )


def main() -> int:
    spec = json.load(sys.stdin)
    store = token_store_from_url(spec["store"])
    now = datetime.fromisoformat(spec["now"])
    clients = [connect(spec, store, business_id) for business_id in spec["business_ids"]]
    with SQLiteMirror(spec["mirror"]) as mirror:
        syncer = Syncer(mirror, resources=spec["resources"], page_size=spec["page_size"],
                        max_workers=len(clients), clock=lambda: now)
        result = syncer.run(clients)
    for failed in result.failed:
        print(f"{failed.resource} of {failed.scope.business_id}: {failed.error!r}",
              file=sys.stderr)
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
