"""Server settings that cannot be made in .streamlit/config.toml; applied once when ``app.py`` builds the ASGI app.

``enable_tcp_nodelay``: Streamlit 1.67 binds its listening socket with protocol 0, and asyncio only
turns Nagle's algorithm off (``TCP_NODELAY``) for sockets whose protocol is ``IPPROTO_TCP``. With
Nagle on, after the first small websocket frame of a run (``new_session``) every further frame
waits for the browser's delayed ACK: measured +40 ms on every rerun and every answer, on loopback
(docs/performance.md). Tornado, Streamlit's server before 1.5x, set ``TCP_NODELAY`` itself.
"""

from __future__ import annotations

import asyncio.base_events
import socket


def _set_nodelay(sock: socket.socket) -> None:
    if sock.family in (socket.AF_INET, socket.AF_INET6) and sock.type == socket.SOCK_STREAM:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


def enable_tcp_nodelay() -> None:
    """Have asyncio set ``TCP_NODELAY`` on every TCP connection of this process, whatever its protocol number."""
    if hasattr(socket, "TCP_NODELAY"):
        asyncio.base_events._set_nodelay = _set_nodelay


def coalesce_flush_wakeups() -> None:
    """Wake Streamlit's sending loop once per batch of messages, not once per message.

    Every element a script run draws is one message; for each, Streamlit 1.67's
    ``Runtime._enqueued_some_message`` calls ``call_soon_threadsafe``, which writes a byte to the
    event loop's self-pipe (a system call that also lets go of the GIL). The loop only needs one
    wake-up: it clears ``need_send_data`` and *then* flushes every session's queue, so a message
    queued while the event is still set is always sent by the flush that follows. Measured: ~9 %
    of the server's CPU under the 300-phone load test went to these wake-ups (docs/performance.md).
    """
    from streamlit.runtime.runtime import Runtime

    original = Runtime._enqueued_some_message
    if getattr(original, "_coalesced", False):
        return

    def enqueued_some_message(self) -> None:
        async_objs = self._async_objs
        if async_objs is not None and async_objs.need_send_data.is_set():
            return
        original(self)

    enqueued_some_message._coalesced = True
    Runtime._enqueued_some_message = enqueued_some_message
