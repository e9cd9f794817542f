"""A worker process for the storm and crash tests.

Started as ``python storm_worker.py --store URL ...``; prints ``ready``, waits for a line on
stdin (so that every worker starts together), then runs its mode and prints one JSON line.

Modes:
- ``storm``: N threads, each with its own TokenManager over one shared store, call the
  protected endpoint (refreshing after a 401 once, as the transport does).
- ``crash-before-save``: refresh, and die by SIGKILL after the provider answered and before
  the new tokens reach the store.
- ``crash-holding-lock``: take the refresh lock and die by SIGKILL before contacting the
  provider.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
from typing import Any

import requests

from unified_accounting.credentials import OAuthEndpoints, Secret
from unified_accounting.errors import AccountingError
from unified_accounting.tokens import TokenManager, TokenStore, token_store_from_url
from unified_accounting.tokens.endpoint import StandardOAuthProvider


def _die(*_args: Any, **_kwargs: Any) -> Any:
    os.kill(os.getpid(), signal.SIGKILL)


def _manager(args: argparse.Namespace, store: TokenStore) -> TokenManager:
    provider = StandardOAuthProvider(
        OAuthEndpoints(authorize_url=args.token_url, token_url=args.token_url), name="testauth"
    )
    return TokenManager(
        args.connection,
        token_store=store,
        provider=provider,
        client_id=args.client_id,
        client_secret=args.client_secret,
    )


def _call(args: argparse.Namespace, manager: TokenManager, http: requests.Session) -> int:
    token = manager.access_token()
    response = http.get(args.protected_url, headers=_bearer(token), timeout=30)
    if response.status_code == 401:
        token = manager.refresh_after_unauthorized(token)
        response = http.get(args.protected_url, headers=_bearer(token), timeout=30)
    return response.status_code


def _bearer(token: Secret) -> dict[str, str]:
    return {"Authorization": f"Bearer {token.reveal()}"}


def storm(args: argparse.Namespace, store: TokenStore) -> dict[str, Any]:
    barrier = threading.Barrier(args.threads)
    results: list[str] = []
    guard = threading.Lock()

    def run() -> None:
        manager = _manager(args, store)
        with requests.Session() as http:
            barrier.wait()
            try:
                outcome = str(_call(args, manager, http))
            except AccountingError as exc:
                outcome = f"{type(exc).__name__}: {exc}"
        with guard:
            results.append(outcome)

    threads = [threading.Thread(target=run) for _ in range(args.threads)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {"ok": results.count("200"), "outcomes": results}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--store", required=True)
    parser.add_argument("--token-url", required=True)
    parser.add_argument("--protected-url", required=True)
    parser.add_argument("--connection", default="acme")
    parser.add_argument("--client-id", required=True)
    parser.add_argument("--client-secret", required=True)
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
    manager = _manager(args, store)
    if args.mode == "crash-before-save":
        store.compare_and_swap = _die  # type: ignore[method-assign]
    else:
        manager._request = _die  # type: ignore[method-assign]
    manager.refresh()
    print(json.dumps({"survived": True}), flush=True)


if __name__ == "__main__":
    main()
