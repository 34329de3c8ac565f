"""Opening a session under a join code, and joining it: by code, by name or account, braked per browser.

A phone is recognised three ways, so that losing the tab never makes a second participant: by the
participant token in its URL (``?p=``), by the signed-in account, and by the participant cookie
that the app's own route sets in the browser (``browser``; only its hash is stored).
"""

from __future__ import annotations

import json
import math
import secrets
import sqlite3
from datetime import datetime

import sqlite_utils

from quiz.learning.quizzes import QuizSpec, draw_questions
from quiz.people import brakes
from quiz.people.auth import token_hash, validate_display_name
from quiz.questions.base import Question
from quiz.store.db import to_iso, transaction, utcnow
from quiz.store.users import get_user

from .models import SECONDS_KEY, JoinLocked, LiveError, LiveSession, Participant
from .queries import (
    CODE_ALPHABET,
    CODE_LENGTH,
    is_well_formed,
    normalize_code,
    participant_for_browser,
    participant_for_token,
    participant_for_user,
    reloaded_participant,
    reloaded_session,
    session_by_code,
)

# Join-code brake (quiz.people.brakes, scope "join"): per signed-in person, else per browser, never per
# shared address: a room on one venue Wi-Fi shares its address. 31^6 codes make guessing hopeless.
JOIN_WINDOW = brakes.SCOPES["join"].limits["browser"].window
JOIN_FAILURES_BEFORE_LOCK = brakes.SCOPES["join"].limits["browser"].free
MAX_TIMER_SECONDS = 600


