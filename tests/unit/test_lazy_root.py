"""The package root is lazy: importing it loads almost nothing, and every public name resolves."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys

import pytest

import unified_accounting as ua

# The root itself; the limit leaves room for a small helper, not for a subsystem.
MOST_MODULES_LOADED_BY_THE_ROOT = 3


def _fresh_interpreter(code: str) -> object:
    """Run ``code`` in a new interpreter and return the JSON it prints."""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, timeout=60)
    return json.loads(done.stdout)


def test_importing_the_root_loads_only_a_handful_of_modules() -> None:
    loaded = _fresh_interpreter(
        "import json, sys, unified_accounting; "
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith('unified_accounting'))))")
    assert isinstance(loaded, list)
    assert "unified_accounting" in loaded
    assert len(loaded) <= MOST_MODULES_LOADED_BY_THE_ROOT, loaded


def test_importing_the_root_loads_no_heavy_dependency() -> None:
    loaded = _fresh_interpreter(
        "import json, sys, unified_accounting; print(json.dumps(sorted(sys.modules)))")
    assert isinstance(loaded, list)
    heavy = {"requests", "marshmallow", "jsonschema", "stevedore", "click", "sqlite3"}
    assert heavy.isdisjoint(loaded)


def test_one_name_loads_only_what_it_needs() -> None:
    loaded = _fresh_interpreter(
        "import json, sys, unified_accounting as ua; ua.AccountingError; "
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith('unified_accounting'))))")
    assert loaded == ["unified_accounting", "unified_accounting.errors",
                      "unified_accounting.lazy_exports"]


@pytest.mark.parametrize("name", ["CallOptions", "SQLiteTokenStore", "Contact", "TokenSet"])
def test_a_light_name_does_not_load_the_http_stack(name: str) -> None:
    loaded = _fresh_interpreter(
        f"import json, sys, unified_accounting as ua; ua.{name}; "
        "print(json.dumps(sorted(sys.modules)))")
    assert isinstance(loaded, list)
    assert "requests" not in loaded
    assert "unified_accounting.http.transport" not in loaded


def test_a_receiver_verifying_webhooks_loads_neither_requests_nor_sqlite() -> None:
    loaded = _fresh_interpreter(
        "import json, sys, unified_accounting as ua; ua.webhooks.verify; ua.webhooks.SeenIds; "
        "print(json.dumps(sorted(sys.modules)))")
    assert isinstance(loaded, list)
    assert {"requests", "sqlite3", "unified_accounting.webhooks.store"}.isdisjoint(loaded)
    assert "unified_accounting.webhooks.signing" in loaded


@pytest.mark.parametrize("package", ["unified_accounting.http", "unified_accounting.tokens",
                                     "unified_accounting.webhooks"])
def test_lazy_subpackages_resolve_every_name(package: str) -> None:
    module = importlib.import_module(package)
    for name in module.__all__:
        assert getattr(module, name) is not None, name
    assert set(module.__all__) <= set(dir(module))


@pytest.mark.parametrize("name", ua.__all__)
def test_every_public_name_resolves(name: str) -> None:
    value = getattr(ua, name)
    assert value is not None
    if name != "__version__":  # the one name the root defines itself
        defining = importlib.import_module(ua._IMPORTS[name])
        offered_whole = defining.__name__ == f"unified_accounting.{name}"  # ua.webhooks
        assert value is (defining if offered_whole else getattr(defining, name))


def test_dir_lists_every_public_name() -> None:
    assert set(ua.__all__) <= set(dir(ua))


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no_such_name"):
        ua.no_such_name  # noqa: B018
    assert not hasattr(ua, "no_such_name")


def test_the_function_sync_and_the_package_syncing_do_not_hide_each_other() -> None:
    import unified_accounting.syncing as syncing

    assert callable(ua.sync)
    assert ua.sync is syncing.sync
    assert syncing.__name__ == "unified_accounting.syncing"
