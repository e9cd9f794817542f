"""Real ``unified-accounting outbox run`` processes for the reliability tests, and killing them.

A fleet starts N workers with one environment (the PostgreSQL outbox, the token store, the
provider settings), kills one with SIGKILL while it is sending a write (the write's lease
names the worker's process id) and starts a replacement, so that N keep running.

With ``clock_file``, each worker runs through ``shifted_clock.py``: its wall clock runs ahead
by the seconds the file holds, which the test moves together with a sandbox's clock (an hour
passes for the provider and the workers alike, without waiting an hour).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from unified_accounting.outbox.store import OutboxStore

COMMAND = [str(Path(sys.executable).with_name("unified-accounting"))]
SHIFTED = [sys.executable, str(Path(__file__).with_name("shifted_clock.py"))]


@dataclass
class WorkerProcess:
    """One running ``outbox run`` and the lines it logged."""

    process: subprocess.Popen[str]
    lines: list[str] = field(default_factory=list)


@dataclass
class Fleet:
    """``outbox run`` processes sharing one environment."""

    env: dict[str, str]
    args: list[str]
    clock_file: Path | None = None
    workers: list[WorkerProcess] = field(default_factory=list)
    kills: int = 0

    def start(self) -> WorkerProcess:
        """Start one more worker."""
        prefix = COMMAND if self.clock_file is None else [*SHIFTED, str(self.clock_file)]
        process = subprocess.Popen(
            [*prefix, "outbox", "run", *self.args], env={**os.environ, **self.env},
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        worker = WorkerProcess(process)

        def collect() -> None:
            assert process.stdout is not None
            for line in process.stdout:
                worker.lines.append(line)

        threading.Thread(target=collect, daemon=True).start()
        self.workers.append(worker)
        return worker

    def pids(self) -> set[int]:
        """Process ids of the workers still running."""
        return {w.process.pid for w in self.workers if w.process.poll() is None}

    def kill_one_sending(self, store: OutboxStore, deadline: float) -> list[str]:
        """SIGKILL a worker that holds a lease, start a replacement; return the writes the
        dead worker was sending (their leases name it; empty if it had just finished one).

        Raises:
            AssertionError: no worker was caught sending before ``deadline``.
        """
        while time.monotonic() < deadline:
            for item in store.items(status="sending", limit=50):
                pid = _pid_of(item.lease_owner)
                if pid in self.pids():
                    os.kill(pid, signal.SIGKILL)
                    self._reap(pid)
                    self.kills += 1
                    self.start()
                    # A statement the worker had sent before it died still commits: let it
                    # land, so that only writes the dead worker really left behind count.
                    time.sleep(0.3)
                    return [orphan.id for orphan in store.items(status="sending", limit=50)
                            if _pid_of(orphan.lease_owner) == pid]
            time.sleep(0.02)
        raise AssertionError("no worker was caught sending a write")

    def kill_while_sending(self, store: OutboxStore, deadline: float) -> list[str]:
        """Kill workers until one dies in the middle of sending; the writes it held."""
        while True:
            orphans = self.kill_one_sending(store, deadline)
            if orphans:
                return orphans

    def _reap(self, pid: int) -> None:
        for worker in self.workers:
            if worker.process.pid == pid:
                worker.process.wait()

    def stop(self) -> None:
        """SIGTERM every worker (each ends after its current write), then wait."""
        for worker in self.workers:
            if worker.process.poll() is None:
                worker.process.send_signal(signal.SIGTERM)
        for worker in self.workers:
            try:
                worker.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.process.kill()
                worker.process.wait()

    def failures(self) -> list[str]:
        """The log of workers that ended with an error (not killed by the test)."""
        return ["".join(w.lines[-30:]) for w in self.workers
                if w.process.returncode not in (None, 0, -signal.SIGKILL)]


def _pid_of(owner: str | None) -> int:
    """The process id in a lease owner (``host:pid:token``)."""
    return int((owner or "x:0").split(":")[1])


def wait_until(condition: object, timeout: float, what: str) -> None:
    """Poll ``condition()`` until true, or fail naming ``what``."""
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)
