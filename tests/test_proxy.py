"""The client's address and https behind reverse proxies: believed only from trusted proxies."""

from __future__ import annotations

import ipaddress

import pytest
from starlette.requests import Request

from quiz.ui.server import proxy

PROXIES = (ipaddress.ip_network("10.0.0.0/24"), ipaddress.ip_network("127.0.0.1/32"))


def headers(**values: str) -> dict[str, str]:
    return {name.replace("_", "-"): value for name, value in values.items()}


def test_without_trusted_proxies_the_peer_is_the_client_whatever_it_claims():
    claimed = headers(x_forwarded_for="1.2.3.4")
    assert proxy.client_address("203.0.113.9", claimed, ()) == "203.0.113.9"
    assert proxy.client_address("127.0.0.1", claimed, ()) == "127.0.0.1"


def test_a_trusted_proxy_names_the_client():
    assert proxy.client_address("127.0.0.1", headers(x_forwarded_for="198.51.100.7"), PROXIES) == "198.51.100.7"


def test_a_client_cannot_pick_its_address_by_sending_x_forwarded_for_itself():
    # The client sent "1.2.3.4"; nginx appended the address it really came from.
    forged = headers(x_forwarded_for="1.2.3.4, 198.51.100.7")
    assert proxy.client_address("127.0.0.1", forged, PROXIES) == "198.51.100.7"


def test_an_untrusted_peer_sending_x_forwarded_for_is_itself_the_client():
    forged = headers(x_forwarded_for="10.0.0.5")
    assert proxy.client_address("198.51.100.7", forged, PROXIES) == "198.51.100.7"


def test_a_chain_of_trusted_proxies_is_walked_back_to_the_first_untrusted_address():
    # browser -> municipal TLS proxy (10.0.0.2) -> nginx (127.0.0.1) -> app
    chain = headers(x_forwarded_for="6.6.6.6, 198.51.100.7, 10.0.0.2")
    assert proxy.client_address("127.0.0.1", chain, PROXIES) == "198.51.100.7"


def test_a_request_from_inside_the_proxy_network_is_that_address():
    assert proxy.client_address("127.0.0.1", headers(x_forwarded_for="10.0.0.9"), PROXIES) == "10.0.0.9"


def test_a_trusted_proxy_without_x_forwarded_for_is_the_client():
    assert proxy.client_address("10.0.0.2", {}, PROXIES) == "10.0.0.2"


def test_repeated_x_forwarded_for_headers_count_as_one_list():
    class Repeated(dict):
        def getlist(self, name):
            return ["1.2.3.4", "198.51.100.7"] if name == "x-forwarded-for" else []

    assert proxy.client_address("127.0.0.1", Repeated(), PROXIES) == "198.51.100.7"


@pytest.mark.parametrize(
    ("written", "client"),
    [
        ("198.51.100.7:50123", "198.51.100.7"),  # Azure Application Gateway appends the port
        ("[2001:db8::7]:443", "2001:db8::7"),
        ("2001:db8::7", "2001:db8::7"),
        ('"198.51.100.7"', "198.51.100.7"),
        ("::ffff:198.51.100.7", "198.51.100.7"),
    ],
)
def test_addresses_are_read_as_the_proxies_of_nginx_azure_and_iis_write_them(written, client):
    assert proxy.client_address("127.0.0.1", headers(x_forwarded_for=written), PROXIES) == client


def test_garbage_from_a_misconfigured_proxy_stops_at_the_proxy_that_wrote_it():
    chain = headers(x_forwarded_for="198.51.100.7, unknown, 10.0.0.2")
    assert proxy.client_address("127.0.0.1", chain, PROXIES) == "10.0.0.2"


def test_an_ipv4_mapped_peer_is_matched_against_ipv4_proxies():
    assert proxy.client_address("::ffff:127.0.0.1", headers(x_forwarded_for="198.51.100.7"), PROXIES) == "198.51.100.7"


def test_no_peer_is_no_client():
    assert proxy.client_address(None, headers(x_forwarded_for="198.51.100.7"), PROXIES) is None


