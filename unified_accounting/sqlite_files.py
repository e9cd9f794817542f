"""SQLite files the library keeps (token store, mirror, outbox): private, clear when broken.

Both files hold what a customer would not want read by other users of the machine (tokens;
their books), so they are created ``0600`` in a ``0700`` folder, and so are the lock files
beside them. SQLite creates its ``-wal`` and ``-shm`` files with the mode of the database file.

A locked, corrupt or unreadable file surfaces as
:class:`~unified_accounting.errors.StoreUnavailableError` naming the file and what is wrong
with it, never as a bare ``sqlite3`` error; nothing here ever removes or rewrites a file that
cannot be read.

:class:`SQLitePool` shares the connections to one such file between threads.
"""

from __future__ import annotations

import functools
import logging
import os
import sqlite3
import stat
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import ParamSpec, TypeVar

from unified_accounting.errors import ConfigurationError, StoreUnavailableError

__all__ = [
    "SQLitePool",
    "create_private_file",
    "enable_wal",
    "private_folder",
    "sqlite_failure",
    "translated",
    "translating",
]

_log = logging.getLogger(__name__)
P = ParamSpec("P")
R = TypeVar("R")

# What SQLite's message says -> (what the store is, whether waiting may help).
_KNOWN: tuple[tuple[str, str, bool], ...] = (
    ("database is locked", "is locked by another process for longer than the wait allowed",
     True),
    ("database table is locked", "is locked by another connection", True),
    ("file is not a database", "is not a SQLite database (corrupt or another kind of file); "
     "it was left as it is", False),
    ("malformed", "is corrupt (database disk image is malformed); it was left as it is", False),
    ("unable to open", "cannot be opened (missing folder or no permission)", False),
    ("readonly", "is read-only for this user", False),
    ("disk i/o error", "could not be read or written (disk I/O error)", True),
    ("database or disk is full", "cannot grow: the disk is full", True),
)


def enable_wal(conn: sqlite3.Connection, wait: float) -> None:
    """Put ``conn``'s database in WAL mode, waiting up to ``wait`` seconds for other writers.

    SQLite does not wait here by itself: asking for WAL while another connection holds a
    write lock is refused at once ("database is locked"), whatever the busy timeout, since
    waiting could deadlock. So two processes opening a new file together could fail for no
    reason. The request is made again, a little later each time, until ``wait`` has passed;
    then the last refusal is raised.
    """
    deadline = time.monotonic() + wait
    pause = 0.005
    while True:
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "database is locked" not in str(exc) or time.monotonic() + pause > deadline:
                raise
        time.sleep(pause)
        pause = min(2 * pause, 0.1)


def private_folder(folder: Path) -> None:
    """Create ``folder`` (mode ``0700``) if missing; warn if it exists open to others."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    mode = stat.S_IMODE(folder.stat().st_mode)
    if mode & 0o077:
        _log.warning("folder %s is open to other users (mode %o)", folder, mode)


def create_private_file(path: Path) -> None:
    """Create ``path`` readable by its owner only (and its folder, ``0700``) if missing.

    An existing file is neither truncated nor changed; a warning says when others can read it.
    """
    if not path.parent.exists():
        private_folder(path.parent)
    fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
    os.close(fd)
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        _log.warning("%s is readable by other users (mode %o)", path, mode)


def sqlite_failure(what: str, path: Path, exc: sqlite3.Error) -> StoreUnavailableError:
    """The library's error for a SQLite failure of the file at ``path``.

    Args:
        what: what the file is, e.g. ``"token store"`` or ``"mirror"``.
        path: the database file.
        exc: SQLite's error.
    """
    text = str(exc).lower()
    for needle, says, retryable in _KNOWN:
        if needle in text:
            return StoreUnavailableError(f"{what} {path} {says}", retryable=retryable)
    return StoreUnavailableError(
        f"{what} {path} failed: {type(exc).__name__}: {str(exc)[:200]}", retryable=False)


@contextmanager
def translated(what: str, path: Path) -> Iterator[None]:
    """Turn SQLite errors raised in the block into :func:`sqlite_failure`."""
    try:
        yield
    except sqlite3.Error as exc:
        raise sqlite_failure(what, path, exc) from exc


def translating(what: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Decorate a method of an object with a ``path`` so its SQLite errors name the file."""

    def decorate(method: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(method)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            try:
                return method(*args, **kwargs)
            except sqlite3.Error as exc:
                owner = args[0]
                raise sqlite_failure(what, Path(getattr(owner, "path", "?")), exc) from exc

        return wrapper

    return decorate


class SQLitePool:
    """Connections to one SQLite file, reused by whichever thread needs one next.

    A small pool rather than one connection per thread: worker and sync threads come and go,
    and per-thread connections would pile up in a long-lived process. The file is created
    private (:func:`create_private_file`) and opened in WAL mode; connections are in
    autocommit mode, so every transaction is opened explicitly (:meth:`write`).

    Args:
        path: the database file.
        busy_timeout: seconds SQLite waits for another writer before failing.
        synchronous: SQLite's ``synchronous`` setting: ``"NORMAL"`` (a commit may be lost
            if the machine, not the process, dies) or ``"FULL"``.
        owner: what the pool serves, for the error raised after :meth:`close`.
    """

    def __init__(self, path: Path, *, busy_timeout: float, synchronous: str = "NORMAL",
                 owner: str = "the SQLite file") -> None:
        if synchronous not in ("NORMAL", "FULL"):
            raise ConfigurationError(f"synchronous must be NORMAL or FULL, not {synchronous!r}")
        self.path = path
        self._busy_timeout = busy_timeout
        self._synchronous = synchronous
        self._owner = owner
        self._idle: list[sqlite3.Connection] = []
        self._guard = threading.Lock()
        self._closed = False
        create_private_file(path)

    @property
    def idle(self) -> int:
        """How many open connections wait to be reused."""
        with self._guard:
            return len(self._idle)

    @contextmanager
    def connection(self) -> Iterator[sqlite3.Connection]:
        """A connection of the pool for the block; a transaction left open is rolled back.

        Raises:
            ConfigurationError: the pool is closed.
        """
        with self._guard:
            if self._closed:
                raise ConfigurationError(f"{self._owner} is closed")
            conn = self._idle.pop() if self._idle else None
        if conn is None:
            conn = self._open()
        try:
            yield conn
        finally:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            with self._guard:
                keep = not self._closed
                if keep:
                    self._idle.append(conn)
            if not keep:
                conn.close()

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """A connection holding SQLite's write lock (``BEGIN IMMEDIATE``), committed at the end
        of the block, rolled back if it raises."""
        with self.connection() as conn:
            conn.execute("BEGIN IMMEDIATE")
            yield conn
            conn.execute("COMMIT")

    def close(self) -> None:
        """Close the idle connections; connections in use close when they are handed back."""
        with self._guard:
            self._closed = True
            idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()

    def _open(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=self._busy_timeout, isolation_level=None,
                               check_same_thread=False)
        try:
            enable_wal(conn, self._busy_timeout)
            conn.execute(f"PRAGMA synchronous = {self._synchronous}")
        except BaseException:
            conn.close()  # a file that is not a database: nothing to keep open
            raise
        return conn
