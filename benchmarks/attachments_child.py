"""One measured process of the attachments benchmark: upload or download one file, report the
peak RSS.

Started by ``bench_attachments.py``, one process per run so that each peak belongs to one
transfer: ``attachments_child.py OPERATION SIDE BASE_URL BUSINESS_ID TARGET FILE`` with the
access token in ``BENCH_TOKEN``. OPERATION is ``upload`` (TARGET: the contact the file goes
with) or ``download`` (TARGET: the attachment, written to FILE). SIDE ``library`` uses
``client.attachments``; ``whole`` is what code holding the file in memory does (read it,
base64 it, JSON it; or take the answer's ``content``). Prints one JSON line.
"""

from __future__ import annotations

import base64
import json
import os
import sys
import time
from pathlib import Path

import requests

import unified_accounting as ua

LIMIT = 256 * 1024 * 1024  # lifted on both sides for the benchmark (Sage's own is 2.5 MiB)


def _status_kb(field: str) -> int:
    """A ``/proc/self/status`` figure in kB (``VmRSS``: now, ``VmHWM``: the peak so far)."""
    for line in Path("/proc/self/status").read_text(encoding="utf-8").splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"{field} is not in /proc/self/status")


def library(operation: str, base_url: str, business_id: str, target: str, file: Path) -> int:
    """Upload or download through the library (streamed both ways)."""
    settings = {"base_url": base_url, "requests_per_second": 1e9, "max_concurrency": 200,
                "attachment_max_bytes": LIMIT}
    token = os.environ["BENCH_TOKEN"]
    with ua.connect("sage", access_token=token, business_id=business_id,
                    settings=settings) as client:
        if operation == "upload":
            return client.attachments.upload(file, ("contact", target)).size or 0
        return client.attachments.download(target, file)


def whole(operation: str, base_url: str, business_id: str, target: str, file: Path) -> int:
    """The same transfer with the file held in memory (the usual hand-written code)."""
    session = requests.Session()
    session.headers.update({"Authorization": f"Bearer {os.environ['BENCH_TOKEN']}",
                            "X-Business": business_id})
    if operation == "upload":
        content = file.read_bytes()
        body = {"attachment": {"file": base64.b64encode(content).decode(),
                               "file_name": file.name, "mime_type": "application/pdf",
                               "attachment_context_type_id": "CONTACT",
                               "attachment_context_id": target}}
        reply = session.post(base_url + "/attachments", json=body, timeout=600)
        reply.raise_for_status()
        return int(reply.json()["file_size"])
    reply = session.get(f"{base_url}/attachments/{target}/file", timeout=600,
                        headers={"Accept": "application/octet-stream"})
    reply.raise_for_status()
    file.write_bytes(reply.content)
    return len(reply.content)


def main() -> None:
    """Measure one run and print its figures as JSON."""
    operation, side, base_url, business_id, target, file = sys.argv[1:7]
    import unified_accounting_sage.handlers  # noqa: F401 - imports before the baseline

    before = _status_kb("VmRSS")
    started = time.perf_counter()
    size = (library if side == "library" else whole)(operation, base_url, business_id, target,
                                                      Path(file))
    print(json.dumps({"operation": operation, "side": side, "bytes": size,
                      "seconds": time.perf_counter() - started, "rss_before_kb": before,
                      "peak_kb": _status_kb("VmHWM")}))


if __name__ == "__main__":
    main()
