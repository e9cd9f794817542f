"""Settings read from ``UNIFIED_ACCOUNTING_*`` variables, and written back for a child process.

The sync jobs' settings and the outbox's are frozen dataclasses (:class:`EnvSettings`) whose
fields each have an environment variable. How a variable's text becomes a field follows the
field's type: a number (``float`` or ``int``), a JSON object for a mapping (provider
settings), text otherwise. An empty or unset variable keeps the field's default, so settings
written out and read back are the same settings. Their ``repr`` shows no password of a URL
and no provider setting's value (a client secret may be one).
"""

from __future__ import annotations

import collections.abc
import dataclasses
import json
import os
import typing
from collections.abc import Mapping
from typing import Any, ClassVar, Self

from unified_accounting.errors import ConfigurationError
from unified_accounting.http.redis_errors import redact_redis_url

__all__ = ["EnvSettings"]


class EnvSettings:
    """Base of a settings dataclass whose fields are read from the environment.

    A subclass names each field's variable in ``ENVIRONMENT`` (field name -> variable), and
    is declared ``@dataclass(repr=False)`` so that it keeps this class's ``repr``.
    """

    ENVIRONMENT: ClassVar[Mapping[str, str]] = {}

    def __repr__(self) -> str:
        shown = []
        for item in dataclasses.fields(self):  # type: ignore[arg-type]  # subclasses are dataclasses
            value = getattr(self, item.name)
            if isinstance(value, str) and "://" in value:
                value = redact_redis_url(value)
            elif isinstance(value, Mapping):
                value = dict.fromkeys(value, "***")
            shown.append(f"{item.name}={value!r}")
        return f"{type(self).__name__}({', '.join(shown)})"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Self:
        """Read the settings from their variables (see ``ENVIRONMENT``).

        Args:
            environ: where to read; ``os.environ`` by default.

        Raises:
            ConfigurationError: a number or a JSON object is malformed; the message names the
                variable (and the class may refuse a value out of range, naming the setting).
        """
        env = os.environ if environ is None else environ
        kinds = typing.get_type_hints(cls)
        values: dict[str, Any] = {}
        for name, variable in cls.ENVIRONMENT.items():
            raw = env.get(variable, "").strip()
            if raw:
                values[name] = _parse(kinds[name], variable, raw)
        return cls(**values)

    def to_env(self) -> dict[str, str]:
        """The variables that give another process these settings (``None`` is left out)."""
        env: dict[str, str] = {}
        for name, variable in self.ENVIRONMENT.items():
            value = getattr(self, name)
            if value is None:
                continue
            if isinstance(value, Mapping):
                env[variable] = json.dumps(dict(value))
            elif isinstance(value, float):
                env[variable] = repr(value)  # every digit, so the value reads back the same
            else:
                env[variable] = str(value)
        return env


def _parse(kind: Any, variable: str, raw: str) -> Any:
    try:
        if kind is float:
            return float(raw)
        if kind is int:
            return int(raw)
        if typing.get_origin(kind) is collections.abc.Mapping:
            parsed = json.loads(raw)
            if not isinstance(parsed, dict):
                raise ValueError("not a JSON object")
            return parsed
    except ValueError as exc:
        raise ConfigurationError(f"{variable}: {exc}") from exc
    return raw

