"""Isolation: clashing ids never mix across connections or businesses.

Two sandboxes started with the same seed are two Sage accounts whose GB businesses have the
same business id and the same ledger account ids, but (after one rename) different data.
Connection ``acme`` reaches one, ``globex`` the other; both keep their tokens in one store
and sync into one mirror. A second test syncs two businesses of one connection side by side.
Each record, cached list and token stays with the connection and business it came from.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from unified_accounting_sage.sandbox import SageSandbox

import unified_accounting as ua
from unified_accounting.http import LocalLimiter, RateLimits
from unified_accounting.syncing import SQLiteMirror, Syncer, scope_of
from unified_accounting.tokens import TokenStore

SEED = 41
SALES = 4000
RESOURCES = ["contacts", "ledger_accounts", "tax_rates"]


@pytest.fixture
def twins() -> Iterator[tuple[SageSandbox, SageSandbox]]:
    """Two sandboxes with one seed: same business and ledger ids, separate data."""
    with SageSandbox.running(port=0, seed=SEED) as first, \
            SageSandbox.running(port=0, seed=SEED) as second:
        yield first, second


def _connect(sb: SageSandbox, store: TokenStore, connection: str,
             country: str = "GB") -> ua.Client:
    return sb.connect(country, token_store=store, connection=connection,
                      limiter=LocalLimiter(RateLimits()), sleep=lambda seconds: None)


def _sales_name(client: ua.Client, account_id: str) -> str:
    """The sales account's name as the connection's cached reference list has it."""
    listed = {a["id"]: a["name"] for a in client.extras.reference("ledger_accounts")}
    return str(listed[account_id])


def test_two_connections_with_clashing_ids_keep_their_records_caches_and_tokens(
    twins: tuple[SageSandbox, SageSandbox], any_store: TokenStore, tmp_path: Path,
) -> None:
    acme_sb, globex_sb = twins
    business = acme_sb.business_id("GB")
    sales = acme_sb.ledger_account_id("GB", SALES)
    assert (globex_sb.business_id("GB"), globex_sb.ledger_account_id("GB", SALES)) == \
        (business, sales)  # the clash this test is about
    acme, globex = _connect(acme_sb, any_store, "acme"), _connect(globex_sb, any_store, "globex")
    with acme, globex:
        assert _sales_name(acme, sales) == _sales_name(globex, sales)  # both caches filled
        globex.ledger_accounts.update(sales, {"name": "Globex Sales"})
        globex.extras.refresh("ledger_accounts")
        acme_only = {acme.contacts.create(ua.Contact(name=f"Acme {n}", is_customer=True)).id
                     for n in range(3)}
        globex_only = {globex.contacts.create(ua.Contact(name="Globex", is_customer=True)).id}

        # Caches: the same business id and account id, each connection its own answer.
        assert _sales_name(globex, sales) == "Globex Sales"
        assert _sales_name(acme, sales) != "Globex Sales"

        # Mirror: one file, two scopes that share the business id.
        with SQLiteMirror(tmp_path / "mirror.sqlite3") as mirror:
            Syncer(mirror, resources=RESOURCES).run([acme, globex]).raise_for_errors()
            acme_scope, globex_scope = scope_of(acme), scope_of(globex)
            assert acme_scope.business_id == globex_scope.business_id == business
            assert {r.id for r in mirror.records(acme_scope, "contacts")} == acme_only
            assert {r.id for r in mirror.records(globex_scope, "contacts")} == globex_only
            acme_sales = mirror.get(acme_scope, "ledger_accounts", sales)
            globex_sales = mirror.get(globex_scope, "ledger_accounts", sales)
            assert acme_sales is not None
            assert globex_sales is not None
            assert globex_sales.data is not None
            assert globex_sales.data["name"] == "Globex Sales"
            assert acme_sales.data is not None
            assert acme_sales.data["name"] != "Globex Sales"

        # Tokens: refreshing one connection leaves the other's record alone.
        before = {name: any_store.load(name) for name in ("acme", "globex")}
        acme_sb.expire_access_tokens()
        assert acme.contacts.get(next(iter(acme_only))).name.startswith("Acme")
        after = {name: any_store.load(name) for name in ("acme", "globex")}
        assert acme_sb.counters.refreshes == 1
        assert globex_sb.counters.refreshes == 0
        assert after["acme"] is not None
        assert before["acme"] is not None
        assert after["acme"].tokens.refresh_token != before["acme"].tokens.refresh_token
        assert after["globex"] == before["globex"]
        assert globex.contacts.get(next(iter(globex_only))).name == "Globex"


def test_two_businesses_of_one_connection_never_mix(
    any_store: TokenStore, tmp_path: Path,
) -> None:
    with SageSandbox.running(port=0, seed=SEED) as sb:
        ids = {country: set(sb.seed_contacts(250, country=country)) for country in ("GB", "IE")}
        clients = {country: _connect(sb, any_store, "acme", country) for country in ids}
        written = clients["IE"].contacts.create(ua.Contact(name="Dublin Ltd", is_customer=True))
        ids["IE"].add(str(written.id))
        with SQLiteMirror(tmp_path / "mirror.sqlite3") as mirror:
            Syncer(mirror, resources=["contacts", "tax_rates"]).run(
                list(clients.values())).raise_for_errors()
            for country, client in clients.items():
                scope = scope_of(client)
                assert scope.business_id == sb.business_id(country)
                records = list(mirror.records(scope, "contacts"))
                assert {r.id for r in records} == ids[country]
                assert {r.data["business_id"] for r in records if r.data} == {scope.business_id}
                rates = {r.id for r in mirror.records(scope, "tax_rates")}
                assert rates
                assert all(rate.startswith(country) for rate in rates)
            cached = {c: {r["id"] for r in client.extras.reference("tax_rates")}
                      for c, client in clients.items()}
            assert cached["GB"].isdisjoint(cached["IE"])
        assert sb.record_counts()["GB"]["contacts"] == 250  # the IE write stayed in IE
        for client in clients.values():
            client.close()