def test_https_is_seen_directly_or_told_by_a_trusted_proxy_only():
    told = headers(x_forwarded_proto="https")
    assert proxy.is_https("198.51.100.7", {}, "https", ())
    assert proxy.is_https("127.0.0.1", told, "http", PROXIES)
    assert not proxy.is_https("198.51.100.7", told, "http", PROXIES)
    assert not proxy.is_https("127.0.0.1", told, "http", ())
    assert not proxy.is_https("127.0.0.1", {}, "http", PROXIES)


def test_the_nearest_proxy_has_the_last_word_on_the_scheme():
    assert not proxy.is_https("127.0.0.1", headers(x_forwarded_proto="https, http"), "http", PROXIES)
    assert proxy.is_https("127.0.0.1", headers(x_forwarded_proto="http, HTTPS"), "http", PROXIES)


def request(peer: str, scheme: str = "http", **values: str) -> Request:
    raw = [(k.encode(), v.encode()) for k, v in headers(**values).items()]
    scope = {"type": "http", "method": "GET", "path": "/auth/session", "query_string": b"", "headers": raw}
    scope.update(scheme=scheme, server=("127.0.0.1", 8501), client=(peer, 40000))
    return Request(scope)


def test_sign_in_cookie_is_secure_when_the_trusted_proxy_saw_https(monkeypatch):
    from quiz.ui.server import client

    monkeypatch.setenv("QUIZ_TRUSTED_PROXIES", "127.0.0.1")
    monkeypatch.delenv("QUIZ_SECURE_COOKIES", raising=False)
    assert client.cookie_secure(request("127.0.0.1", x_forwarded_proto="https"))
    assert not client.cookie_secure(request("127.0.0.1", x_forwarded_proto="http"))
    assert not client.cookie_secure(request("198.51.100.7", x_forwarded_proto="https"))
    assert client.request_client_ip(request("127.0.0.1", x_forwarded_for="198.51.100.7")) == "198.51.100.7"


def test_sign_in_cookie_is_secure_when_the_operator_says_so(monkeypatch):
    from quiz.ui.server import client

    monkeypatch.delenv("QUIZ_TRUSTED_PROXIES", raising=False)
    monkeypatch.setenv("QUIZ_SECURE_COOKIES", "ja")
    assert client.cookie_secure(request("198.51.100.7"))


def test_no_proxy_trusted_by_default_so_forwarded_headers_are_ignored(monkeypatch):
    from quiz.ui.server import client

    monkeypatch.delenv("QUIZ_TRUSTED_PROXIES", raising=False)
    monkeypatch.delenv("QUIZ_SECURE_COOKIES", raising=False)
    forged = request("127.0.0.1", x_forwarded_for="198.51.100.7", x_forwarded_proto="https")
    assert client.request_client_ip(forged) == "127.0.0.1"
    assert not client.cookie_secure(forged)


class FakeClientContext:
    """What Streamlit keeps of a browser's websocket handshake: its peer and its headers."""

    def __init__(self, remote_ip, headers):
        self.remote_ip = remote_ip
        self.headers = list(headers.items())
        self.cookies = {}


def test_a_page_behind_nginx_on_loopback_sees_the_forwarded_client(monkeypatch):
    import streamlit.runtime.context as st_context

    from quiz.ui.server import client

    monkeypatch.setenv("QUIZ_TRUSTED_PROXIES", "127.0.0.1, ::1")
    handshake = FakeClientContext("127.0.0.1", {"X-Forwarded-For": "198.51.100.7"})
    monkeypatch.setattr(st_context, "_get_client_context", lambda: handshake)
    assert client.client_ip() == "198.51.100.7"


def test_a_page_still_knows_its_client_when_streamlits_internal_is_gone(monkeypatch):
    import streamlit.runtime.context as st_context

    from quiz.ui.server import client

    monkeypatch.setenv("QUIZ_TRUSTED_PROXIES", "127.0.0.1")
    handshake = FakeClientContext("127.0.0.1", {"X-Forwarded-For": "198.51.100.7"})
    monkeypatch.setattr(st_context, "_get_client_context", lambda: handshake)
    # st.context still works (public API), the private helper's name does not.
    monkeypatch.setattr(client, "_raw_peer", lambda: (_ for _ in ()).throw(ImportError("gone")))
    assert client.client_ip() == "198.51.100.7"


def test_outside_a_browser_session_there_is_no_client_address():
    from quiz.ui.server import client

    assert client.client_ip() is None
