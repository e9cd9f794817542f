"""Finding and loading plugins: one loader for every entry-point group.

Packages extend the library by declaring entry points in five groups: providers
(:data:`PROVIDER_ENTRY_POINT_GROUP`), token stores, mirrors, outbox stores and CLI commands.
Listing a group imports none of its plugins; loading one imports only that plugin (stevedore's
``DriverManager``). Errors name the group and the plugin.
"""

from __future__ import annotations

from importlib.metadata import EntryPoint
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

from unified_accounting.errors import (
    ConfigurationError,
    PluginLoadError,
    PluginNotFoundError,
    ProviderLoadError,
    ProviderNotFoundError,
)

if TYPE_CHECKING:
    from stevedore import DriverManager

    from unified_accounting.provider import Provider
    from unified_accounting.tokens.endpoint import OAuthProvider

__all__ = [
    "CLI_ENTRY_POINT_GROUP",
    "DEMO_ENTRY_POINT_GROUP",
    "MIRROR_ENTRY_POINT_GROUP",
    "OUTBOX_ENTRY_POINT_GROUP",
    "PROVIDER_ENTRY_POINT_GROUP",
    "SANDBOX_ENTRY_POINT_GROUP",
    "TOKEN_STORE_ENTRY_POINT_GROUP",
    "available_providers",
    "instantiate",
    "load_plugin",
    "load_plugin_class",
    "load_provider",
    "plugin_names",
    "plugin_sources",
    "resolve_provider",
]

PROVIDER_ENTRY_POINT_GROUP = "unified_accounting.providers"
TOKEN_STORE_ENTRY_POINT_GROUP = "unified_accounting.token_stores"  # noqa: S105 - not a secret
MIRROR_ENTRY_POINT_GROUP = "unified_accounting.mirrors"
OUTBOX_ENTRY_POINT_GROUP = "unified_accounting.outboxes"
CLI_ENTRY_POINT_GROUP = "unified_accounting.cli"
# A provider's local sandbox (``sandbox serve --provider NAME``) and demo (``demo --provider
# NAME``): click commands registered under the provider's name.
SANDBOX_ENTRY_POINT_GROUP = "unified_accounting.sandboxes"
DEMO_ENTRY_POINT_GROUP = "unified_accounting.demos"

# What a plugin of each group is called in messages.
_KINDS = {
    PROVIDER_ENTRY_POINT_GROUP: "provider",
    TOKEN_STORE_ENTRY_POINT_GROUP: "token store",
    MIRROR_ENTRY_POINT_GROUP: "mirror",
    OUTBOX_ENTRY_POINT_GROUP: "outbox store",
    CLI_ENTRY_POINT_GROUP: "CLI command",
    SANDBOX_ENTRY_POINT_GROUP: "sandbox",
    DEMO_ENTRY_POINT_GROUP: "demo",
}
_ERRORS: dict[str, tuple[type[PluginNotFoundError], type[PluginLoadError]]] = {
    PROVIDER_ENTRY_POINT_GROUP: (ProviderNotFoundError, ProviderLoadError),
}

T = TypeVar("T")


def _kind(group: str) -> str:
    return _KINDS.get(group, f"{group} plugin")


def plugin_names(group: str) -> list[str]:
    """Return the names registered in entry-point ``group``, sorted, importing none of them."""
    return list(plugin_sources(group))


def plugin_sources(group: str) -> dict[str, str]:
    """Return each plugin name of ``group`` with the distribution that registers it, sorted.

    Read from entry-point metadata alone (the same entry points stevedore loads from), so a
    listing such as ``--help`` neither imports a plugin nor pays for importing stevedore.
    """
    from importlib.metadata import entry_points

    sources: dict[str, str] = {}
    for entry_point in entry_points(group=group):
        dist = entry_point.dist
        sources.setdefault(entry_point.name, dist.name if dist is not None else entry_point.value)
    return dict(sorted(sources.items()))


def _named(error: type[ConfigurationError], group: str, name: str, message: str) -> Any:
    raised = error(message)
    raised.group, raised.plugin = group, name  # type: ignore[attr-defined]
    return raised


def _not_found(group: str, name: str) -> PluginNotFoundError:
    installed = ", ".join(plugin_names(group)) or "none"
    error = _ERRORS.get(group, (PluginNotFoundError, PluginLoadError))[0]
    message = f"no {_kind(group)} named {name!r} is installed (installed: {installed})"
    found: PluginNotFoundError = _named(error, group, name, message)
    return found


