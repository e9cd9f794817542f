"""The wheels, built and installed into a fresh venv outside the tree, work on their own.

The build uses ``pip wheel`` (no extra build tool); dependencies come from the configured
index (the pip cache makes a second run quick). Everything after the build runs with a
temporary folder as the working directory and no ``PYTHONPATH``, so nothing of the source
tree can be imported by accident.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import venv
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

REPOSITORY = Path(__file__).resolve().parents[2]
DISTRIBUTIONS = {"unified_accounting": REPOSITORY,
                 "unified_accounting_sage": REPOSITORY / "adapters" / "sage",
                 "unified_accounting_sage_za": REPOSITORY / "adapters" / "sage_za"}
SCHEMA_KINDS = ["attachment", "business", "contact", "contact_person", "credit_note", "invoice",
                "item", "journal_entry", "ledger_account", "ledger_entry", "payment",
                "tax_rate", "trial_balance"]

# Run by the installed interpreter, from outside the tree: the library, its schema files and
# the provider plugin, all from site-packages.
SMOKE = """
import json, sys
from importlib.metadata import distribution
import unified_accounting as ua
from unified_accounting.json_validation import schema_directory, validate_json
assert "site-packages" in ua.__file__, ua.__file__
files = sorted(p.name for p in schema_directory().iterdir() if p.name.endswith(".json"))
contact = json.loads((schema_directory() / "contact.json").read_text(encoding="utf-8"))
try:
    validate_json("contact", {"name": "Acme Ltd", "credit_limit": 12})
except ua.ValidationError as exc:
    errors = exc.errors
licences = {name: [str(f) for f in distribution(name).files or [] if f.name == "LICENSE"]
            for name in ("unified-accounting", "unified-accounting-sage",
                         "unified-accounting-sage-za")}
print(json.dumps({"providers": ua.available_providers(), "files": files,
                  "title": contact["title"], "errors": errors, "licences": licences}))
"""


def _clean_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    env.update(HOME=str(home), XDG_DATA_HOME=str(home / "data"),
               XDG_CONFIG_HOME=str(home / "config"), XDG_CACHE_HOME=str(home / "cache"))
    # Keep the caller's pip cache so dependencies need not be downloaded again.
    env.setdefault("PIP_CACHE_DIR", str(Path.home() / ".cache" / "pip"))
    return env


def _run(command: list[str | Path], cwd: Path, env: dict[str, str]) -> str:
    done = subprocess.run([str(part) for part in command], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, f"{command}\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def wheels(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("wheels")
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--wheel-dir", folder,
          *DISTRIBUTIONS.values()], cwd=folder, env=_clean_env(Path.home()))
    built = {path.name.split("-")[0]: path for path in folder.glob("*.whl")}
    assert sorted(built) == sorted(DISTRIBUTIONS)
    return built


def _metadata(wheel: Path) -> tuple[list[str], dict[str, list[str]]]:
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        text = archive.read(next(n for n in names if n.endswith(".dist-info/METADATA")))
    message = Parser().parsestr(text.decode("utf-8"))
    return names, {key: message.get_all(key) or [] for key in set(message.keys())}


def test_every_wheel_carries_the_licence_and_the_core_carries_the_schemas(
    wheels: dict[str, Path],
) -> None:
    licence = (REPOSITORY / "LICENSE").read_bytes()
    assert licence.lstrip().startswith(b"Apache License\n")
    for wheel in wheels.values():
        names, metadata = _metadata(wheel)
        with zipfile.ZipFile(wheel) as archive:
            shipped = [n for n in names if n.endswith(".dist-info/licenses/LICENSE")]
            assert len(shipped) == 1, names
            assert archive.read(shipped[0]) == licence
        assert metadata["License-Expression"] == ["Apache-2.0"]
    core_names, _ = _metadata(wheels["unified_accounting"])
    assert sorted(n for n in core_names if n.startswith("unified_accounting/json_schemas/")) == [
        f"unified_accounting/json_schemas/{kind}.json" for kind in SCHEMA_KINDS]


@pytest.mark.parametrize(("wheel", "needs"), [
    ("unified_accounting_sage", ["click", "jsonschema", "requests", "unified-accounting"]),
    ("unified_accounting_sage_za", ["click", "requests", "unified-accounting"]),
])
def test_each_provider_wheel_pins_a_compatible_core_range(
    wheels: dict[str, Path], wheel: str, needs: list[str],
) -> None:
    _, metadata = _metadata(wheels[wheel])
    requires = metadata["Requires-Dist"]
    assert "unified-accounting<0.2,>=0.1" in requires
    assert sorted(r.split(">")[0].split("<")[0] for r in requires) == needs


def test_installed_wheels_run_the_demo_and_find_their_schemas_outside_the_tree(
    wheels: dict[str, Path], tmp_path: Path,
) -> None:
    env = _clean_env(tmp_path / "home")
    venv.create(tmp_path / "venv", with_pip=True)
    python = tmp_path / "venv" / "bin" / "python"
    _run([python, "-m", "pip", "install", "--quiet", *wheels.values()], cwd=tmp_path, env=env)

    demo = _run([tmp_path / "venv" / "bin" / "unified-accounting", "demo"], cwd=tmp_path,
                env=env)
    assert "net 1000.00 + tax 200.00 = 1200.00 GBP, status open." in demo
    assert "is now paid, 0.00 due." in demo

    found = json.loads(_run([python, "-c", SMOKE], cwd=tmp_path, env=env))
    assert found["providers"] == ["sage", "sage_za"]
    assert found["files"] == [f"{kind}.json" for kind in SCHEMA_KINDS]
    assert found["title"] == "Contact"
    assert found["errors"]["credit_limit"] == ["must be a JSON string or a JSON null"]
    assert found["licences"] == {
        "unified-accounting": ["unified_accounting-0.1.0.dist-info/licenses/LICENSE"],
        "unified-accounting-sage": ["unified_accounting_sage-0.1.0.dist-info/licenses/LICENSE"],
        "unified-accounting-sage-za": [
            "unified_accounting_sage_za-0.1.0.dist-info/licenses/LICENSE"],
    }
