"""Live group sessions: a facilitator runs a quiz for a room, participants answer on their phones.

Plain Python over progress.db, so a server restart or a second server process loses nothing and
sees the same session. A session moves through four states::

    lobby --start--> question --reveal--> revealed --next_question--> question ... --end--> ended

(``end`` works from every state.) Every state change bumps ``live_sessions.version``, so a client
polls one small row (:func:`session_version`) and reloads only when it changed. Answers are graded
when given and may be changed until the reveal; at the reveal, the answers of signed-in
participants are recorded in their own progress as an attempt of kind ``"live"``. See
docs/live-sessions.md.
"""

from __future__ import annotations

import io
import json
import secrets
import sqlite3
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

import sqlite_utils

from quiz import attempts
from quiz.auth import InvalidInput, token_hash, validate_display_name
from quiz.exports import spreadsheet_safe, write_csv
from quiz.questions.base import Answer, Grade, Question
from quiz.quizzes import QuizSpec, draw_questions, grade
from quiz.reports import LOCAL
from quiz.store.db import from_iso, to_iso, transaction, utcnow
from quiz.store.users import get_user

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: easy to read off a projector
CODE_LENGTH = 6
STATES = ("lobby", "question", "revealed", "ended")
POINTS_PER_QUESTION = 1000

# Join-code brake: this many wrong codes from one client within the window lock it out until the
# oldest of them leaves the window. 31^6 codes make guessing hopeless at this rate.
JOIN_WINDOW = timedelta(minutes=10)
JOIN_FAILURES_BEFORE_LOCK = 10

TXT = {
    "code_format": f"En deltagerkode har {CODE_LENGTH} tegn (bogstaver og tal). Tjek koden, og prøv igen.",
    "unknown_code": "Der er ingen live-quiz med den kode. Tjek koden på skærmen, og prøv igen.",
    "locked": "For mange forkerte koder. Vent {minutes} min., og prøv igen.",
    "ended": "Denne live-quiz er slut. Du kan ikke deltage længere.",
    "sign_in": "Denne live-quiz kræver, at du er logget ind. Log ind, og brug koden igen.",
    "not_allowed": "Kun sessionens facilitator eller en administrator kan styre den.",
    "no_session": "Live-quizzen findes ikke.",
    "wrong_state": "Det kan ikke lade sig gøre lige nu: live-quizzen er {state}.",
    "no_more": "Der er ikke flere spørgsmål. Afslut sessionen for at se resultaterne.",
    "closed": "Der er lukket for svar på dette spørgsmål.",
    "not_participant": "Du deltager ikke i denne live-quiz. Brug koden igen for at deltage.",
    "bad_answer": "Svaret passer ikke til spørgsmålet. Vælg igen.",
    "none_drawn": "Der er ikke nok udsagn til en live-quiz med disse valg. Vælg bredere.",
    "title": "Live-quiz {code}",
}
STATE_NAMES = {"lobby": "i lobbyen", "question": "i gang", "revealed": "ved svaret", "ended": "slut"}


class LiveError(ValueError):
    """An action that does not fit the session now; the message is Danish and says what to do."""


