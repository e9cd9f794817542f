from __future__ import annotations

import pytest
from unified_accounting_sage.field_limits import MAX_LENGTHS, REQUIRED
from unified_accounting_sage.field_paths import FIELD_PATHS
from unified_accounting_sage.mappers import MAPPERS, ResourceMapper

from .sage_json import purchase_invoice, sales_invoice


def test_every_collection_has_a_mapper() -> None:
    assert set(MAPPERS) == {
        "contacts", "contact_persons", "sales_invoices", "purchase_invoices",
        "contact_payments", "journals", "ledger_accounts", "tax_rates", "businesses",
        "sales_credit_notes", "purchase_credit_notes", "products", "services",
    }


@pytest.mark.parametrize("mapper", MAPPERS.values(), ids=lambda m: m.collection)
def test_wrapper_keys_have_field_path_tables(mapper: ResourceMapper) -> None:
    assert mapper.wrapper_key in FIELD_PATHS
    assert mapper.attributes
    assert len(set(mapper.attributes)) == len(mapper.attributes)


def test_invoice_entries_fix_the_type() -> None:
    sales = MAPPERS["sales_invoices"].to_unified(sales_invoice(), business_id=None,
                                                 include_remote=False)
    purchase = MAPPERS["purchase_invoices"].to_unified(purchase_invoice(), business_id=None,
                                                       include_remote=False)
    assert (sales.type, purchase.type) == ("sales", "purchase")
    assert "invoice_number" in MAPPERS["sales_invoices"].attributes
    assert "vendor_reference" in MAPPERS["purchase_invoices"].attributes


def test_limit_and_required_tables_name_known_resources() -> None:
    assert set(REQUIRED) <= set(FIELD_PATHS)
    assert set(MAX_LENGTHS) - set(FIELD_PATHS) == {"address"}
