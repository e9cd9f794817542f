"""SQLite store specifics: file permissions, default location, URLs, encryption at rest."""

from __future__ import annotations

import sqlite3
import stat
from pathlib import Path

import pytest
from support.connections import make_tokens as tokens

from unified_accounting.credentials import Secret
from unified_accounting.errors import ConfigurationError
from unified_accounting.tokens import SQLiteTokenStore, generate_key, token_store_from_url
from unified_accounting.tokens.registry import default_token_store
from unified_accounting.tokens.sqlite import default_sqlite_path

KEY_ENV = "UNIFIED_ACCOUNTING_TOKEN_KEY"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_database_and_lock_files_are_private(tmp_path: Path) -> None:
    path = tmp_path / "new" / "tokens.sqlite3"
    store = SQLiteTokenStore(path)
    store.save("acme", tokens("at", "rt"), provider="sage")
    with store.lock("acme"):
        pass
    assert mode(path) == 0o600
    assert mode(path.parent) == 0o700
    wal = path.with_name(path.name + "-wal")
    assert wal.exists()
    assert mode(wal) == 0o600
    lock_dir = path.with_name(path.name + ".locks")
    assert mode(lock_dir) == 0o700
    assert [mode(p) for p in lock_dir.iterdir()] == [0o600]
    store.close()


def test_default_path_is_in_the_user_data_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.delenv("UNIFIED_ACCOUNTING_TOKEN_STORE", raising=False)
    expected = tmp_path / "data" / "unified-accounting" / "tokens.sqlite3"
    assert default_sqlite_path() == expected
    store = default_token_store()
    assert isinstance(store, SQLiteTokenStore)
    assert store.path == expected
    assert expected.exists()
    store.close()


@pytest.mark.parametrize(
    ("url", "relative"),
    [("sqlite://{tmp}/a.sqlite3", "a.sqlite3"), ("sqlite:{tmp}/b.sqlite3", "b.sqlite3")],
)
def test_opened_from_url(tmp_path: Path, url: str, relative: str) -> None:
    store = token_store_from_url(url.format(tmp=tmp_path))
    assert isinstance(store, SQLiteTokenStore)
    assert store.path == tmp_path / relative
    store.close()


def test_store_env_variable_names_the_default_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("UNIFIED_ACCOUNTING_TOKEN_STORE", f"sqlite://{tmp_path}/env.sqlite3")
    store = default_token_store()
    assert isinstance(store, SQLiteTokenStore)
    assert store.path == tmp_path / "env.sqlite3"
    store.close()


def test_unknown_url_scheme_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="ftp"):
        token_store_from_url("ftp://example/tokens")


def raw_tokens_column(path: Path) -> str:
    with sqlite3.connect(path) as db:
        return str(db.execute("SELECT tokens FROM connections").fetchone()[0])


def test_tokens_are_encrypted_at_rest_with_the_env_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(KEY_ENV, generate_key())
    path = tmp_path / "t.sqlite3"
    store = SQLiteTokenStore(path)
    big = tokens("secret-access-", "secret-refresh-", size=6000)
    store.save("acme", big, provider="sage")
    raw = raw_tokens_column(path)
    assert "secret-access-" not in raw
    assert "secret-refresh-" not in raw
    assert path.read_bytes().find(b"secret-refresh-") == -1
    record = store.load("acme")
    assert record is not None
    assert record.tokens == big
    # The swap still works: it compares fingerprints, not (randomised) ciphertexts.
    assert store.compare_and_swap("acme", big.refresh_token, tokens("a2", "r2"))
    store.close()


def test_encrypted_tokens_without_or_with_wrong_key_fail_clearly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "t.sqlite3"
    monkeypatch.setenv(KEY_ENV, generate_key())
    SQLiteTokenStore(path).save("acme", tokens("at", "rt"), provider="sage")
    monkeypatch.delenv(KEY_ENV)
    with pytest.raises(ConfigurationError, match="encrypted; set UNIFIED_ACCOUNTING_TOKEN_KEY"):
        SQLiteTokenStore(path).load("acme")
    monkeypatch.setenv(KEY_ENV, generate_key())
    with pytest.raises(ConfigurationError, match="does not hold the key"):
        SQLiteTokenStore(path).load("acme")
    # Metadata stays readable without the key (for `connections list`).
    info = SQLiteTokenStore(path).describe("acme")
    assert info is not None
    assert info.provider == "sage"


def test_key_rotation_reads_old_tokens_and_writes_with_the_new_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "t.sqlite3"
    old, new = generate_key(), generate_key()
    monkeypatch.setenv(KEY_ENV, old)
    SQLiteTokenStore(path).save("acme", tokens("at", "rt"), provider="sage")
    monkeypatch.setenv(KEY_ENV, f"{new},{old}")
    store = SQLiteTokenStore(path)
    assert store.compare_and_swap("acme", Secret("rt"), tokens("at2", "rt2"))
    monkeypatch.setenv(KEY_ENV, new)
    record = SQLiteTokenStore(path).load("acme")
    assert record is not None
    assert record.tokens.access_token == Secret("at2")


def test_plain_tokens_stay_readable_after_a_key_is_configured(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "t.sqlite3"
    monkeypatch.delenv(KEY_ENV, raising=False)
    SQLiteTokenStore(path).save("acme", tokens("at", "rt"), provider="sage")
    monkeypatch.setenv(KEY_ENV, generate_key())
    store = SQLiteTokenStore(path)
    record = store.load("acme")
    assert record is not None
    assert record.tokens.access_token == Secret("at")
    store.compare_and_swap("acme", Secret("rt"), tokens("at2", "rt2"))
    assert "at2" not in raw_tokens_column(path)


def test_repr_shows_no_token(sqlite_store: SQLiteTokenStore) -> None:
    sqlite_store.save("acme", tokens("visible-at", "visible-rt"), provider="sage")
    record = sqlite_store.load("acme")
    assert "visible" not in repr(record)
    assert "visible" not in repr(sqlite_store)
