"""The webhook delivery task on real Celery workers (separate processes, Redis, PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from support.sync_workers import running_workers
from support.webhook_processes import Receiver, free_port

from unified_accounting.jobs.app import create_app
from unified_accounting.jobs.settings import JobSettings
from unified_accounting.jobs.webhook_tasks import (
    DELIVER_TASK,
    enqueue_webhook_delivery,
    webhook_schedule,
)
from unified_accounting.syncing import MirrorItem, Scope, StreamKey, StreamState
from unified_accounting.syncing.postgres_mirror import PostgresMirror
from unified_accounting.webhooks.postgres_store import PostgresWebhookStore
from unified_accounting.webhooks.signing import generate_secret


@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.slow
def test_two_workers_running_the_task_at_once_deliver_every_event_once(
    redis_url: str, redis_prefix: str, postgres_url: str, postgres_schema: str, tmp_path: Path
) -> None:
    settings = JobSettings(broker_url=redis_url, prefix=redis_prefix,
                           mirror_url=f"{postgres_url}&schema={postgres_schema}")
    secret = generate_secret()
    receiver = Receiver(free_port(), secret.reveal(), tmp_path / "received.jsonl")
    with PostgresMirror(postgres_url, schema=postgres_schema) as mirror, \
            PostgresWebhookStore(postgres_url, schema=postgres_schema) as store:
        store.add_endpoint(receiver.url, secret=secret)
        for number in range(4):  # 4 pages of 50 contacts: 200 events
            mirror.commit(StreamKey(Scope("sage", "acme", "biz"), "contacts"),
                          state=StreamState(), upserts=[
                MirrorItem(id=f"c{number}-{n}", updated_at=datetime(2025, 1, 1, tzinfo=UTC),
                           data={"id": f"c{number}-{n}"}) for n in range(50)])
        receiver.start()
        app = create_app(settings)
        try:
            with running_workers(settings.to_env(), count=2):
                runs = [enqueue_webhook_delivery(app, max_seconds=20, concurrency=4)
                        for _ in range(2)]
                summaries = [run.get(timeout=120) for run in runs]
        finally:
            receiver.kill()
        assert store.counts() == {store.endpoints()[0].id: {"delivered": 200}}
    assert sum(s["delivered"] for s in summaries) == 200
    lines = receiver.lines()
    assert len(lines) == 200
    assert len({line["id"] for line in lines}) == 200


def test_the_beat_entry_queues_the_task_and_expires_with_its_period() -> None:
    entry = webhook_schedule(seconds=30)["deliver webhooks"]
    assert entry["task"] == DELIVER_TASK
    assert entry["schedule"] == 30
    assert entry["options"] == {"expires": 30}
    assert entry["kwargs"] == {"max_seconds": 27.0}
    with pytest.raises(ValueError, match="positive"):
        webhook_schedule(seconds=0)
