"""The pure parts of the sync jobs: settings from the environment, beat entries, worker flags."""

from __future__ import annotations

from datetime import timedelta

import pytest

import unified_accounting as ua
from unified_accounting.jobs.cli import worker_argv
from unified_accounting.jobs.runtime import open_mirror
from unified_accounting.jobs.schedule import sync_schedule
from unified_accounting.jobs.settings import ENVIRONMENT, JobSettings


def test_defaults_and_every_variable_read() -> None:
    assert JobSettings.from_env({}) == JobSettings()
    env = {
        ENVIRONMENT["broker_url"]: "redis://cache:6379/2",
        ENVIRONMENT["prefix"]: "billing:",
        ENVIRONMENT["lock_ttl"]: "12",
        ENVIRONMENT["page_size"]: "50",
        ENVIRONMENT["provider_settings"]: '{"requests_per_second": 5}',
    }
    settings = JobSettings.from_env(env)
    assert (settings.broker_url, settings.prefix, settings.lock_ttl, settings.page_size) == (
        "redis://cache:6379/2", "billing:", 12.0, 50)
    assert settings.provider_settings == {"requests_per_second": 5}
    assert settings.results == "redis://cache:6379/2"  # results go to the broker by default


@pytest.mark.parametrize(("variable", "value", "message"), [
    ("UNIFIED_ACCOUNTING_JOB_LOCK_TTL", "soon", "UNIFIED_ACCOUNTING_JOB_LOCK_TTL"),
    ("UNIFIED_ACCOUNTING_PROVIDER_SETTINGS", "[1, 2]", "not a JSON object"),
    ("UNIFIED_ACCOUNTING_PROVIDER_SETTINGS", "{", "UNIFIED_ACCOUNTING_PROVIDER_SETTINGS"),
    ("UNIFIED_ACCOUNTING_JOB_LOCK_TTL", "-1", "positive"),
    ("UNIFIED_ACCOUNTING_SYNC_PAGE_SIZE", "0", "page_size"),
])
def test_bad_values_name_the_variable_or_the_setting(variable: str, value: str,
                                                     message: str) -> None:
    with pytest.raises(ua.ConfigurationError, match=message):
        JobSettings.from_env({variable: value})


def test_a_mirror_url_must_name_a_shipped_mirror() -> None:
    with pytest.raises(ua.ConfigurationError, match="not set"):
        open_mirror("")
    with pytest.raises(ua.ConfigurationError, match=r"postgresql:// or sqlite:///"):
        open_mirror("mysql://db/x")


def test_the_schedule_needs_a_positive_period() -> None:
    with pytest.raises(ua.ConfigurationError, match="positive"):
        sync_schedule([("acme", "biz")], minutes=0)
    entry = sync_schedule([("acme", "biz")], minutes=0.5)["sync acme biz"]
    assert entry["schedule"] == timedelta(seconds=30)
    assert entry["args"] == ("acme", "biz")


def test_worker_flags_take_one_job_at_a_time() -> None:
    argv = worker_argv(concurrency=3, pool="prefork", loglevel="info", hostname="w1@%h",
                       beat=True, schedule_file="/tmp/beat", max_tasks_per_child=100)
    assert argv[0] == "worker"
    assert {"--concurrency=3", "--prefetch-multiplier=1", "--hostname=w1@%h", "--beat",
            "--schedule=/tmp/beat", "--max-tasks-per-child=100"} <= set(argv)
    plain = worker_argv(concurrency=1, pool="solo", loglevel="warning", hostname=None,
                        beat=False, schedule_file="/tmp/beat", max_tasks_per_child=None)
    assert not any(flag.startswith(("--beat", "--schedule", "--hostname")) for flag in plain)


def test_two_apps_in_one_process_each_keep_their_own_tasks_without_a_warning() -> None:
    import warnings

    from unified_accounting.jobs.app import SYNC_TASK, create_app
    from unified_accounting.jobs.outbox_tasks import OUTBOX_TASK
    from unified_accounting.jobs.webhook_tasks import DELIVER_TASK

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # Celery's DuplicateTaskNameWarning included
        first = create_app(JobSettings(prefix="first:"))
        second = create_app(JobSettings(prefix="second:"))
        for name in (SYNC_TASK, OUTBOX_TASK, DELIVER_TASK):
            assert first.tasks[name] is not second.tasks[name]
            assert first.tasks[name].app is first
            assert second.tasks[name].app is second
