"""Server push for live pages: one watcher per server process instead of one poll per phone.

Streamlit's public way to refresh a page without a click is ``st.fragment(run_every=N)``: every
browser asks for a script run every N seconds. Each such run costs the server 5–8 ms of CPU even
when nothing changed, so 300 phones polling every 2 s need more than the whole process
(docs/performance.md). Here a fragment says what it shows instead::

    push.follow(("live", session_id), live_session.version)

and one watcher thread per process reads the current value of every followed topic (one query per
kind of topic, however many browsers follow it) and asks Streamlit to rerun exactly the fragments
that show an old value. The fragment's next run calls ``follow`` again with what it drew, which
also tells the watcher that the push has landed.

Fan-out is paced: at most ``max_in_flight`` pushed runs are under way at once, so a question
reaching 300 phones does not starve the answers coming in meanwhile (Python runs one script thread
at a time; 300 runs started together would all finish late, answers included). How many is the
deployment's ``QUIZ_PUSH_IN_FLIGHT``: 4 where one process carries the room and its core is the
limit, 16 where the room is spread over a process per core and each push's round trip is
(docs/performance.md, "3 December 2026 (afternoon)"). A push that has not
landed after ``repush_after`` seconds is sent again; a browser that left is forgotten.

This uses Streamlit internals (``Runtime``, ``AppSession``, ``RerunData``, the fragment's thread
state), the same calls Streamlit makes for its own auto-reruns; Streamlit's public API has no way
to rerun another session's fragment. Every one of them is listed in :data:`INTERNALS` and checked
once per process (:func:`missing_internal`), and every call to them is guarded: when one is gone
(a Streamlit upgrade), the server logs one warning naming it, :func:`available` is False and the
pages fall back to polling with ``run_every`` — slower, but the phones still follow.
``tests/test_push.py`` fails if an upgrade moves one, and plays a server with one removed.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from quiz.store import open_db

LOG = logging.getLogger(__name__)

Topic = tuple[str, Hashable]  # (kind, id), e.g. ("live", 7)
Reader = Callable[[sqlite_utils.Database, list[Any]], dict[Any, Any]]  # ids of one kind -> their values

try:  # Streamlit internals, see the module docstring
    from streamlit.runtime import Runtime
    from streamlit.runtime.app_session import AppSession, AppSessionState
    from streamlit.runtime.scriptrunner.script_runner import ScriptRunner
    from streamlit.runtime.scriptrunner_utils.script_requests import RerunData
    from streamlit.runtime.scriptrunner_utils.script_run_context import ThreadState, get_script_run_ctx

    _INTERNALS = True
except ImportError:  # pragma: no cover - only after an incompatible Streamlit upgrade
    _INTERNALS = False

# (where, attribute) of every internal this module touches, checked before the first push.
INTERNALS = (
    ("Runtime", "instance"),
    ("Runtime", "exists"),
    ("Runtime", "_get_async_objs"),
    ("AppSession", "has_fragment"),
    ("AppSession", "_create_scriptrunner"),
    ("AppSessionState", "SHUTDOWN_REQUESTED"),
    ("ScriptRunner", "request_rerun"),
    ("ThreadState", "get"),
)
_broken: list[str] = []  # the first internal found missing in this process, once found


def _off(name: str) -> None:
    """Push is off in this process from now on; said once in the server's log."""
    if not _broken:
        _broken.append(name)
        try:
            # Deferred: only to name the Streamlit version in the warning, once.
            from streamlit import __version__ as version
        except ImportError:  # pragma: no cover
            version = "?"
        LOG.warning(
            "Server push is off: the Streamlit internal %s is missing (Streamlit %s). "
            "The live pages poll instead (phones every 2-6 s).",
            name,
            version,
        )


def missing_internal() -> str | None:
    """The first internal of :data:`INTERNALS` (or a push's own call) found missing, else None."""
    if _broken:
        return _broken[0]
    if not _INTERNALS:
        _off("streamlit.runtime (import)")
        return _broken[0]
    found = {
        "Runtime": Runtime,
        "AppSession": AppSession,
        "AppSessionState": AppSessionState,
        "ScriptRunner": ScriptRunner,
        "ThreadState": ThreadState,
    }
    for where, name in INTERNALS:
        if not hasattr(found[where], name):
            _off(f"{where}.{name}")
            return _broken[0]
    return None


@dataclass
class Follower:
    """One fragment in one browser session, and the value it drew."""

    browser_session: str
    fragment_id: str
    page_script_hash: str
    query_string: str
    topic: Topic
    seen: Any
    drawn_at: float
    pushed_at: float | None = None  # a push is under way since
    quiet_until: float = 0.0  # not pushed again before (its last push changed nothing)


