"""Shared test fixtures; helpers live in ``tests/support``."""

from __future__ import annotations

import sys
from pathlib import Path

# ``support`` is imported by tests in every folder and by worker scripts started as processes.
sys.path.insert(0, str(Path(__file__).parent))

from support.connections import (
    any_store,
    oauth_server,
    provider,
    redis_store,
    sqlite_store,
)
from support.file_modes import open_umask
from support.postgres_server import postgres_schema, postgres_url
from support.redis_server import pytest_runtest_makereport, redis_prefix, redis_url
from support.sandbox_connections import sage_sandbox

__all__ = [
    "any_store",
    "oauth_server",
    "open_umask",
    "postgres_schema",
    "postgres_url",
    "provider",
    "pytest_runtest_makereport",
    "redis_prefix",
    "redis_store",
    "redis_url",
    "sage_sandbox",
    "sqlite_store",
]

