"""The gateway stays out of ``import unified_accounting``."""

from __future__ import annotations

import subprocess
import sys


def test_the_package_root_never_imports_the_gateway() -> None:
    probe = ("import sys, unified_accounting as ua; ua.Contact; "
             "loaded = [m for m in sys.modules if m.startswith('unified_accounting.gateway') "
             "or m.split('.')[0] in ('starlette', 'uvicorn', 'apispec')]; print(loaded)")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          timeout=60, check=True)
    assert done.stdout.strip() == "[]"


def test_the_apikeys_command_loads_no_server_module() -> None:
    probe = ("import sys; from unified_accounting.gateway import cli; "
             "print([m for m in sys.modules if m.split('.')[0] in ('starlette', 'uvicorn')])")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          timeout=60, check=True)
    assert done.stdout.strip() == "[]"