class Watcher:
    """Reads followed topics from progress.db and pushes reruns to fragments that show old values.

    ``readers`` maps a topic kind to a function that returns the current value of many ids in one
    query; ``min_gap`` (per kind, seconds) keeps a fragment from being pushed more often than that
    (the facilitator's answer count changes with every answer; twice a second is enough for a
    projector). ``rerun`` does the pushing and ``alive`` tells whether a browser session is still
    there; tests pass their own, and ``autostart=False`` to call :meth:`tick` themselves.
    """

    def __init__(
        self,
        db_path: str,
        readers: dict[str, Reader],
        *,
        min_gap: dict[str, float] | None = None,
        interval: float = 0.25,
        max_in_flight: int = 4,
        repush_after: float = 3.0,
        rerun: Callable[[Follower], bool] | None = None,
        alive: Callable[[str], bool] | None = None,
        sweep_every: float = 60.0,
        autostart: bool = True,
    ) -> None:
        self.db_path = db_path
        self.readers = readers
        self.min_gap = min_gap or {}
        self.interval = interval
        self.max_in_flight = max_in_flight
        self.repush_after = repush_after
        self._rerun = rerun or rerun_fragment
        # Whether a browser session is still connected; followers of closed tabs whose value never
        # changes again (an abandoned lobby) are dropped once a minute instead of kept for good.
        self._alive = alive if alive is not None else (session_alive if rerun is None else None)
        self.sweep_every = sweep_every
        self._swept_at = time.monotonic()
        self._followers: dict[tuple[str, str], Follower] = {}
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._stopped = threading.Event()
        self._db: sqlite_utils.Database | None = None
        self._values: tuple[float, dict[Topic, Any]] | None = None  # (read at, values)
        self.autostart = autostart  # tests call tick() themselves
        self.pushes = 0  # reruns asked for

    # --- called from script runs ------------------------------------------------------------------

    def follow(
        self,
        topic: Topic,
        seen: Any,
        *,
        browser_session: str,
        fragment_id: str,
        page_script_hash: str,
        query_string: str,
    ) -> None:
        """Remember what this fragment drew; a pending push to it has landed."""
        now = time.monotonic()
        follower = Follower(browser_session, fragment_id, page_script_hash, query_string, topic, seen, now)
        with self._lock:
            old = self._followers.get((browser_session, fragment_id))
            if old is not None and old.pushed_at is not None and old.topic == topic and old.seen == seen:
                # Pushed, and drew the same old value again (a stale read): wait before the next try,
                # rather than pushing it in a loop.
                follower.quiet_until = now + self.repush_after
            self._followers[(browser_session, fragment_id)] = follower
        if old is not None and old.pushed_at is not None:
            self._wake.set()  # a slot for the next push is free
        if self.autostart:
            self._ensure_thread()

    def poke(self) -> None:
        """Something changed in this process (a click, an answer): look now rather than at the next tick."""
        self._values = None
        self._wake.set()

    def following(self) -> int:
        with self._lock:
            return len(self._followers)

    # --- the watcher thread ----------------------------------------------------------------------

    def _ensure_thread(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        with self._lock:
            if self._thread is not None and self._thread.is_alive():
                return
            self._stopped.clear()
            self._thread = threading.Thread(target=self._loop, name="quiz-push-watcher", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stopped.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _loop(self) -> None:
        backlog = False
        while not self._stopped.is_set():
            self._wake.wait(timeout=0.02 if backlog else self.interval)
            self._wake.clear()
            if self._stopped.is_set():
                return
            try:
                backlog = self.tick()
            except Exception:  # the watcher must outlive one bad read; the pages' slow poll is the backstop
                LOG.exception("push watcher tick failed")
                if self._db is not None:
                    self._db.close()
                self._db = None
                backlog = False
                time.sleep(1)

    def _read(self, topics: Iterable[Topic]) -> dict[Topic, Any]:
        if self._db is None:
            self._db = open_db(self.db_path, migrate=False, check_same_thread=False)
        by_kind: dict[str, list[Hashable]] = {}
        for kind, ident in topics:
            by_kind.setdefault(kind, []).append(ident)
        values: dict[Topic, Any] = {}
        for kind, ids in by_kind.items():
            for ident, value in self.readers[kind](self._db, sorted(set(ids), key=repr)).items():
                values[(kind, ident)] = value
        return values

    def tick(self, now: float | None = None) -> bool:
        """One look: push to fragments that show an old value; True if some still wait for a slot."""
        with self._lock:
            followers = list(self._followers.values())
        if not followers:
            return False
        now = time.monotonic() if now is None else now
        if self._alive is not None and now - self._swept_at >= self.sweep_every:
            self._swept_at = now
            gone = {f.browser_session for f in followers if not self._alive(f.browser_session)}
            if gone:
                with self._lock:
                    for key in [k for k in self._followers if k[0] in gone]:
                        del self._followers[key]
                followers = [f for f in followers if f.browser_session not in gone]
        if not followers:
            return False
        topics = {f.topic for f in followers}
        # Woken early because a push landed: the values read less than ``interval`` ago are still good.
        if self._values is None or now - self._values[0] >= self.interval or not topics <= self._values[1].keys():
            self._values = (now, self._read(topics))
        values = self._values[1]
        in_flight = sum(1 for f in followers if f.pushed_at is not None and now - f.pushed_at < self.repush_after)
        due = [
            f
            for f in followers
            if f.topic in values
            and values[f.topic] != f.seen
            and (f.pushed_at is None or now - f.pushed_at >= self.repush_after)
            and now >= f.quiet_until
            and now - f.drawn_at >= self.min_gap.get(f.topic[0], 0.0)
        ]
        due.sort(key=lambda f: f.drawn_at)  # who has waited longest first
        slots = max(0, self.max_in_flight - in_flight)
        for follower in due[:slots]:
            key = (follower.browser_session, follower.fragment_id)
            if self._rerun(follower):
                follower.pushed_at = now
                self.pushes += 1
            else:  # the browser left or the page moved on: forget it
                with self._lock:
                    if self._followers.get(key) is follower:
                        del self._followers[key]
        return len(due) > slots


# --- Streamlit glue ---------------------------------------------------------------------------------


def available() -> bool:
    """True in a script run of a browser session that this server can push to.

    False without the internals, outside a script run and under AppTest (which makes a Runtime but
    runs its script outside the runtime's sessions).
    """
    manager = _session_manager()
    ctx = get_script_run_ctx(suppress_warning=True) if manager is not None else None
    return ctx is not None and _session_info(manager, ctx.session_id) is not None


def _session_manager():
    """The server's session manager; None without a server (AppTest's Runtime is a stand-in) or push."""
    if missing_internal() is not None or not Runtime.exists():
        return None
    runtime = Runtime.instance()
    manager = getattr(runtime, "_session_mgr", None)
    if manager is None or not hasattr(manager, "get_active_session_info"):
        if type(runtime).__name__ == "Runtime":  # a real server whose runtime changed shape
            _off("Runtime._session_mgr.get_active_session_info")
        return None
    return manager


def _session_info(manager, browser_session: str):
    try:
        return manager.get_active_session_info(browser_session)
    except (AttributeError, TypeError):
        _off("SessionManager.get_active_session_info")
        return None


def session_alive(browser_session: str) -> bool:
    """True while the browser session is connected to this server."""
    manager = _session_manager()
    return manager is not None and _session_info(manager, browser_session) is not None


def rerun_fragment(follower: Follower) -> bool:
    """Ask the browser session's script runner to run the fragment again; False if it is gone.

    What Streamlit does for a fragment's own ``run_every``, but started here: the session's last
    widget values are kept (``widget_states=None``) and a fragment run never preempts a running
    script, so a pushed run cannot cut into a person's click. Unlike Streamlit's own rerun path, it
    never replaces a runner whose finished run is not yet reported to the browser.
    """
    manager = _session_manager()
    info = _session_info(manager, follower.browser_session) if manager is not None else None
    if info is None:
        return False
    try:
        app_session = info.session
        if not app_session.has_fragment(follower.fragment_id):
            return False
        data = RerunData(
            query_string=follower.query_string,
            page_script_hash=follower.page_script_hash,
            fragment_id=follower.fragment_id,
            is_auto_rerun=True,
        )
        loop = Runtime.instance()._get_async_objs().eventloop
    except (AttributeError, TypeError) as exc:  # an internal moved: poll from now on
        _off(f"{type(exc).__name__}: {exc}")
        return False

    def on_loop(tries: int = 0) -> None:
        # AppSession is driven from the event loop's thread. Checked again here: the page may have
        # moved on since, and the session may be closing.
        try:
            if app_session._state == AppSessionState.SHUTDOWN_REQUESTED or not app_session.has_fragment(
                follower.fragment_id
            ):
                return
            runner = app_session._scriptrunner
            if runner is None:
                app_session._create_scriptrunner(data)
            elif not runner.request_rerun(data) and tries < 100:
                # The runner has just finished a run whose last events (its script_finished among
                # them) wait in this loop's queue. A new runner now would make the session drop
                # them, and the browser would never hear that run end. Once handled it is gone.
                loop.call_later(0.01, on_loop, tries + 1)
        except (AttributeError, TypeError) as exc:
            _off(f"{type(exc).__name__}: {exc}")

    loop.call_soon_threadsafe(on_loop)
    return True


def current_fragment() -> tuple[str, str, str, str] | None:
    """(browser session, fragment id, page hash, query string) of the fragment running now, if any."""
    if missing_internal() is not None:
        return None
    ctx = get_script_run_ctx(suppress_warning=True)
    if ctx is None:
        return None
    fragment_id = getattr(ThreadState.get(), "fragment_id", None)
    if not fragment_id:
        return None
    return ctx.session_id, fragment_id, ctx.page_script_hash, ctx.query_string


def follow(watcher: Watcher | None, topic: Topic, seen: Any) -> bool:
    """Called inside a fragment: push a rerun when ``topic`` no longer has the value ``seen``.

    Returns False when there is no push here (no watcher, not in a fragment, no server): the caller
    then polls.
    """
    where = current_fragment() if watcher is not None and available() else None
    if where is None or watcher is None:
        return False
    browser_session, fragment_id, page_hash, query = where
    watcher.follow(
        topic,
        seen,
        browser_session=browser_session,
        fragment_id=fragment_id,
        page_script_hash=page_hash,
        query_string=query,
    )
    return True
