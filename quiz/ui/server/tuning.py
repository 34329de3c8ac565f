"""Changes to Streamlit and asyncio internals that no setting offers; applied once by ``quiz.ui.server.asgi``.

Each patch reaches into an internal of Streamlit 1.67 or CPython 3.11 and is guarded: when the
internal is gone or has changed (a newer Streamlit), the patch is skipped with a warning in the
log, and the app starts and works as Streamlit does by itself (slower, or in the external-IP
case with Streamlit's own behaviour). :func:`apply` runs them all and says which took effect.

``enable_tcp_nodelay``: Streamlit 1.67 binds its listening socket with protocol 0, and asyncio only
turns Nagle's algorithm off (``TCP_NODELAY``) for sockets whose protocol is ``IPPROTO_TCP``. With
Nagle on, after the first small websocket frame of a run (``new_session``) every further frame
waits for the browser's delayed ACK: measured +40 ms on every rerun and every answer, on loopback
(docs/performance.md). Tornado, Streamlit's server before 1.5x, set ``TCP_NODELAY`` itself.
Serving with uvicorn directly would not remove this patch: uvicorn's own ``bind_socket`` also
makes the socket with protocol 0.

The patches that only made the phones' Streamlit runs cheaper (batched script events, one
wake-up per flush, a cached theme message) went with those runs (issue #25): the phones and the
stage are lean pages of their own (:mod:`quiz.ui.web`).

``no_external_ip_lookup``: Streamlit asks checkip.amazonaws.com for the machine's external address
when it prints its URLs at start-up (avoided by ``browser.serverAddress`` in
.streamlit/config.toml, since the printing comes before app.py is imported) and again when a
websocket comes from another origin. Nothing may leave the machine that an administrator did not
configure, so after start-up the look-up answers "unknown" without asking.
"""

from __future__ import annotations

import asyncio.base_events
import logging
import socket
from collections.abc import Callable
from typing import Any, TypeVar

log = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")


def _mark(fn: F, **marks: object) -> F:
    """``fn`` with attributes set on it: ``_coalesced`` and the like say that a patch is in already."""
    vars(fn).update(marks)
    return fn


def _set_nodelay(sock: socket.socket) -> None:
    if sock.family in (socket.AF_INET, socket.AF_INET6) and sock.type == socket.SOCK_STREAM:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


def enable_tcp_nodelay() -> bool:
    """Have asyncio set ``TCP_NODELAY`` on every TCP connection of this process, whatever its protocol number."""
    if not hasattr(socket, "TCP_NODELAY"):
        return False
    original = getattr(asyncio.base_events, "_set_nodelay", None)
    if not callable(original):
        raise AttributeError("asyncio.base_events._set_nodelay")
    asyncio.base_events._set_nodelay = _set_nodelay  # type: ignore[attr-defined]  # private, not in typeshed
    return True


def _no_external_ip() -> None:
    return None


def no_external_ip_lookup() -> bool:
    """Make Streamlit's external-IP look-up answer None without a request to checkip.amazonaws.com."""
    # Deferred: a guarded Streamlit internal, patched only where present.
    from streamlit import net_util

    if not callable(getattr(net_util, "get_external_ip", None)):
        raise AttributeError("streamlit.net_util.get_external_ip")
    net_util.get_external_ip = _no_external_ip
    # server_util imported the module, not the function, in 1.67; patch a direct import too if there is one.
    # Deferred: a guarded Streamlit internal, patched only where present.
    from streamlit.web.server import server_util

    if getattr(server_util, "get_external_ip", None) is not None:
        server_util.get_external_ip = _no_external_ip  # type: ignore[attr-defined]  # only where a Streamlit has it
    return True


PATCHES: dict[str, Callable[[], bool]] = {
    "tcp_nodelay": enable_tcp_nodelay,
    "no_external_ip_lookup": no_external_ip_lookup,
}


def apply(patches: dict[str, Callable[[], bool]] | None = None) -> dict[str, bool]:
    """Apply every patch that still fits this Streamlit and Python; the ones that did not are logged and skipped."""
    applied = {}
    for name, patch in (PATCHES if patches is None else patches).items():
        try:
            applied[name] = bool(patch())
        except Exception as exc:  # an internal moved: run as Streamlit does by itself
            log.warning(
                "server_tuning: %s not applied (%s: %s); the app runs without it", name, type(exc).__name__, exc
            )
            applied[name] = False
    return applied
