"""Settings from ``UNIFIED_ACCOUNTING_*`` variables: one reader for the sync jobs and the outbox."""

from __future__ import annotations

import pytest

import unified_accounting as ua
from unified_accounting.jobs.settings import JobSettings
from unified_accounting.outbox.settings import ENVIRONMENT, OutboxSettings


def test_each_kind_of_outbox_setting_is_read_by_its_type() -> None:
    assert OutboxSettings.from_env({}) == OutboxSettings()
    settings = OutboxSettings.from_env({
        ENVIRONMENT["outbox_url"]: " sqlite:///tmp/o.db ",
        ENVIRONMENT["lease_seconds"]: "2.5",
        ENVIRONMENT["max_failures"]: "3",
        ENVIRONMENT["provider_settings"]: '{"base_url": "http://127.0.0.1:9"}',
        ENVIRONMENT["backoff_base"]: "",  # empty keeps the default
    })
    assert settings == OutboxSettings(outbox_url="sqlite:///tmp/o.db", lease_seconds=2.5,
                                      max_failures=3,
                                      provider_settings={"base_url": "http://127.0.0.1:9"})
    assert isinstance(settings.max_failures, int)


@pytest.mark.parametrize("settings", [
    OutboxSettings(),
    OutboxSettings(outbox_url="postgresql://db/x?schema=o", token_store="redis://r:6379/1",
                   lease_seconds=0.1 + 0.2, max_failures=2, call_retries=0,
                   provider_settings={"requests_per_second": 5}),
    JobSettings(),
    JobSettings(result_backend="redis://r/3", token_store="sqlite:///t.db", page_size=50,
                lock_ttl=1 / 3, mirror_url="sqlite:///m.db"),
])
def test_settings_written_out_read_back_the_same(settings: OutboxSettings | JobSettings) -> None:
    assert type(settings).from_env(settings.to_env()) == settings


@pytest.mark.parametrize(("variable", "value", "message"), [
    ("UNIFIED_ACCOUNTING_OUTBOX_LEASE", "soon", "UNIFIED_ACCOUNTING_OUTBOX_LEASE"),
    ("UNIFIED_ACCOUNTING_OUTBOX_MAX_FAILURES", "2.5", "UNIFIED_ACCOUNTING_OUTBOX_MAX_FAILURES"),
    ("UNIFIED_ACCOUNTING_PROVIDER_SETTINGS", '"text"', "not a JSON object"),
    ("UNIFIED_ACCOUNTING_OUTBOX_MAX_FAILURES", "0", "max_failures"),
])
def test_bad_outbox_values_name_the_variable_or_the_setting(variable: str, value: str,
                                                            message: str) -> None:
    with pytest.raises(ua.ConfigurationError, match=message):
        OutboxSettings.from_env({variable: value})


@pytest.mark.parametrize("settings", [
    OutboxSettings(outbox_url="postgresql://app:pg-s3cret@db/x", token_store="redis://:tok-s3cret@r/1",
                   limiter_url="redis://u:lim-s3cret@r:6379/0",
                   provider_settings={"client_secret": "cs-s3cret"}),
    JobSettings(broker_url="redis://:brk-s3cret@r/0", mirror_url="postgresql://a:mir-s3cret@db/m",
                provider_settings={"client_secret": "cs-s3cret"}),
])
def test_the_repr_of_settings_shows_no_password_and_no_provider_setting_value(
    settings: OutboxSettings | JobSettings,
) -> None:
    shown = repr(settings)
    assert "s3cret" not in shown
    assert "client_secret" in shown  # which settings are given, not their values
    assert "@db/" in shown
    assert shown.startswith(type(settings).__name__ + "(")
