"""The REST gateway: what it adds to a call, and what two workers serve under 50 clients.

The sandbox runs in its own process (``unified-accounting sandbox serve``) and the gateway in
its own uvicorn process(es) (``unified-accounting serve``); this process is the caller. Added
latency: the same operation through the library directly (``client.contacts.get(id)``) and
through the gateway (``GET /v1/connections/books/contacts/{id}`` on a keep-alive
``requests.Session``), alternating in rounds, each figure the gateway's percentile minus the
library's. Throughput: two workers, 50 concurrent keep-alive connections from an asyncio
load generator, bounded by a request count and a time limit.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import requests
from harness import UNLIMITED, Report, alternate, log, verdict
from unified_accounting_sage.sandbox.connecting import consent_redirect

import unified_accounting as ua
from unified_accounting.gateway.apikeys import ApiKeys
from unified_accounting.gateway.database import GatewayDatabase
from unified_accounting.tokens import SQLiteTokenStore

BIN = Path(sys.executable).parent
TARGET_ADDED_P50_MS = 2.0
CONNECTION = "bench:books"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


@contextmanager
def _process(command: list[str], ready: Callable[[subprocess.Popen[str]], Any],
             log_file: Path | None = None) -> Iterator[Any]:
    # A server's log goes to a file: an unread pipe fills up and stalls the server.
    output = log_file.open("a") if log_file else subprocess.PIPE
    process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT,
                               text=True, start_new_session=True)
    try:
        yield ready(process)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        if log_file:
            output.close()  # type: ignore[union-attr]


def _sandbox_info(process: subprocess.Popen[str]) -> dict[str, str]:
    info: dict[str, str] = {}
    assert process.stdout is not None
    for line in process.stdout:
        if line.startswith("Press Ctrl+C"):
            return info
        found = re.match(r"(\w+(?: \w\w)?):\s+(\S+)", line)
        if found:
            info[found.group(1)] = found.group(2)
    raise RuntimeError("the sandbox did not start")


def _wait_for(url: str) -> Callable[[subprocess.Popen[str]], str]:
    def ready(process: subprocess.Popen[str]) -> str:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError("the gateway exited")
            try:
                if requests.get(url + "/readyz", timeout=1).ok:
                    return url
            except requests.ConnectionError:
                time.sleep(0.1)
        raise RuntimeError("the gateway did not start")

    return ready


def _settings(info: dict[str, str]) -> dict[str, Any]:
    urls = {key: info[key] for key in ("base_url", "authorize_url", "token_url", "revoke_url")}
    return {**urls, **UNLIMITED, "client_id": info["client_id"],
            "client_secret": info["client_secret"]}


def _authorize(store: SQLiteTokenStore, info: dict[str, str]) -> None:
    settings, redirect = _settings(info), "http://127.0.0.1/callback"
    started = ua.begin_authorization("sage", client_id=info["client_id"], redirect_uri=redirect,
                                     settings=settings, state_store=store, country="gb")
    ua.complete_authorization("sage", consent_redirect(started.url),
                              client_id=info["client_id"], client_secret=info["client_secret"],
                              redirect_uri=redirect, connection=CONNECTION, token_store=store,
                              settings=settings)
    store.set_business_ids(CONNECTION, (info["business GB"],))


def _gateway(folder: Path, workers: int) -> list[str]:
    return [str(BIN / "unified-accounting"), "serve", "--port", str(_free_port()),
            "--workers", str(workers), "--db", str(folder / "gateway.sqlite3"),
            "--store", f"sqlite://{folder / 'tokens.sqlite3'}",
            "--settings", str(folder / "settings.json")]


def _timings(call: Callable[[], Any], count: int) -> list[float]:
    seconds = []
    for _ in range(count):
        started = time.perf_counter()
        call()
        seconds.append(time.perf_counter() - started)
    return seconds


def _operations(client: ua.Client, http: requests.Session, base: str,
                contact_id: str) -> dict[str, dict[str, Callable[[], Any]]]:
    def ok(answer: requests.Response) -> None:
        if answer.status_code >= 300:
            raise RuntimeError(f"gateway answered {answer.status_code}: {answer.text[:200]}")

    body = {"name": "Bench Ltd", "is_customer": True}
    return {
        "get": {"library": lambda: client.contacts.get(contact_id),
                "gateway": lambda: ok(http.get(f"{base}/contacts/{contact_id}", timeout=30))},
        "list page (50)": {
            "library": lambda: next(iter(client.contacts.pages(page_size=50))),
            "gateway": lambda: ok(http.get(f"{base}/contacts?limit=50", timeout=30))},
        "create": {"library": lambda: client.contacts.create(ua.Contact(**body)),
                   "gateway": lambda: ok(http.post(f"{base}/contacts", json=body, timeout=30))},
    }


def _latency(client: ua.Client, url: str, key: str, contact_id: str, rounds: int,
             calls: int) -> list[list[Any]]:
    http = requests.Session()
    http.headers["Authorization"] = f"Bearer {key}"
    rows = []
    for name, sides in _operations(client, http, f"{url}/v1/connections/books",
                                   contact_id).items():
        for side in sides.values():
            side()  # warm both paths (connections, caches) before timing
        measured = alternate({side: (lambda f=f: _timings(f, calls)) for side, f in sides.items()},
                             rounds)
        lib = [s * 1000 for run in measured["library"] for s in run]
        gw = [s * 1000 for run in measured["gateway"] for s in run]
        p50, p99 = _percentile(lib, 0.5), _percentile(lib, 0.99)
        g50, g99 = _percentile(gw, 0.5), _percentile(gw, 0.99)
        rows.append([name, len(lib), p50, g50, g50 - p50, p99, g99, g99 - p99])
        log(f"{name}: library p50 {p50:.2f} ms, gateway p50 {g50:.2f} ms")
    http.close()
    return rows


async def _one_client(host: str, port: int, request: bytes, until: float, budget: list[int],
                      latencies: list[float], errors: list[str]) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        while budget[0] > 0 and time.monotonic() < until:
            budget[0] -= 1
            started = time.perf_counter()
            writer.write(request)
            status_line = await reader.readline()
            length = 0
            while (line := await reader.readline()) not in (b"\r\n", b""):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            await reader.readexactly(length)
            latencies.append(time.perf_counter() - started)
            if not status_line.startswith(b"HTTP/1.1 200"):
                errors.append(status_line.decode(errors="replace").strip())
    except (OSError, asyncio.IncompleteReadError) as exc:
        errors.append(type(exc).__name__)
    finally:
        writer.close()


async def _load(url: str, path: str, key: str, clients: int, total: int,
                seconds: float) -> dict[str, Any]:
    host, port = url.removeprefix("http://").split(":")
    request = (f"GET {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {key}\r\n"
               "\r\n").encode()
    budget, latencies, errors = [total], [], []  # type: ignore[var-annotated]
    started = time.perf_counter()
    until = time.monotonic() + seconds
    await asyncio.gather(*(_one_client(host, int(port), request, until, budget, latencies,
                                       errors) for _ in range(clients)))
    elapsed = time.perf_counter() - started
    return {"requests": len(latencies), "seconds": elapsed, "per_second": len(latencies) / elapsed,
            "p50_ms": _percentile(latencies, 0.5) * 1000,
            "p99_ms": _percentile(latencies, 0.99) * 1000, "errors": len(errors),
            "error_kinds": sorted(set(errors))[:5]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rounds", type=int, default=6, help="alternating rounds per operation")
    parser.add_argument("--calls", type=int, default=50, help="calls per side and round")
    parser.add_argument("--clients", type=int, default=50, help="concurrent load clients")
    parser.add_argument("--requests", type=int, default=4000, help="load requests at most")
    parser.add_argument("--seconds", type=float, default=60.0, help="load time at most")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-gateway-"))
    sandbox = [str(BIN / "unified-accounting"), "sandbox", "serve", "--port", str(_free_port()),
               "--seed", "1", "--access-token-ttl", "86400"]
    with _process(sandbox, _sandbox_info) as info:
        store = SQLiteTokenStore(folder / "tokens.sqlite3")
        _authorize(store, info)
        (folder / "settings.json").write_text(json.dumps({"sage": _settings(info)}))
        _, key = ApiKeys(GatewayDatabase(folder / "gateway.sqlite3")).create(
            "bench", per_minute=10**8)
        client = ua.connect("sage", connection=CONNECTION, token_store=store,
                            settings=_settings(info), business_id=info["business GB"])
        contact_id = ""
        for number in range(60):
            contact_id = client.contacts.create(ua.Contact(name=f"Seed {number}",
                                                           is_customer=True)).id or ""
        log("sandbox seeded; timing the library and one gateway worker")
        command = _gateway(folder, 1)
        with _process(command, _wait_for(f"http://127.0.0.1:{command[3]}"),
                      folder / "gateway-1.log") as url:
            rows = _latency(client, url, key, contact_id, args.rounds, args.calls)
        log(f"loading two workers with {args.clients} clients")
        command = _gateway(folder, 2)
        with _process(command, _wait_for(f"http://127.0.0.1:{command[3]}"),
                      folder / "gateway-2.log") as url:
            path = f"/v1/connections/books/contacts/{contact_id}"
            asyncio.run(_load(url, path, key, 4, 200, 10))  # warm both workers
            load = asyncio.run(_load(url, path, key, args.clients, args.requests,
                                     args.seconds))
        client.close()
        store.close()
    _report(rows, load, args).show()


def _report(rows: list[list[Any]], load: dict[str, Any], args: argparse.Namespace) -> Report:
    added_get = rows[0][4]
    report = Report(
        name="gateway", title="REST gateway: added latency (ms) and throughput",
        headers=["operation", "calls", "library p50", "gateway p50", "added p50",
                 "library p99", "gateway p99", "added p99"], rows=rows,
        figures={"latency": rows, "load": load})
    report.notes.append(
        f"Goal: at most {TARGET_ADDED_P50_MS:g} ms added p50 on a get: "
        f"{verdict(added_get <= TARGET_ADDED_P50_MS)} ({added_get:.2f} ms).")
    report.notes.append(
        f"Throughput, 2 workers, {args.clients} concurrent keep-alive clients, GET of one "
        f"contact: {load['requests']} requests in {load['seconds']:.1f} s = "
        f"{load['per_second']:.0f}/s, p50 {load['p50_ms']:.1f} ms, p99 {load['p99_ms']:.1f} ms, "
        f"{load['errors']} errors {load['error_kinds'] or ''} "
        f"(no error: {verdict(load['errors'] == 0)}).")
    report.save()
    return report


if __name__ == "__main__":
    main()
