"""Changes to Streamlit and asyncio internals that no setting offers; applied once when ``app.py`` builds the ASGI app.

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

``coalesce_flush_wakeups``: see its docstring.

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

log = logging.getLogger(__name__)


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
    asyncio.base_events._set_nodelay = _set_nodelay
    return True


def coalesce_flush_wakeups() -> bool:
    """Wake Streamlit's sending loop once per batch of messages, not once per message.

    Every element a script run draws is one message; for each, Streamlit 1.67's
    ``Runtime._enqueued_some_message`` calls ``call_soon_threadsafe``, which writes a byte to the
    event loop's self-pipe (a system call that also lets go of the GIL). The loop only needs one
    wake-up: it clears ``need_send_data`` and *then* flushes every session's queue, so a message
    queued while the event is still set is always sent by the flush that follows. Measured: ~9 %
    of the server's CPU under the 300-phone load test went to these wake-ups (docs/performance.md).
    When ``_async_objs`` or its ``need_send_data`` event is missing, every message wakes the loop
    as Streamlit does by itself.
    """
    from streamlit.runtime.runtime import Runtime

    original = Runtime._enqueued_some_message
    if not getattr(original, "_coalesced", False):
        Runtime._enqueued_some_message = coalescing(original)
    return True


def coalescing(original: Callable[[object], None]) -> Callable[[object], None]:
    """``original`` (Streamlit's wake-up), skipped while the loop is already due to flush."""

    def enqueued_some_message(self) -> None:
        async_objs = getattr(self, "_async_objs", None)
        event = getattr(async_objs, "need_send_data", None)
        if event is not None and event.is_set():
            return
        original(self)

    enqueued_some_message._coalesced = True
    return enqueued_some_message


def _no_external_ip() -> None:
    return None


def no_external_ip_lookup() -> bool:
    """Make Streamlit's external-IP look-up answer None without a request to checkip.amazonaws.com."""
    from streamlit import net_util

    if not callable(getattr(net_util, "get_external_ip", None)):
        raise AttributeError("streamlit.net_util.get_external_ip")
    net_util.get_external_ip = _no_external_ip
    # server_util imported the module, not the function, in 1.67; patch a direct import too if there is one.
    from streamlit.web.server import server_util

    if getattr(server_util, "get_external_ip", None) is not None:
        server_util.get_external_ip = _no_external_ip
    return True


PATCHES: dict[str, Callable[[], bool]] = {
    "tcp_nodelay": enable_tcp_nodelay,
    "coalesce_flush_wakeups": coalesce_flush_wakeups,
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
