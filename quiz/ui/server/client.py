"""Who is on the other end of this browser session or HTTP request, through trusted proxies.

Streamlit's ``st.context.ip_address`` is the websocket's peer, which behind a reverse proxy is the
proxy (and ``None`` when it is on loopback, as deploy/nginx is). These helpers apply
``QUIZ_TRUSTED_PROXIES`` (quiz.ui.server.proxy) to the peer and the headers of the page's websocket
handshake, or of a Starlette request, so brakes key on the real client and cookies get
``Secure`` when the browser used https.
"""

from __future__ import annotations

import logging

import streamlit as st
from starlette.requests import HTTPConnection

from quiz import settings
from quiz.ui.server import proxy

log = logging.getLogger(__name__)

_LOOPBACK = "127.0.0.1"


def _raw_peer() -> str | None:
    # Deferred: a guarded Streamlit internal (docs/operations.md), read only where it is used.
    from streamlit.runtime.context import _get_client_context  # private in Streamlit 1.67

    client = _get_client_context()
    remote = getattr(client, "remote_ip", None) if client is not None else None
    if remote is not None and not isinstance(remote, str):
        raise TypeError(f"remote_ip is {type(remote).__name__}")
    return remote


def _peer() -> str | None:
    """The websocket's own peer address, loopback included (``st.context.ip_address`` hides it)."""
    try:
        return _raw_peer()
    except Exception:  # an internal a later Streamlit may not have: the public API still serves
        log.debug("Streamlit's client context is unavailable; using st.context.ip_address", exc_info=True)
    ip = st.context.ip_address
    if isinstance(ip, str) and ip:
        return ip
    # ip_address is None for a loopback peer, and there are no headers without a browser session.
    return _LOOPBACK if _headers() else None


def _headers():
    try:
        headers = st.context.headers
    except Exception:
        return {}
    return headers if hasattr(headers, "items") else {}


def client_ip() -> str | None:
    """The browser's address as far as the trusted proxies vouch for it; None outside a browser session."""
    peer = _peer()
    if peer is None:
        return None
    return proxy.client_address(peer, _headers(), settings.current().trusted_proxies)


def request_client_ip(request: HTTPConnection) -> str | None:
    """The same for a Starlette request (the app's own HTTP routes)."""
    peer = request.client.host if request.client else None
    return proxy.client_address(peer, request.headers, settings.current().trusted_proxies)


def request_is_https(request: HTTPConnection) -> bool:
    """Whether the browser used https for this request, directly or via a trusted proxy."""
    peer = request.client.host if request.client else None
    return proxy.is_https(peer, request.headers, request.url.scheme, settings.current().trusted_proxies)


def cookie_secure(request: HTTPConnection) -> bool:
    """Whether a cookie set on ``request``'s response gets ``Secure``: forced by setting, or https seen."""
    return settings.current().secure_cookies or request_is_https(request)
