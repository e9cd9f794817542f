"""Who may call, and how often: API key and Basic login, failed-login blocks, request limits.

Sage's request-limits page: 100 requests a minute per company (API key + company + user);
one more and that key is blocked for an hour, and calls during the block extend it. 20 failed
logins in an hour block the user name for 24 hours. 5,000 requests a day per company are
counted; the page says that limit is not enforced, so the sandbox enforces it only when told.
"""

from __future__ import annotations

import base64
import binascii
import math
import threading
from collections import Counter, deque
from dataclasses import dataclass

from unified_accounting_sage_za.sandbox.errors import LOGIN_BLOCKED, MINUTE_LIMIT_BLOCKED, ZAError

__all__ = ["AccessRules", "Login", "RequestLimits", "read_basic"]

DENIED = "Authorization has been denied for this request."


@dataclass(frozen=True)
class Login:
    """The credentials the sandbox accepts."""

    username: str
    password: str
    api_key: str


@dataclass
class RequestLimits:
    """The limits (seconds and counts); the defaults are Sage's published ones."""

    per_minute: int = 100
    block_seconds: int = 3600
    failed_logins: int = 20
    login_block_seconds: int = 24 * 3600
    per_day: int = 5000
    enforce_daily: bool = False


def read_basic(header: str | None) -> tuple[str, str] | None:
    """The user name and password of a Basic ``Authorization`` header, or None."""
    if not header or not header.lower().startswith("basic "):
        return None
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    user, sep, password = decoded.partition(":")
    return (user, password) if sep else None


def _bare_key(key: str) -> str:
    # Sage shows keys as {GUID}; the braces and the letter case do not matter.
    return key.strip().strip("{}").lower()


class AccessRules:
    """Checks one request's login and counts it against the limits; thread-safe."""

    def __init__(self, login: Login, limits: RequestLimits) -> None:
        self.login = login
        self.limits = limits
        self._lock = threading.Lock()
        self._failures: dict[str, deque[float]] = {}
        self._login_blocked: dict[str, float] = {}
        self._blocked_until: dict[tuple[str, str, str], float] = {}
        self._minutes: Counter[tuple[tuple[str, str, str], int]] = Counter()
        self.daily: Counter[tuple[str, int]] = Counter()

    def authenticate(self, header: str | None, api_key: str | None, now: float) -> str:
        """Return the user name, or raise 401 (or 429 once the user name is blocked)."""
        given = read_basic(header)
        user = given[0] if given else ""
        with self._lock:
            if self._login_blocked.get(user.lower(), 0) > now:
                raise ZAError(429, LOGIN_BLOCKED)
            valid = (given == (self.login.username, self.login.password)
                     and api_key is not None
                     and _bare_key(api_key) == _bare_key(self.login.api_key))
            if valid:
                return user
            if given:
                self._count_failure(user.lower(), now)
        raise ZAError(401, DENIED)

    def _count_failure(self, user: str, now: float) -> None:
        failures = self._failures.setdefault(user, deque())
        failures.append(now)
        while failures and failures[0] <= now - 3600:
            failures.popleft()
        if len(failures) >= self.limits.failed_logins:
            self._login_blocked[user] = now + self.limits.login_block_seconds
            failures.clear()

    def admit(self, api_key: str, company: str, user: str, now: float) -> None:
        """Count one request of a company, or raise 429 (blocking the key for an hour)."""
        key = (_bare_key(api_key), company, user.lower())
        limits = self.limits
        day = math.floor(now / 86400)
        with self._lock:
            if self._blocked_until.get(key, 0) > now:
                self._blocked_until[key] = now + limits.block_seconds
                raise ZAError(429, MINUTE_LIMIT_BLOCKED)
            minute = (key, math.floor(now / 60))
            if self._minutes[minute] >= limits.per_minute:
                self._blocked_until[key] = now + limits.block_seconds
                raise ZAError(429, MINUTE_LIMIT_BLOCKED)
            if limits.enforce_daily and self.daily[(company, day)] >= limits.per_day:
                raise ZAError(429, "The company has used its 5000 API requests for today.")
            self._minutes[minute] += 1
            self.daily[(company, day)] += 1

    def requests_today(self, company: str, now: float) -> int:
        """How many requests the company made in the current UTC day."""
        with self._lock:
            return self.daily[(company, math.floor(now / 86400))]
