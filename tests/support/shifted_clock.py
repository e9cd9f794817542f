"""Run the ``unified-accounting`` command with a wall clock that runs ahead by a file's seconds.

    python shifted_clock.py OFFSET_FILE outbox run ...

``time.time`` is replaced before the library is imported, so everything in the process that
reads the wall clock (the outbox's not-before times and leases, the provider's record of a
block) sees the shifted time, as on a machine whose clock was moved forward. The test writes
the offset when it moves the sandbox's clock, so that an hour passes for both at once.
"""

from __future__ import annotations

import contextlib
import sys
import time
from pathlib import Path

_REAL = time.time
_FILE = Path(sys.argv[1])
_cache = {"read_at": 0.0, "offset": 0.0}


def _shifted() -> float:
    now = _REAL()
    if now - _cache["read_at"] > 0.05:  # read the file at most 20 times a second
        with contextlib.suppress(OSError, ValueError):  # a file being written: next time
            _cache["offset"] = float(_FILE.read_text(encoding="utf-8") or 0)
        _cache["read_at"] = now
    return now + _cache["offset"]


time.time = _shifted

from unified_accounting.cli import main  # noqa: E402 - after the clock is replaced

main(sys.argv[2:], prog_name="unified-accounting")