def new_code() -> str:
    """A random join code from :data:`CODE_ALPHABET` (``secrets``, not ``random``)."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def create_session(
    db: sqlite_utils.Database,
    facilitator_id: int,
    spec: QuizSpec,
    *,
    questions: list[Question] | None = None,
    allow_anonymous: bool = False,
    points: bool = False,
    timer_seconds: int | None = None,
    auto_reveal: bool = False,
    registry=None,
    now: datetime | None = None,
) -> LiveSession:
    """Open a session in the lobby under a fresh join code, with ``questions`` or a random draw.

    ``questions`` are a session plan's (:mod:`quiz.live.plans`), in its order; without them the
    questions are drawn from ``spec`` (a spec without a seed gets one, so the stored spec redraws
    exactly the stored questions). ``timer_seconds`` (off by default) limits each question that
    has no limit of its own (a plan's ``data["live_seconds"]``, 0 for none);
    ``auto_reveal`` reveals when the time is up or everyone has answered.
    """
    if questions is None:
        if spec.seed is None:
            spec = spec.model_copy(update={"seed": secrets.randbelow(2**31)})
        questions = draw_questions(spec, registry)
    if not questions:
        raise LiveError("live.none_drawn")
    check_time_limit(timer_seconds)
    for question in questions:
        own = question.data.get(SECONDS_KEY)
        if own is not None and own != 0:
            check_time_limit(own)
    row = {
        "facilitator_id": facilitator_id,
        "pack_id": spec.pack_id,
        "spec_json": json.dumps(spec.model_dump(mode="json"), ensure_ascii=False),
        "questions_json": json.dumps([q.to_dict() for q in questions], ensure_ascii=False),
        "allow_anonymous": int(allow_anonymous),
        "points_enabled": int(points),
        "state": "lobby",
        "current_index": -1,
        "revealed_count": 0,
        "version": 1,
        "created_at": to_iso(now or utcnow()),
        "timer_seconds": timer_seconds or None,
        "auto_reveal": int(bool(auto_reveal)),
    }
    for _ in range(20):
        try:
            with transaction(db):
                session_id = db.table("live_sessions").insert({**row, "code": new_code()}).last_pk
            assert session_id is not None  # an insert sets it
            return reloaded_session(db, session_id)
        except sqlite3.IntegrityError:  # the code is taken (1 in ~900 million per open code): draw again
            continue
    raise LiveError("live.no_free_code")


def check_time_limit(seconds: int | None) -> None:
    """A time limit is off (None) or 5–600 seconds; raises :class:`LiveError` otherwise."""
    if seconds is not None and not (isinstance(seconds, int) and 5 <= seconds <= MAX_TIMER_SECONDS):
        raise LiveError("live.bad_timer", most=MAX_TIMER_SECONDS)


def brake_key(*, user_id: int | None, browser: str | None, client_key: str) -> str:
    """Whose wrong codes count together: the person, else the browser, else (no cookie) the address."""
    if user_id is not None:
        return f"user:{user_id}"
    if browser:
        return "browser:" + token_hash(browser)[:32]
    return f"ip:{client_key}"


def _removed_name(db: sqlite_utils.Database, session_id: int, name: str) -> bool:
    """Whether the facilitator removed someone of this name (case and spacing aside) from the session."""
    wanted = " ".join(name.split()).casefold()
    rows = db.execute(
        "SELECT display_name FROM live_participants WHERE session_id = ? AND removed_at IS NOT NULL", [session_id]
    ).fetchall()
    return any(" ".join(other.split()).casefold() == wanted for (other,) in rows)


def join(
    db: sqlite_utils.Database,
    code: str,
    *,
    user_id: int | None = None,
    display_name: str | None = None,
    client_key: str,
    browser: str | None = None,
    token: str | None = None,
    room_cap: int | None = None,
    now: datetime | None = None,
) -> tuple[Participant, str]:
    """Join the session with this code; returns the participant and the token their browser keeps.

    Joining again returns the same participant: for the same signed-in person, the same ``token``
    (which stays valid) or the same ``browser`` (the participant cookie): both of the last two get
    a new token, as only its hash is stored. Anonymous participants need a display name and a
    session that allows them; nobody new joins a locked room, nobody at all after the end. A removed
    participant is refused, also from a fresh browser under the same name (``live.removed_name``).

    Wrong codes are braked (:mod:`quiz.people.brakes`, a growing wait, never a lock-out) per signed-in
    person, else per browser, else per ``client_key`` (the address, only for a client without a
    browser id, with the address's generous allowance). A malformed code is refused without counting.
    ``room_cap`` (the deployment's ``QUIZ_LIVE_ROOM_CAP``) refuses a newcomer once that many are in
    the room, checked in the transaction that adds them; those already in it may always come back.
    Raises :class:`LiveError`, :class:`JoinLocked` while braked, or
    :class:`quiz.people.auth.InvalidInput` for an unusable display name.
    """
    now = now or utcnow()
    code = normalize_code(code)
    if not is_well_formed(code):  # matches nothing: refused without counting
        raise LiveError("live.code_format", length=CODE_LENGTH)
    key = brake_key(user_id=user_id, browser=browser, client_key=client_key)
    reservation = brakes.reserve(db, scope="join", keys=[key], now=now)
    if not reservation.allowed:
        raise JoinLocked(math.ceil(reservation.retry_after_seconds))
    session = session_by_code(db, code)
    brakes.settle(db, reservation, success=session is not None)
    if session is None:
        raise LiveError("live.unknown_code")
    if user_id is None and not session.allow_anonymous:
        raise LiveError("live.sign_in")
    if user_id is None:
        name = validate_display_name(display_name or "")
    else:
        user = get_user(db, user_id)
        if user is None:
            raise LiveError("live.sign_in")
        name = validate_display_name(display_name or user.display_name)
    with transaction(db):
        state, locked = db.execute("SELECT state, locked FROM live_sessions WHERE id = ?", [session.id]).fetchone()
        if state == "ended":
            raise LiveError("live.ended")
        found = None
        if token:
            by_token = participant_for_token(db, token)
            if by_token is not None and by_token.session_id == session.id and by_token.user_id == user_id:
                found = by_token
        if found is None and user_id is not None:
            found = participant_for_user(db, session.id, user_id)
        if found is None and user_id is None:
            by_browser = participant_for_browser(db, session.id, browser)
            if by_browser is not None and by_browser.user_id is None:
                found = by_browser
        if found is not None:
            if found.removed:
                raise LiveError("live.removed")
            if token and participant_for_token(db, token) == found:
                return found, token
            new_token = secrets.token_urlsafe(24)
            changes = {"token_hash": token_hash(new_token)}
            if browser:
                changes["browser_hash"] = token_hash(browser)
            db.table("live_participants").update(found.id, changes)
            return reloaded_participant(db, found.id), new_token
        if user_id is None and _removed_name(db, session.id, name):
            # A fresh browser is no way back in: the name the facilitator removed stays out.
            raise LiveError("live.removed_name", name=name)
        if locked:
            raise LiveError("live.room_locked")
        if room_cap is not None:
            (present,) = db.execute(
                "SELECT COUNT(*) FROM live_participants WHERE session_id = ? AND removed_at IS NULL", [session.id]
            ).fetchone()
            if present >= room_cap:
                raise LiveError("live.room_full", most=room_cap)
        new_token = secrets.token_urlsafe(24)
        participant_id = (
            db.table("live_participants")
            .insert(
                {
                    "session_id": session.id,
                    "user_id": user_id,
                    "display_name": name,
                    "token_hash": token_hash(new_token),
                    "browser_hash": token_hash(browser) if browser else None,
                    "attempt_id": None,
                    "joined_at": to_iso(now),
                }
            )
            .last_pk
        )
    assert participant_id is not None  # an insert sets it
    return reloaded_participant(db, participant_id), new_token
