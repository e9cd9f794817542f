"""What Sage takes as an attachment, shared by the adapter and the sandbox.

* Size: at most 2,621,440 bytes (2.5 MiB), the ``file_size`` maximum of the v3.1 reference's
  write body.
* Media types: PDF, JPEG and PNG. The API reference does not list the types; Sage's guide to
  attachments says the web application takes pdf, jpg and png files, so these three are
  inferred to be what the API takes too.
* Context types: the documents a file is kept with. Sage lists them at
  ``/attachment_context_types`` without documenting the ids; the ids below (``SALES_INVOICE``,
  ``CONTACT``, ...) follow Sage's naming of its collections and are inferred.
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["CONTEXT_COLLECTIONS", "CONTEXT_TYPES", "MAX_FILE_BYTES", "MIME_TYPES",
           "UNIFIED_KIND"]

MAX_FILE_BYTES = 2_621_440
MIME_TYPES = frozenset({"application/pdf", "image/jpeg", "image/png"})

CONTEXT_COLLECTIONS: Mapping[str, str] = {
    "SALES_INVOICE": "sales_invoices",
    "PURCHASE_INVOICE": "purchase_invoices",
    "SALES_CREDIT_NOTE": "sales_credit_notes",
    "PURCHASE_CREDIT_NOTE": "purchase_credit_notes",
    "CONTACT": "contacts",
    "JOURNAL": "journals",
    "BANK_TRANSFER": "bank_transfers",
    "OTHER_PAYMENT": "other_payments",
}
"""Context type id -> the Sage collection holding its documents."""

CONTEXT_TYPES: Mapping[str, str] = {
    "SALES_INVOICE": "Sales Invoice",
    "PURCHASE_INVOICE": "Purchase Invoice",
    "SALES_CREDIT_NOTE": "Sales Credit Note",
    "PURCHASE_CREDIT_NOTE": "Purchase Credit Note",
    "CONTACT": "Contact",
    "JOURNAL": "Journal",
    "BANK_TRANSFER": "Bank Transfer",
    "OTHER_PAYMENT": "Other Payment",
}
"""Context type id -> its display name."""

UNIFIED_KIND: Mapping[str, str] = {
    "SALES_INVOICE": "invoice",
    "PURCHASE_INVOICE": "invoice",
    "SALES_CREDIT_NOTE": "credit_note",
    "PURCHASE_CREDIT_NOTE": "credit_note",
    "CONTACT": "contact",
    "JOURNAL": "journal_entry",
}
"""Context type id -> the unified ``attached_to_kind`` (any other is ``other``)."""
