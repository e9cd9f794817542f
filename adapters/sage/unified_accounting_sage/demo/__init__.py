"""``unified-accounting demo``: the whole library at work against Sage, in one command.

By default it starts the embedded Sage sandbox on a free loopback port and authorizes a
connection with the real OAuth code flow; with ``--connection`` it runs the same steps against
the Sage business a stored connection reaches (see docs/cli.md). The command is attached to the
core CLI through the ``unified_accounting.cli`` entry point, so the core names no provider.
"""

from __future__ import annotations

from unified_accounting_sage.demo.command import demo

__all__ = ["demo"]
