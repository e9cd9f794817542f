"""A webhook receiver run as its own process: verifies every delivery and records it.

    RECEIVER_SECRET=whsec_... python tests/support/webhook_receiver.py --port 0 --log FILE

Prints ``ready <port>`` once it listens. Each POST is checked with ``ua.webhooks.verify``
(the signature, the timestamp's freshness); a good one is answered 204 and, with ``--log``,
appended to the file as one JSON line (webhook id, event type, record lane, and whether this
id came before); a bad one is answered 400 and counted. ``GET /stats`` answers the counts.
Used by the reliability test of webhook delivery and by ``benchmarks/bench_webhooks.py``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import unified_accounting as ua


class Receiver(ThreadingHTTPServer):
    """The server and what it has seen."""

    daemon_threads = True
    request_queue_size = 128

    def __init__(self, port: int, secret: str, log_path: str | None) -> None:
        super().__init__(("127.0.0.1", port), Handler)
        self.secret = secret
        self.lock = threading.Lock()
        self.received = 0
        self.rejected = 0
        self.seen: set[str] = set()
        self.log = open(log_path, "a", encoding="utf-8") if log_path else None  # noqa: SIM115

    def accept(self, body: bytes, headers: dict[str, str]) -> bool:
        try:
            event = ua.webhooks.verify(body, headers, self.secret)
        except ua.webhooks.WebhookVerificationError:
            with self.lock:
                self.rejected += 1
            return False
        with self.lock:
            self.received += 1
            again = event["id"] in self.seen
            self.seen.add(event["id"])
            if self.log is not None:
                lane = [event[k] for k in ("provider", "connection", "business_id", "resource",
                                           "record_id")]
                self.log.write(json.dumps({"id": event["id"], "type": event["type"],
                                           "lane": lane, "again": again}) + "\n")
                self.log.flush()
        return True


class Handler(BaseHTTPRequestHandler):
    server: Receiver
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        ok = self.server.accept(body, dict(self.headers.items()))
        self.send_response(204 if ok else 400)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self) -> None:
        with self.server.lock:
            stats: dict[str, Any] = {"received": self.server.received,
                                     "rejected": self.server.rejected,
                                     "distinct": len(self.server.seen)}
        payload = json.dumps(stats).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:
        return  # quiet: thousands of requests


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--log", default=None, help="append each accepted event here")
    args = parser.parse_args()
    server = Receiver(args.port, os.environ["RECEIVER_SECRET"], args.log)
    print(f"ready {server.server_address[1]}", flush=True)
    try:
        server.serve_forever(poll_interval=0.05)
    finally:
        if server.log is not None:
            server.log.close()


if __name__ == "__main__":
    sys.exit(main())
