from __future__ import annotations

import pytest

import unified_accounting as ua
from unified_accounting.http.paths import check_path, join_url, relative_to_base

BASE = "https://api.test/v3.1"


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/contacts", "/contacts"),
        ("contacts/abc", "/contacts/abc"),
        ("/contacts?page=2&items_per_page=20", "/contacts?page=2&items_per_page=20"),
        ("/search?q=a%2Fb", "/search?q=a%2Fb"),  # encoded slashes in a query are data
        ("/contacts/ab%20cd", "/contacts/ab%20cd"),
        ("/files/report..pdf", "/files/report..pdf"),
    ],
)
def test_paths_under_the_base_are_kept(path: str, expected: str) -> None:
    assert check_path(path) == expected


@pytest.mark.parametrize(
    "path",
    [
        "https://evil.test/x",
        "http://evil.test",
        "//evil.test/x",
        "///evil.test/x",
        "/../businesses",
        "/contacts/../../x",
        "..",
        "/contacts/./x",
        "/%2e%2e/x",
        "/%2E%2E/x",
        "/.%2e/x",
        "/contacts%2f..%2fx",
        "/%252e%252e/x",
        "/%25252e/x",
        "/contacts\\..\\x",
        "\\\\evil.test\\x",
        "/%5c..",
        "/contacts/x#frag",
        "/contacts/\r\nHost: evil",
        "/con tacts",
        "/a%00b",
        "javascript:alert(1)",
        "",
    ],
)
def test_escapes_and_their_encodings_are_refused(path: str) -> None:
    with pytest.raises(ua.ValidationError) as caught:
        check_path(path)
    assert "path" in caught.value.errors


def test_join_url_keeps_the_base_prefix() -> None:
    assert join_url(BASE + "/", "/contacts") == BASE + "/contacts"


def test_next_links_may_be_relative_or_absolute_under_the_base() -> None:
    assert relative_to_base("/contacts?page=2", BASE) == "/contacts?page=2"
    assert relative_to_base(BASE + "/contacts?page=2", BASE) == "/contacts?page=2"
    with pytest.raises(ua.ValidationError):
        relative_to_base("https://elsewhere.test/v3.1/contacts?page=2", BASE)
