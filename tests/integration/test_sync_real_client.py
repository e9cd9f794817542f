"""``ua.sync`` with a real ``ua.Client`` over HTTP: the example plugin, which has no ``pages``.

The Sage adapter's own sync tests (one request per page) are in
``tests/integration/sage/test_sage_sync.py``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from ua_example_provider import ExampleServer

import unified_accounting as ua
from unified_accounting.syncing import Scope, SQLiteMirror, Syncer, scope_of

TOKEN = "sync-token"


@pytest.fixture
def server() -> Iterator[ExampleServer]:
    with ExampleServer(tokens=(TOKEN,), businesses=(("biz-1", "First"),)) as srv:
        yield srv


@pytest.fixture
def client(server: ExampleServer) -> Iterator[ua.Client]:
    with ua.connect("example", settings=server.settings, access_token=TOKEN,
                    business_id="biz-1", sleep=lambda s: None) as connected:
        yield connected


def test_a_client_syncs_changes_and_deletions_and_reads_models_back(
    client: ua.Client, tmp_path: Path
) -> None:
    made = [client.contacts.create(ua.Contact(name=f"C{i}", is_customer=True)) for i in range(5)]
    path = tmp_path / "mirror.sqlite3"
    first = ua.sync(client, path, ["contacts"])
    assert (first.streams[0].inserted, first.streams[0].full) == (5, True)

    client.contacts.update(made[0].id or "", {"name": "C0 renamed"})
    client.contacts.delete(made[1].id or "")
    second = ua.sync(client, path, ["contacts"])
    (stream,) = second.streams
    assert (stream.full, stream.updated, stream.deleted) == (False, 1, 1)

    with SQLiteMirror(path) as mirror:
        scope = scope_of(client)
        assert scope == Scope("example", "default", "biz-1")
        renamed = mirror.get(scope, "contacts", made[0].id or "")
        assert renamed is not None
        model = renamed.model()
        assert isinstance(model, ua.Contact)
        assert (model.name, model.business_id, model.is_customer) == ("C0 renamed", "biz-1", True)
        gone = mirror.get(scope, "contacts", made[1].id or "", include_deleted=True)
        assert gone is not None
        assert gone.deleted


def test_the_syncer_counts_pages_of_the_fallback(client: ua.Client, tmp_path: Path) -> None:
    for i in range(5):
        client.contacts.create(ua.Contact(name=f"C{i}", is_customer=True))
    with SQLiteMirror(tmp_path / "m.sqlite3") as mirror:
        result = Syncer(mirror, resources=["contacts"], page_size=2).run(client)
    (stream,) = result.streams
    assert (stream.pages, stream.fetched, stream.inserted) == (3, 5, 5)
