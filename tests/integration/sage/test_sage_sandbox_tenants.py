"""One sandbox, many tenants: further businesses of the test user, each with its own books."""

from __future__ import annotations

import pytest
from unified_accounting_sage.sandbox import SageSandbox


def test_added_businesses_are_separate_books_reached_by_every_grant() -> None:
    with SageSandbox.running(port=0, seed=23) as sb:
        first = sb.add_business("GB", key="acme")
        second = sb.add_business("IE", key="globex")
        assert sb.add_business("GB", key="acme") == first  # the same key, the same business
        assert len({first, second, sb.business_id("GB")}) == 3
        sb.seed_contacts(3, country="GB", business_id=first)
        sb.seed_contacts(5, country="IE", business_id=second)
        counts = {}
        for connection, business in (("acme", first), ("globex", second)):
            with sb.connect("GB", connection=connection, business_id=business) as client:
                contacts = list(client.contacts.list())
                counts[connection] = len(contacts)
                assert {c.business_id for c in contacts} == {business}
                assert client.tax_rates.list()  # seeded like the country's first business
        assert counts == {"acme": 3, "globex": 5}
        with sb.connect("GB", connection="lead") as client:
            listed = {b.id for b in client.businesses.list()}
            assert {first, second} <= listed
            assert list(client.contacts.list()) == []  # the GB business itself is untouched


def test_an_unknown_country_is_refused() -> None:
    sb = SageSandbox(seed=23, countries=("GB",))
    with pytest.raises(ValueError, match="IE"):
        sb.add_business("IE", key="x")
