"""The test utility that starts a private redis-server when no Redis is running."""

from __future__ import annotations

import shutil

import pytest
from support.redis_server import (
    in_ci,
    redis_answers,
    redis_unavailable,
    start_private_redis,
)

pytest_plugins = ("pytester",)


@pytest.mark.redis
def test_a_private_redis_server_starts_answers_and_stops() -> None:
    binary = shutil.which("redis-server")
    if binary is None:
        redis_unavailable("redis-server is not installed")
    server = start_private_redis(binary)
    try:
        assert server.url.startswith("redis://127.0.0.1:")
        assert not server.url.endswith(":6379/0")
        assert redis_answers(server.url)
    finally:
        server.stop()
    assert not redis_answers(server.url, timeout=0.2)


@pytest.mark.parametrize(
    ("environ", "expected"),
    [({}, False), ({"CI": ""}, False), ({"CI": "true"}, True), ({"CI": "1"}, True)],
)
def test_ci_is_recognised_by_the_ci_variable(environ: dict[str, str], expected: bool) -> None:
    assert in_ci(environ) is expected


def test_without_redis_a_test_skips_on_a_workstation_and_fails_in_ci() -> None:
    with pytest.raises(pytest.skip.Exception, match="no Redis here"):
        redis_unavailable("no Redis here", {})
    with pytest.raises(pytest.fail.Exception, match="must run in CI: no Redis here"):
        redis_unavailable("no Redis here", {"CI": "true"})


REDIS_TESTS = """
import pytest

@pytest.mark.redis
def test_skipped_redis_test():
    pytest.skip("redis is away")

@pytest.mark.redis
@pytest.mark.skipif(True, reason="skipped by a marker")
def test_marker_skipped_redis_test():
    pass

def test_skipped_other_test():
    pytest.skip("not about redis")
"""


@pytest.mark.parametrize(("ci", "outcomes"), [("", {"skipped": 3}),
                                              ("true", {"failed": 1, "errors": 1, "skipped": 1})])
def test_in_ci_a_skipped_redis_test_fails_the_run(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, ci: str,
    outcomes: dict[str, int],
) -> None:
    monkeypatch.setenv("CI", ci)
    pytester.makeconftest("from support.redis_server import pytest_runtest_makereport\n")
    pytester.makepyfile(REDIS_TESTS)
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider")
    result.assert_outcomes(**outcomes)
    if ci:
        result.stdout.fnmatch_lines(["*Redis tests must run in CI*redis is away*"])
