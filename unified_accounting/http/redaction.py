"""Keeping query strings out of urllib3's DEBUG log.

urllib3 logs every request line, query included, at DEBUG. Some providers require an API key
in the query (``Provider.auth_params``), so the transport installs this filter on urllib3's
connection-pool logger: request lines keep their path, and the query is replaced by a mark.
The filter only rewrites records; it adds no handler and changes no level.
"""

from __future__ import annotations

import logging
import re

__all__ = ["QueryRedactingFilter", "install_query_redaction"]

_QUERY = re.compile(r"\?[^\s\"']*")
_POOL_LOGGER = "urllib3.connectionpool"


class QueryRedactingFilter(logging.Filter):
    """Replace ``?...`` in a record's message arguments by ``?<query removed>``."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and record.args:
            record.args = tuple(_QUERY.sub("?<query removed>", arg) if isinstance(arg, str)
                                else arg for arg in record.args)
        elif isinstance(record.msg, str):
            record.msg = _QUERY.sub("?<query removed>", record.msg)
        return True


def install_query_redaction() -> None:
    """Add the filter to urllib3's connection-pool logger once."""
    logger = logging.getLogger(_POOL_LOGGER)
    if not any(isinstance(f, QueryRedactingFilter) for f in logger.filters):
        logger.addFilter(QueryRedactingFilter())
