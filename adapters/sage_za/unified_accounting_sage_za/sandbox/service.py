"""Routing ``{Controller}/{Method}[/{id}]`` (any capitalisation) and the controller methods."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from unified_accounting.sandbox_kit import SandboxResponse
from unified_accounting_sage_za.sandbox.books import Books, Record
from unified_accounting_sage_za.sandbox.controllers import CONTROLLERS, check_batch, lookup
from unified_accounting_sage_za.sandbox.documents import check_journal
from unified_accounting_sage_za.sandbox.errors import ZAError, invalid
from unified_accounting_sage_za.sandbox.odata import ODataError, apply_filter, order, page_window
from unified_accounting_sage_za.sandbox.wire import json_reply

__all__ = ["Service", "envelope", "view"]

#: method (lower case) -> HTTP verb
_VERBS = {"get": "GET", "getwithsystemaccounts": "GET", "getaccountsbycategoryid": "GET",
          "getchartofaccounts": "GET", "save": "POST", "savebatch": "POST", "delete": "DELETE"}
_ACCOUNT_LISTS = frozenset({"getwithsystemaccounts", "getaccountsbycategoryid",
                            "getchartofaccounts"})
_BATCHES = frozenset({"Allocation", "JournalEntry"})


def _no_resource(path: str) -> ZAError:
    return ZAError(404, f"No HTTP resource was found that matches the request URI '{path}'.")


def view(record: Record, with_lines: bool = True) -> Record:
    """A record as the API shows it: without the sandbox's own fields (``_...``)."""
    shown = {key: value for key, value in record.items() if not key.startswith("_")}
    if not with_lines:
        shown.pop("Lines", None)
    return shown


def envelope(records: list[Record], query: Mapping[str, str]) -> dict[str, Any]:
    """Filter, sort and cut one list page: ``TotalResults``, ``ReturnedResults``, ``Results``."""
    try:
        matching = order(apply_filter(records, query.get("$filter")), query.get("$orderby"))
        skip, top = page_window(query.get("$skip"), query.get("$top"))
    except ODataError as exc:
        raise ZAError(400, str(exc)) from exc
    page = matching[skip:skip + top]
    return {"TotalResults": len(matching), "ReturnedResults": len(page), "Results": page}


@dataclass(frozen=True)
class Service:
    """One routed request: controller, method and optional id."""

    controller: str
    method: str
    record_id: str | None

    @property
    def endpoint(self) -> str:
        """``Customer/Get/{id}``: what the counters count."""
        suffix = "/{id}" if self.record_id is not None else ""
        return f"{self.controller}/{self.method}{suffix}"

    @classmethod
    def route(cls, verb: str, path: str, prefix: str) -> Service:
        """Read the path.

        Raises:
            ZAError: 404 for an unknown controller or method, 405 for the wrong verb.
        """
        if not path.lower().startswith(prefix.lower() + "/"):
            raise _no_resource(path)
        parts = [part for part in path[len(prefix):].split("/") if part]
        controller = lookup(parts[0]) if parts else None
        if controller is None or len(parts) not in (2, 3):
            raise _no_resource(path)
        method = parts[1].lower()
        expected = _VERBS.get(method)
        allowed = (CONTROLLERS[controller].shape.methods if controller in CONTROLLERS
                   else frozenset({"get"}))
        known = method in allowed or (controller == "Account" and method in _ACCOUNT_LISTS)
        if expected is None or not known:
            raise _no_resource(path)
        if verb != expected:
            raise ZAError(405, f"The requested resource does not support http method '{verb}'.")
        record_id = parts[2] if len(parts) == 3 else None
        needs_id = method in ("delete", "getaccountsbycategoryid")
        if (needs_id and record_id is None) or (method != "get" and not needs_id and record_id):
            raise _no_resource(path)
        return cls(controller, method, record_id)

    def companies(self, companies: Mapping[int, Record],
                  query: Mapping[str, str]) -> SandboxResponse:
        """``Company/Get`` (the user's companies) and ``Company/Get/{id}``."""
        if self.record_id is None:
            return json_reply(200, envelope([dict(c) for c in companies.values()], query))
        found = companies.get(int(self.record_id)) if self.record_id.isdigit() else None
        if found is None:
            raise ZAError(404, f"No Company found matching ID {self.record_id}.")
        return json_reply(200, dict(found))

    def call(self, books: Books, query: Mapping[str, str], body: Any) -> tuple[int, Any]:
        """Run the method on one company's books; returns status and payload."""
        if self.method == "save":
            return self._save(books, query, body)
        if self.method == "savebatch":
            return self._save_batch(books, query, body)
        if self.method == "delete":
            books.delete(self.controller, CONTROLLERS[self.controller].shape, self.record_id)
            return 204, None
        if self.record_id is not None and self.method == "get":
            record = books.find(self.controller, self.record_id)
            if record is None:
                raise ZAError(404, f"No {self.controller} found matching ID {self.record_id}.")
            return 200, view(record)
        return 200, envelope(self._listed(books, query), query)

    def _listed(self, books: Books, query: Mapping[str, str]) -> list[Record]:
        records = list(books.records(self.controller))
        if self.controller == "Account":
            if self.method == "get":
                records = [r for r in records if not r.get("_System")]
            elif self.method == "getaccountsbycategoryid":
                records = [r for r in records
                           if str(r["Category"]["ID"]) == str(self.record_id)]
        with_lines = (not CONTROLLERS.get(self.controller) or
                      not CONTROLLERS[self.controller].has_lines or
                      query.get("includedetail", "").lower() == "true")
        return [view(record, with_lines) for record in records]

    def _save(self, books: Books, query: Mapping[str, str], body: Any) -> tuple[int, Any]:
        if not isinstance(body, dict):
            raise invalid("model", "The request body must be a JSON object.")
        controller = CONTROLLERS[self.controller]
        record, created = controller.save(books, self.controller, body, query)
        return (201 if created else 200), view(record)

    def _save_batch(self, books: Books, query: Mapping[str, str], body: Any) -> tuple[int, Any]:
        items = check_batch(body)
        if self.controller == "JournalEntry":
            # Every entry is checked before the first is stored: a batch is all or nothing.
            for index, item in enumerate(items):
                check_journal(books, item, f"[{index}].")
        saver = CONTROLLERS[self.controller].save
        saved = [view(saver(books, self.controller, item, query)[0]) for item in items]
        return 200, saved
