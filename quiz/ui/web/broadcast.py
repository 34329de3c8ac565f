"""One broadcaster per server process: it reads the followed rooms from progress.db and wakes their screens.

Every open phone or stage holds one Server-Sent Events stream (:mod:`quiz.ui.web.phone`,
:mod:`quiz.ui.web.stage`) and waits on an :class:`asyncio.Event`. One task per process looks at the
rooms that have screens in it every :data:`TICK` seconds, with one small query per room
(:func:`quiz.live.pulse`). When a room's version moved (a start, reveal, next, end) it renders the
phones' message once per language and the stage's once; when only the answers moved, the stage's
(at most every :data:`STAGE_GAP` seconds). Then it wakes the screens, which send the newest
message as it is: nothing is rendered per screen, and a slow phone simply gets the newest state.

Because the broadcaster reads progress.db, a move made through another process behind nginx
reaches this process's screens the same way. A session with automatic reveal is revealed here
when its time is up or everyone answered (:func:`quiz.live.reveal_when_due`), whoever watches.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import anyio
import sqlite_utils

from quiz import live
from quiz.store import default_db_path, open_db
from quiz.store.db import utcnow
from quiz.ui.web import views

log = logging.getLogger(__name__)

TICK = 0.1
STAGE_GAP = 0.4
KEEP_ALIVE = 15.0

Renderer = Callable[[sqlite_utils.Database, live.LiveSession, str], bytes]


@dataclass(eq=False)
class Listener:
    """One open screen: what it shows (``key``: phone or stage, and language) and how it is woken."""

    key: tuple[str, str]
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    sent: int = -1


@dataclass(eq=False)
class Room:
    """A followed session: its screens, its last pulse, and the messages made for it."""

    session_id: int
    listeners: set[Listener] = field(default_factory=set)
    pulse: live.Pulse | None = None
    messages: dict[tuple[str, str], tuple[int, bytes]] = field(default_factory=dict)
    stage_at: float = 0.0
    serial: int = 0
    session: live.LiveSession | None = None


class Broadcaster:
    """The rooms followed in this process, and the task that keeps their messages fresh."""

    def __init__(self, path: str, renderers: dict[str, Renderer]):
        self.path = path
        self.renderers = renderers
        self.rooms: dict[int, Room] = {}
        self._task: asyncio.Task | None = None
        self._local = threading.local()
        self.renders = 0  # how many messages were made (the load test reports it)

    def db(self) -> sqlite_utils.Database:
        """This thread's connection to progress.db (the broadcaster's and the routes' threads)."""
        db = getattr(self._local, "db", None)
        if db is None:
            db = self._local.db = open_db(self.path, migrate=False)
        return db

    async def listen(self, session_id: int, key: tuple[str, str]) -> tuple[Room, Listener]:
        """Follow a room for one screen; the room's current message for ``key`` is ready when this returns."""
        room = self.rooms.get(session_id)
        if room is None:
            room = self.rooms[session_id] = Room(session_id)
        listener = Listener(key)
        room.listeners.add(listener)
        if key not in room.messages:
            await anyio.to_thread.run_sync(self._render_one, room, key)
        self._ensure_running()
        return room, listener

    def leave(self, room: Room, listener: Listener) -> None:
        room.listeners.discard(listener)
        if not any(other.key == listener.key for other in room.listeners):
            room.messages.pop(listener.key, None)  # nobody keeps it fresh any more
        if not room.listeners:
            self.rooms.pop(room.session_id, None)

    def _ensure_running(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._run(), name="live-broadcaster")

    async def _run(self) -> None:
        while self.rooms:
            started = time.monotonic()
            try:
                woken = await anyio.to_thread.run_sync(self._look)
            except Exception:  # a locked or broken database must not end the room's push: try again
                log.warning("The live broadcaster could not read progress.db", exc_info=True)
                woken = []
            for room in woken:
                for listener in list(room.listeners):
                    listener.wake.set()
            await asyncio.sleep(max(0.0, TICK - (time.monotonic() - started)))

    def _render_one(self, room: Room, key: tuple[str, str]) -> None:
        session = live.get_session(self.db(), room.session_id)
        if session is not None:
            room.serial += 1
            room.messages[key] = (room.serial, self.renderers[key[0]](self.db(), session, key[1]))
            self.renders += 1

    def _look(self) -> list[Room]:
        """In a worker thread: read every followed room's pulse, render what changed; the rooms to wake."""
        db = self.db()
        woken = []
        now = time.monotonic()
        for room in list(self.rooms.values()):
            pulse = live.pulse(db, room.session_id)
            if self._reveal_due(db, room, pulse):
                pulse = live.pulse(db, room.session_id)
            before = room.pulse
            if before is not None and pulse == before:
                continue
            moved = before is None or pulse.version != before.version
            stage_due = not moved and now - room.stage_at >= STAGE_GAP
            if not moved and not stage_due:
                continue  # only answers moved, and the stage was drawn a moment ago: next tick
            session = live.get_session(db, room.session_id)
            if session is None:
                continue
            room.session = session
            room.pulse = pulse
            keys = {listener.key for listener in room.listeners}
            for key in keys:
                if key[0] == "phone" and not moved:
                    continue  # phones show no counts: an answer elsewhere changes nothing on them
                room.serial += 1
                room.messages[key] = (room.serial, self.renderers[key[0]](db, session, key[1]))
                self.renders += 1
            room.stage_at = now
            woken.append(room)
        return woken

    @staticmethod
    def _reveal_due(db: sqlite_utils.Database, room: Room, pulse: live.Pulse) -> bool:
        """A session with automatic reveal: reveal when its time is up (also when nobody answers) or all answered."""
        session = room.session
        if session is None or not session.auto_reveal or session.state != live.State.QUESTION:
            return False
        if session.version != pulse.version:
            return False  # moved meanwhile: look again once it is read
        deadline = session.deadline()
        everyone = pulse.participants > 0 and pulse.answered >= pulse.participants
        if not everyone and (deadline is None or utcnow() < deadline):
            return False
        return live.reveal_when_due(db, session.id) is not None


_BROADCASTERS: dict[str, Broadcaster] = {}
_LOCK = threading.Lock()
RENDERERS: dict[str, Renderer] = {"phone": views.phone_message, "stage": views.stage_message}


def hub() -> Broadcaster:
    """This process's broadcaster for the current progress.db (``QUIZ_DB``)."""
    path = str(default_db_path())
    found = _BROADCASTERS.get(path)
    if found is None:
        with _LOCK:
            found = _BROADCASTERS.get(path)
            if found is None:
                found = _BROADCASTERS[path] = Broadcaster(path, RENDERERS)
    return found


async def stream(b: Broadcaster, session_id: int, key: tuple[str, str]):
    """The Server-Sent Events of one screen: the room's message now, then each newer one, and keep-alives."""
    room, listener = await b.listen(session_id, key)
    try:
        yield b"retry: 2000\n\n"
        while True:
            serial, message = room.messages.get(key, (listener.sent, b""))
            if serial != listener.sent and message:
                listener.sent = serial
                yield message
            try:
                await asyncio.wait_for(listener.wake.wait(), KEEP_ALIVE)
            except TimeoutError:
                yield b": keep-alive\n\n"
                continue
            listener.wake.clear()
            if room.session_id not in b.rooms:  # the room was dropped while we waited: follow it again
                b.leave(room, listener)
                room, listener = await b.listen(session_id, key)
    finally:
        b.leave(room, listener)