def _load_error(group: str, name: str, reason: str) -> PluginLoadError:
    error = _ERRORS.get(group, (PluginNotFoundError, PluginLoadError))[1]
    failed: PluginLoadError = _named(error, group, name, f"{_kind(group)} plugin {name!r} "
                                     f"({group}) {reason}")
    return failed


def load_plugin(group: str, name: str) -> object:
    """Import the plugin registered as ``name`` in ``group`` and return what it names.

    Only that plugin is imported; a broken neighbour in the same group does no harm.

    Raises:
        PluginNotFoundError: no plugin of ``group`` has that name (``ProviderNotFoundError``
            for providers); the message lists those that are installed.
        PluginLoadError: the plugin failed to import or is registered twice
            (``ProviderLoadError`` for providers); the message names group, plugin and cause.
    """
    from stevedore.exception import MultipleMatches, NoMatches

    if name not in plugin_names(group):
        raise _not_found(group, name)

    def failed(manager: DriverManager[Any], entry_point: EntryPoint,
               error: BaseException) -> NoReturn:
        raise _load_error(group, name, f"failed to load from {entry_point.value}: "
                          f"{type(error).__name__}: {error}") from error

    try:
        return _driver(group, name, failed)
    except NoMatches as exc:
        raise _not_found(group, name) from exc
    except MultipleMatches as exc:
        raise _load_error(group, name, "is registered more than once") from exc


def _driver(group: str, name: str, on_failure: Any) -> object:
    from stevedore import DriverManager

    manager: DriverManager[Any] = DriverManager(group, name, on_load_failure_callback=on_failure)
    return manager.driver


def load_plugin_class(group: str, name: str, base: type[T]) -> type[T]:
    """Load plugin ``name`` of ``group`` and check that it is a subclass of ``base``.

    Raises:
        PluginNotFoundError, PluginLoadError: as :func:`load_plugin`, and a
            ``PluginLoadError`` when the plugin is not a ``base`` subclass.
    """
    return checked_class(group, name, load_plugin(group, name), base)


def checked_class(group: str, name: str, plugin: object, base: type[T]) -> type[T]:
    """Return ``plugin`` when it is a subclass of ``base``; raise ``PluginLoadError`` if not.

    ``base`` is usually abstract, which mypy refuses for ``type[T]`` (python/mypy#4717); the
    callers silence that one check.
    """
    if not (isinstance(plugin, type) and issubclass(plugin, base)):
        raise _load_error(group, name, f"does not name a {base.__name__} subclass")
    return plugin


# -- providers -------------------------------------------------------------------------------


def available_providers() -> list[str]:
    """Return the names of the installed providers, sorted, without importing any of them."""
    return plugin_names(PROVIDER_ENTRY_POINT_GROUP)


def load_provider(name: str) -> Provider:
    """Import the plugin registered as ``name`` and return a new instance of it.

    Raises:
        ProviderNotFoundError: no installed provider has that name; the message lists those
            that are installed.
        ProviderLoadError: the plugin failed to import or is not a ``Provider`` subclass; the
            message names the plugin and the cause.
    """
    return instantiate(name, load_plugin(PROVIDER_ENTRY_POINT_GROUP, name))


def instantiate(name: str, plugin: object) -> Provider:
    """Check that a loaded plugin is a ``Provider`` class and create it, named ``name``.

    Raises:
        ProviderLoadError: when it is not a ``Provider`` subclass or cannot be created.
    """
    # Imported on use: listing plugins (``--help``, ``available_providers``) stays light.
    from unified_accounting.provider import Provider

    cls = checked_class(PROVIDER_ENTRY_POINT_GROUP, name, plugin, Provider)  # type: ignore[type-abstract]
    try:
        provider = cls()
    except Exception as exc:
        raise _load_error(PROVIDER_ENTRY_POINT_GROUP, name,
                          f"could not be created: {type(exc).__name__}: {exc}") from exc
    provider.name = name
    return provider


def resolve_provider(provider: OAuthProvider | str) -> OAuthProvider:
    """Return ``provider`` itself, or load the installed provider plugin of that name.

    Every :class:`Provider` names its OAuth endpoints and parses its token responses, so a
    loaded plugin serves the OAuth flow and the token manager as it is.

    Raises:
        ProviderNotFoundError: when no installed provider has that name.
        ProviderLoadError: when the plugin fails to load.
    """
    if isinstance(provider, str):
        return load_provider(provider)
    return provider
