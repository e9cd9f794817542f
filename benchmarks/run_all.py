"""Run every benchmark, each in its own process, then print their tables together.

``make bench`` runs this script. Each benchmark prints its table and the command that made
it as it finishes and writes ``benchmarks/results/<name>.json``; a summary of all tables
follows at the end. ``--quick`` runs small sizes to check that everything works (its
figures are not the ones to quote).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

from harness import RESULTS_DIR, command_line, machine, table

HERE = Path(__file__).resolve().parent

#: (result name, script, arguments of the full run, arguments of a quick run)
BENCHMARKS: list[tuple[str, str, list[str], list[str]]] = [
    ("list", "bench_list.py", [],
     ["--contacts", "2000", "--invoices", "2000", "--rounds", "2", "--latency-ms", "0"]),
    ("mapping", "bench_mapping.py", [], ["--number", "200", "--rounds", "3"]),
    ("fast_json", "bench_fast_json.py", [], ["--number", "100", "--rounds", "3"]),
    ("memory", "bench_memory.py", [], ["--small", "1000", "--large", "5000", "--rounds", "1"]),
    ("quota", "bench_quota.py", [],
     ["--contacts", "400", "--invoices", "100", "--run", "8,4,default"]),
    ("incremental", "bench_incremental.py", [], ["--contacts", "1500", "--invoices", "100"]),
    ("webhooks", "bench_webhooks.py", [], ["--events", "500", "--concurrency", "1,8",
                                           "--rounds", "1"]),
    ("floor", "bench_floor.py", [],
     ["--contacts", "2000", "--invoices", "2000", "--rounds", "2", "--sync-rounds", "1",
      "--writes", "20"]),
    ("scale", "bench_scale.py", [],
     ["--connections", "6", "--contacts", "300", "--invoices", "300", "--rounds", "1"]),
    ("attachments", "bench_attachments.py", [], ["--sizes-mb", "1,4", "--rounds", "1"]),
]


def main() -> None:
    """Run the benchmarks in turn and print the summary."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes, a smoke run")
    parser.add_argument("--only", action="append", choices=[b[0] for b in BENCHMARKS],
                        help="run only these benchmarks (repeat)")
    args = parser.parse_args()
    chosen = [b for b in BENCHMARKS if not args.only or b[0] in args.only]

    started = time.perf_counter()
    print(f"Command: {command_line()}")
    print(f"Machine: {json.dumps(machine())}", flush=True)
    failed = []
    for name, script, full, quick in chosen:
        (RESULTS_DIR / f"{name}.json").unlink(missing_ok=True)
        step = time.perf_counter()
        done = subprocess.run([sys.executable, str(HERE / script), *(quick if args.quick
                                                                     else full)], check=False)
        print(f"[{name}: {time.perf_counter() - step:.0f} s]", flush=True)
        if done.returncode != 0:
            failed.append(name)
    summary(chosen, time.perf_counter() - started)
    if failed:
        sys.exit(f"benchmarks failed: {', '.join(failed)}")


def summary(chosen: list[tuple[str, str, list[str], list[str]]], seconds: float) -> None:
    """Print every table that was written, with its command."""
    print("\n# Summary\n")
    for name, *_ in chosen:
        path = RESULTS_DIR / f"{name}.json"
        if not path.exists():
            print(f"## {name}: no results (the benchmark failed)\n")
            continue
        result = json.loads(path.read_text(encoding="utf-8"))
        print(f"## {result['title']}\n")
        print(table(result["table"]["headers"], result["table"]["rows"]))
        print(f"\nCommand: {result['command']}\n")
    print(f"All benchmarks took {seconds / 60:.1f} minutes; figures in "
          f"{RESULTS_DIR.relative_to(HERE.parent)}/.")


if __name__ == "__main__":
    main()
