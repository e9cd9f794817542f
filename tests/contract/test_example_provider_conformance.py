"""The example plugin, found through its entry point, passes the conformance suite."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from ua_example_provider import ExampleServer

import unified_accounting as ua
from unified_accounting.testing import ConformanceSamples, ProviderConformance

TOKEN = "conformance-token"


@pytest.fixture(scope="module")
def example_server() -> Iterator[ExampleServer]:
    with ExampleServer(tokens=(TOKEN,)) as server:
        yield server


class TestExampleProviderConformance(ProviderConformance):
    @pytest.fixture
    def ua_client(self, example_server: ExampleServer) -> Iterator[ua.Client]:
        with ua.connect("example", settings=example_server.settings, access_token=TOKEN) as c:
            yield c

    @pytest.fixture
    def ua_samples(self) -> ConformanceSamples:
        return ConformanceSamples(
            new_records={"contacts": lambda: ua.Contact(name="Conformance Ltd",
                                                        is_customer=True)},
            changes={"contacts": {"name": "Renamed Ltd", "email": "a@example.test"}},
            missing_id="does-not-exist",
            access_token=TOKEN,
        )


def test_the_suite_really_ran_against_the_example_provider() -> None:
    # Guards against a suite that silently skips everything: these must exist and be tests.
    tests = [name for name in dir(ProviderConformance) if name.startswith("test_")]
    assert len(tests) >= 10
