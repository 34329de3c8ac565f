"""One broadcaster per server process: it reads the followed rooms from progress.db and wakes their screens.

Every open phone or stage holds one Server-Sent Events stream (:mod:`quiz.ui.web.phone`,
:mod:`quiz.ui.web.stage`) and waits on an :class:`asyncio.Event`. One task per process looks at the
rooms that have screens in it every :data:`TICK` seconds, with one small query per room
(:func:`quiz.live.pulse`). When a room's version moved (a start, reveal, next, end) it renders the
phones' message once per language and the stage's once; when only the answers moved, the stage's
(at most every :data:`STAGE_GAP` seconds). Then it wakes the screens whose message changed (not the
room's 2,000 phones when only the stage's count moved), which send the newest
message as it is: nothing is rendered per screen, and a slow phone simply gets the newest state.

After a reveal and at the end, each phone also needs its own part (its answer, right or wrong, its
place and score). The broadcaster makes those for the room's phones in this process with a few
queries for the whole room (:func:`quiz.ui.web.views.phone_parts`), and each phone's stream sends
its own part right behind the room's message: no request of its own from every phone at once.

Because the broadcaster reads progress.db, a move made through another process behind nginx
reaches this process's screens the same way. A session with automatic reveal is revealed here
when its time is up or everyone answered (:func:`quiz.live.reveal_when_due`), whoever watches.
"""

from __future__ import annotations

import asyncio
import logging
import os
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
    participant: tuple[int, int | None] | None = None  # a phone's participant id and account id


@dataclass(eq=False)
class Room:
    """A followed session: its screens, its last pulse, and the messages made for it."""

    session_id: int
    listeners: set[Listener] = field(default_factory=set)
    pulse: live.Pulse | None = None
    messages: dict[tuple[str, str], tuple[int, bytes]] = field(default_factory=dict)
    # Per phone key: the serial of the message they belong with, and each phone's own part.
    parts: dict[tuple[str, str], tuple[int, dict[int, bytes]]] = field(default_factory=dict)
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
        self._making = threading.Lock()  # the look and a new screen's first message: one at a time
        self.renders = 0  # how many messages were made (the load test reports it)

    def db(self) -> sqlite_utils.Database:
        """This thread's connection to progress.db (the broadcaster's and the routes' threads)."""
        db = getattr(self._local, "db", None)
        if db is None:
            db = self._local.db = open_db(self.path, migrate=False)
        return db

    async def listen(
        self, session_id: int, key: tuple[str, str], participant: tuple[int, int | None] | None = None
    ) -> tuple[Room, Listener]:
        """Follow a room for one screen; the room's current message for ``key`` is ready when this returns.

        ``participant`` (a phone's participant id and account id) gets its own part beside it.
        """
        room = self.rooms.get(session_id)
        if room is None:
            room = self.rooms[session_id] = Room(session_id)
        listener = Listener(key, participant=participant)
        room.listeners.add(listener)
        if key not in room.messages or (participant is not None and self._part_missing(room, key, participant[0])):
            await anyio.to_thread.run_sync(self._first_message, room, key, participant)
        self._ensure_running()
        return room, listener

    @staticmethod
    def _part_missing(room: Room, key: tuple[str, str], participant_id: int) -> bool:
        """Whether a phone joining the room's screens now needs its own part made alone.

        Only after a reveal and at the end, as the room was last seen (if it has moved since, the
        next look makes every phone's part, this one's too): 2,000 phones opening their streams in
        the lobby cost no extra work.
        """
        if room.session is None or not _has_parts(room.session):
            return False
        serial = room.messages.get(key, (-1, b""))[0]
        found = room.parts.get(key)
        return found is None or found[0] != serial or participant_id not in found[1]

    def leave(self, room: Room, listener: Listener) -> None:
        room.listeners.discard(listener)
        if not any(other.key == listener.key for other in room.listeners):
            room.messages.pop(listener.key, None)  # nobody keeps it fresh any more
            room.parts.pop(listener.key, None)
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
            for room, keys in woken:
                for listener in list(room.listeners):
                    if listener.key in keys:
                        listener.wake.set()
            await asyncio.sleep(max(0.0, TICK - (time.monotonic() - started)))

    def _first_message(self, room: Room, key: tuple[str, str], participant: tuple[int, int | None] | None) -> None:
        """For a new screen: the room's message for ``key`` if there is none yet, and a phone's own part."""
        db = self.db()
        with self._making:
            session = live.get_session(db, room.session_id)
            if session is None:
                return
            if key not in room.messages:
                room.serial += 1
                room.messages[key] = (room.serial, self.renderers[key[0]](db, session, key[1]))
                self.renders += 1
            if participant is None or not _has_parts(session):
                return
            serial = room.messages[key][0]
            made = _parts(db, session, dict([participant]), key[1])
            found = room.parts.get(key)
            if found is not None and found[0] == serial:
                found[1].update(made)
            else:
                room.parts[key] = (serial, made)

    def _look(self) -> list[tuple[Room, set[tuple[str, str]]]]:
        """In a worker thread: read every followed room's pulse, render what changed; the rooms and keys to wake."""
        with self._making:
            return self._look_now()

    def _look_now(self) -> list[tuple[Room, set[tuple[str, str]]]]:
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
            keys = {listener.key for listener in list(room.listeners)}  # a copy: screens come and go meanwhile
            if not moved:
                keys = {key for key in keys if key[0] != "phone"}  # phones show no counts: nothing changed on them
            for key in keys:
                room.serial += 1
                room.messages[key] = (room.serial, self.renderers[key[0]](db, session, key[1]))
                self.renders += 1
                if key[0] == "phone":
                    self._make_parts(db, room, session, key)
            room.stage_at = now
            woken.append((room, keys))
        return woken

    @staticmethod
    def _make_parts(db: sqlite_utils.Database, room: Room, session: live.LiveSession, key: tuple[str, str]) -> None:
        """Each phone's own part for the message just made for ``key`` (after a reveal and at the end)."""
        room.parts.pop(key, None)
        if not _has_parts(session):
            return
        people = dict(each.participant for each in list(room.listeners) if each.key == key and each.participant)
        room.parts[key] = (room.messages[key][0], _parts(db, session, people, key[1]))

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


