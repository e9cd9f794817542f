"""An example provider plugin for unified-accounting and the small server it talks to.

It exists to prove that any separately installed plugin is discovered, connected and passes
the conformance suite; it also serves as the worked example of ``docs/providers.md``.
"""

from __future__ import annotations

from ua_example_provider.provider import ExampleProvider
from ua_example_provider.server import ExampleServer

__all__ = ["ExampleProvider", "ExampleServer"]
