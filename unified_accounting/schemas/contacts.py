"""Schemas for contacts and the records they hold: addresses, people, bank details."""

from __future__ import annotations

from typing import Any, get_args

from marshmallow import ValidationError, validate, validates_schema

from unified_accounting.models import Address, AddressType, BankDetails, Contact, ContactPerson
from unified_accounting.schemas.base import RecordSchema, holds_when, unreadable
from unified_accounting.schemas.common import (
    display_name,
    email_address,
    free_text,
    identifier,
    moment,
    raw_record,
    text,
)
from unified_accounting.schemas.fields import (
    Flag,
    IbanChecksum,
    Money,
    Record,
    Records,
    WholeNumber,
    country_code,
    currency_code,
    one_of,
)

__all__ = ["AddressSchema", "BankDetailsSchema", "ContactPersonSchema", "ContactSchema"]

ADDRESS_TYPES: tuple[str, ...] = get_args(AddressType)
IBAN_PATTERN = r"^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$(?!\n)"
BIC_PATTERN = r"^[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$(?!\n)"
MAX_CREDIT_DAYS = 365
CUSTOMER_OR_SUPPLIER = "at least one of is_customer and is_supplier must be true"


class AddressSchema(RecordSchema):
    """A postal address."""

    model = Address

    type = one_of(ADDRESS_TYPES)
    line1 = text()
    line2 = text()
    city = text(100)
    region = text(100)
    postal_code = text(20)
    country = country_code(allow_none=True)


class ContactPersonSchema(RecordSchema):
    """A person at a contact."""

    model = ContactPerson

    id = identifier()
    business_id = identifier()
    contact_id = identifier(description="The contact this person belongs to.")
    name = display_name(required=False)
    email = email_address()
    phone = text(50)
    mobile = text(50)
    job_title = text(100)
    is_main = Flag()
    created_at = moment()
    updated_at = moment()
    remote_data = raw_record()


class BankDetailsSchema(RecordSchema):
    """A contact's bank account."""

    model = BankDetails

    account_name = text()
    account_number = text(34)
    sort_code = text(20)
    iban = text(
        34,
        validate=[
            validate.Regexp(IBAN_PATTERN, error="must be an IBAN in capitals without spaces"),
            IbanChecksum(),
        ],
    )
    bic = text(11, validate=validate.Regexp(BIC_PATTERN, error="must be a BIC"))


class ContactSchema(RecordSchema):
    """A customer, a supplier, or both."""

    model = Contact
    currency_field = "currency"
    json_schema_extra = {
        "anyOf": [
            {"properties": {"is_customer": {"const": True}}, "required": ["is_customer"]},
            {"properties": {"is_supplier": {"const": True}}, "required": ["is_supplier"]},
        ]
    }

    id = identifier()
    business_id = identifier()
    name = display_name()
    is_customer = Flag()
    is_supplier = Flag()
    reference = text(100)
    email = email_address()
    phone = text(50)
    tax_number = text(50)
    currency = currency_code(allow_none=True)
    credit_limit = Money(sign="non_negative", allow_none=True)
    credit_days = WholeNumber(
        allow_none=True,
        validate=validate.Range(
            0, MAX_CREDIT_DAYS, error=f"must be between 0 and {MAX_CREDIT_DAYS} days"
        ),
    )
    notes = free_text()
    addresses = Records(AddressSchema)
    contact_persons = Records(ContactPersonSchema)
    bank_details = Record(BankDetailsSchema, allow_none=True)
    default_sales_account_id = identifier()
    default_purchase_account_id = identifier()
    default_tax_rate_id = identifier()
    is_active = Flag()
    created_at = moment()
    updated_at = moment()
    remote_data = raw_record()

    @validates_schema(skip_on_field_errors=False, pass_original=True)
    @holds_when(lambda data: bool(data.get("is_customer") or data.get("is_supplier")))
    def _customer_or_supplier(self, data: dict[str, Any], original: Any, **_: Any) -> None:
        if unreadable(data, original, ("is_customer", "is_supplier")):
            return
        if not (data.get("is_customer") or data.get("is_supplier")):
            raise ValidationError(CUSTOMER_OR_SUPPLIER, "is_customer")
