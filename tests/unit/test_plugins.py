from __future__ import annotations

import importlib
import sys
import textwrap
from pathlib import Path

import click
import pytest
from stevedore import DriverManager, ExtensionManager
from stevedore.extension import Extension
from ua_example_provider import ExampleProvider

import unified_accounting as ua
from unified_accounting.errors import PluginLoadError, PluginNotFoundError
from unified_accounting.plugins import (
    CLI_ENTRY_POINT_GROUP,
    MIRROR_ENTRY_POINT_GROUP,
    PROVIDER_ENTRY_POINT_GROUP,
    SANDBOX_ENTRY_POINT_GROUP,
    TOKEN_STORE_ENTRY_POINT_GROUP,
    instantiate,
    load_plugin,
    load_plugin_class,
    load_provider,
    plugin_names,
)
from unified_accounting.syncing import Mirror


@pytest.fixture
def extra_plugins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Install a test distribution whose entry points are broken in different ways."""
    dist = tmp_path / "ua_test_plugins-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: ua-test-plugins\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text(textwrap.dedent(f"""\
        [{PROVIDER_ENTRY_POINT_GROUP}]
        broken = ua_test_broken_plugin:Provider
        not-a-provider = json:JSONDecoder

        [{MIRROR_ENTRY_POINT_GROUP}]
        broken-mirror = ua_test_broken_plugin:Mirror
        not-a-mirror = json:JSONDecoder

        [{CLI_ENTRY_POINT_GROUP}]
        twice = json:dumps
        twice = json:loads
        """))
    (tmp_path / "ua_test_broken_plugin.py").write_text(
        "raise ImportError('needs the missing package frobnicate')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(ExtensionManager, "ENTRY_POINT_CACHE", {})
    importlib.invalidate_caches()


def test_installed_providers_are_listed_sorted() -> None:
    names = ua.available_providers()
    assert "example" in names
    assert names == sorted(names)


def test_the_example_plugin_loads_through_its_entry_point() -> None:
    provider = load_provider("example")
    assert isinstance(provider, ExampleProvider)
    assert provider.name == "example"


def test_an_unknown_name_lists_the_installed_providers() -> None:
    with pytest.raises(ua.ProviderNotFoundError) as caught:
        load_provider("no-such-provider")
    assert "no-such-provider" in caught.value.message
    assert "example" in caught.value.message
    assert isinstance(caught.value, LookupError)


def test_connect_to_an_unknown_provider_raises_before_anything_else() -> None:
    with pytest.raises(ua.ProviderNotFoundError):
        ua.connect("no-such-provider", access_token="t")


@pytest.mark.usefixtures("extra_plugins")
def test_a_plugin_that_fails_to_import_names_itself_and_the_cause() -> None:
    assert "broken" in ua.available_providers()
    with pytest.raises(ua.ProviderLoadError) as caught:
        load_provider("broken")
    message = caught.value.message
    assert "'broken'" in message
    assert "frobnicate" in message
    assert isinstance(caught.value.__cause__, ImportError)


@pytest.mark.usefixtures("extra_plugins")
def test_loading_one_plugin_does_not_import_the_others() -> None:
    # "broken" raises on import; loading "example" must not touch it.
    assert isinstance(load_provider("example"), ExampleProvider)


@pytest.mark.usefixtures("extra_plugins")
def test_a_plugin_that_is_not_a_provider_is_refused() -> None:
    with pytest.raises(ua.ProviderLoadError) as caught:
        load_provider("not-a-provider")
    assert "not-a-provider" in caught.value.message


def test_wiring_works_with_a_stevedore_test_instance() -> None:
    extension = Extension("example", None, ExampleProvider, None)  # type: ignore[arg-type]
    manager = DriverManager.make_test_instance(extension, namespace=PROVIDER_ENTRY_POINT_GROUP)
    provider = instantiate("example", manager.driver)
    assert provider.name == "example"
    assert provider.capabilities()["contacts"].supports("create")


@pytest.mark.usefixtures("extra_plugins")
def test_listing_a_group_imports_none_of_its_plugins() -> None:
    names = plugin_names(MIRROR_ENTRY_POINT_GROUP)
    assert {"broken-mirror", "not-a-mirror", "sqlite"} <= set(names)
    assert names == sorted(names)
    assert "ua_test_broken_plugin" not in sys.modules


def test_every_group_loads_through_the_same_call() -> None:
    from unified_accounting.syncing.sqlite_mirror import SQLiteMirror
    from unified_accounting.tokens.sqlite import SQLiteTokenStore

    assert load_plugin(MIRROR_ENTRY_POINT_GROUP, "sqlite") is SQLiteMirror
    assert load_plugin(TOKEN_STORE_ENTRY_POINT_GROUP, "sqlite") is SQLiteTokenStore
    assert load_plugin(PROVIDER_ENTRY_POINT_GROUP, "example") is ExampleProvider
    assert isinstance(load_plugin(SANDBOX_ENTRY_POINT_GROUP, "sage"), click.Command)


@pytest.mark.usefixtures("extra_plugins")
def test_a_broken_plugin_of_any_group_names_group_and_plugin() -> None:
    with pytest.raises(PluginLoadError) as caught:
        load_plugin(MIRROR_ENTRY_POINT_GROUP, "broken-mirror")
    error = caught.value
    assert not isinstance(error, ua.ProviderLoadError)  # provider errors are for providers
    assert (error.group, error.plugin) == (MIRROR_ENTRY_POINT_GROUP, "broken-mirror")
    assert MIRROR_ENTRY_POINT_GROUP in error.message
    assert "'broken-mirror'" in error.message
    assert "frobnicate" in error.message


@pytest.mark.usefixtures("extra_plugins")
def test_a_plugin_of_the_wrong_kind_is_refused_by_name() -> None:
    with pytest.raises(PluginLoadError, match=r"'not-a-mirror'.*Mirror subclass"):
        load_plugin_class(MIRROR_ENTRY_POINT_GROUP, "not-a-mirror",
                          Mirror)  # type: ignore[type-abstract]


def test_an_unknown_plugin_lists_what_its_group_has() -> None:
    with pytest.raises(PluginNotFoundError) as caught:
        load_plugin(TOKEN_STORE_ENTRY_POINT_GROUP, "dynamo")
    assert (caught.value.group, caught.value.plugin) == (TOKEN_STORE_ENTRY_POINT_GROUP, "dynamo")
    assert "no token store named 'dynamo'" in caught.value.message
    assert "sqlite" in caught.value.message
    assert isinstance(caught.value, ua.ConfigurationError)
    assert not isinstance(caught.value, ua.ProviderNotFoundError)


def test_a_missing_provider_is_a_provider_not_found_error_with_its_group() -> None:
    with pytest.raises(ua.ProviderNotFoundError) as caught:
        load_plugin(PROVIDER_ENTRY_POINT_GROUP, "nope")
    assert isinstance(caught.value, PluginNotFoundError)
    assert caught.value.group == PROVIDER_ENTRY_POINT_GROUP


@pytest.mark.usefixtures("extra_plugins")
def test_a_name_registered_twice_is_refused() -> None:
    with pytest.raises(PluginLoadError, match=r"'twice'.*more than once"):
        load_plugin(CLI_ENTRY_POINT_GROUP, "twice")
