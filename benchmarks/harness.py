"""What every benchmark shares: timing, tables, result files, the machine and a sandbox.

Each benchmark script prints its table and the exact command that made it, and writes its
figures as JSON under ``benchmarks/results/`` (ignored by git). Comparisons run both sides in
one process against one sandbox, alternating the order every round, and report medians.
"""

from __future__ import annotations

import gc
import json
import os
import platform
import shlex
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import requests
from unified_accounting_sage.sandbox import SageSandbox

import unified_accounting as ua

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = ROOT / "benchmarks" / "results"

#: Lifts the client-side limiter out of the way where a benchmark measures overhead, not quota.
UNLIMITED = {"requests_per_second": 1e9, "max_concurrency": 200}


# -- statistics -------------------------------------------------------------------------------

def median(values: Sequence[float]) -> float:
    """The median of a non-empty sequence."""
    return float(statistics.median(values))


def ratio(numerator: float, denominator: float) -> float:
    """``numerator / denominator`` (infinity when the denominator is zero)."""
    return numerator / denominator if denominator else float("inf")


def alternate(sides: Mapping[str, Callable[[], Any]], rounds: int) -> dict[str, list[Any]]:
    """Run every side once per round, reversing the order every other round.

    Alternating cancels drift (a warming cache, a growing heap, a busy neighbour) that would
    otherwise favour whichever side always runs first.

    Returns:
        Side name -> the value each of its runs returned, in round order.
    """
    names = list(sides)
    results: dict[str, list[Any]] = {name: [] for name in names}
    for number in range(rounds):
        order = names if number % 2 == 0 else names[::-1]
        for name in order:
            results[name].append(sides[name]())
    return results


def timed(action: Callable[[], Any]) -> tuple[float, Any]:
    """Run ``action`` and return (seconds it took, what it returned)."""
    started = time.perf_counter()
    value = action()
    return time.perf_counter() - started, value


# -- output -----------------------------------------------------------------------------------

