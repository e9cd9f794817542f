"""Package roots that import a module only when one of its names is first used.

A package lists its public names in a map of name -> defining module and hands it to
:func:`lazy_exports`, which returns the module-level ``__getattr__`` and ``__dir__``
(PEP 562). The package imports the same names under ``TYPE_CHECKING`` for type checkers.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, MutableMapping
from typing import Any

__all__ = ["lazy_exports"]


def lazy_exports(
    namespace: MutableMapping[str, Any], imports: Mapping[str, str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """Return ``(__getattr__, __dir__)`` for the package whose ``globals()`` is ``namespace``.

    Args:
        namespace: the package's ``globals()``; a resolved name is stored there, so the
            next lookup does not come back here.
        imports: public name -> the dotted name of the module defining it (or, for a
            subpackage offered under its own name, the subpackage itself).
    """

    def __getattr__(name: str) -> Any:
        module = imports.get(name)
        if module is None:
            raise AttributeError(f"module {namespace['__name__']!r} has no attribute {name!r}")
        if module == f"{namespace['__name__']}.{name}":
            value = importlib.import_module(module)  # a subpackage offered by name
        else:
            value = getattr(importlib.import_module(module), name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted({*namespace, *imports})

    return __getattr__, __dir__
