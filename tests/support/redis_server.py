"""Finding a Redis for the tests: ``REDIS_URL``, a local server, or a private one we start.

Order: the server named by ``REDIS_URL`` when set; otherwise 127.0.0.1:6379 when it answers;
otherwise a private ``redis-server`` started on a free loopback port (without persistence) for
the test session. When none is possible the Redis tests skip with the reason, except in CI
(env ``CI`` set), where they fail: CI must run them. :func:`pytest_runtest_makereport`
(registered by ``tests/conftest.py``) makes sure of it whatever skipped a test marked
``redis``, so ``.ci/run`` (which sets ``CI``) fails when any Redis test did not run.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Generator, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, NoReturn

import pytest

LOCAL_URL = "redis://127.0.0.1:6379/0"


def redis_answers(url: str, timeout: float = 0.5) -> bool:
    """Whether a Redis server at ``url`` answers PING."""
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False
    finally:
        client.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class PrivateRedis:
    """A ``redis-server`` process this test session started (and stops)."""

    process: subprocess.Popen[bytes]
    url: str
    workdir: str

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        shutil.rmtree(self.workdir, ignore_errors=True)


def start_private_redis(binary: str = "redis-server", wait: float = 10.0) -> PrivateRedis:
    """Start ``redis-server`` on a free loopback port, without persistence, and wait for it.

    Raises:
        RuntimeError: when it does not answer within ``wait`` seconds.
    """
    port = free_port()
    workdir = tempfile.mkdtemp(prefix="ua-redis-")
    process = subprocess.Popen(
        [
            binary,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            workdir,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    server = PrivateRedis(process=process, url=f"redis://127.0.0.1:{port}/0", workdir=workdir)
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        if redis_answers(server.url, timeout=0.2):
            return server
        time.sleep(0.05)
    server.stop()
    raise RuntimeError(f"redis-server did not start on port {port}")


def find_redis() -> tuple[str | None, PrivateRedis | None, str]:
    """Return ``(url, started_server, reason)``; ``url`` is ``None`` when no Redis is usable."""
    try:
        import redis  # noqa: F401
    except ImportError:
        return None, None, "the 'redis' package is not installed (pip install '.[redis]')"
    named = os.environ.get("REDIS_URL")
    if named:
        if redis_answers(named, timeout=2.0):
            return named, None, ""
        return None, None, f"REDIS_URL={named} does not answer"
    if redis_answers(LOCAL_URL):
        return LOCAL_URL, None, ""
    binary = shutil.which("redis-server")
    if binary is None:
        return (
            None,
            None,
            (
                "no Redis: REDIS_URL is unset, nothing answers on 127.0.0.1:6379 and redis-server "
                "is not installed (apt-get install redis-server)"
            ),
        )
    try:
        server = start_private_redis(binary)
    except (OSError, RuntimeError) as exc:
        return None, None, f"could not start a private redis-server: {exc}"
    return server.url, server, ""


def in_ci(environ: Mapping[str, str] | None = None) -> bool:
    """Whether the tests run in CI (the environment variable ``CI`` is set, and not empty)."""
    return bool((os.environ if environ is None else environ).get("CI"))


def redis_unavailable(reason: str, environ: Mapping[str, str] | None = None) -> NoReturn:
    """Skip a Redis test for ``reason``; in CI fail it instead, because CI must run it."""
    if in_ci(environ):
        pytest.fail(f"Redis tests must run in CI: {reason}")
    pytest.skip(f"Redis tests skipped: {reason}")


#: Markers of tests that need a server, and the server's name: in CI they must run.
SERVICE_MARKERS = {"redis": "Redis", "postgres": "PostgreSQL"}


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: Any) -> Generator[None, Any, None]:
    """In CI, report a skipped test marked ``redis`` or ``postgres`` as failed, whatever
    skipped it."""
    outcome = yield
    report = outcome.get_result()
    if not (report.skipped and in_ci()):
        return
    for marker, service in SERVICE_MARKERS.items():
        if item.get_closest_marker(marker) is not None:
            reason = (report.longrepr[-1] if isinstance(report.longrepr, tuple)
                      else report.longrepr)
            report.outcome = "failed"
            report.longrepr = f"{service} tests must run in CI, but this one was skipped: {reason}"
            return


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """A Redis URL for the session; skips (or fails in CI) when there is none."""
    url, started, reason = find_redis()
    if url is None:
        redis_unavailable(reason)
    yield url
    if started is not None:
        started.stop()


@pytest.fixture
def redis_prefix(redis_url: str) -> Iterator[str]:
    """A key prefix no other test uses; its keys are deleted afterwards."""
    import redis

    prefix = f"ua-test:{uuid.uuid4().hex}:"
    yield prefix
    client = redis.Redis.from_url(redis_url)
    try:
        keys = list(client.scan_iter(match=f"{prefix}*"))
        if keys:
            client.delete(*keys)
    finally:
        client.close()
