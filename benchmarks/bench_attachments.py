"""Attachments: peak RSS growth while uploading and downloading files of growing size.

This process serves the Sage sandbox (its attachment size limit lifted, as is the library's
``attachment_max_bytes`` in the children: Sage's own limit is 2.5 MiB, too small to show how
memory grows). Each transfer runs in a fresh ``attachments_child.py`` process that reports
its resident set size before the transfer and its peak. The library streams both ways (the
upload's JSON body is produced 48 KiB of file at a time; the download is written to a file as
it arrives), so its growth stays flat as files grow; code that holds the file (read, base64,
JSON; or the answer's ``content``) is measured the same way for reference. Medians shown.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from attachments_child import LIMIT
from harness import Bench, Report, alternate, log, median, running_sandbox, verdict

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.support.files import write_pdf

CHILD = Path(__file__).with_name("attachments_child.py")
TARGET_MB = 8.0


def measure(bench: Bench, operation: str, side: str, target: str, file: Path) -> dict[str, Any]:
    """Run one child process and return its figures."""
    env = {**os.environ, "BENCH_TOKEN": bench.token}
    done = subprocess.run(
        [sys.executable, str(CHILD), operation, side, bench.sandbox.base_url,
         bench.sandbox.business_id("GB"), target, str(file)],
        env=env, capture_output=True, text=True, timeout=900, check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"attachments child failed: {done.stderr[-2000:]}")
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def main() -> None:
    """Make the files, run the children, print and save the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes-mb", default="2,20", help="file sizes in MB, comma-separated")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    sizes = [int(text) for text in args.sizes_mb.split(",")]

    with tempfile.TemporaryDirectory() as folder, \
            running_sandbox(attachment_max_bytes=LIMIT) as bench:
        files = {mb: write_pdf(Path(folder) / f"file-{mb}mb.pdf", mb * 1_000_000)
                 for mb in sizes}
        client = bench.client(settings={"attachment_max_bytes": LIMIT})
        import unified_accounting as ua

        contact = client.contacts.create(ua.Contact(name="Bench Ltd", is_customer=True)).id
        stored = {mb: client.attachments.upload(path, ("contact", contact or "")).id
                  for mb, path in files.items()}
        log(f"files of {sizes} MB uploaded once for the downloads")
        cases = {}
        for mb in sizes:
            for side in ("library", "whole"):
                cases[f"upload|{side}|{mb}"] = (
                    lambda s=side, m=mb: measure(bench, "upload", s, contact or "", files[m]))
                cases[f"download|{side}|{mb}"] = (
                    lambda s=side, m=mb: measure(bench, "download", s, stored[m] or "",
                                                 Path(folder) / f"copy-{s}-{m}.pdf"))
        runs = alternate(cases, args.rounds)

    report = Report("attachments", "Peak RSS growth while uploading and downloading a file "
                                   "(one process per run)",
                    ["operation", "side", "file MB", "RSS before MB", "peak RSS MB",
                     "growth MB", "growth / file", f"target < {TARGET_MB:g} MB"])
    for operation in ("upload", "download"):
        for side in ("library", "whole"):
            for mb in sizes:
                found = runs[f"{operation}|{side}|{mb}"]
                before = median([r["rss_before_kb"] for r in found]) / 1024
                peak = median([r["peak_kb"] for r in found]) / 1024
                growth = median([(r["peak_kb"] - r["rss_before_kb"]) for r in found]) / 1024
                assert all(r["bytes"] == mb * 1_000_000 for r in found), found
                target = verdict(growth < TARGET_MB) if side == "library" else "-"
                report.rows.append([operation, side, mb, round(before, 1), round(peak, 1),
                                    round(growth, 1), f"{growth / mb:.2f}", target])
                report.figures[f"{operation}|{side}|{mb}"] = found
    report.notes.append(
        f"Medians of {args.rounds} runs per cell. Growth is VmHWM minus VmRSS just before the "
        "transfer (after the imports), in the measuring process only; the sandbox runs in the "
        "parent process and is not counted. 'whole' holds the file (and its base64 and JSON "
        "copies) in memory.")
    report.show()
    report.save()


if __name__ == "__main__":
    main()
