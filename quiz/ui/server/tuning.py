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

``coalesce_flush_wakeups``: see its docstring.

``batch_script_events``: see its docstring. ``cache_theme_message``: see its docstring.

``no_external_ip_lookup``: Streamlit asks checkip.amazonaws.com for the machine's external address
when it prints its URLs at start-up (avoided by ``browser.serverAddress`` in
.streamlit/config.toml, since the printing comes before app.py is imported) and again when a
websocket comes from another origin. Nothing may leave the machine that an administrator did not
configure, so after start-up the look-up answers "unknown" without asking.
"""

from __future__ import annotations

import asyncio.base_events
import collections
import logging
import socket
import threading
from collections.abc import Callable
from typing import Any, Protocol, TypeVar, cast

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
    # Deferred: a guarded Streamlit internal, patched only where present.
    from streamlit.runtime.runtime import Runtime

    original = Runtime._enqueued_some_message
    if not getattr(original, "_coalesced", False):
        Runtime._enqueued_some_message = coalescing(original)  # type: ignore[method-assign, assignment]  # the patch
    return True


def coalescing(original: Callable[[T], None]) -> Callable[[T], None]:
    """``original`` (Streamlit's wake-up), skipped while the loop is already due to flush."""

    def enqueued_some_message(self: T) -> None:
        async_objs = getattr(self, "_async_objs", None)
        event = getattr(async_objs, "need_send_data", None)
        if event is not None and event.is_set():
            return
        original(self)

    return _mark(enqueued_some_message, _coalesced=True)


class EventBatcher:
    """Callbacks for one event loop, handed over in batches: one wake-up of the loop per batch.

    :func:`batch_script_events` routes Streamlit's script-thread events through it. Order is kept
    (one FIFO for the loop); a callback that raises is reported to the loop's exception handler,
    as ``call_soon_threadsafe`` would, and the rest of the batch still runs.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self._queue: collections.deque[Callable[[], None]] = collections.deque()
        self._lock = threading.Lock()
        self._scheduled = False

    def submit(self, callback: Callable[[], None]) -> None:
        with self._lock:
            self._queue.append(callback)
            if self._scheduled:
                return  # the loop is already due to drain the queue, this one included
            self._scheduled = True
        try:
            self.loop.call_soon_threadsafe(self.drain)
        except RuntimeError:  # the loop is closed (shutdown): drop, as Streamlit does
            with self._lock:
                self._queue.clear()
                self._scheduled = False
            if not self.loop.is_closed():
                raise

    def drain(self) -> None:
        while True:
            with self._lock:
                if not self._queue:
                    self._scheduled = False
                    return
                batch = list(self._queue)
                self._queue.clear()
            for callback in batch:
                try:
                    callback()
                except Exception as exc:  # as the loop reports a failing call_soon callback
                    self.loop.call_exception_handler(
                        {"message": "Exception in a batched Streamlit callback", "exception": exc}
                    )


_BATCHERS: dict[int, EventBatcher] = {}
_BATCHERS_LOCK = threading.Lock()


def batcher_for(loop: asyncio.AbstractEventLoop) -> EventBatcher:
    found = _BATCHERS.get(id(loop))
    if found is None or found.loop is not loop:
        with _BATCHERS_LOCK:
            found = _BATCHERS.get(id(loop))
            if found is None or found.loop is not loop:
                found = _BATCHERS[id(loop)] = EventBatcher(loop)
    return found


def batch_script_events() -> bool:
    """Hand a script run's events to the event loop in batches instead of one wake-up per element.

    Every element a script run draws is a ``ScriptRunnerEvent`` that Streamlit 1.67's
    ``AppSession._on_scriptrunner_event`` passes to the event loop with ``call_soon_threadsafe``:
    a byte written to the loop's self-pipe, and the loop's thread waking to take the GIL from the
    script thread, once per element. Measured under the live load test (py-spy): 15 % of the
    server's samples sat in that write. Batched, the loop wakes once, takes every event queued
    meanwhile in order, and the script thread keeps the GIL for its run. When
    ``AppSession._call_soon_on_event_loop`` is missing, Streamlit's own path runs.
    """
    # Deferred: a guarded Streamlit internal, patched only where present.
    from streamlit.runtime.app_session import AppSession

    original = AppSession._call_soon_on_event_loop
    if getattr(original, "_batched", False):
        return True
    if not callable(original):
        raise AttributeError("AppSession._call_soon_on_event_loop")

    def call_soon_on_event_loop(self, callback: Callable[[], None]) -> None:
        loop = getattr(self, "_event_loop", None)
        if loop is None:
            return original(self, callback)
        batcher_for(loop).submit(callback)

    patched = _mark(call_soon_on_event_loop, _batched=True)
    AppSession._call_soon_on_event_loop = patched  # type: ignore[method-assign]  # the patch
    return True


def cache_theme_message() -> bool:
    """Build the theme part of Streamlit's ``new_session`` message once, not on every script run.

    Streamlit 1.67 sends ``new_session`` at the start of every run, fragment runs included, and
    fills its six theme sections from the config each time (``_populate_theme_msg``: ~6 % of the
    server's GIL time under the live load test). The theme does not change while the server runs
    (``server.fileWatcherType = "none"``; the cache is also dropped whenever Streamlit parses its
    config again), so each section is built once and copied. When ``_populate_theme_msg`` is
    missing, Streamlit builds it every time.
    """
    # Deferred: guarded Streamlit internals, patched only where present.
    from streamlit import config
    from streamlit.runtime import app_session

    original = app_session._populate_theme_msg
    if getattr(original, "_cached", False):
        return True
    if not callable(original):
        raise AttributeError("app_session._populate_theme_msg")
    populate = theme_cache(original)
    on_parsed = getattr(config, "on_config_parsed", None)
    if callable(on_parsed):
        on_parsed(populate.forget, force_connect=True)
    app_session._populate_theme_msg = populate
    return True


class ThemeCache(Protocol):
    """What :func:`theme_cache` makes: Streamlit's ``_populate_theme_msg``, and ``forget()`` to build again."""

    forget: Callable[[], None]

    def __call__(self, msg: Any, section: str = "theme") -> None: ...


def theme_cache(original: Callable[..., None]) -> ThemeCache:
    """``original`` (Streamlit's ``_populate_theme_msg``), run once per section and copied after."""
    built: dict[str, bytes | None] = {}

    def populate_theme_msg(msg, section: str = "theme") -> None:
        if section not in built:
            fresh = type(msg)()
            original(fresh, section)
            # An untouched section stays unset on the message, as Streamlit leaves it.
            built[section] = fresh.SerializeToString() if fresh.ListFields() else None
        data = built[section]
        if data is not None:
            msg.MergeFromString(data)

    return cast(ThemeCache, _mark(populate_theme_msg, _cached=True, __wrapped__=original, forget=built.clear))


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
    "coalesce_flush_wakeups": coalesce_flush_wakeups,
    "batch_script_events": batch_script_events,
    "cache_theme_message": cache_theme_message,
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