class JoinLocked(LiveError):
    """Too many wrong join codes from this client; ``retry_after`` seconds to wait."""

    def __init__(self, retry_after: int):
        self.retry_after = retry_after
        super().__init__(TXT["locked"].format(minutes=max(1, -(-retry_after // 60))))


class NotAllowed(LiveError):
    """The acting person may not control this session."""


class AnswerClosed(LiveError):
    """The question is not open for answers (revealed, not yet shown, or the session ended)."""


# --- value objects -----------------------------------------------------------------------------


@dataclass(frozen=True)
class LiveSession:
    """One live session: its questions, settings and where it is now."""

    id: int
    code: str
    facilitator_id: int | None
    pack_id: str
    spec: QuizSpec
    questions: list[Question]
    allow_anonymous: bool
    points_enabled: bool
    state: str
    current_index: int
    revealed_count: int
    version: int
    created_at: datetime
    started_at: datetime | None
    question_opened_at: datetime | None
    ended_at: datetime | None
    questions_json: str = field(default="", repr=False, compare=False)  # ``questions`` as stored

    @property
    def current_question(self) -> Question | None:
        """The question on screen (None in the lobby and after the end)."""
        if self.state in ("question", "revealed") and 0 <= self.current_index < len(self.questions):
            return self.questions[self.current_index]
        return None

    @property
    def is_last_question(self) -> bool:
        return self.current_index >= len(self.questions) - 1

    @property
    def title(self) -> str:
        return self.spec.title or TXT["title"].format(code=self.code)


@dataclass(frozen=True)
class Participant:
    """Someone in a session: a signed-in person (``user_id``) or an anonymous name."""

    id: int
    session_id: int
    user_id: int | None
    display_name: str
    attempt_id: int | None
    joined_at: datetime


@dataclass(frozen=True)
class LiveAnswer:
    """A participant's current answer to one question, graded when given."""

    participant_id: int
    question_index: int
    answer: Answer
    score: float
    correct: bool
    answered_at: datetime
    changed_at: datetime


@dataclass(frozen=True)
class Pulse:
    """What a facilitator's screen polls: three numbers from one indexed query."""

    version: int
    participants: int
    answered: int


@dataclass(frozen=True)
class Distribution:
    """How the room answered one question.

    ``counts`` maps option key -> number of participants (choice questions); ``per_item`` holds one
    such mapping per item (assign questions). Every option is present, with 0 when nobody chose it.
    """

    question_index: int
    kind: str
    counts: dict[str, int]
    per_item: list[dict[str, int]]
    answered: int
    participants: int


@dataclass(frozen=True)
class QuestionResult:
    """How the room did on one revealed question."""

    question_index: int
    prompt: str
    answered: int
    correct: int
    mean_score: float | None


@dataclass(frozen=True)
class ParticipantResult:
    """How one participant did on the revealed questions; ``points`` only when points are on."""

    participant_id: int
    display_name: str
    signed_in: bool
    answered: int
    correct: int
    score: float
    points: int | None


# --- reading -----------------------------------------------------------------------------------


def normalize_code(text: str | None) -> str:
    """A typed join code as stored: upper case, without spaces and dashes."""
    return "".join(ch for ch in (text or "").upper() if ch not in " -\t\n")


def is_well_formed(code: str) -> bool:
    return len(code) == CODE_LENGTH and all(ch in CODE_ALPHABET for ch in code)


@lru_cache(maxsize=256)
def _parsed(spec_json: str, questions_json: str) -> tuple[QuizSpec, tuple[Question, ...]]:
    """A session's settings and questions never change once made: parse them once per process.

    Every phone's page reads its session on every run; parsing ten questions each time was most of
    that run's own work. The objects are shared read-only.
    """
    return QuizSpec(**json.loads(spec_json)), tuple(Question.from_dict(q) for q in json.loads(questions_json))


def _session(row: dict) -> LiveSession:
    spec, questions = _parsed(row["spec_json"], row["questions_json"])
    return LiveSession(
        id=row["id"],
        code=row["code"],
        facilitator_id=row["facilitator_id"],
        pack_id=row["pack_id"],
        spec=spec,
        questions=list(questions),
        allow_anonymous=bool(row["allow_anonymous"]),
        points_enabled=bool(row["points_enabled"]),
        state=row["state"],
        current_index=row["current_index"],
        revealed_count=row["revealed_count"],
        version=row["version"],
        created_at=from_iso(row["created_at"]),
        started_at=from_iso(row["started_at"]),
        question_opened_at=from_iso(row["question_opened_at"]),
        ended_at=from_iso(row["ended_at"]),
        questions_json=row["questions_json"],
    )


def _participant(row: dict) -> Participant:
    return Participant(
        id=row["id"],
        session_id=row["session_id"],
        user_id=row["user_id"],
        display_name=row["display_name"],
        attempt_id=row["attempt_id"],
        joined_at=from_iso(row["joined_at"]),
    )


def _answer(row: dict) -> LiveAnswer:
    return LiveAnswer(
        participant_id=row["participant_id"],
        question_index=row["question_index"],
        answer=json.loads(row["answer_json"]),
        score=row["score"],
        correct=bool(row["correct"]),
        answered_at=from_iso(row["answered_at"]),
        changed_at=from_iso(row["changed_at"]),
    )


def _one(db: sqlite_utils.Database, table: str, where: str, args: list) -> dict | None:
    """The first row of ``table`` matching ``where``, as a dict; one SQLite call.

    Plain SQL rather than ``db[table].rows_where``: every phone reads its session, its place and its
    answer on every run, and under load each extra SQLite call (sqlite-utils looks up the schema
    first) is another wait for Python's GIL (docs/performance.md).
    """
    cursor = db.conn.execute(f"SELECT * FROM [{table}] WHERE {where} LIMIT 1", args)
    row = cursor.fetchone()
    if row is None:
        return None
    return dict(zip([c[0] for c in cursor.description], row, strict=True))


def get_session(db: sqlite_utils.Database, session_id: int) -> LiveSession | None:
    """The session with this id, or None."""
    row = _one(db, "live_sessions", "id = ?", [session_id])
    return _session(row) if row else None


def session_by_code(db: sqlite_utils.Database, code: str) -> LiveSession | None:
    """The session with this join code (typed in any case, with or without spaces), or None."""
    row = _one(db, "live_sessions", "code = ?", [normalize_code(code)])
    return _session(row) if row else None


def open_sessions(db: sqlite_utils.Database, facilitator_id: int) -> list[LiveSession]:
    """The facilitator's sessions that have not ended, newest first, to resume."""
    rows = db["live_sessions"].rows_where(
        "facilitator_id = ? AND state != 'ended'", [facilitator_id], order_by="id DESC"
    )
    return [_session(row) for row in rows]


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
    """Version, participant count and answers to the current question, for the facilitator's poll."""
    row = db.execute(
        """
        SELECT s.version,
               (SELECT COUNT(*) FROM live_participants WHERE session_id = s.id),
               (SELECT COUNT(*) FROM live_answers WHERE session_id = s.id AND question_index = s.current_index)
        FROM live_sessions s WHERE s.id = ?
        """,
        [session_id],
    ).fetchone()
    return Pulse(*row) if row else Pulse(0, 0, 0)


def participants(db: sqlite_utils.Database, session_id: int) -> list[Participant]:
    """Everyone who joined, in the order they joined."""
    rows = db["live_participants"].rows_where("session_id = ?", [session_id], order_by="joined_at, id")
    return [_participant(row) for row in rows]


def get_participant(db: sqlite_utils.Database, participant_id: int) -> Participant | None:
    row = _one(db, "live_participants", "id = ?", [participant_id])
    return _participant(row) if row else None


def participant_for_token(db: sqlite_utils.Database, token: str | None) -> Participant | None:
    """The participant whose browser holds ``token`` (kept in the URL to reconnect), or None."""
    if not token:
        return None
    row = _one(db, "live_participants", "token_hash = ?", [token_hash(token)])
    return _participant(row) if row else None


def participant_for_user(db: sqlite_utils.Database, session_id: int, user_id: int) -> Participant | None:
    """The signed-in person's place in the session, or None."""
    row = _one(db, "live_participants", "session_id = ? AND user_id = ?", [session_id, user_id])
    return _participant(row) if row else None


def active_participation(db: sqlite_utils.Database, user_id: int) -> Participant | None:
    """The signed-in person's newest place in a session that has not ended: where a reload goes back to."""
    row = db.execute(
        """
        SELECT p.id FROM live_participants p JOIN live_sessions s ON s.id = p.session_id
        WHERE p.user_id = ? AND s.state != 'ended' ORDER BY p.id DESC LIMIT 1
        """,
        [user_id],
    ).fetchone()
    return get_participant(db, row[0]) if row else None


def answer_of(db: sqlite_utils.Database, participant_id: int, question_index: int) -> LiveAnswer | None:
    """The participant's current answer to one question, or None."""
    row = _one(db, "live_answers", "participant_id = ? AND question_index = ?", [participant_id, question_index])
    return _answer(row) if row else None


def answers_of(db: sqlite_utils.Database, participant_id: int) -> dict[int, LiveAnswer]:
    """Every answer the participant gave, by question index."""
    rows = db["live_answers"].rows_where("participant_id = ?", [participant_id], order_by="question_index")
    return {row["question_index"]: _answer(row) for row in rows}


def can_control(db: sqlite_utils.Database, session: LiveSession, user_id: int | None) -> bool:
    """Only the session's facilitator, or an administrator, may run it."""
    if user_id is None:
        return False
    if session.facilitator_id == user_id:
        return True
    user = get_user(db, user_id)
    return bool(user and user.is_admin)


# --- creating and joining ----------------------------------------------------------------------


def new_code() -> str:
    """A random join code from :data:`CODE_ALPHABET` (``secrets``, not ``random``)."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def create_session(
    db: sqlite_utils.Database,
    facilitator_id: int,
    spec: QuizSpec,
    *,
    allow_anonymous: bool = False,
    points: bool = False,
    registry=None,
    now: datetime | None = None,
) -> LiveSession:
    """Draw the questions and open a session in the lobby under a fresh join code.

    A spec without a seed gets one, so the stored spec redraws exactly the stored questions.
    ``registry`` defaults to ``quiz.plugins.get_registry()``.
    """
    if spec.seed is None:
        spec = spec.model_copy(update={"seed": secrets.randbelow(2**31)})
    questions = draw_questions(spec, registry)
    if not questions:
        raise LiveError(TXT["none_drawn"])
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
    }
    for _ in range(20):
        try:
            with transaction(db):
                session_id = db["live_sessions"].insert({**row, "code": new_code()}).last_pk
            return get_session(db, session_id)
        except sqlite3.IntegrityError:  # the code is taken (1 in ~900 million per open code): draw again
            continue
    raise LiveError("Der kunne ikke findes en ledig kode. Prøv igen.")


def join_lock_remaining(db: sqlite_utils.Database, client_key: str, *, now: datetime) -> int:
    """Seconds until this client may try a join code again; 0 when it may try now."""
    rows = db.execute(
        "SELECT failed_at FROM live_join_failures WHERE client_key = ? AND failed_at >= ? ORDER BY failed_at DESC",
        [client_key, to_iso(now - JOIN_WINDOW)],
    ).fetchall()
    if len(rows) < JOIN_FAILURES_BEFORE_LOCK:
        return 0
    # Free again once the failures in the window drop below the limit.
    until = from_iso(rows[JOIN_FAILURES_BEFORE_LOCK - 1][0]) + JOIN_WINDOW
    return max(0, int((until - now).total_seconds() + 0.999))


def _record_join_failure(db: sqlite_utils.Database, client_key: str, code: str, now: datetime) -> None:
    with transaction(db):
        db["live_join_failures"].insert({"client_key": client_key, "code": code[:16], "failed_at": to_iso(now)})
        db["live_join_failures"].delete_where("failed_at < ?", [to_iso(now - 6 * JOIN_WINDOW)])


def join(
    db: sqlite_utils.Database,
    code: str,
    *,
    user_id: int | None = None,
    display_name: str | None = None,
    client_key: str,
    token: str | None = None,
    now: datetime | None = None,
) -> tuple[Participant, str]:
    """Join the session with this code; returns the participant and the token their browser keeps.

    Joining again returns the same participant: for the same signed-in person (with a new token:
    only the token's hash is stored), or for the same ``token`` (which stays valid). Anonymous
    participants need a display name and a session that allows them; nobody joins after the end.

    Wrong codes are braked per client: per signed-in person, else per ``client_key`` (e.g. the IP
    address). A malformed code is refused without counting, since it can match nothing.
    Raises :class:`LiveError` (Danish message), :class:`JoinLocked` while braked, or
    :class:`quiz.auth.InvalidInput` for an unusable display name.
    """
    now = now or utcnow()
    code = normalize_code(code)
    brake_key = f"user:{user_id}" if user_id is not None else client_key
    wait = join_lock_remaining(db, brake_key, now=now)
    if wait > 0:
        raise JoinLocked(wait)
    if not is_well_formed(code):
        raise LiveError(TXT["code_format"])
    session = session_by_code(db, code)
    if session is None:
        _record_join_failure(db, brake_key, code, now)
        raise LiveError(TXT["unknown_code"])
    if user_id is None and not session.allow_anonymous:
        raise LiveError(TXT["sign_in"])
    if user_id is None:
        name = validate_display_name(display_name or "")
    else:
        user = get_user(db, user_id)
        if user is None:
            raise LiveError(TXT["sign_in"])
        name = validate_display_name(display_name or user.display_name)
    with transaction(db):
        state = db.execute("SELECT state FROM live_sessions WHERE id = ?", [session.id]).fetchone()[0]
        if state == "ended":
            raise LiveError(TXT["ended"])
        if token:
            found = participant_for_token(db, token)
            if found is not None and found.session_id == session.id and (user_id is None or found.user_id == user_id):
                return found, token
        new_token = secrets.token_urlsafe(24)
        if user_id is not None:
            found = participant_for_user(db, session.id, user_id)
            if found is not None:
                db["live_participants"].update(found.id, {"token_hash": token_hash(new_token)})
                return found, new_token
        participant_id = (
            db["live_participants"]
            .insert(
                {
                    "session_id": session.id,
                    "user_id": user_id,
                    "display_name": name,
                    "token_hash": token_hash(new_token),
                    "attempt_id": None,
                    "joined_at": to_iso(now),
                }
            )
            .last_pk
        )
    return get_participant(db, participant_id), new_token


# --- running -----------------------------------------------------------------------------------


def _locked_session(db: sqlite_utils.Database, session_id: int, actor_id: int | None, states: tuple[str, ...]):
    """Inside a transaction: the fresh session, after checking who acts and that the state fits."""
    session = get_session(db, session_id)
    if session is None:
        raise LiveError(TXT["no_session"])
    if not can_control(db, session, actor_id):
        raise NotAllowed(TXT["not_allowed"])
    if session.state not in states:
        raise LiveError(TXT["wrong_state"].format(state=STATE_NAMES[session.state]))
    return session


def _change(db: sqlite_utils.Database, session: LiveSession, changes: dict[str, Any]) -> None:
    db["live_sessions"].update(session.id, {**changes, "version": session.version + 1})


def start(db: sqlite_utils.Database, session_id: int, *, actor_id: int, now: datetime | None = None) -> LiveSession:
    """Leave the lobby: open the first question."""
    now = now or utcnow()
    with transaction(db):
        session = _locked_session(db, session_id, actor_id, ("lobby",))
        _change(
            db,
            session,
            {"state": "question", "current_index": 0, "started_at": to_iso(now), "question_opened_at": to_iso(now)},
        )
    return get_session(db, session_id)


def next_question(
    db: sqlite_utils.Database, session_id: int, *, actor_id: int, now: datetime | None = None
) -> LiveSession:
    """After a reveal: open the next question."""
    now = now or utcnow()
    with transaction(db):
        session = _locked_session(db, session_id, actor_id, ("revealed",))
        if session.is_last_question:
            raise LiveError(TXT["no_more"])
        _change(
            db,
            session,
            {"state": "question", "current_index": session.current_index + 1, "question_opened_at": to_iso(now)},
        )
    return get_session(db, session_id)


def reveal(
    db: sqlite_utils.Database, session_id: int, *, actor_id: int, registry=None, now: datetime | None = None
) -> LiveSession:
    """Close the current question, show the answer, and record signed-in participants' answers.

    The state change is one short transaction, so the phones see the answer at once. Then each
    signed-in participant who answered gets their answer stored in their own progress
    (``quiz.attempts``, one attempt of kind ``"live"`` per participant and session, made at their
    first recorded answer), so mastery and spaced repetition count it: one short transaction per
    person, so a room of 300 does not hold the write lock for everyone else (it took ~0.5 s in one).
    Recording is idempotent; ``end`` records again whatever a crash in between left out.
    """
    now = now or utcnow()
    with transaction(db):
        session = _locked_session(db, session_id, actor_id, ("question",))
        _change(db, session, {"state": "revealed", "revealed_count": session.current_index + 1})
    revealed = get_session(db, session_id)
    _record_progress(db, revealed, revealed.current_index, registry=registry, now=now)
    return revealed


def end(
    db: sqlite_utils.Database, session_id: int, *, actor_id: int, registry=None, now: datetime | None = None
) -> LiveSession:
    """End the session from any state: no more joins or answers; the live attempts are finished.

    Answers to a question that was open but never revealed stay stored, but count neither in the
    results nor in anyone's progress.
    """
    now = now or utcnow()
    with transaction(db):
        session = _locked_session(db, session_id, actor_id, ("lobby", "question", "revealed"))
        _change(db, session, {"state": "ended", "ended_at": to_iso(now)})
    # Whatever a reveal did not get to record (a crash right after it) is recorded now; what it did
    # record is left as it is.
    for index in range(session.revealed_count):
        _record_progress(db, session, index, registry=registry, now=now)
    with transaction(db):
        for (attempt_id,) in db.execute(
            "SELECT attempt_id FROM live_participants WHERE session_id = ? AND attempt_id IS NOT NULL", [session_id]
        ).fetchall():
            attempts.finish_attempt(db, attempt_id, now=now)
    return get_session(db, session_id)


def _record_progress(db: sqlite_utils.Database, session: LiveSession, index: int, *, registry, now: datetime) -> None:
    """Store each signed-in participant's answer to question ``index`` through ``quiz.attempts``.

    One short transaction per person (an unusable record of one person must not hold up the room),
    and idempotent: an answer already in the person's attempt stays as it was.
    """
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
        taken = int((from_iso(changed_at) - opened).total_seconds() * 1000) if opened else None
        try:
            with transaction(db):
                # Read under the lock: two recordings (a reveal and an end) never make two attempts.
                (attempt_id,) = db.execute(
                    "SELECT attempt_id FROM live_participants WHERE id = ?", [participant_id]
                ).fetchone()
                if attempt_id is None:
                    attempt_id = attempts.start_attempt(
                        db, user_id, spec, session.questions, kind="live", now=now,
                        questions_json=session.questions_json or None,
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


# --- answering ---------------------------------------------------------------------------------


def _well_formed_answer(question: Question, answer: Any) -> bool:
    keys = {o.key for o in question.options}
    if question.kind == "choice":
        return isinstance(answer, str) and answer in keys
    return (
        isinstance(answer, list)
        and len(answer) == len(question.items)
        and all(isinstance(a, str) and a in keys for a in answer)
    )


def submit_answer(
    db: sqlite_utils.Database,
    session_id: int,
    participant_id: int,
    question_index: int,
    answer: Answer,
    *,
    registry=None,
    now: datetime | None = None,
) -> LiveAnswer:
    """Store (or replace) the participant's answer to the open question.

    Allowed only while that question is open: state ``question`` at ``question_index``. A second
    answer replaces the first (one row per participant and question; ``answered_at`` keeps the
    first time, ``changed_at`` the last). Raises :class:`AnswerClosed` after the reveal or the end.
    """
    now = now or utcnow()
    session = get_session(db, session_id)
    if session is None:
        raise LiveError(TXT["no_session"])
    if not 0 <= question_index < len(session.questions):
        raise AnswerClosed(TXT["closed"])
    question = session.questions[question_index]
    if not _well_formed_answer(question, answer):
        raise LiveError(TXT["bad_answer"])
    # Grading is pure; do it before taking the write lock.
    result = grade(question, answer, registry)
    with transaction(db):
        state, current = db.execute(
            "SELECT state, current_index FROM live_sessions WHERE id = ?", [session_id]
        ).fetchone()
        if state != "question" or current != question_index:
            raise AnswerClosed(TXT["closed"])
        row = db.execute(
            "SELECT user_id FROM live_participants WHERE id = ? AND session_id = ?", [participant_id, session_id]
        ).fetchone()
        if row is None:
            raise LiveError(TXT["not_participant"])
        # One statement: the first answer inserts, a changed one updates (answered_at stays the first).
        cursor = db.conn.execute(
            """
            INSERT INTO live_answers
                (session_id, participant_id, user_id, question_index, answer_json, score, correct,
                 answered_at, changed_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (participant_id, question_index) DO UPDATE SET
                answer_json = excluded.answer_json, score = excluded.score, correct = excluded.correct,
                changed_at = excluded.changed_at
            RETURNING *
            """,
            [
                session_id,
                participant_id,
                row[0],
                question_index,
                json.dumps(answer, ensure_ascii=False),
                float(result.score),
                int(result.correct),
                to_iso(now),
                to_iso(now),
            ],
        )
        (values,) = cursor.fetchall()  # to the end, so the statement is done before the commit
        stored = dict(zip([c[0] for c in cursor.description], values, strict=True))
    return _answer(stored)


def answer_key(question: Question) -> Answer:
    """The first accepted answer: what a fully right answer looks like."""
    return question.accepted[0][0] if question.kind == "choice" else [acc[0] for acc in question.accepted]


def explain(question: Question, answer: Answer | None = None, *, registry=None) -> Grade:
    """The grade of ``answer`` (or of the right answer): right answer and explanation to show."""
    return grade(question, answer_key(question) if answer is None else answer, registry)


# --- results -----------------------------------------------------------------------------------


def distribution(db: sqlite_utils.Database, session_id: int, question_index: int) -> Distribution:
    """The answers to one question, counted per option (per item and option for assign questions)."""
    session = get_session(db, session_id)
    if session is None:
        raise LiveError(TXT["no_session"])
    question = session.questions[question_index]
    keys = [o.key for o in question.options]
    answers = [
        json.loads(text)
        for (text,) in db.execute(
            "SELECT answer_json FROM live_answers WHERE session_id = ? AND question_index = ?",
            [session_id, question_index],
        ).fetchall()
    ]
    (joined,) = db.execute("SELECT COUNT(*) FROM live_participants WHERE session_id = ?", [session_id]).fetchone()
    counts: dict[str, int] = {}
    per_item: list[dict[str, int]] = []
    if question.kind == "choice":
        tally = Counter(a for a in answers if isinstance(a, str))
        counts = {k: tally.get(k, 0) for k in keys}
    else:
        for i in range(len(question.items)):
            tally = Counter(a[i] for a in answers if isinstance(a, list) and i < len(a))
            per_item.append({k: tally.get(k, 0) for k in keys})
    return Distribution(question_index, question.kind, counts, per_item, len(answers), joined)


def question_results(db: sqlite_utils.Database, session_id: int) -> list[QuestionResult]:
    """For each revealed question: how many answered, how many fully right, the mean score."""
    session = get_session(db, session_id)
    if session is None:
        raise LiveError(TXT["no_session"])
    stats = {
        index: (answered, correct, mean)
        for index, answered, correct, mean in db.execute(
            """
            SELECT question_index, COUNT(*), SUM(correct), AVG(score) FROM live_answers
            WHERE session_id = ? GROUP BY question_index
            """,
            [session_id],
        ).fetchall()
    }
    return [
        QuestionResult(i, session.questions[i].prompt, *stats.get(i, (0, 0, None)))
        for i in range(session.revealed_count)
    ]


def participant_results(db: sqlite_utils.Database, session_id: int) -> list[ParticipantResult]:
    """Every participant's result on the revealed questions, best first (then by name).

    Only revealed questions count, so a leaderboard never tells who is right before the reveal.
    """
    session = get_session(db, session_id)
    if session is None:
        raise LiveError(TXT["no_session"])
    rows = db.execute(
        """
        SELECT p.id, p.display_name, p.user_id IS NOT NULL,
               COUNT(a.question_index), COALESCE(SUM(a.correct), 0), COALESCE(SUM(a.score), 0.0)
        FROM live_participants p
        LEFT JOIN live_answers a ON a.participant_id = p.id AND a.question_index < ?
        WHERE p.session_id = ?
        GROUP BY p.id
        """,
        [session.revealed_count, session_id],
    ).fetchall()
    results = [
        ParticipantResult(
            participant_id=pid,
            display_name=name,
            signed_in=bool(signed_in),
            answered=answered,
            correct=correct,
            score=score,
            points=round(POINTS_PER_QUESTION * score) if session.points_enabled else None,
        )
        for pid, name, signed_in, answered, correct, score in rows
    ]
    return sorted(results, key=lambda r: (-r.score, -r.correct, r.display_name.casefold(), r.participant_id))


def leaderboard(db: sqlite_utils.Database, session_id: int, *, limit: int = 10) -> list[ParticipantResult]:
    """The best ``limit`` participants on the revealed questions."""
    return participant_results(db, session_id)[:limit]


def answer_text(question: Question, answer: Answer) -> str:
    """An answer in words; for an assign question the picks in the order of its statements.

    The picks are not numbered: chain options carry their own number (»1. Direktion«), and
    »1: 1. Direktion« read as nonsense.
    """
    if isinstance(answer, str):
        return question.option_label(answer)
    return "; ".join(question.option_label(a) for a in answer)


CSV_COLUMNS = (
    "kode",
    "spørgsmål_nr",
    "spørgsmål",
    "deltager",
    "logget_ind",
    "svar",
    "svaret_kl",
    "rigtigt",
    "score_procent",
    "point",
)


def results_rows(db: sqlite_utils.Database, session_id: int) -> list[dict[str, Any]]:
    """One row per participant and revealed question, for the CSV download (Danish column names).

    Numbers are whole (a score in percent), so Danish Excel, which reads »0.5« as a date or text,
    gets them right; the time is the participant's last change of the answer, in Danish time.
    """
    session = get_session(db, session_id)
    if session is None:
        raise LiveError(TXT["no_session"])
    people = participants(db, session_id)
    rows = []
    for index in range(session.revealed_count):
        question = session.questions[index]
        given = {
            row["participant_id"]: _answer(row)
            for row in db["live_answers"].rows_where("session_id = ? AND question_index = ?", [session_id, index])
        }
        for person in people:
            found = given.get(person.id)
            rows.append(
                {
                    "kode": session.code,
                    "spørgsmål_nr": index + 1,
                    "spørgsmål": question.prompt,
                    "deltager": spreadsheet_safe(person.display_name),
                    "logget_ind": "ja" if person.user_id is not None else "nej",
                    "svar": spreadsheet_safe(answer_text(question, found.answer)) if found else "",
                    "svaret_kl": found.changed_at.astimezone(LOCAL).strftime("%Y-%m-%d %H:%M:%S") if found else "",
                    "rigtigt": ("ja" if found.correct else "nej") if found else "",
                    "score_procent": round(100 * found.score) if found else "",
                    "point": round(POINTS_PER_QUESTION * found.score) if found and session.points_enabled else "",
                }
            )
    return rows


def results_csv(db: sqlite_utils.Database, session_id: int) -> str:
    """:func:`results_rows` as CSV text for Danish Excel (byte-order mark, semicolons)."""
    out = io.StringIO()
    write_csv(results_rows(db, session_id), list(CSV_COLUMNS), out)
    return out.getvalue()


__all__ = [
    "AnswerClosed",
    "Distribution",
    "InvalidInput",
    "JoinLocked",
    "LiveAnswer",
    "LiveError",
    "LiveSession",
    "NotAllowed",
    "Participant",
    "ParticipantResult",
    "Pulse",
    "QuestionResult",
    "active_participation",
    "answer_key",
    "answer_of",
    "answer_text",
    "answers_of",
    "can_control",
    "create_session",
    "distribution",
    "end",
    "explain",
    "get_participant",
    "get_session",
    "join",
    "join_lock_remaining",
    "leaderboard",
    "next_question",
    "open_sessions",
    "participant_for_token",
    "participant_for_user",
    "participant_results",
    "participants",
    "pulse",
    "results_csv",
    "results_rows",
    "reveal",
    "session_by_code",
    "session_version",
    "start",
    "submit_answer",
]
