"""Reading live sessions, participants and answers: the small indexed queries every page runs.

Plain SQL rather than ``db[table].rows_where`` where a phone reads on every run: under load each
extra SQLite call (sqlite-utils looks up the schema first) is another wait for Python's GIL
(docs/performance.md).
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlite_utils

from quiz.people.auth import token_hash
from quiz.store.db import to_iso, utcnow
from quiz.store.users import get_user

from .models import (
    LiveAnswer,
    LiveError,
    LiveSession,
    Participant,
    Pulse,
    answer_from_row,
    participant_from_row,
    session_from_row,
)

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: easy to read off a projector
CODE_LENGTH = 6
# A signed-in person who reloads after the end still finds the session they took part in this long.
RECENT_END = timedelta(hours=12)
# SQLite's largest integer: a bigger id from a URL would raise OverflowError when bound.
MAX_ROW_ID = 2**63 - 1


def normalize_code(text: str | None) -> str:
    """A typed join code as stored: upper case, without spaces and dashes."""
    return "".join(ch for ch in (text or "").upper() if ch not in " -\t\n")


def is_well_formed(code: str) -> bool:
    return len(code) == CODE_LENGTH and all(ch in CODE_ALPHABET for ch in code)


def one(db: sqlite_utils.Database, table: str, where: str, args: list) -> dict | None:
    """The first row of ``table`` matching ``where``, as a dict; one SQLite call."""
    cursor = db.conn.execute(f"SELECT * FROM [{table}] WHERE {where} LIMIT 1", args)
    row = cursor.fetchone()
    if row is None:
        return None
    return dict(zip([c[0] for c in cursor.description], row, strict=True))


def get_session(db: sqlite_utils.Database, session_id: int) -> LiveSession | None:
    """The session with this id, or None (also for an id no SQLite row can have, e.g. from a typed URL)."""
    if not 0 < session_id <= MAX_ROW_ID:
        return None
    row = one(db, "live_sessions", "id = ?", [session_id])
    return session_from_row(row) if row else None


def reloaded_session(db: sqlite_utils.Database, session_id: int) -> LiveSession:
    """The session as the caller just wrote it; ``LiveError`` when it is gone."""
    session = get_session(db, session_id)
    if session is None:
        raise LiveError("live.no_session")
    return session


def session_by_code(db: sqlite_utils.Database, code: str) -> LiveSession | None:
    """The session with this join code (typed in any case, with or without spaces), or None."""
    row = one(db, "live_sessions", "code = ?", [normalize_code(code)])
    return session_from_row(row) if row else None


def open_sessions(db: sqlite_utils.Database, facilitator_id: int) -> list[LiveSession]:
    """The facilitator's sessions that have not ended, newest first, to resume."""
    rows = db["live_sessions"].rows_where(
        "facilitator_id = ? AND state != 'ended'", [facilitator_id], order_by="id DESC"
    )
    return [session_from_row(row) for row in rows]


def ended_sessions(db: sqlite_utils.Database, facilitator_id: int, *, limit: int = 100) -> list[LiveSession]:
    """The facilitator's ended sessions, the latest end first: the past sessions page."""
    rows = db["live_sessions"].rows_where(
        "facilitator_id = ? AND state = 'ended'", [facilitator_id], order_by="ended_at DESC, id DESC", limit=limit
    )
    return [session_from_row(row) for row in rows]


def session_version(db: sqlite_utils.Database, session_id: int) -> int:
    """The session's version: one primary-key read, what every client polls. 0 when there is none."""
    row = db.execute("SELECT version FROM live_sessions WHERE id = ?", [session_id]).fetchone()
    return row[0] if row else 0


def versions(db: sqlite_utils.Database, session_ids: list[int]) -> dict[int, int]:
    """The versions of many sessions in one query: what a server process's push watcher reads."""
    if not session_ids:
        return {}
    marks = ",".join("?" * len(session_ids))
    return dict(db.execute(f"SELECT id, version FROM live_sessions WHERE id IN ({marks})", session_ids).fetchall())


def pulses(db: sqlite_utils.Database, session_ids: list[int]) -> dict[int, Pulse]:
    """:func:`pulse` of many sessions, for the push watcher."""
    return {session_id: pulse(db, session_id) for session_id in session_ids}


def pulse(db: sqlite_utils.Database, session_id: int) -> Pulse:
    """Version, people in the room, who answered the current question (a text counts), and the revisions.

    The revisions count every text too (the open question's and the discussion's) and every
    moderation move (``moderated``: approve, hide, restore), so the stage redraws when a text comes,
    shows or is hidden. A removed participant's answer to the open question no longer counts.
    """
    row = db.execute(
        """
        SELECT s.version,
               (SELECT COUNT(*) FROM live_participants WHERE session_id = s.id AND removed_at IS NULL),
               (SELECT COUNT(*) FROM live_answers a JOIN live_participants p
                  ON p.id = a.participant_id AND p.removed_at IS NULL
                WHERE a.session_id = s.id AND a.question_index = s.current_index)
               + (SELECT COUNT(DISTINCT t.participant_id) FROM live_texts t JOIN live_participants p
                  ON p.id = t.participant_id AND p.removed_at IS NULL
                  WHERE t.session_id = s.id AND t.question_index = s.current_index AND t.kind = 'open'),
               (SELECT COALESCE(SUM(revision), 0) FROM live_answers
                WHERE session_id = s.id AND question_index = s.current_index)
               + (SELECT COUNT(*) FROM live_texts WHERE session_id = s.id AND question_index = s.current_index)
               + s.moderated
        FROM live_sessions s WHERE s.id = ?
        """,
        [session_id],
    ).fetchone()
    return Pulse(*row) if row else Pulse(0, 0, 0, 0)


