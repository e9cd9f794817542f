"""The test utility that starts a private redis-server when no Redis is running."""

from __future__ import annotations

import os
import shutil

import pytest
from support.redis_server import redis_answers, start_private_redis

pytestmark = pytest.mark.redis


def test_a_private_redis_server_starts_answers_and_stops() -> None:
    binary = shutil.which("redis-server")
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("redis-server must be installed in CI")
        pytest.skip("redis-server is not installed")
    server = start_private_redis(binary)
    try:
        assert server.url.startswith("redis://127.0.0.1:")
        assert not server.url.endswith(":6379/0")
        assert redis_answers(server.url)
    finally:
        server.stop()
    assert not redis_answers(server.url, timeout=0.2)
