"""A worker process for the storm and crash tests, a client of a Sage sandbox over HTTP.

Started as ``python storm_worker.py --store URL --sandbox JSON ...``; prints ``ready``, waits
for a line on stdin (so that every worker starts together), then runs its mode and prints one
JSON line. ``--sandbox`` carries the running sandbox's settings, client credentials and the
business id (see :func:`support.workers.sandbox_spec`).

Every call is a real Sage API call, ``GET /contacts`` (the first page of
``client.contacts.list()``), through ``ua.connect("sage", token_store=...)``: the access token
comes from the store and is refreshed by the library's token manager, as in production.

Modes:
- ``storm``: N threads, each with its own client (and so its own token manager) over one
  store shared by the process, make one call each.
- ``crash-before-save``: make one call whose refresh dies by SIGKILL after the sandbox
  answered and before the new tokens reach the store.
- ``crash-holding-lock``: make one call whose refresh dies by SIGKILL while holding the
  refresh lock, just before the token request would be sent.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import signal
import sys
import threading
import time
from typing import Any

import unified_accounting as ua
import unified_accounting.tokens.manager as token_manager
from unified_accounting.tokens import TokenStore, token_store_from_url


def _die(*_args: Any, **_kwargs: Any) -> Any:
    os.kill(os.getpid(), signal.SIGKILL)


def connect(args: argparse.Namespace, store: TokenStore) -> ua.Client:
    """A client of the sandbox business over the shared store, as a product would open it."""
    sandbox = json.loads(args.sandbox)
    return ua.connect(
        "sage",
        connection=args.connection,
        settings=sandbox["settings"],
        business_id=sandbox["business_id"],
        token_store=store,
        client_id=sandbox["client_id"],
        client_secret=sandbox["client_secret"],
    )


def call(client: ua.Client) -> str:
    """One API call: ``"ok"``, or the error's class and message."""
    try:
        list(itertools.islice(client.contacts.list(), 1))
    except ua.AccountingError as exc:
        return f"{type(exc).__name__}: {exc}"
    return "ok"


def storm(args: argparse.Namespace, store: TokenStore) -> dict[str, Any]:
    clients = [connect(args, store) for _ in range(args.threads)]
    barrier = threading.Barrier(args.threads)
    outcomes: list[str] = []
    seconds: list[float] = []
    guard = threading.Lock()

    def run(client: ua.Client) -> None:
        barrier.wait()
        started = time.perf_counter()
        outcome = call(client)
        with guard:
            outcomes.append(outcome)
            seconds.append(time.perf_counter() - started)

    threads = [threading.Thread(target=run, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for client in clients:
        client.close()
    return {"outcomes": outcomes, "slowest": max(seconds)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--store", required=True)
    parser.add_argument("--sandbox", required=True)
    parser.add_argument("--connection", default="acme")
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument(
        "--mode", choices=["storm", "crash-before-save", "crash-holding-lock"], default="storm"
    )
    args = parser.parse_args()
    store = token_store_from_url(args.store)
    print("ready", flush=True)
    sys.stdin.readline()
    if args.mode == "storm":
        print(json.dumps(storm(args, store)), flush=True)
        return
    client = connect(args, store)
    if args.mode == "crash-before-save":
        store.compare_and_swap = _die  # type: ignore[method-assign]
    else:
        # The token request is the first thing a refresh sends, once it holds the lock.
        token_manager.post_form = _die  # type: ignore[assignment]
    print(json.dumps({"survived": call(client)}), flush=True)


if __name__ == "__main__":
    main()
