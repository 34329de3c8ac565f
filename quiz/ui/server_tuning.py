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
