"""A SQLite store opened while another process writes to its file waits instead of failing.

Every SQLite file the library keeps (mirror, token store, webhook store, gateway database)
runs in WAL mode. SQLite refuses the switch to WAL at once while another connection holds a
write lock, whatever the busy timeout ("database is locked" after 0 s), so two sync processes
opening a new mirror together could fail for no reason. The stores ask again until their busy
timeout has passed; only a lock held longer than that is refused, naming the file.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import unified_accounting as ua
from unified_accounting.gateway.database import GatewayDatabase
from unified_accounting.sqlite_files import enable_wal
from unified_accounting.syncing import SQLiteMirror
from unified_accounting.tokens import SQLiteTokenStore
from unified_accounting.webhooks.sqlite_store import SQLiteWebhookStore

HELD = 0.3

STORES: dict[str, Callable[[Path], Any]] = {
    "mirror": lambda path: SQLiteMirror(path, busy_timeout=5),
    "token store": lambda path: SQLiteTokenStore(path, busy_timeout=5),
    "webhook store": lambda path: SQLiteWebhookStore(path, busy_timeout=5),
    "gateway database": GatewayDatabase,
}


def _writer_holding(path: Path) -> sqlite3.Connection:
    """Another connection, in rollback-journal mode, in the middle of a write."""
    path.touch(mode=0o600)
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("CREATE TABLE other (x)")
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("INSERT INTO other VALUES (1)")
    return holder


def _journal_mode(path: Path) -> str:
    with sqlite3.connect(path) as conn:
        mode: str = conn.execute("PRAGMA journal_mode").fetchone()[0]
    return mode


@pytest.mark.parametrize("store", sorted(STORES))
def test_a_store_opened_while_another_writer_holds_its_file_waits_for_it(
    tmp_path: Path, store: str
) -> None:
    path = tmp_path / "shared.sqlite3"
    holder = _writer_holding(path)
    release = threading.Timer(HELD, lambda: holder.execute("COMMIT"))
    started = time.monotonic()
    release.start()
    opened = STORES[store](path)
    waited = time.monotonic() - started
    release.join()
    holder.close()
    assert waited >= HELD - 0.05, store
    assert _journal_mode(path) == "wal"
    opened.close()


def test_the_switch_is_refused_once_the_wait_has_passed(tmp_path: Path) -> None:
    path = tmp_path / "held.sqlite3"
    holder = _writer_holding(path)
    conn = sqlite3.connect(path, isolation_level=None)
    started = time.monotonic()
    with pytest.raises(sqlite3.OperationalError, match="database is locked"):
        enable_wal(conn, 0.2)
    assert time.monotonic() - started >= 0.15
    conn.close()
    with pytest.raises(ua.StoreUnavailableError, match="is locked") as caught:
        SQLiteMirror(path, busy_timeout=0.2)
    assert f"mirror {path}" in str(caught.value)
    holder.execute("ROLLBACK")
    holder.close()
