"""The transport's own session reads the environment's proxy and CA settings once, for its
base URL, instead of on every request."""

from __future__ import annotations

from pathlib import Path

import pytest
import responses

from tests.unit.transport_fixtures import BASE, make_transport

PROXY = "http://proxy.internal.test:3128"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "http_proxy",
                 "https_proxy", "all_proxy", "no_proxy", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
        monkeypatch.delenv(name, raising=False)


def test_a_proxy_of_the_environment_is_kept_and_the_environment_not_read_again(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", PROXY)
    monkeypatch.setenv("HTTP_PROXY", PROXY)
    transport = make_transport()
    assert transport.session.proxies.get(BASE.split(":", 1)[0]) == PROXY
    assert transport.session.trust_env is False


def test_no_proxy_for_the_base_url_means_no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", PROXY)
    monkeypatch.setenv("HTTP_PROXY", PROXY)
    monkeypatch.setenv("NO_PROXY", BASE.split("://", 1)[1].split("/", 1)[0].split(":")[0])
    assert make_transport().session.proxies == {}


def test_a_ca_bundle_of_the_environment_is_kept(monkeypatch: pytest.MonkeyPatch,
                                                tmp_path: Path) -> None:
    bundle = tmp_path / "ca.pem"
    bundle.write_text("-----BEGIN CERTIFICATE-----\n", encoding="utf-8")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(bundle))
    assert make_transport().session.verify == str(bundle)
    monkeypatch.delenv("REQUESTS_CA_BUNDLE")
    assert make_transport().session.verify is True


@responses.activate
def test_a_netrc_entry_never_replaces_the_bearer_token(monkeypatch: pytest.MonkeyPatch,
                                                       tmp_path: Path) -> None:
    host = BASE.split("://", 1)[1].split("/", 1)[0].split(":")[0]
    netrc = tmp_path / ".netrc"
    netrc.write_text(f"machine {host} login someone password hunter2\n", encoding="utf-8")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    monkeypatch.setenv("HOME", str(tmp_path))
    responses.get(f"{BASE}/contacts", json={"ok": True})
    make_transport().request("GET", "/contacts")
    assert responses.calls[0].request.headers["Authorization"] == "Bearer tok-static"
