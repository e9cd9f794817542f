"""The response hook: what the connection does with what every Sage answer reveals.

* The ``X-Business`` response header is compared with the business the request named (or,
  when it named none, with the lead business remembered); a difference is recorded, logged,
  issued as a :class:`~unified_accounting_sage.business_routing.BusinessChangedWarning` and
  passed to the ``on_business_change`` callback. Requests keep going where the connection
  routes them.
* Consecutive 403 answers are counted; from the threshold on, the connection is marked as
  needing re-authorization (in its token store too, when it connected through one),
  ``on_reauthorization_required`` is called once, and the 403 is raised as
  :class:`~unified_accounting.errors.ReauthorizationRequired`.
"""

from __future__ import annotations

import logging
import warnings

from unified_accounting.credentials import AccessTokenSource
from unified_accounting.errors import ReauthorizationRequired
from unified_accounting.http.response import HttpResponse
from unified_accounting.tokens import Health, TokenManager
from unified_accounting_sage.business_routing import (
    BusinessChange,
    BusinessChangedWarning,
    detect_business_change,
    next_forbidden_streak,
)
from unified_accounting_sage.errors import error_from_response
from unified_accounting_sage.tenant import ConnectionShared

__all__ = ["BUSINESS_HEADER", "observe_access", "observe_business", "report_change"]

BUSINESS_HEADER = "X-Business"

_log = logging.getLogger("unified_accounting_sage")


def report_change(shared: ConnectionShared, change: BusinessChange) -> None:
    """Record, log, warn about and call back with a business change."""
    with shared.state.lock:
        shared.state.business_changes.append(change)
    _log.warning("%s", change.describe())
    warnings.warn(BusinessChangedWarning(change), stacklevel=2)
    if shared.on_business_change is not None:
        shared.on_business_change(change)


def observe_business(shared: ConnectionShared, response: HttpResponse, sent: str | None,
                     connection: str) -> None:
    """Compare the answer's ``X-Business`` with what the request named.

    Args:
        shared: the connection's state.
        response: the answer.
        sent: the ``X-Business`` the request carried (``None``: it carried none).
        connection: the connection name.
    """
    state = shared.state
    with state.lock:
        change, lead = detect_business_change(
            sent=sent, echoed=response.headers.get(BUSINESS_HEADER),
            lead=state.lead_business_id, path=response.path, connection=connection)
        state.lead_business_id = lead
    if change is not None:
        report_change(shared, change)


def _record_health(tokens: AccessTokenSource, health: Health) -> None:
    """Tell the connection's token store, when it has one, so every worker sees it."""
    if isinstance(tokens, TokenManager):
        error = "http_403" if health is Health.NEEDS_REAUTHORIZATION else None
        tokens.token_store.record_health(tokens.connection, health, error=error)


def observe_access(shared: ConnectionShared, response: HttpResponse, connection: str,
                   tokens: AccessTokenSource) -> None:
    """Count 403 answers and raise once the connection has lost its access.

    Args:
        shared: the connection's state.
        response: the answer.
        connection: the connection name.
        tokens: the connection's token source (a token manager records the state in its
            store).

    Raises:
        ReauthorizationRequired: this answer is a 403 and the streak has reached the
            threshold.
    """
    state = shared.state
    with state.lock:
        was_marked = state.needs_reauthorization
        state.forbidden_streak = next_forbidden_streak(state.forbidden_streak, response.status)
        if state.forbidden_streak == 0:
            state.needs_reauthorization = False
        elif state.forbidden_streak >= shared.forbidden_threshold:
            state.needs_reauthorization = True
        newly = state.needs_reauthorization and not was_marked
        recovered = was_marked and not state.needs_reauthorization
        marked = state.needs_reauthorization and response.status == 403
    if recovered:
        _record_health(tokens, Health.OK)
    if newly:
        _log.warning("connection %r needs re-authorization: %d requests in a row were "
                     "refused with 403", connection, shared.forbidden_threshold)
        _record_health(tokens, Health.NEEDS_REAUTHORIZATION)
        if shared.on_reauthorization_required is not None:
            shared.on_reauthorization_required(state.snapshot())
    if marked:
        cause = error_from_response(response.status, response.content,
                                    request_id=response.request_id)
        raise ReauthorizationRequired(
            f"Sage refused {shared.forbidden_threshold} or more requests in a row with 403; "
            f"the user must authorize the app again ({cause.message})",
            connection=connection, status=403, code=cause.code,
            request_id=response.request_id, provider="sage",
        )
