"""Attachments over the gateway: their metadata is listed like any resource; a POST has no
file to send and is refused before any provider request, naming ``file``."""

from __future__ import annotations

import io

import requests

import unified_accounting as ua

from .conftest import LiveGateway


def test_attachments_list_and_a_post_without_a_file_is_refused(live: LiveGateway) -> None:
    contact = requests.post(live.connection_url("/contacts"), headers=live.headers(),
                            json={"name": "Files Ltd", "is_customer": True}, timeout=30)
    assert contact.status_code == 201, contact.text
    contact_id = contact.json()["id"]
    with live.sandbox.connect("GB") as client:
        made = client.attachments.upload(io.BytesIO(b"%PDF-1.4"), ("contact", contact_id),
                                         file_name="scan.pdf")
    listed = requests.get(live.connection_url("/attachments"), headers=live.headers(),
                          timeout=30)
    assert listed.status_code == 200, listed.text
    assert made.id in {item["id"] for item in listed.json()["items"]}
    before = sum(live.sandbox.counters.requests.values())
    refused = requests.post(live.connection_url("/attachments"), headers=live.headers(),
                            json=ua.dump(made), timeout=30)
    assert refused.status_code == 422, refused.text
    assert "file" in refused.json()["errors"]
    assert sum(live.sandbox.counters.requests.values()) == before
