"""Memory: peak RSS while streaming 10,000 and 100,000 contacts, one process per run.

This process serves the sandbox (10,000 contacts in the GB business, 100,000 in the IE one);
each run is a fresh ``memory_child.py`` process that streams one business's contacts and
reports its peak resident set size. A list that streams keeps the peak flat however long the
list is; the target is less than 10 MB more at 100,000 than at 10,000. A plain ``requests``
loop is measured the same way for reference, and so are ``list(read_ahead=True)`` and
``list(parallel=4)``, whose pages fetched ahead must not grow with the list either. Runs
alternate sides and sizes; medians shown.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from harness import Bench, Report, alternate, freeze_heap, log, median, running_sandbox, verdict

CHILD = Path(__file__).with_name("memory_child.py")
TARGET_MB = 10.0
COUNTRIES = {"small": "GB", "large": "IE"}
#: The plain loop, then the library's list(), list(read_ahead=True) and list(parallel=4).
SIDES = ("requests", "library", "library-read-ahead", "library-parallel")


def measure(bench: Bench, side: str, country: str) -> dict[str, Any]:
    """Run one child process and return its figures."""
    env = {**os.environ, "BENCH_TOKEN": bench.token}
    done = subprocess.run(
        [sys.executable, str(CHILD), side, bench.sandbox.base_url,
         bench.sandbox.business_id(country)],
        env=env, capture_output=True, text=True, timeout=600, check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"memory child failed: {done.stderr[-2000:]}")
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def main() -> None:
    """Seed both businesses, run the children, print and save the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--large", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    sizes = {"small": args.small, "large": args.large}

    with running_sandbox() as bench:
        for name, country in COUNTRIES.items():
            log(f"seeding {sizes[name]:,} contacts in {country}")
            bench.sandbox.seed_contacts(sizes[name], country=country)
        freeze_heap()
        runs = alternate({f"{side}|{name}": (lambda s=side, c=country: measure(bench, s, c))
                          for side in SIDES
                          for name, country in COUNTRIES.items()}, args.rounds)

    report = Report("memory", "3. Peak RSS while streaming contacts (one process per run)",
                    ["side", "records", "RSS before list MB", "peak RSS MB",
                     f"growth {args.small:,} -> {args.large:,} MB", "target < 10 MB"])
    for side in SIDES:
        peaks = {name: median([r["peak_kb"] for r in runs[f"{side}|{name}"]]) / 1024
                 for name in sizes}
        growth = peaks["large"] - peaks["small"]
        report.figures[side] = {"runs": {n: runs[f"{side}|{n}"] for n in sizes},
                                "peak_mb": peaks, "growth_mb": growth}
        for name in sizes:
            seen = {r["records"] for r in runs[f"{side}|{name}"]}
            before = median([r["rss_before_kb"] for r in runs[f"{side}|{name}"]]) / 1024
            last = name == "large"
            report.rows.append([
                side, "/".join(f"{n:,}" for n in sorted(seen)), round(before, 1),
                round(peaks[name], 1), round(growth, 1) if last else "",
                (verdict(growth < TARGET_MB) if side != "requests" else "-") if last else "",
            ])
    report.notes.append(
        f"Medians of {args.rounds} runs per cell. Peak RSS is VmHWM of the measuring process "
        "(interpreter, imports and the list); 'RSS before list' is after the imports. The "
        "sandbox runs in the parent process and is not counted.")
    report.show()
    report.save()


if __name__ == "__main__":
    main()