def command_line() -> str:
    """The command that started this process, as it can be typed again from the project root."""
    python = Path(sys.executable)
    with_venv = ROOT / ".venv" / "bin" / python.name
    shown = ".venv/bin/python" if python == with_venv else str(python)
    script = Path(sys.argv[0]).resolve()
    try:
        script_text = str(script.relative_to(ROOT))
    except ValueError:
        script_text = str(script)
    return shlex.join([shown, script_text, *sys.argv[1:]])


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """Format rows as a Markdown table with aligned columns."""
    cells = [[str(h) for h in headers]] + [[_cell(v) for v in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = ["| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |"
             for row in cells]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.3f}" if abs(value) < 100 else f"{value:,.0f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def verdict(ok: bool) -> str:
    """The word a table shows for a target met or missed."""
    return "met" if ok else "MISSED"


@dataclass
class Report:
    """One benchmark's output: a title, a table, notes, and the figures kept as JSON."""

    name: str
    title: str
    headers: list[str]
    rows: list[list[Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    figures: dict[str, Any] = field(default_factory=dict)

    def show(self) -> None:
        """Print the table, the notes and the command that made them."""
        print(f"\n## {self.title}\n")
        print(table(self.headers, self.rows))
        for note in self.notes:
            print(f"\n{note}")
        print(f"\nCommand: {command_line()}", flush=True)

    def save(self) -> Path:
        """Write the figures, the table, the command and the machine to ``results/<name>.json``."""
        RESULTS_DIR.mkdir(parents=True, exist_ok=True)
        path = RESULTS_DIR / f"{self.name}.json"
        payload = {
            "benchmark": self.name,
            "title": self.title,
            "command": command_line(),
            "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": machine(),
            "table": {"headers": self.headers, "rows": self.rows},
            "notes": self.notes,
            "figures": self.figures,
        }
        path.write_text(json.dumps(payload, indent=2, default=str) + "\n", encoding="utf-8")
        return path


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    return {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "usable_cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "memory_mb": _memory_mb(),
        # Other processes on the machine disturb timings; this says how busy it was.
        "load_average_1_5_15": [round(x, 2) for x in os.getloadavg()]
        if hasattr(os, "getloadavg") else None,
        "os": platform.platform(),
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "packages": {name: _version(name) for name in (
            "unified-accounting", "unified-accounting-sage", "requests", "urllib3",
            "marshmallow")},
        "commit": _commit(),
    }


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_mb() -> int | None:
    try:
        for line in Path("/proc/meminfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) // 1024
    except OSError:
        pass
    return None


def _version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def _commit() -> str | None:
    try:
        found = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, text=True,
                               capture_output=True, timeout=10, check=False)
    except OSError:
        return None
    return found.stdout.strip() or None


# -- the sandbox and the two kinds of client ----------------------------------------------------

@dataclass
class Bench:
    """A running sandbox with an access token, and the ways to reach it.

    Attributes:
        sandbox: the sandbox, serving HTTP on loopback in this process.
        token: an access token valid for the whole benchmark.
    """

    sandbox: SageSandbox
    token: str

    def client(self, country: str = "GB", *, connection: str = "bench",
               settings: Mapping[str, Any] | None = None, **options: Any) -> ua.Client:
        """A library client bound to the business of ``country``; limits lifted unless given."""
        merged = {**self.sandbox.settings, **UNLIMITED, **(settings or {})}
        return ua.connect("sage", connection=connection, access_token=self.token,
                          business_id=self.sandbox.business_id(country), settings=merged,
                          **options)

    def session(self, country: str = "GB") -> RawSession:
        """A plain ``requests`` session with the headers hand-written code would send."""
        return RawSession(self.sandbox.base_url, self.token, self.sandbox.business_id(country))


class RawSession:
    """Hand-written Sage code: one ``requests.Session``, a bearer token and ``X-Business``."""

    def __init__(self, base_url: str, token: str, business_id: str) -> None:
        self.base_url = base_url
        self.session = requests.Session()
        self.session.headers.update({"Authorization": f"Bearer {token}",
                                     "X-Business": business_id, "Accept": "application/json"})
        self.requests = 0
        self.bytes = 0

    def get(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        """GET a path under the base URL and decode its JSON."""
        reply = self.session.get(self.base_url + path, params=params, timeout=60)
        self.requests += 1
        self.bytes += len(reply.content)
        reply.raise_for_status()
        return reply.json()

    def put(self, path: str, body: Mapping[str, Any]) -> Any:
        """PUT a JSON body to a path under the base URL."""
        reply = self.session.put(self.base_url + path, json=body, timeout=60)
        self.requests += 1
        reply.raise_for_status()
        return reply.json()

    def post(self, path: str, body: Mapping[str, Any]) -> Any:
        """POST a JSON body to a path under the base URL."""
        reply = self.session.post(self.base_url + path, json=body, timeout=60)
        self.requests += 1
        reply.raise_for_status()
        return reply.json()

    def pages(self, collection: str, params: Mapping[str, Any]) -> Iterator[list[Any]]:
        """Follow ``$next`` through a whole Sage list, yielding each page's records."""
        path: str | None = f"/{collection}"
        query: Mapping[str, Any] | None = params
        while path:
            page = self.get(path, query)
            yield page["$items"]
            path, query = page.get("$next"), None

    def count_list(self, collection: str, params: Mapping[str, Any]) -> int:
        """Follow ``$next`` through a whole Sage list and count its records."""
        return sum(len(items) for items in self.pages(collection, params))

    def close(self) -> None:
        """Close the session."""
        self.session.close()


@contextmanager
def running_sandbox(**options: Any) -> Iterator[Bench]:
    """Run a sandbox on loopback with long-lived tokens, for the ``with`` block."""
    options.setdefault("seed", 1)
    options.setdefault("access_token_ttl", 24 * 3600)
    with SageSandbox.running(port=0, **options) as sandbox:
        yield Bench(sandbox, str(sandbox.issue_tokens()["access_token"]))


def freeze_heap() -> None:
    """Hide everything alive now (the seeded sandbox) from the garbage collector.

    The sandbox keeps its records in this process; a real provider keeps them on its own
    machine. Without this, every full collection triggered by the client's allocations would
    walk the sandbox's millions of objects and bill the client for them.
    """
    gc.collect()
    gc.freeze()


def log(message: str) -> None:
    """Print a progress line (benchmarks take a while; silence would look like a hang)."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)