def _has_parts(session: live.LiveSession) -> bool:
    """Whether the phones need their own part with the room's message: after a reveal, and at the end."""
    return session.state in (*live.SHOWN_ANSWER, live.State.ENDED)


def _parts(
    db: sqlite_utils.Database, session: live.LiveSession, people: dict[int, int | None], lang: str
) -> dict[int, bytes]:
    """The ``me`` event of each phone in ``people``; a removed participant's says so (the page reloads).

    Only after a reveal and at the end (:func:`_has_parts`), where the room's standings, made once
    per version, list everyone still in the room: whoever they leave out was removed.
    """
    in_room = {r.participant_id for r in views.standings(db, session.id, session.version)}
    removed = {pid for pid in people if pid not in in_room}
    made = views.phone_parts(db, session, {pid: uid for pid, uid in people.items() if pid not in removed}, lang)
    gone = views.event("me", {"v": session.version, "gone": True})
    return {pid: gone if pid in removed else views.event("me", made[pid]) for pid in people}


_BROADCASTERS: dict[str, Broadcaster] = {}
_BY_SETTING: dict[str | None, Broadcaster] = {}
_LOCK = threading.Lock()
RENDERERS: dict[str, Renderer] = {"phone": views.phone_message, "stage": views.stage_message}


def hub() -> Broadcaster:
    """This process's broadcaster for the current progress.db (``QUIZ_DB``)."""
    return _hub_for(os.environ.get("QUIZ_DB"))


def _hub_for(setting: str | None) -> Broadcaster:
    found = _BY_SETTING.get(setting)  # every request asks: the path is worked out once per setting
    if found is not None:
        return found
    path = str(default_db_path())
    with _LOCK:
        found = _BROADCASTERS.get(path)
        if found is None:
            found = _BROADCASTERS[path] = Broadcaster(path, RENDERERS)
        _BY_SETTING[setting] = found
    return found


async def stream(
    b: Broadcaster, session_id: int, key: tuple[str, str], participant: tuple[int, int | None] | None = None
):
    """The Server-Sent Events of one screen: the room's message now, then each newer one, and keep-alives.

    A phone's own part (``participant``) follows the room's message in the same write.
    """
    room, listener = await b.listen(session_id, key, participant)
    try:
        yield b"retry: 2000\n\n"
        while True:
            serial, message = room.messages.get(key, (listener.sent, b""))
            if serial != listener.sent and message:
                listener.sent = serial
                if participant is not None and (parts := room.parts.get(key)) is not None and parts[0] == serial:
                    message += parts[1].get(participant[0], b"")
                yield message
            try:
                async with asyncio.timeout(KEEP_ALIVE):  # no task per wait, unlike wait_for
                    await listener.wake.wait()
            except TimeoutError:
                yield b": keep-alive\n\n"
                continue
            listener.wake.clear()
            if room.session_id not in b.rooms:  # the room was dropped while we waited: follow it again
                b.leave(room, listener)
                room, listener = await b.listen(session_id, key, participant)
    finally:
        b.leave(room, listener)
