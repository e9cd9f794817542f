"""One sync run in its own process, for the kill-and-resume test.

Usage: ``python -m tests.support.sync_child URL MIRROR_PATH PAGE_SIZE BUSINESS...``
"""

from __future__ import annotations

import sys

from tests.support.books import RESOURCES
from tests.support.books_client import BooksClient
from unified_accounting.sync import SQLiteMirror, Syncer


def main(argv: list[str]) -> int:
    url, path, page_size, *businesses = argv
    clients = [BooksClient.over_http(url, business) for business in businesses]
    with SQLiteMirror(path) as mirror:
        result = Syncer(mirror, resources=RESOURCES, page_size=int(page_size),
                        max_workers=2).run(clients)
    result.raise_for_errors()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
