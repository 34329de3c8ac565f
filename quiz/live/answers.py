"""Answering: a phone's answer to the open question, graded when given, changeable until the reveal.

Choice and assign questions are graded by their question type; an open question takes a short text
(:func:`submit_text`) that reaches the stage once shown (:mod:`quiz.live.moderation`).
"""

from __future__ import annotations

import json
import unicodedata
from datetime import datetime
from typing import Any

import sqlite_utils

from quiz.learning.quizzes import grade
from quiz.questions.base import Answer, Grade, Question
from quiz.store.db import to_iso, transaction, utcnow

from .models import (
    DISCUSSION_KIND,
    OPEN_KIND,
    POINTS_PER_QUESTION,
    SECONDS_KEY,
    SPEED_SHARE,
    AnswerClosed,
    LiveAnswer,
    LiveError,
    LiveSession,
    TextAnswer,
    answer_from_row,
    parse_approvals,
    text_from_row,
)
from .moderation import approval_for, is_offensive
from .queries import get_session

TEXT_MAX = 140
TEXTS_PER_PERSON = 3
# Without a timer, the speed bonus runs out after this long.
SPEED_WINDOW_SECONDS = 30


def open_question(prompt: str, *, pack_id: str, cloud: bool = True) -> Question:
    """A question without a right answer: the room writes short texts, shown as a word cloud or a list."""
    text = " ".join((prompt or "").split())
    if not text:
        raise LiveError("live.open_empty")
    return Question(
        type="live_open",
        kind=OPEN_KIND,  # type: ignore[arg-type]  # a live-only kind, not one of a pack's (Kind)
        prompt=text[:300],
        options=(),
        accepted=(),
        pack_id=pack_id,
        data={"display": "cloud" if cloud else "list"},
    )


def is_open_question(question: Question) -> bool:
    return question.kind == OPEN_KIND


def _well_formed_answer(question: Question, answer: Any) -> bool:
    keys = {o.key for o in question.options}
    if question.kind == "choice":
        return isinstance(answer, str) and answer in keys
    if question.kind == "assign":
        return (
            isinstance(answer, list)
            and len(answer) == len(question.items)
            and all(isinstance(a, str) and a in keys for a in answer)
        )
    return False


def points_for(score: float, *, seconds: float, timer_seconds: int | None) -> int:
    """Points for one answer: ``score`` of 1000, of which half for being right and half for speed.

    Bounded as in Kahoot: a right answer at the last moment still earns half, and a wrong one
    earns nothing however fast. Partial credit (assign questions) scales both halves.
    """
    window = timer_seconds or SPEED_WINDOW_SECONDS
    late = min(max(seconds, 0.0), window) / window
    return round(POINTS_PER_QUESTION * score * (1 - SPEED_SHARE * late))


