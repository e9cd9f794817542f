"""``/openapi.json`` is valid OpenAPI 3.1 made from the schemas; ``/docs`` is self-contained."""

from __future__ import annotations

import re

import requests
from openapi_spec_validator import validate

from unified_accounting.gateway.openapi import openapi_document
from unified_accounting.gateway.problems import PROBLEM_TYPES
from unified_accounting.provider import RESOURCES
from unified_accounting.schemas import SCHEMAS

from .conftest import LiveGateway


def test_the_served_document_is_valid_openapi_3_1(live: LiveGateway) -> None:
    document = requests.get(f"{live.url}/openapi.json", timeout=30).json()
    assert document["openapi"] == "3.1.0"
    validate(document)


def test_every_resource_and_record_schema_is_described() -> None:
    document = openapi_document()
    for resource in RESOURCES:
        assert f"/v1/connections/{{connection}}/{resource}" in document["paths"]
        assert f"/v1/connections/{{connection}}/{resource}/{{id}}" in document["paths"]
    schemas = document["components"]["schemas"]
    for schema in SCHEMAS.values():
        assert schema.__name__.removesuffix("Schema") in schemas


def test_money_is_described_as_text_from_the_marshmallow_fields() -> None:
    invoice = openapi_document()["components"]["schemas"]["Invoice"]["properties"]
    assert invoice["total_amount"]["type"] == "string"
    assert "pattern" in invoice["total_amount"]
    assert invoice["lines"]["items"]["$ref"].endswith("/InvoiceLine")


def test_the_docs_page_loads_nothing_from_elsewhere(live: LiveGateway) -> None:
    page = requests.get(f"{live.url}/docs", timeout=30)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert not re.search(r"(src|href)=['\"]?(https?:)?//", page.text)
    assert "<script" not in page.text
    for slug in PROBLEM_TYPES:
        assert f"id='problem-{slug}'" in page.text
    assert "/v1/connections/{connection}/invoices" in page.text
