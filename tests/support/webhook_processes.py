"""Starting webhook receivers and delivery workers as real processes, and reading their logs."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from support.redis_server import free_port

__all__ = ["Receiver", "free_port", "start_deliverer", "stop"]

RECEIVER = Path(__file__).with_name("webhook_receiver.py")
CLI = Path(sys.executable).with_name("unified-accounting")


@dataclass
class Receiver:
    """A receiver process on a fixed port, which can be stopped and started again."""

    port: int
    secret: str
    log: Path
    process: subprocess.Popen[str] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/accounting"

    def start(self) -> None:
        env = {**os.environ, "RECEIVER_SECRET": self.secret}
        self.process = subprocess.Popen(
            [sys.executable, str(RECEIVER), "--port", str(self.port), "--log", str(self.log)],
            stdout=subprocess.PIPE, text=True, env=env)
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        assert line.startswith("ready"), line

    def kill(self) -> None:
        """Stop it the hard way: connections are refused until :meth:`start`."""
        if self.process is not None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)
            self.process = None

    def lines(self) -> list[dict[str, Any]]:
        """Every delivery it accepted, in the order it accepted them."""
        if not self.log.exists():
            return []
        return [json.loads(line) for line in self.log.read_text().splitlines() if line]


def start_deliverer(mirror: str, *extra: str) -> subprocess.Popen[str]:
    """``unified-accounting webhooks deliver`` on ``mirror`` with ``extra`` options."""
    return subprocess.Popen([str(CLI), "webhooks", "deliver", "--mirror", mirror, *extra],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def stop(process: subprocess.Popen[str], *, hard: bool = False) -> str:
    """End a process (SIGKILL when ``hard``, else SIGTERM); return what it wrote to stderr."""
    if process.poll() is None:
        process.send_signal(signal.SIGKILL if hard else signal.SIGTERM)
    _, err = process.communicate(timeout=30)
    return err or ""