def submit_answer(
    db: sqlite_utils.Database,
    session_id: int,
    participant_id: int,
    question_index: int,
    answer: Answer,
    *,
    registry=None,
    now: datetime | None = None,
    session: LiveSession | None = None,
) -> LiveAnswer:
    """Store (or replace) the participant's answer to the open question.

    ``session``: the session as the caller just read it (its questions never change); whether the
    question is still open is read again inside the write transaction either way.

    Allowed only while that question is open: state ``question`` at ``question_index``, before its
    timer ran out. A second answer replaces the first (one row per participant and question;
    ``answered_at`` keeps the first time, ``changed_at`` the last, ``revision`` counts the changes
    so the projector redraws). Raises :class:`AnswerClosed` after the reveal or the end.
    """
    now = now or utcnow()
    session = session if session is not None and session.id == session_id else get_session(db, session_id)
    if session is None:
        raise LiveError("live.no_session")
    if not 0 <= question_index < len(session.questions):
        raise AnswerClosed()
    question = session.questions[question_index]
    if not _well_formed_answer(question, answer):
        raise LiveError("live.bad_answer")
    # Grading is pure; do it before taking the write lock.
    result = grade(question, answer, registry)
    with transaction(db):
        state, current, opened, timer = db.execute(
            "SELECT state, current_index, question_opened_at, timer_seconds FROM live_sessions WHERE id = ?",
            [session_id],
        ).fetchone()
        if state != "question" or current != question_index:
            raise AnswerClosed()
        # The question's own limit from the plan, else the session's timer as stored now.
        own = question.data.get(SECONDS_KEY)
        timer = (int(own) or None) if own is not None else timer
        seconds = (now - datetime.fromisoformat(opened)).total_seconds() if opened else 0.0
        if timer and seconds > timer + 1:  # a second's grace for the way over the network
            raise AnswerClosed()
        row = db.execute(
            "SELECT user_id FROM live_participants WHERE id = ? AND session_id = ? AND removed_at IS NULL",
            [participant_id, session_id],
        ).fetchone()
        if row is None:
            raise LiveError("live.not_participant")
        # One statement: the first answer inserts, a changed one updates (answered_at stays the first).
        cursor = db.conn.execute(
            """
            INSERT INTO live_answers
                (session_id, participant_id, user_id, question_index, answer_json, score, correct,
                 answered_at, changed_at, revision, points)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?)
            ON CONFLICT (participant_id, question_index) DO UPDATE SET
                answer_json = excluded.answer_json, score = excluded.score, correct = excluded.correct,
                changed_at = excluded.changed_at, revision = revision + 1, points = excluded.points
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
                points_for(float(result.score), seconds=seconds, timer_seconds=timer),
            ],
        )
        (values,) = cursor.fetchall()  # to the end, so the statement is done before the commit
        stored = dict(zip([c[0] for c in cursor.description], values, strict=True))
    return answer_from_row(stored)


def clean_text(text: str) -> str:
    """A text answer as stored: one line, no control characters, at most :data:`TEXT_MAX` characters.

    A longer text is refused with a message that names the limit and the text's length, never cut
    short or dropped without a word: the phone keeps it in its box to be shortened.
    """
    cleaned = " ".join(unicodedata.normalize("NFC", text or "").split())
    cleaned = "".join(ch for ch in cleaned if not unicodedata.category(ch).startswith("C"))
    if not cleaned:
        raise LiveError("live.text_empty")
    if len(cleaned) > TEXT_MAX:
        raise LiveError("live.text_long", most=TEXT_MAX, length=len(cleaned))
    return cleaned


def submit_text(
    db: sqlite_utils.Database,
    session_id: int,
    participant_id: int,
    question_index: int,
    text: str,
    *,
    now: datetime | None = None,
) -> TextAnswer:
    """Add a short text to the open question (up to :data:`TEXTS_PER_PERSON` per person).

    The text waits for the facilitator's approval when the question asks for it (on by default for
    open questions) or a word on the bundled list matched; ``TextAnswer.held`` says so. A text
    longer than :data:`TEXT_MAX` is refused with ``live.text_long`` (naming the limit).
    """
    return _add_text(db, session_id, participant_id, question_index, text, kind=OPEN_KIND, now=now)


def submit_discussion_text(
    db: sqlite_utils.Database,
    session_id: int,
    participant_id: int,
    question_index: int,
    text: str,
    *,
    now: datetime | None = None,
) -> TextAnswer:
    """Add a short text to question ``question_index``'s discussion, while the facilitator has it open.

    The same rules as an open question's texts (:func:`clean_text`, :data:`TEXTS_PER_PERSON`);
    raises :class:`AnswerClosed` unless the session is in ``discussion`` at that question.
    """
    return _add_text(db, session_id, participant_id, question_index, text, kind=DISCUSSION_KIND, now=now)


def _add_text(
    db: sqlite_utils.Database,
    session_id: int,
    participant_id: int,
    question_index: int,
    text: str,
    *,
    kind: str,
    now: datetime | None,
) -> TextAnswer:
    now = now or utcnow()
    cleaned = clean_text(text)
    session = get_session(db, session_id)
    if session is None:
        raise LiveError("live.no_session")
    if not 0 <= question_index < len(session.questions):
        raise AnswerClosed()
    if (kind == OPEN_KIND) != is_open_question(session.questions[question_index]):
        raise AnswerClosed()  # an open question takes texts while open; the others in their discussion
    wanted = "question" if kind == OPEN_KIND else "discussion"
    flagged = is_offensive(cleaned)
    with transaction(db):
        state, current, approvals = db.execute(
            "SELECT state, current_index, approval_json FROM live_sessions WHERE id = ?", [session_id]
        ).fetchone()
        if state != wanted or current != question_index:
            raise AnswerClosed()
        row = db.execute(
            "SELECT user_id FROM live_participants WHERE id = ? AND session_id = ? AND removed_at IS NULL",
            [participant_id, session_id],
        ).fetchone()
        if row is None:
            raise LiveError("live.not_participant")
        (given,) = db.execute(
            "SELECT COUNT(*) FROM live_texts WHERE participant_id = ? AND question_index = ? AND kind = ?",
            [participant_id, question_index, kind],
        ).fetchone()
        if given >= TEXTS_PER_PERSON:
            raise LiveError("live.text_enough", most=TEXTS_PER_PERSON)
        # The approval setting as stored now (the facilitator may have switched it a moment ago).
        question = session.questions[question_index]
        held = flagged or approval_for(parse_approvals(approvals), question, question_index)
        text_id = (
            db.table("live_texts")
            .insert(
                {
                    "session_id": session_id,
                    "participant_id": participant_id,
                    "user_id": row[0],
                    "question_index": question_index,
                    "text": cleaned,
                    "answered_at": to_iso(now),
                    "hidden_at": None,
                    "kind": kind,
                    "held": int(held),
                    "flagged": int(flagged),
                }
            )
            .last_pk
        )
    assert text_id is not None  # an insert sets it
    return text_from_row(db.table("live_texts").get(text_id))


def texts_of(
    db: sqlite_utils.Database,
    session_id: int,
    question_index: int,
    *,
    hidden: bool = True,
    kind: str = OPEN_KIND,
) -> list[TextAnswer]:
    """The texts written to one question (``kind="discussion"``: to its discussion), oldest first.

    With ``hidden=False`` only what the stage may show (:func:`shown_texts`): neither hidden nor
    waiting for approval, and not written by a participant the facilitator removed.
    """
    if not hidden:
        return shown_texts(db, session_id, question_index, kind=kind)
    rows = db["live_texts"].rows_where(
        "session_id = ? AND question_index = ? AND kind = ?", [session_id, question_index, kind], order_by="id"
    )
    return [text_from_row(row) for row in rows]


def shown_texts(
    db: sqlite_utils.Database, session_id: int, question_index: int, *, kind: str = OPEN_KIND
) -> list[TextAnswer]:
    """The texts the stage and the phones may show, oldest first: approved (or not waiting), not hidden,
    and not by a removed participant."""
    cursor = db.conn.execute(
        """
        SELECT t.* FROM live_texts t JOIN live_participants p ON p.id = t.participant_id
        WHERE t.session_id = ? AND t.question_index = ? AND t.kind = ?
          AND t.hidden_at IS NULL AND t.held = 0 AND p.removed_at IS NULL
        ORDER BY t.id
        """,
        [session_id, question_index, kind],
    )
    names = [c[0] for c in cursor.description]
    return [text_from_row(dict(zip(names, row, strict=True))) for row in cursor.fetchall()]


def waiting_texts(
    db: sqlite_utils.Database, session_id: int, question_index: int, *, kind: str = OPEN_KIND
) -> list[TextAnswer]:
    """The texts that wait for the facilitator's approval, oldest first (removed participants' left out)."""
    removed = _removed(db, session_id)
    return [
        t
        for t in texts_of(db, session_id, question_index, kind=kind)
        if t.held and not t.hidden and t.participant_id not in removed
    ]


def _removed(db: sqlite_utils.Database, session_id: int) -> set[int]:
    rows = db.execute(
        "SELECT id FROM live_participants WHERE session_id = ? AND removed_at IS NOT NULL", [session_id]
    ).fetchall()
    return {pid for (pid,) in rows}


def writers(db: sqlite_utils.Database, session_id: int, question_index: int, *, kind: str = OPEN_KIND) -> int:
    """How many people in the room wrote to one question (or its discussion)."""
    (count,) = db.execute(
        """
        SELECT COUNT(DISTINCT t.participant_id) FROM live_texts t
        JOIN live_participants p ON p.id = t.participant_id AND p.removed_at IS NULL
        WHERE t.session_id = ? AND t.question_index = ? AND t.kind = ?
        """,
        [session_id, question_index, kind],
    ).fetchone()
    return count


def my_texts(
    db: sqlite_utils.Database, participant_id: int, question_index: int, *, kind: str = OPEN_KIND
) -> list[TextAnswer]:
    rows = db["live_texts"].rows_where(
        "participant_id = ? AND question_index = ? AND kind = ?", [participant_id, question_index, kind], order_by="id"
    )
    return [text_from_row(row) for row in rows]


def texts_to(
    db: sqlite_utils.Database, session_id: int, question_index: int, *, kind: str = OPEN_KIND
) -> dict[int, list[TextAnswer]]:
    """:func:`my_texts` of every participant of the room at once, by participant id (one query)."""
    rows = db["live_texts"].rows_where(
        "session_id = ? AND question_index = ? AND kind = ?", [session_id, question_index, kind], order_by="id"
    )
    found: dict[int, list[TextAnswer]] = {}
    for row in rows:
        found.setdefault(row["participant_id"], []).append(text_from_row(row))
    return found


def answer_key(question: Question) -> Answer:
    """The first accepted answer: what a fully right answer looks like."""
    return question.accepted[0][0] if question.kind == "choice" else [acc[0] for acc in question.accepted]


def explain(question: Question, answer: Answer | None = None, *, registry=None) -> Grade:
    """The grade of ``answer`` (or of the right answer): right answer and explanation to show."""
    return grade(question, answer_key(question) if answer is None else answer, registry)
