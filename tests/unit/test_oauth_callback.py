"""The loopback server that receives the OAuth redirect, over real HTTP on 127.0.0.1."""

from __future__ import annotations

import errno
import socket
import urllib.error
import urllib.request

import pytest

from unified_accounting.oauth_callback import CallbackServer


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as reply:  # noqa: S310 - loopback only
            return reply.status, reply.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, ""


def test_the_redirect_uri_names_the_bound_port_and_the_path() -> None:
    with CallbackServer("127.0.0.1", 0, "callback") as callback:
        port = callback._httpd.server_address[1]
        assert port != 0
        assert callback.redirect_uri == f"http://127.0.0.1:{port}/callback"


def test_the_first_callback_hands_over_its_query_and_later_ones_are_refused() -> None:
    with CallbackServer("127.0.0.1", 0, "/cb") as callback:
        status, page = _get(callback.redirect_uri + "?code=abc&state=s%201&empty=")
        assert status == 200
        assert "Authorization received" in page
        assert callback.wait(timeout=5) == {"code": "abc", "state": "s 1", "empty": ""}
        assert _get(callback.redirect_uri + "?code=second")[0] == 404
        assert callback.wait(timeout=5)["code"] == "abc"


def test_another_path_is_not_found_and_does_not_count_as_the_callback() -> None:
    with CallbackServer("127.0.0.1", 0, "/cb") as callback:
        assert _get(callback.redirect_uri.replace("/cb", "/favicon.ico"))[0] == 404
        with pytest.raises(TimeoutError, match="no authorization arrived within 0s"):
            callback.wait(timeout=0.2)


def test_requests_are_never_logged(capsys: pytest.CaptureFixture[str]) -> None:
    with CallbackServer("127.0.0.1", 0, "/cb") as callback:
        _get(callback.redirect_uri + "?code=the-secret-code")
        callback.wait(timeout=5)
    captured = capsys.readouterr()
    assert "the-secret-code" not in captured.out + captured.err


def test_a_port_in_use_is_an_os_error() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        with pytest.raises(OSError, match="in use") as caught:
            CallbackServer("127.0.0.1", taken.getsockname()[1], "/cb")
    assert caught.value.errno == errno.EADDRINUSE
