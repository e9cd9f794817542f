"""The gateway's own SQLite file: API keys, the signing secret and OAuth flows in progress.

Every worker process opens the same file; each thread keeps its own connection. The file is
created with mode 0600 in a 0700 folder, since it holds the secret that signs connect links.
"""

from __future__ import annotations

import os
import secrets
import sqlite3
import threading
from pathlib import Path

from unified_accounting.sqlite_files import enable_wal

__all__ = ["GatewayDatabase"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS api_keys (
    key_id TEXT PRIMARY KEY,
    tenant TEXT NOT NULL,
    name TEXT NOT NULL,
    digest TEXT NOT NULL,
    per_minute INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
CREATE TABLE IF NOT EXISTS secrets (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS oauth_flows (
    state_digest TEXT PRIMARY KEY,
    tenant TEXT NOT NULL,
    connection TEXT NOT NULL,
    provider TEXT NOT NULL,
    redirect_uri TEXT NOT NULL,
    browser_digest TEXT NOT NULL,
    expires_at REAL NOT NULL
);
"""


class GatewayDatabase:
    """A SQLite file shared by the gateway's workers and the ``apikeys`` commands."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not self.path.exists():
            self.path.touch(mode=0o600)
        self._local = threading.local()
        with self.connect() as db:
            db.executescript(_SCHEMA)

    def connect(self) -> sqlite3.Connection:
        """This thread's connection (opened on first use; commits when used with ``with``)."""
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None or getattr(self._local, "pid", None) != os.getpid():
            db = sqlite3.connect(self.path, timeout=10.0, check_same_thread=True)
            enable_wal(db, 10.0)
            self._local.db, self._local.pid = db, os.getpid()
        return db

    def secret(self, name: str) -> bytes:
        """A random 256-bit secret kept in the file, created on first use by any worker."""
        with self.connect() as db:
            db.execute("INSERT OR IGNORE INTO secrets (name, value) VALUES (?, ?)",
                       (name, secrets.token_hex(32)))
            row = db.execute("SELECT value FROM secrets WHERE name = ?", (name,)).fetchone()
        return bytes.fromhex(str(row[0]))

    def close(self) -> None:
        """Close this thread's connection."""
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is not None:
            db.close()
            self._local.db = None
