"""The examples in docs/sync.md marked as tests must keep working."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.support.books import Books, ManualClock
from tests.support.books_client import BooksClient
from tests.support.mirror_check import mirror_differences
from unified_accounting.syncing import Mirror, Scope, Syncer

DOC = Path(__file__).resolve().parents[2] / "docs" / "sync.md"
MARK = "<!-- this example runs as a test -->"


def marked_examples() -> list[str]:
    parts = DOC.read_text(encoding="utf-8").split(MARK)[1:]
    return [part.split("```python\n", 1)[1].split("\n```", 1)[0] for part in parts]


def test_custom_mirror_example_syncs_like_the_sqlite_mirror() -> None:
    (example,) = marked_examples()
    namespace: dict[str, Any] = {"__name__": "docs_sync_example"}
    exec(compile(example, str(DOC), "exec"), namespace)  # noqa: S102 - our own docs
    mirror = namespace["DictMirror"]()
    assert isinstance(mirror, Mirror)

    clock = ManualClock()
    books = Books(clock)
    for number in range(250):
        books.put("biz", "contacts", f"c{number:04d}", name=str(number))
    clock.advance(600)
    client = BooksClient.direct(books, "biz")
    syncer = Syncer(mirror, resources=["contacts"], clock=clock)
    assert syncer.run(client).total("inserted") == 250
    clock.advance(600)
    books.put("biz", "contacts", "c0001", name="changed")
    books.delete("biz", "contacts", "c0002")
    books.delete("biz", "contacts", "c0003")
    result = syncer.run(client)
    assert (result.total("updated"), result.total("deleted")) == (1, 2)
    scope = Scope("books", "default", "biz")
    assert mirror_differences(mirror, books, scope, ("contacts",)) == []
    assert mirror.count(scope, "contacts") == 248
    assert mirror.count(scope, "contacts", include_deleted=True) == 250
