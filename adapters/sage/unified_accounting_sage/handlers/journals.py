"""``client.journals``: Sage ``/journals``.

Balance is checked by the core before a journal reaches this handler. Sage has no journal
update (a correction is a reissue), so ``update`` is not offered. Lines may name an
``account_concept`` instead of an ``account_id``; it is resolved through the connection's
account mapping.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from unified_accounting.models import JournalEntry
from unified_accounting_sage.handlers.base import SageHandler, check_options, path_of
from unified_accounting_sage.handlers.query import FieldAttributes, Filter, timestamp
from unified_accounting_sage.mappers import journals
from unified_accounting_sage.mappings import AccountMappings

__all__ = ["JournalHandler"]


class JournalHandler(SageHandler[JournalEntry]):
    """Manual journals."""

    resource = "journals"
    operations = frozenset({"list", "get", "create", "delete", "list_deleted"})
    collection = "journals"
    wrapper = journals.WRAPPER_KEY
    filters = {"updated_since": Filter("updated_or_created_since", timestamp)}
    attributes = FieldAttributes(journals.ATTRIBUTES, JournalEntry,
                                 {"lines": ("journal_lines",), "currency": ()}, always=("date",))

    def to_model(self, raw: Mapping[str, Any], remote: bool) -> JournalEntry:
        """Map one Sage journal."""
        return journals.to_unified(raw, business_id=self.business_id, include_remote=remote)
    def create(self, model: JournalEntry, **options: Any) -> JournalEntry:
        """``POST /journals`` with an ``idempotency_id``; options: ``provider_fields``.

        Raises:
            ValidationError: an account concept is not mapped, Sage's reference is missing,
                or Sage refuses the body.
        """
        check_options(options, {"provider_fields"}, "journals.create")
        body = journals.to_sage(model, provider_fields=options.get("provider_fields"),
                                resolve_account=AccountMappings(self.tenant).resolve)
        raw = self.send("POST", path_of(self.collection), self.wrapper, body)
        return self.to_model(raw, self.tenant.include_remote())
