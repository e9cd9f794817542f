"""Attachments as the sandbox serves them: the checks of an upload, the metadata-only records,
the streamed file, the context filters, ``updated_or_created_since`` and ``deleted_since``."""

from __future__ import annotations

import base64
from typing import Any

from unified_accounting_sage.sandbox import SageSandbox

from tests.support.files import pdf_bytes

from .conftest import START, Api

LIMIT = 2_621_440
OCTETS = {"Accept": "application/octet-stream"}


def _body(content: bytes, context: tuple[str, str], **extra: Any) -> dict[str, Any]:
    return {"attachment": {
        "file": base64.b64encode(content).decode(), "file_name": "bill.pdf",
        "mime_type": "application/pdf", "attachment_context_type_id": context[0],
        "attachment_context_id": context[1], **extra}}


def _upload(api: Api, content: bytes, context: tuple[str, str], **extra: Any) -> Any:
    return api.post("/attachments", _body(content, context, **extra))


def _error(reply: Any) -> tuple[int, str, str]:
    first = reply.json()[0]
    return reply.status_code, first["$source"], first["$message"]


def test_an_upload_keeps_the_metadata_and_streams_the_file_back(api: Api) -> None:
    invoice = api.sales_invoice(api.contact()["id"])
    content = pdf_bytes(300_000)
    reply = _upload(api, content, ("SALES_INVOICE", invoice["id"]), description="Signed",
                    file_size=len(content))
    assert reply.status_code == 201, reply.text
    record = reply.json()
    assert "file" not in record
    assert (record["file_name"], record["mime_type"], record["file_size"],
            record["file_extension"], record["description"]) == (
        "bill.pdf", "application/pdf", 300_000, ".pdf", "Signed")
    assert record["attachment_context_type"]["id"] == "SALES_INVOICE"
    assert record["attachment_context"]["id"] == invoice["id"]
    assert record["$file_path"] == f"/attachments/{record['id']}/file"
    download = api.get(record["$file_path"], headers=OCTETS, stream=True)
    assert (download.status_code, download.headers["Content-Type"],
            download.headers["Content-Length"]) == (200, "application/pdf", "300000")
    pieces = list(download.iter_content(chunk_size=None))
    assert b"".join(pieces) == content
    assert api.get(f"/attachments/{record['id']}").json()["file_size"] == 300_000


def test_the_file_is_only_served_as_octets(api: Api) -> None:
    contact = api.contact()
    record = _upload(api, b"%PDF-1.4 x", ("CONTACT", contact["id"])).json()
    refused = api.get(f"/attachments/{record['id']}/file")
    assert refused.status_code == 406
    assert api.get("/attachments/" + "0" * 32 + "/file", headers=OCTETS).status_code == 404


def test_an_upload_is_refused_field_by_field(api: Api, sb: SageSandbox) -> None:
    contact = api.contact()
    context = ("CONTACT", contact["id"])
    cases = {
        "file_size": _upload(api, b"x" * (LIMIT + 1), context),
        "mime_type": _upload(api, b"MZ", context, mime_type="application/x-msdownload"),
        "file": api.post("/attachments", {"attachment": {
            **_body(b"ok", context)["attachment"], "file": "not base64!"}}),
        "attachment_context_type_id": _upload(api, b"ok", ("QUOTE", contact["id"])),
    }
    for source, reply in cases.items():
        status, found, _ = _error(reply)
        assert (status, found) == (422, source), reply.text
    mismatch = _upload(api, b"12345", context, file_size=4)
    assert _error(mismatch)[:2] == (422, "file_size")
    missing = _upload(api, b"ok", ("SALES_INVOICE", contact["id"]))
    assert _error(missing)[:2] == (404, "attachment_context_id")
    blank = api.post("/attachments", {"attachment": {"file_name": "a.pdf"}})
    assert _error(blank)[:2] == (422, "file")
    assert sb.record_counts()["GB"].get("attachments", 0) == 0


def test_the_size_limit_is_an_option(api: Api) -> None:
    with SageSandbox.running(port=0, seed=7, start_time=START,
                             attachment_max_bytes=10) as small:
        local = Api(small, small.issue_tokens()["access_token"])
        contact = local.contact()
        assert _upload(local, b"0123456789", ("CONTACT", contact["id"])).status_code == 201
        over = _upload(local, b"0123456789A", ("CONTACT", contact["id"]))
        assert _error(over) == (422, "file_size", "must be less than or equal to 10")


def test_lists_filter_by_document_and_by_change(api: Api, sb: SageSandbox) -> None:
    first, second = api.contact("One"), api.contact("Two")
    a = _upload(api, b"%PDF a", ("CONTACT", first["id"])).json()
    sb.advance_clock(60)
    b = _upload(api, b"%PDF b", ("CONTACT", second["id"])).json()
    mine = api.get("/attachments", params={"attachment_context_type_id": "CONTACT",
                                           "attachment_context_id": first["id"]}).json()
    assert [item["id"] for item in mine["$items"]] == [a["id"]]
    half = api.get("/attachments", params={"attachment_context_id": first["id"]})
    assert _error(half)[:2] == (422, "attachment_context_type_id")
    changed = api.get("/attachments", params={"updated_or_created_since": b["created_at"],
                                              "attributes": "file_size"}).json()
    assert [(item["id"], item["file_size"]) for item in changed["$items"]] == [(b["id"], 6)]
    sb.advance_clock(60)
    assert api.delete(f"/attachments/{a['id']}").status_code == 204
    gone = api.get("/attachments", params={"deleted_since": b["created_at"]}).json()
    assert [item["id"] for item in gone["$items"]] == [a["id"]]
    assert api.get(f"/attachments/{a['id']}/file", headers=OCTETS).status_code == 404


def test_an_update_changes_the_description_never_the_file(api: Api, sb: SageSandbox) -> None:
    contact = api.contact()
    record = _upload(api, b"%PDF", ("CONTACT", contact["id"])).json()
    sb.advance_clock(5)
    changed = api.put(f"/attachments/{record['id']}",
                      {"attachment": {"description": "Receipt"}}).json()
    assert (changed["description"], changed["updated_at"] > record["updated_at"]) == (
        "Receipt", True)
    refused = api.put(f"/attachments/{record['id']}",
                      {"attachment": {"file": base64.b64encode(b"new").decode()}})
    assert _error(refused)[:2] == (422, "file")


def test_context_types_are_listed(api: Api) -> None:
    types = {item["id"] for item in api.get("/attachment_context_types").json()["$items"]}
    assert {"SALES_INVOICE", "PURCHASE_INVOICE", "SALES_CREDIT_NOTE", "PURCHASE_CREDIT_NOTE",
            "CONTACT", "JOURNAL"} <= types
    assert api.get("/attachment_context_types/CONTACT").json()["displayed_as"] == "Contact"
    assert api.get("/attachment_context_types/NOPE").status_code == 404
