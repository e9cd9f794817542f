"""Finding and loading provider plugins.

Providers register a :class:`~unified_accounting.provider.Provider` subclass under the
entry-point group ``unified_accounting.providers``. Listing them imports nothing; loading one
imports only that plugin (stevedore's ``DriverManager``).
"""

from __future__ import annotations

import importlib.metadata
from typing import Any, NoReturn

from stevedore import DriverManager, ExtensionManager
from stevedore.exception import NoMatches

from unified_accounting.errors import ProviderLoadError, ProviderNotFoundError
from unified_accounting.provider import Provider

__all__ = ["PROVIDER_ENTRY_POINT_GROUP", "available_providers", "load_provider"]

PROVIDER_ENTRY_POINT_GROUP = "unified_accounting.providers"


def available_providers() -> list[str]:
    """Return the names of the installed providers, sorted, without importing any of them."""
    # The constructor would import every plugin; only the entry-point listing is wanted.
    manager: ExtensionManager[Any] = ExtensionManager.__new__(ExtensionManager)
    manager.namespace = PROVIDER_ENTRY_POINT_GROUP
    return sorted(set(manager.entry_points_names()))


def _load_failed(
    manager: Any, entry_point: importlib.metadata.EntryPoint, error: BaseException
) -> NoReturn:
    raise ProviderLoadError(
        f"provider plugin {entry_point.name!r} ({entry_point.value}) failed to load: "
        f"{type(error).__name__}: {error}"
    ) from error


def _no_such_provider(name: str) -> ProviderNotFoundError:
    installed = ", ".join(available_providers()) or "none"
    return ProviderNotFoundError(
        f"no provider named {name!r} is installed (installed providers: {installed})"
    )


def load_provider(name: str) -> Provider:
    """Import the plugin registered as ``name`` and return a new instance of it.

    Raises:
        ProviderNotFoundError: no installed provider has that name; the message lists those
            that are installed.
        ProviderLoadError: the plugin failed to import or is not a ``Provider`` subclass; the
            message names the plugin and the cause.
    """
    if name not in available_providers():
        raise _no_such_provider(name)
    try:
        manager: DriverManager[Any] = DriverManager(
            PROVIDER_ENTRY_POINT_GROUP, name, on_load_failure_callback=_load_failed,
            on_missing_entrypoints_callback=None,
        )
    except NoMatches as exc:
        raise _no_such_provider(name) from exc
    return instantiate(name, manager.driver)


def instantiate(name: str, plugin: object) -> Provider:
    """Check that a loaded plugin is a ``Provider`` class and create it, named ``name``.

    Raises:
        ProviderLoadError: when it is not a ``Provider`` subclass or cannot be created.
    """
    if not (isinstance(plugin, type) and issubclass(plugin, Provider)):
        raise ProviderLoadError(
            f"provider plugin {name!r} does not name a unified_accounting Provider subclass"
        )
    try:
        provider = plugin()
    except Exception as exc:
        raise ProviderLoadError(
            f"provider plugin {name!r} could not be created: {type(exc).__name__}: {exc}"
        ) from exc
    provider.name = name
    return provider
