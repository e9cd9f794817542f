"""``SageSandbox``: start, point clients at, observe and steer a local Sage v3.1."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlencode, urlsplit

import requests

from unified_accounting.sandbox_kit import CounterSnapshot, SandboxHTTPServer
from unified_accounting.sandbox_kit.responses_face import register as register_callbacks
from unified_accounting_sage.sandbox import bulk
from unified_accounting_sage.sandbox.connecting import (
    DEFAULT_CONNECTION,
    OwnedStore,
    authorize_and_connect,
)
from unified_accounting_sage.sandbox.core import (
    API_PREFIX,
    AUTHORIZE_PATH,
    REVOKE_PATH,
    TOKEN_PATH,
    SandboxCore,
)
from unified_accounting_sage.sandbox.errors import SageError
from unified_accounting_sage.sandbox.messages import timestamp
from unified_accounting_sage.sandbox.oauth import derived_secret
from unified_accounting_sage.sandbox.options import FaultRates, SandboxOptions, SandboxRateLimits
from unified_accounting_sage.sandbox.seed import BUSINESSES, GLOBAL, seed_business

if TYPE_CHECKING:
    import responses

    from unified_accounting.client import Client
    from unified_accounting.tokens.base import TokenStore

SAGE_API_ORIGIN = "https://api.accounting.sage.com"
SAGE_OAUTH_ORIGIN = "https://oauth.accounting.sage.com"
SAGE_AUTHORIZE_ORIGIN = "https://www.sageone.com"
DEFAULT_REDIRECT_URI = "http://127.0.0.1/callback"


class SageSandbox:
    """A local Sage Business Cloud Accounting v3.1 with OAuth, businesses, limits and faults.

    Use :meth:`running` for the HTTP face, or :meth:`register` for the ``responses`` face.
    Keyword options are those of :class:`SandboxOptions` (``seed``, ``access_token_ttl``,
    ``rate_limits``, ``faults``, ``db_path``, ``start_time``, ...).

    Raises:
        ValueError: an unknown option.
    """

    def __init__(self, **options: Any) -> None:
        self.options = SandboxOptions.build(**options)
        self.core = SandboxCore(self.options)
        self._server: SandboxHTTPServer | None = None
        self._own_store = OwnedStore()
        self._origins = (SAGE_API_ORIGIN, SAGE_OAUTH_ORIGIN, SAGE_AUTHORIZE_ORIGIN)

    # -- lifecycle ------------------------------------------------------------------------
    @classmethod
    @contextmanager
    def running(
        cls, port: int = 0, host: str = "127.0.0.1", **options: Any
    ) -> Iterator[SageSandbox]:
        """Run the HTTP face for the duration of a ``with`` block (port 0 picks a free one)."""
        sandbox = cls(**options)
        sandbox.start(port=port, host=host)
        try:
            yield sandbox
        finally:
            sandbox.stop()

    def start(self, port: int = 0, host: str = "127.0.0.1") -> None:
        """Start serving HTTP in a background thread."""
        self._server = SandboxHTTPServer(self.core, host, port, name="sage-sandbox")
        self._server.start()
        origin = self._server.origin
        self._origins = (origin, origin, origin)

    def stop(self) -> None:
        """Stop serving, release the SQLite file and remove the sandbox's own token store."""
        if self._server is not None:
            self._server.stop()
            self._server = None
        self._own_store.remove()
        self.core.close()

    def register(self, mock: responses.RequestsMock) -> None:
        """Answer requests to Sage's real hosts from this sandbox inside a ``responses`` mock.

        Sage's default settings then reach the sandbox, as do :attr:`settings`.
        """
        register_callbacks(self.core, mock, [
            re.escape(SAGE_API_ORIGIN + API_PREFIX) + r"/.*",
            re.escape(SAGE_OAUTH_ORIGIN) + "(" + re.escape(TOKEN_PATH) + "|"
            + re.escape(REVOKE_PATH) + r")(\?.*)?$",
            re.escape(SAGE_AUTHORIZE_ORIGIN + AUTHORIZE_PATH) + r"(\?.*)?$",
        ])

    # -- where to point clients -----------------------------------------------------------
    @property
    def base_url(self) -> str:
        """The data API base, e.g. ``http://127.0.0.1:PORT/v3.1``."""
        return self._origins[0] + API_PREFIX

    @property
    def oauth_authorize_url(self) -> str:
        """The authorize page (auto-consents for the test user)."""
        return self._origins[2] + AUTHORIZE_PATH + "?filter=apiv3.1"

    @property
    def oauth_token_url(self) -> str:
        """The token endpoint."""
        return self._origins[1] + TOKEN_PATH

    @property
    def oauth_revoke_url(self) -> str:
        """The revoke endpoint."""
        return self._origins[1] + REVOKE_PATH

    @property
    def settings(self) -> dict[str, str]:
        """Provider settings pointing the Sage plugin at this sandbox."""
        return {
            "base_url": self.base_url,
            "authorize_url": self.oauth_authorize_url,
            "token_url": self.oauth_token_url,
            "revoke_url": self.oauth_revoke_url,
        }

    @property
    def client_id(self) -> str:
        """OAuth client id of the test app."""
        return self.core.oauth.client_id

    @property
    def client_secret(self) -> str:
        """OAuth client secret of the test app."""
        return self.core.oauth.client_secret

    @property
    def user_id(self) -> str:
        """The test user's id (``requested_by_id`` in token responses)."""
        return self.core.user_id

    def business_id(self, country: str) -> str:
        """The id of the test user's business in ``country`` (GB, IE, US, CA, FR, ES, DE)."""
        return self.core.business_id(country)

    @property
    def lead_business_id(self) -> str:
        """The id of the current lead business."""
        with self.core.lock:
            return str(self.core.store.meta("lead_business"))

    # -- observation ----------------------------------------------------------------------
    @property
    def counters(self) -> CounterSnapshot:
        """A snapshot of requests per endpoint, refreshes, 429s and faults served."""
        return self.core.counters.snapshot()

    def reset_counters(self) -> None:
        """Zero the counters."""
        self.core.counters.reset()

    def record_counts(self) -> dict[str, dict[str, int]]:
        """Live records per country and resource type, e.g. ``{"GB": {"contacts": 3}}``."""
        with self.core.lock:
            counts = self.core.store.counts()
        countries = {self.business_id(c): c for c in self.options.countries}
        return {countries[biz]: types for biz, types in counts.items() if biz in countries}

    def issued_secrets(self) -> list[str]:
        """The client secrets, and the last 2,000 codes and tokens this sandbox handed out.

        Codes and tokens stay listed after they were exchanged, revoked or expired (in this
        process only), so a test can search logs and error messages for every one of them.
        """
        with self.core.lock:
            return self.core.oauth.issued_secrets()

    def now(self) -> datetime:
        """The sandbox clock's current time."""
        return self.core.clock.now()

    # -- control calls --------------------------------------------------------------------
    def set_lead_business(self, country: str) -> None:
        """Make the business in ``country`` the user's lead business."""
        with self.core.lock:
            self.core.store.set_meta("lead_business", self.business_id(country))

    def set_business_access(self, country: str, accessible: bool) -> None:
        """Grant or withdraw the user's access to one business (withdrawn: 403)."""
        business = self.business_id(country)
        with self.core.lock:
            hidden = set(self.core.store.meta("inaccessible", []))
            hidden.discard(business) if accessible else hidden.add(business)
            self.core.store.set_meta("inaccessible", sorted(hidden))

    def set_rate_limits(self, limits: SandboxRateLimits | None = None,
                        **values: int | None) -> None:
        """Replace the rate limits, e.g. ``set_rate_limits(business_per_minute=5)``."""
        self.core.limiter.configure(limits or SandboxRateLimits.from_mapping(values))

    def set_fault_rates(self, rates: FaultRates | None = None, **values: float) -> None:
        """Replace fault probabilities, e.g. ``set_fault_rates(error_503=0.1)``."""
        self.core.faults.configure(rates or FaultRates.from_mapping(values))

    def queue_fault(
        self, kind: str, count: int = 1, *, method: str | None = None,
        path_contains: str | None = None, latency: float = 0.0,
    ) -> None:
        """Serve ``kind`` to the next ``count`` matching data API requests.

        Kinds: ``error_500``, ``error_503``, ``drop``, ``error_500_after_commit``,
        ``drop_after_commit``, ``latency``.
        """
        self.core.faults.queue(kind, count, method=method, path_contains=path_contains,
                               latency=latency)

    def clear_faults(self) -> None:
        """Drop queued faults and zero every fault probability."""
        self.core.faults.clear()

    def expire_access_tokens(self) -> None:
        """Expire every access token now."""
        with self.core.lock:
            self.core.oauth.expire_access_tokens()

    def expire_refresh_tokens(self) -> None:
        """Expire every refresh token now (clients must re-authorise)."""
        with self.core.lock:
            self.core.oauth.expire_refresh_tokens()

    def advance_clock(self, seconds: float) -> None:
        """Move the sandbox clock forward (token expiry, rate windows, timestamps)."""
        self.core.clock.advance(seconds)

    def set_consent(self, granted: bool) -> None:
        """Make the authorize page grant (default) or deny consent."""
        with self.core.lock:
            self.core.oauth.consent = granted

    def add_client(self, client_id: str, client_secret: str) -> None:
        """Register another OAuth app (with its own per-app rate-limit bucket)."""
        with self.core.lock:
            self.core.oauth.add_client(client_id, client_secret)

    # -- headless OAuth -------------------------------------------------------------------
    def authorize(
        self, *, redirect_uri: str = DEFAULT_REDIRECT_URI, scope: str = "full_access",
        country: str | None = None, state: str | None = None, client_id: str | None = None,
    ) -> dict[str, str]:
        """Run the authorize step over HTTP and return the callback's query parameters."""
        params = {"response_type": "code", "client_id": client_id or self.client_id,
                  "redirect_uri": redirect_uri, "scope": scope,
                  "state": state or secrets.token_hex(8)}
        if country:
            params["country"] = country.lower()
        reply = requests.get(self.oauth_authorize_url + "&" + urlencode(params),
                             allow_redirects=False, timeout=10)
        if reply.status_code != 302:
            raise SageError(reply.status_code, [("OAuthError", reply.text, "")])
        query = parse_qs(urlsplit(reply.headers["Location"]).query)
        return {name: values[0] for name, values in query.items()}

    def issue_tokens(
        self, *, scope: str = "full_access", country: str | None = None,
        redirect_uri: str = DEFAULT_REDIRECT_URI,
    ) -> dict[str, Any]:
        """Run the whole code flow over HTTP and return Sage's token response."""
        callback = self.authorize(redirect_uri=redirect_uri, scope=scope, country=country)
        reply = requests.post(self.oauth_token_url, data={
            "grant_type": "authorization_code", "code": callback["code"],
            "redirect_uri": redirect_uri, "client_id": self.client_id,
            "client_secret": self.client_secret,
        }, timeout=10)
        reply.raise_for_status()
        tokens: dict[str, Any] = reply.json()
        return tokens

    def connect(
        self, country: str = "GB", token_store: TokenStore | None = None,
        connection: str = DEFAULT_CONNECTION, **connect_options: Any,
    ) -> Client:
        """Authorize the test user with the real OAuth code flow and return a ``ua.Client``.

        Runs ``ua.begin_authorization``, lets this sandbox's authorize page consent (the
        redirect is read, not followed), ``ua.complete_authorization`` into ``token_store``,
        then ``ua.connect("sage", ...)`` over that store, so refreshes go through the
        library's single-flight refresh exactly as in production.

        Args:
            country: the business to connect to (GB, IE, US, CA, FR, ES, DE).
            token_store: where the tokens go; default a temporary SQLite store that this
                sandbox owns and removes at :meth:`stop`.
            connection: the connection name the tokens are stored under.
            **connect_options: further keywords of ``ua.connect`` (``retry=``, ``limiter=``,
                ...); ``settings`` is merged over :attr:`settings`; ``business_id`` replaces
                the country's business.

        Returns:
            A client of that business.

        Raises:
            AuthenticationError: consent is denied (:meth:`set_consent`) or the sandbox
                refused the authorization.
        """
        redirect_uri = (self.options.redirect_uris or (DEFAULT_REDIRECT_URI,))[0]
        return authorize_and_connect(
            self, country=country.upper(),
            token_store=token_store if token_store is not None else self._own_store.get(),
            connection=connection, redirect_uri=redirect_uri, connect_options=connect_options,
        )

    @property
    def token_store_folder(self) -> str | None:
        """The folder of the sandbox's own token store, while it exists (removed at stop)."""
        folder = self._own_store.folder
        return None if folder is None else str(folder)

    # -- bulk data ------------------------------------------------------------------------
    def add_business(self, country: str = "GB", *, key: str) -> str:
        """Give the test user one more business in ``country``; return its id.

        Every grant of the user reaches it (``X-Business``), as Sage users with several
        businesses do, so one sandbox serves many tenants at once. ``key`` makes the id
        (derived from the seed and ``key``); adding the same key again returns the same
        business. Seed its records with ``business_id=`` on the bulk calls.
        """
        country = country.upper()
        if country not in self.options.countries:
            raise ValueError(f"unsupported country: {country}")
        business_id = derived_secret(self.options.seed, f"business:{country}:{key}", 32)
        with self.core.lock:
            if self.core.store.get(GLOBAL, BUSINESSES, business_id) is None:
                with self.core.store.batch():
                    seed_business(self.core.store, self.options.seed, country,
                                  timestamp(self.now()), business_id)
        return business_id

    def bulk_create(
        self, resource: str, bodies: Sequence[Mapping[str, Any]], *, country: str = "GB",
        business_id: str | None = None,
    ) -> list[str]:
        """Create many records in-process, bypassing HTTP, limits and faults.

        Args:
            resource: ``contacts``, ``sales_invoices``, ``purchase_invoices``,
                ``contact_payments`` or ``journals``.
            bodies: unwrapped create bodies, validated as a POST would be.
            country: which business.
            business_id: a business from :meth:`add_business` instead.

        Returns:
            The new records' ids, in order.

        Raises:
            SageError: the first invalid body (records before it stay created).
        """
        return self.core.run_in_business(country, lambda ctx: bulk.create_many(
            ctx, resource, bodies), business_id)

    def seed_contacts(self, count: int, *, country: str = "GB", contact_type: str = "CUSTOMER",
                      business_id: str | None = None) -> list[str]:
        """Create ``count`` contacts quickly; returns their ids."""
        return self.core.run_in_business(country, lambda ctx: bulk.make_contacts(
            ctx, count, contact_type), business_id)

    def seed_invoices(self, count: int, *, country: str = "GB", lines: int = 5,
                      contact_ids: list[str] | None = None, kind: str = "sales",
                      business_id: str | None = None) -> list[str]:
        """Create ``count`` invoices with ``lines`` lines each; returns their ids."""
        return self.core.run_in_business(country, lambda ctx: bulk.make_invoices(
            ctx, count, lines, contact_ids, kind), business_id)

    def ledger_account_id(self, country: str, nominal_code: int) -> str:
        """The id of a seeded ledger account by nominal code (e.g. GB 4000)."""
        return self.core.run_in_business(country, lambda ctx: bulk.ledger_id(ctx, nominal_code))

    def bank_account_id(self, country: str) -> str:
        """The id of the business's default bank account."""
        return self.core.run_in_business(country, bulk.bank_id)

    def business(self, country: str) -> dict[str, Any]:
        """A copy of the business record of ``country``."""
        with self.core.lock:
            found = self.core.store.get(GLOBAL, BUSINESSES, self.business_id(country))
            return dict(found or {})
