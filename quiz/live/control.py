"""Running a session: the facilitator's moves through :mod:`quiz.live.states`, and the room's upkeep.

Every action re-reads the session and the acting account inside the write transaction that makes
the change, so a facilitator demoted a second ago, or another tab that moved the session on,
cannot make a stale change. Every state change bumps ``live_sessions.version``: what the phones
follow.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import sqlite_utils

from quiz.learning import attempts
from quiz.people.auth import validate_display_name
from quiz.store.db import to_iso, transaction, utcnow

from .models import LiveError, LiveSession, NotAllowed
from .queries import actor_may_facilitate, can_control, get_session, reloaded_session
from .states import Action, State, after, state_name


def locked_session(db: sqlite_utils.Database, session_id: int, actor_id: int | None) -> LiveSession:
    """Inside a transaction: the fresh session, after checking who acts."""
    session = get_session(db, session_id)
    if session is None:
        raise LiveError("live.no_session")
    if not (actor_may_facilitate(db, actor_id) and can_control(db, session, actor_id)):
        raise NotAllowed("live.not_allowed")
    return session


def _move(
    db: sqlite_utils.Database, session_id: int, actor_id: int | None, action: Action, changes: dict
) -> LiveSession:
    """Check the actor and the transition, then write the new state; returns the session before."""
    session = locked_session(db, session_id, actor_id)
    target = after(session.state, action)
    _change(db, session, {"state": target.value, **changes})
    return session


def _change(db: sqlite_utils.Database, session: LiveSession, changes: dict[str, Any]) -> None:
    db.table("live_sessions").update(session.id, {**changes, "version": session.version + 1})


def start(db: sqlite_utils.Database, session_id: int, *, actor_id: int, now: datetime | None = None) -> LiveSession:
    """Leave the lobby: open the first question."""
    now = now or utcnow()
    with transaction(db):
        _move(
            db,
            session_id,
            actor_id,
            Action.START,
            {"current_index": 0, "started_at": to_iso(now), "question_opened_at": to_iso(now)},
        )
    return reloaded_session(db, session_id)


def next_question(
    db: sqlite_utils.Database, session_id: int, *, actor_id: int, now: datetime | None = None
) -> LiveSession:
    """After a reveal: open the next question."""
    now = now or utcnow()
    with transaction(db):
        session = locked_session(db, session_id, actor_id)
        after(session.state, Action.NEXT)
        if session.is_last_question:
            raise LiveError("live.no_more")
        _change(
            db,
            session,
            {"state": "question", "current_index": session.current_index + 1, "question_opened_at": to_iso(now)},
        )
    return reloaded_session(db, session_id)


def reveal(
    db: sqlite_utils.Database, session_id: int, *, actor_id: int, registry=None, now: datetime | None = None
) -> LiveSession:
    """Close the current question, show the answer, and record signed-in participants' answers.

    The state change is one short transaction, so the phones see the answer at once. Then each
    signed-in participant who answered gets their answer stored in their own progress
    (``quiz.learning.attempts``, one attempt of kind ``"live"`` per participant and session, made at their
    first recorded answer), so mastery and spaced repetition count it: one short transaction per
    person, so a room of 300 does not hold the write lock for everyone else (it took ~0.5 s in one).
    Recording is idempotent; ``end`` records again whatever a crash in between left out.
    """
    now = now or utcnow()
    with transaction(db):
        session = locked_session(db, session_id, actor_id)
        after(session.state, Action.REVEAL)
        _change(db, session, {"state": "revealed", "revealed_count": session.current_index + 1})
    revealed = reloaded_session(db, session_id)
    _record_progress(db, revealed, revealed.current_index, registry=registry, now=now)
    return revealed


def reveal_when_due(
    db: sqlite_utils.Database, session_id: int, *, registry=None, now: datetime | None = None
) -> LiveSession | None:
    """The session's own rule, not a person's click: reveal when its time is up or all have answered.

    Only for a session made with ``auto_reveal``; any page that notices may call it, and only the
    first call changes anything (the check and the change are one transaction). Returns the
    revealed session, or None when nothing was due.
    """
    now = now or utcnow()
    with transaction(db):
        session = get_session(db, session_id)
        if session is None or not session.auto_reveal or session.state != State.QUESTION:
            return None
        deadline = session.deadline()
        time_up = deadline is not None and now >= deadline
        if not time_up:
            people, answered = db.execute(
                """
                SELECT (SELECT COUNT(*) FROM live_participants WHERE session_id = ? AND removed_at IS NULL),
                       (SELECT COUNT(DISTINCT a.participant_id) FROM live_answers a
                        JOIN live_participants p ON p.id = a.participant_id AND p.removed_at IS NULL
                        WHERE a.session_id = ? AND a.question_index = ?)
                       + (SELECT COUNT(DISTINCT t.participant_id) FROM live_texts t
                        JOIN live_participants p ON p.id = t.participant_id AND p.removed_at IS NULL
                        WHERE t.session_id = ? AND t.question_index = ?)
                """,
                [session_id, session_id, session.current_index, session_id, session.current_index],
            ).fetchone()
            if not people or answered < people:
                return None
        _change(db, session, {"state": "revealed", "revealed_count": session.current_index + 1})
    revealed = reloaded_session(db, session_id)
    _record_progress(db, revealed, revealed.current_index, registry=registry, now=now)
    return revealed


def end(
    db: sqlite_utils.Database, session_id: int, *, actor_id: int, registry=None, now: datetime | None = None
) -> LiveSession:
    """End the session from any state: no more joins or answers; the live attempts are finished.

    Answers to a question that was open but never revealed stay stored, but count neither in the
    results nor in anyone's progress; ``ended_during`` keeps which question that was, so the
    results can say so.
    """
    now = now or utcnow()
    with transaction(db):
        session = locked_session(db, session_id, actor_id)
        after(session.state, Action.END)
        during = session.current_index if session.state == State.QUESTION else None
        _change(db, session, {"state": "ended", "ended_at": to_iso(now), "ended_during": during})
    # Whatever a reveal did not get to record (a crash right after it) is recorded now; what it did
    # record is left as it is.
    for index in range(session.revealed_count):
        _record_progress(db, session, index, registry=registry, now=now)
    with transaction(db):
        for (attempt_id,) in db.execute(
            "SELECT attempt_id FROM live_participants WHERE session_id = ? AND attempt_id IS NOT NULL", [session_id]
        ).fetchall():
            attempts.finish_attempt(db, attempt_id, now=now)
    return reloaded_session(db, session_id)


def set_locked(db: sqlite_utils.Database, session_id: int, *, actor_id: int, locked: bool) -> LiveSession:
    """Lock the room (nobody new joins; those in it may reconnect) or open it again."""
    with transaction(db):
        session = locked_session(db, session_id, actor_id)
        if session.state == State.ENDED:
            raise LiveError("live.wrong_state", state=state_name(State.ENDED))
        _change(db, session, {"locked": int(locked)})
    return reloaded_session(db, session_id)


def remove_participant(db: sqlite_utils.Database, session_id: int, participant_id: int, *, actor_id: int) -> None:
    """Take a participant out of the room: off the lists and counts, no more answers, no rejoining.

    Their answers to the questions revealed so far keep counting (``removed_after``), so the
    revealed distributions and results do not change; their texts leave the stage and the CSV.
    Nobody joins again under their name in this session (:func:`quiz.live.join`).
    """
    with transaction(db):
        session = locked_session(db, session_id, actor_id)
        db.execute(
            "UPDATE live_participants SET removed_at = ?, removed_after = ?"
            " WHERE id = ? AND session_id = ? AND removed_at IS NULL",
            [to_iso(utcnow()), session.revealed_count, participant_id, session_id],
        )
        _change(db, session, {})  # the removed phone follows the version and leaves


def rename_participant(
    db: sqlite_utils.Database, session_id: int, participant_id: int, name: str, *, actor_id: int
) -> None:
    """Give a participant another name (an unsuitable nickname); raises ``InvalidInput`` for an unusable one."""
    clean = validate_display_name(name)
    with transaction(db):
        session = locked_session(db, session_id, actor_id)
        db.execute(
            "UPDATE live_participants SET display_name = ? WHERE id = ? AND session_id = ?",
            [clean, participant_id, session_id],
        )
        _change(db, session, {})


def _record_progress(db: sqlite_utils.Database, session: LiveSession, index: int, *, registry, now: datetime) -> None:
    """Store each signed-in participant's answer to question ``index`` through ``quiz.learning.attempts``.

    The participants' attempts refer to the room's questions, stored once (``question_sets``), not
    a copy each.

    One short transaction per person (an unusable record of one person must not hold up the room),
    and idempotent: an answer already in the person's attempt stays as it was. Open questions have
    no right answer and stay out of progress.
    """
    if session.questions[index].kind not in ("choice", "assign"):
        return
    rows = db.execute(
        """
        SELECT p.id, p.user_id, a.answer_json, a.changed_at
        FROM live_participants p JOIN live_answers a ON a.participant_id = p.id AND a.question_index = ?
        WHERE p.session_id = ? AND p.user_id IS NOT NULL
        """,
        [index, session.id],
    ).fetchall()
    opened = session.question_opened_at if index == session.current_index else None
    spec = session.spec.model_copy(update={"title": session.title})
    for participant_id, user_id, answer_json, changed_at in rows:
        taken = int((datetime.fromisoformat(changed_at) - opened).total_seconds() * 1000) if opened else None
        try:
            with transaction(db):
                # Read under the lock: two recordings (a reveal and an end) never make two attempts.
                (attempt_id,) = db.execute(
                    "SELECT attempt_id FROM live_participants WHERE id = ?", [participant_id]
                ).fetchone()
                if attempt_id is None:
                    attempt_id = attempts.start_attempt(
                        db, user_id, spec, session.questions, kind="live", now=now,
                        questions_json=session.questions_json or None, registry=registry,
                    )  # fmt: skip
                    db.execute("UPDATE live_participants SET attempt_id = ? WHERE id = ?", [attempt_id, participant_id])
            attempts.submit_answer(
                db,
                attempt_id,
                index,
                json.loads(answer_json),
                time_taken_ms=max(taken, 0) if taken is not None else None,
                registry=registry,
                now=now,
            )
        except attempts.AttemptError:
            continue
