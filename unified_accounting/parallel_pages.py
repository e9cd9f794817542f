"""Reading a list's numbered pages several at a time, handing the records over in list order.

Where a provider says how many records a list holds, every page can be asked for by number
at once instead of after the one before it. :func:`read_in_parallel` keeps up to ``workers``
pages in flight (each one request, through the same transport, so the same rate limiter and
retries) and yields the records page after page in the list's own order, whatever order the
answers arrive in. The threads only fetch; each page is mapped to unified records on the
reader's thread when its turn comes, so that mapping one page overlaps fetching the next
(with one worker this is reading ahead by exactly one page).

While page ``n`` is read, pages ``n + 1`` to ``n + workers`` are fetched (never more than
``workers`` requests at once, on a pool of that many threads) and nothing further, so memory
stays bounded however long the list.

An error is raised where it happened in the list, after every record before it; the pages
not yet started are dropped. When the reader stops early (``close()``, or the iterator is
dropped), no new page is started and the requests in flight are waited for.

The number of pages is taken once, at the start: records added after that are beyond the
last page read, and a record added or removed before the reader's position while the list
is read shifts the later ones, so one may be read twice or missed (as with any paged read;
a later incremental sync picks up the change).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

from unified_accounting.errors import ValidationError
from unified_accounting.paging import NumberedPages

__all__ = ["MAX_WORKERS", "check_workers", "read_in_parallel"]

M = TypeVar("M")

#: More pages at once gain nothing against a provider's own concurrency limit (Sage allows
#: a handful per app) and would outgrow the transport's connection pool.
MAX_WORKERS = 10

THREAD_NAME = "unified-accounting-page"


def check_workers(workers: object) -> int:
    """Return ``workers`` when it is a whole number from 1 to :data:`MAX_WORKERS`.

    Raises:
        ValidationError: under ``parallel``, naming the reason.
    """
    if isinstance(workers, bool) or not isinstance(workers, int) or not (
            1 <= workers <= MAX_WORKERS):
        raise ValidationError(
            {"parallel": [f"must be a whole number of pages from 1 to {MAX_WORKERS}"]})
    return workers


def read_in_parallel(source: NumberedPages[M], workers: int) -> Iterator[M]:
    """Yield every record of ``source`` in page order, fetching up to ``workers`` pages at once.

    Args:
        source: the list's numbered pages (not yet opened).
        workers: pages fetched at the same time (see :func:`check_workers`).
    """
    count = source.open()
    if count == 0:
        return
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix=THREAD_NAME)
    pending: deque[Future[Any]] = deque()
    following = 1  # the next page number to ask for
    try:
        while following <= count or pending:
            # Top up before waiting: while page n is read, pages n+1..n+workers are fetched.
            current = pending.popleft() if pending else None
            while following <= count and len(pending) < workers:
                pending.append(pool.submit(source.fetch, following))
                following += 1
            if current is not None:
                yield from source.records(current.result())
    finally:
        for waiting in pending:
            waiting.cancel()
        pool.shutdown(wait=True, cancel_futures=True)
