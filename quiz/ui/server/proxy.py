"""Who the client is and whether it used https, when the app may sit behind reverse proxies.

A reverse proxy (nginx in deploy/, the municipality's TLS proxy, Azure Application Gateway, IIS
with ARR) connects to the app itself, so the connection's peer is the proxy; it passes the real
client's address in ``X-Forwarded-For`` (each proxy appends the address it got the request from)
and the scheme in ``X-Forwarded-Proto``. Anyone can send those headers, so they are believed only
when the peer is one of the trusted proxies (``QUIZ_TRUSTED_PROXIES``, none by default), and only
as far back as the chain of trusted proxies goes: the client address is the rightmost
``X-Forwarded-For`` entry that is not itself a trusted proxy. Entries to its left were written by
the client or by proxies nobody vouches for.

Pure functions over a peer address and a header mapping, so the Starlette routes, the Streamlit
pages (quiz.ui.server.client) and the tests share one reading.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

FORWARDED_FOR = "x-forwarded-for"
FORWARDED_PROTO = "x-forwarded-proto"


def parse_address(value: str | None) -> IPAddress | None:
    """An address as proxies write it: ``1.2.3.4``, ``1.2.3.4:5678`` (Azure), ``[::1]:80``, ``::1``."""
    if not value:
        return None
    text = value.strip().strip('"')
    if text.startswith("["):  # [v6] or [v6]:port
        text = text[1 : text.find("]")] if "]" in text else text[1:]
    elif text.count(":") == 1:  # v4:port; a bare IPv6 address has at least two colons
        text = text.split(":", 1)[0]
    text = text.split("%", 1)[0]  # a zone index (fe80::1%eth0) is no part of who the client is
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    # ::ffff:1.2.3.4 is how a dual-stack socket shows an IPv4 client: one client, one key.
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def is_trusted(address: IPAddress | None, trusted_networks: Iterable[IPNetwork]) -> bool:
    """Whether ``address`` lies in one of the trusted proxy networks."""
    if address is None:
        return False
    return any(address.version == net.version and address in net for net in trusted_networks)


def _header_values(headers: Mapping[str, str], name: str) -> list[str]:
    """Every comma-separated value of header ``name``, in order, over repeated headers too."""
    getlist = getattr(headers, "getlist", None) or getattr(headers, "get_all", None)
    if getlist is not None:
        raw = list(getlist(name))
    else:
        raw = [value for key, value in headers.items() if key.lower() == name]
    return [part.strip() for value in raw for part in str(value).split(",") if part.strip()]


def client_address(peer: str | None, headers: Mapping[str, str], trusted_networks: Iterable[IPNetwork]) -> str | None:
    """The client's address: the rightmost untrusted ``X-Forwarded-For`` entry when ``peer`` is trusted.

    ``peer`` is the address of the connection itself; it is the answer when it is not a trusted
    proxy or sent no ``X-Forwarded-For``. When every entry is a trusted proxy the leftmost one is
    the client (a request made from the proxies' own network). An entry that is not an address
    (a misconfigured proxy) ends the walk at the trusted hop that wrote it: such clients then share
    that hop's address, so a brake on it holds rather than being sidestepped with garbage.
    """
    trusted = tuple(trusted_networks)
    current = parse_address(peer)
    if current is None:
        return peer or None
    if not is_trusted(current, trusted):
        return str(current)
    for entry in reversed(_header_values(headers, FORWARDED_FOR)):
        hop = parse_address(entry)
        if hop is None:
            break
        current = hop
        if not is_trusted(current, trusted):
            break
    return str(current)


def is_https(peer: str | None, headers: Mapping[str, str], scheme: str | None, trusted: Iterable[IPNetwork]) -> bool:
    """Whether the browser's request came over https: seen directly, or told by a trusted proxy.

    The proxy nearest the app sets ``X-Forwarded-Proto`` last, so its (rightmost) value counts;
    deploy/nginx passes on the value of the TLS proxy in front of it instead of its own ``http``.
    """
    if (scheme or "").lower() in ("https", "wss"):
        return True
    if not is_trusted(parse_address(peer), tuple(trusted)):
        return False
    values = _header_values(headers, FORWARDED_PROTO)
    return bool(values) and values[-1].lower() == "https"
