"""The live pages' server push: one watcher per server process over the live-session tables.

Topics: ``("live", id)`` is a session's version (it moves on every start, question, reveal and
end: the phones follow it); ``("live-pulse", id)`` is its :class:`quiz.live.Pulse` (version,
people, answers to the open question: the facilitator's screen follows it, at most twice a second).
See :mod:`quiz.ui.live.push` for how and why.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import streamlit as st

from quiz import live, settings
from quiz.store import default_db_path
from quiz.ui import session
from quiz.ui.live import push

# With push, the pages still look by themselves now and then, in case a push is lost: every 30 s,
# in big rooms less often (300 phones: every 60 s, 5 runs a second).
SAFETY_POLL_SECONDS = 30.0
PULSE_GAP_SECONDS = 0.5


# One watcher per progress.db path in this process. A plain dict rather than ``st.cache_resource``:
# every phone run asks for it (``follow``), and the cache's key hashing plus the store's own cache
# look-up were ~3 % of the server's time under the live load test.
_WATCHERS: dict[str, push.Watcher] = {}
_WATCHERS_LOCK = threading.Lock()


def watcher() -> push.Watcher:
    path = str(default_db_path())
    found = _WATCHERS.get(path)
    if found is None:
        with _WATCHERS_LOCK:
            found = _WATCHERS.get(path)
            if found is None:
                found = _WATCHERS[path] = push.Watcher(
                    str(session.store().path),  # migrated once, by the store
                    readers={"live": live.versions, "live-pulse": live.pulses},
                    min_gap={"live-pulse": PULSE_GAP_SECONDS},
                    max_in_flight=settings.current().push_in_flight,  # checked at start-up (startup.py)
                )
    return found


def pushing() -> bool:
    """True when this server pushes changes (a real ``streamlit run``; not in AppTest)."""
    return push.available()


def poll_every(without_push: float, *, people: int = 1) -> float:
    """A fragment's ``run_every``: a slow safety poll when changes are pushed, else ``without_push``."""
    return max(SAFETY_POLL_SECONDS, people / 5) if pushing() else without_push


def follow(kind: str, session_id: int, seen: Any) -> None:
    """Inside a fragment: rerun it when the session's ``kind`` value is no longer ``seen``."""
    push.follow(watcher(), (kind, session_id), seen)


def changed() -> None:
    """This run changed a live session: let the watcher look now instead of at its next tick."""
    if pushing():
        watcher().poke()


def fragment(body: Callable[..., None], run_every: float | None, *args: Any) -> None:
    """Run ``body(*args)`` as an ``st.fragment`` refreshed every ``run_every`` s, in a slot of its own.

    The slot is a container that the page's full run always writes, whatever the fragment does.
    Without it a fragment whose own container a full run did not send (seen in Streamlit 1.67 after
    a state change, with pushed fragment runs in between) leaves a gap that the browser closes up
    when the run ends; every later element then sits one place earlier than the server thinks, and
    the next fragment run writes into the wrong element: the page went blank with "'setIn' cannot
    be called on an ElementNode" (the facilitator's control page after »Saml svar på drøftelsen«).
    """
    with st.container():
        st.fragment(body, run_every=run_every)(*args)