def participants(db: sqlite_utils.Database, session_id: int, *, removed: bool = False) -> list[Participant]:
    """Everyone in the room, in the order they joined (with ``removed=True`` also those removed)."""
    where = "session_id = ?" + ("" if removed else " AND removed_at IS NULL")
    rows = db["live_participants"].rows_where(where, [session_id], order_by="joined_at, id")
    return [participant_from_row(row) for row in rows]


def get_participant(db: sqlite_utils.Database, participant_id: int) -> Participant | None:
    row = one(db, "live_participants", "id = ?", [participant_id])
    return participant_from_row(row) if row else None


def reloaded_participant(db: sqlite_utils.Database, participant_id: int) -> Participant:
    """The participant as the caller just wrote them; ``LiveError`` when they are gone."""
    participant = get_participant(db, participant_id)
    if participant is None:
        raise LiveError("live.removed")
    return participant


def participant_for_token(db: sqlite_utils.Database, token: str | None) -> Participant | None:
    """The participant whose browser holds ``token`` (kept in the URL to reconnect), or None."""
    if not token:
        return None
    row = one(db, "live_participants", "token_hash = ?", [token_hash(token)])
    return participant_from_row(row) if row else None


def participant_for_browser(db: sqlite_utils.Database, session_id: int, browser: str | None) -> Participant | None:
    """The participant this browser (its participant cookie) joined as in the session, or None."""
    if not browser:
        return None
    row = one(
        db,
        "live_participants",
        "session_id = ? AND browser_hash = ? ORDER BY id DESC",
        [session_id, token_hash(browser)],
    )
    return participant_from_row(row) if row else None


def participant_for_user(db: sqlite_utils.Database, session_id: int, user_id: int) -> Participant | None:
    """The signed-in person's place in the session, or None."""
    row = one(db, "live_participants", "session_id = ? AND user_id = ?", [session_id, user_id])
    return participant_from_row(row) if row else None


def active_participation(db: sqlite_utils.Database, user_id: int, *, now: datetime | None = None) -> Participant | None:
    """The signed-in person's newest place in a session that is running or ended lately.

    Where a reload goes back to, also after the end: a winner who reloads sees her result, not the
    join form.
    """
    since = to_iso((now or utcnow()) - RECENT_END)
    row = db.execute(
        """
        SELECT p.id FROM live_participants p JOIN live_sessions s ON s.id = p.session_id
        WHERE p.user_id = ? AND p.removed_at IS NULL AND (s.state != 'ended' OR s.ended_at >= ?)
        ORDER BY p.id DESC LIMIT 1
        """,
        [user_id, since],
    ).fetchone()
    return get_participant(db, row[0]) if row else None


def answer_of(db: sqlite_utils.Database, participant_id: int, question_index: int) -> LiveAnswer | None:
    """The participant's current answer to one question, or None."""
    row = one(db, "live_answers", "participant_id = ? AND question_index = ?", [participant_id, question_index])
    return answer_from_row(row) if row else None


def answers_to(db: sqlite_utils.Database, session_id: int, question_index: int) -> dict[int, LiveAnswer]:
    """Every participant's current answer to one question, by participant id (one query for the room)."""
    rows = db["live_answers"].rows_where("session_id = ? AND question_index = ?", [session_id, question_index])
    return {row["participant_id"]: answer_from_row(row) for row in rows}


def answers_of(db: sqlite_utils.Database, participant_id: int) -> dict[int, LiveAnswer]:
    """Every answer the participant gave, by question index."""
    rows = db["live_answers"].rows_where("participant_id = ?", [participant_id], order_by="question_index")
    return {row["question_index"]: answer_from_row(row) for row in rows}


def can_control(db: sqlite_utils.Database, session: LiveSession, user_id: int | None) -> bool:
    """Only the session's facilitator, or an administrator, may run it."""
    if user_id is None:
        return False
    if session.facilitator_id == user_id:
        return True
    user = get_user(db, user_id)
    return bool(user and user.is_admin)


def actor_may_facilitate(db: sqlite_utils.Database, actor_id: int | None) -> bool:
    """The acting account exists and is a facilitator or an administrator (read again, in the transaction).

    One small function so that ``accounts.require_actor`` (the sign-in work) replaces it in one line.
    """
    user = get_user(db, actor_id) if actor_id is not None else None
    return bool(user and (user.is_facilitator or user.is_admin))
