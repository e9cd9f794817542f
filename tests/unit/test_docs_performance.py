"""docs/performance.md: every benchmark command it shows names a script and options that exist.

The benchmarks themselves are not run here (``make bench`` does that); only their command
lines are checked, through each script's ``--help``.
"""

from __future__ import annotations

import re
import subprocess
import sys
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "performance.md").read_text(encoding="utf-8")
COMMAND = re.compile(r"\.venv/bin/python (benchmarks/\w+\.py)([^`\n#]*)")


@cache
def _help(script: str) -> str:
    done = subprocess.run([sys.executable, str(ROOT / script), "--help"], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, check=True)
    return done.stdout


def test_every_benchmark_command_in_the_page_exists() -> None:
    commands = COMMAND.findall(DOC)
    assert {script for script, _ in commands} >= {
        "benchmarks/run_all.py", "benchmarks/bench_list.py", "benchmarks/bench_mapping.py",
        "benchmarks/bench_memory.py", "benchmarks/bench_quota.py",
        "benchmarks/bench_incremental.py", "benchmarks/bench_scale.py",
        "benchmarks/bench_floor.py",
    }
    for script, arguments in commands:
        assert (ROOT / script).is_file(), script
        for option in re.findall(r"--[\w-]+", arguments):
            assert option in _help(script), f"{script} {option}"


def test_the_page_shows_every_benchmark_of_make_bench() -> None:
    for name in ("list", "mapping", "memory", "quota", "incremental", "scale", "floor"):
        assert f"benchmarks/bench_{name}.py" in DOC
        assert name in _help("benchmarks/run_all.py")
