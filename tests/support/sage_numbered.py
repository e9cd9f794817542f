"""Sage's collections whose POSTs create numbered documents (from Sage's API reference)."""

NUMBERED = ("products", "services", "stock_items", "sales_credit_notes",
            "purchase_credit_notes", "sales_quotes", "sales_estimates",
            "sales_corrective_invoices", "purchase_corrective_invoices", "sales_quick_entries",
            "purchase_quick_entries", "sales_invoices", "purchase_invoices", "contacts",
            "contact_payments", "journals")
