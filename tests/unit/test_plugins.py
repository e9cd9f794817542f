from __future__ import annotations

import importlib
import textwrap
from pathlib import Path

import pytest
from stevedore import DriverManager, ExtensionManager
from stevedore.extension import Extension
from ua_example_provider import ExampleProvider

import unified_accounting as ua
from unified_accounting.plugins import PROVIDER_ENTRY_POINT_GROUP, instantiate, load_provider


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
