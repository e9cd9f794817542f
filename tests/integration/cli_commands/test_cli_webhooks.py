"""``unified-accounting webhooks``: endpoints, one delivery pass, failures and retries.

The commands run through click's runner on a SQLite mirror whose commits queue events; the
delivery goes over real HTTP to a receiver process that verifies every signature.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from support.webhook_processes import Receiver, free_port

from unified_accounting.cli import main
from unified_accounting.syncing import MirrorItem, Scope, SQLiteMirror, StreamKey, StreamState
from unified_accounting.webhooks.sqlite_store import SQLiteWebhookStore

SCOPE = Scope("sage", "acme", "biz-1")


def run(*args: str) -> Result:
    return CliRunner().invoke(main, ["webhooks", *args], catch_exceptions=False)


def _commit(path: Path, *ids: str) -> None:
    with SQLiteMirror(path) as mirror:
        mirror.commit(StreamKey(SCOPE, "contacts"), state=StreamState(), upserts=[
            MirrorItem(id=i, updated_at=datetime(2025, 1, 1, tzinfo=UTC), data={"id": i})
            for i in ids])


@pytest.fixture
def mirror(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "mirror.sqlite3"
    monkeypatch.setenv("UNIFIED_ACCOUNTING_MIRROR", str(path))
    return path


def test_add_prints_the_secret_once_and_list_never_does(mirror: Path) -> None:
    added = run("add", "https://hooks.example.com/in?key=abc", "--type", "contacts.*",
                "--json")
    assert added.exit_code == 0
    shown = json.loads(added.output)
    assert shown["secret"].startswith("whsec_")
    assert shown["url"] == "https://hooks.example.com/in?..."
    listed = run("list", "--json")
    [row] = json.loads(listed.output)
    assert row["id"] == shown["id"]
    assert row["event_types"] == ["contacts.*"]
    table = run("list").output
    for output in (listed.output, table):
        assert shown["secret"] not in output
        assert "key=abc" not in output
    assert shown["id"] in table


def test_bad_endpoints_are_refused_naming_each_field(mirror: Path) -> None:
    refused = CliRunner().invoke(main, ["webhooks", "add", "ftp://x", "--type", "contacts.gone",
                                        "--secret", "whsec_c2hvcnQ="])
    assert refused.exit_code == 1
    for field in ("url:", "secret:", "event_types[0]:"):
        assert field in refused.output
    assert run("list").output.strip() == "No webhook endpoints."


def test_deliver_once_sends_what_is_due_and_failures_can_be_retried(
    mirror: Path, tmp_path: Path
) -> None:
    receiver = Receiver(free_port(), "", tmp_path / "received.jsonl")
    added = json.loads(run("add", receiver.url, "--json").output)
    receiver.secret = added["secret"]
    _commit(mirror, "a", "b")
    # Down: one attempt each, then the deliveries wait for their next try.
    first = run("deliver", "--once", "--schedule", "0", "--max-attempts", "1")
    assert first.exit_code == 0
    failed = json.loads(run("failed", "--json").output)
    assert [(f["record_id"], f["state"], f["attempts"]) for f in failed] == [
        ("a", "failed", 1), ("b", "failed", 1)]
    assert "ConnectionError" in run("failed").output
    assert run("retry", failed[0]["event_id"]).output.strip() == "1 deliveries queued again."
    receiver.start()
    try:
        run("deliver", "--once")
        assert [line["lane"][-1] for line in receiver.lines()] == ["a"]
        assert run("retry").output.strip() == "1 deliveries queued again."
        run("deliver", "--once")
        assert sorted(line["lane"][-1] for line in receiver.lines()) == ["a", "b"]
    finally:
        receiver.kill()
    [row] = json.loads(run("list", "--json").output)
    assert (row["delivered"], row["pending"], row["failed"]) == (2, 0, 0)


def test_remove_and_enable_name_unknown_endpoints(mirror: Path) -> None:
    endpoint = json.loads(run("add", "https://hooks.example.com/x", "--json").output)["id"]
    with SQLiteWebhookStore(mirror) as store:
        store.set_disabled(endpoint, "answered 410 Gone")
    assert "answered 410 Gone" in run("list").output
    assert run("enable", endpoint).exit_code == 0
    assert json.loads(run("list", "--json").output)[0]["disabled"] is None
    assert run("remove", endpoint).output.strip() == f"Removed {endpoint}."
    missing = CliRunner().invoke(main, ["webhooks", "remove", endpoint])
    assert missing.exit_code == 1
    assert f"no webhook endpoint {endpoint}" in missing.output
