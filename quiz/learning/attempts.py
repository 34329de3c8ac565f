"""Quiz attempts: start, resume, answer, finish, and look back.

The service the UI and the CLI call. An attempt stores its spec, its questions (by reference, in
``question_sets``: ``quiz.learning.stored``) and the version of its pack, so after a restart the
person goes on with exactly the same questions at the same place, also after the pack changed.
Every answer is stored, graded and scheduled for spaced repetition in one transaction; its grade
is stored as facts and its words rendered, in the reader's language, when it is read.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlite_utils

from quiz.learning import mastery, quizzes, refresh, stored
from quiz.plugins import Registry, get_registry
from quiz.questions.base import Answer, Grade, Question
from quiz.store.db import from_iso, to_iso, to_micros, transaction, utcnow

KINDS = ("quiz", "refresh", "live")
# An unfinished attempt untouched for this long is no longer offered to resume: the person has
# moved on, and being pulled back into last week's quiz on every visit is a surprise.
STALE_AFTER = timedelta(days=2)


class AttemptError(ValueError):
    """An answer or action that does not fit the attempt (unknown attempt, index out of range, ...)."""


@dataclass(frozen=True)
class StoredAnswer:
    """One answered question of an attempt."""

    question_index: int
    answer: Answer
    grade: Grade
    time_taken_ms: int | None
    answered_at: datetime


@dataclass(frozen=True)
class Attempt:
    """One quiz, refresh or live run of one person, with the answers given so far."""

    id: int
    user_id: int
    pack_id: str
    kind: str
    spec: dict[str, Any]
    questions: list[Question]
    position: int
    answers: dict[int, StoredAnswer]
    started_at: datetime
    finished_at: datetime | None = None
    score: float | None = None
    abandoned_at: datetime | None = None

    @property
    def finished(self) -> bool:
        return self.finished_at is not None

    @property
    def current_question(self) -> Question | None:
        """The question to show now (None when every question is answered)."""
        return self.questions[self.position] if self.position < len(self.questions) else None


@dataclass(frozen=True)
class AttemptSummary:
    """What the person sees at the end: score, counts and the statements to repeat."""

    score: float
    correct: int
    answered: int
    total: int
    missed_statement_ids: list[str] = field(default_factory=list)

    @property
    def perfect(self) -> bool:
        """Every question answered and every one wholly right: the only result to praise as such."""
        return self.total > 0 and self.answered == self.total and self.correct == self.total


@dataclass(frozen=True)
class HistoryRow:
    """One attempt in the person's history."""

    id: int
    pack_id: str
    kind: str
    title: str
    started_at: datetime
    finished_at: datetime | None
    score: float | None
    answered: int
    total: int
    abandoned: bool = False

    @property
    def status(self) -> str:
        """``finished``, ``abandoned`` (left on purpose or gone stale) or ``open``."""
        if self.finished_at is not None:
            return "finished"
        return "abandoned" if self.abandoned else "open"


def _spec_dict(spec: Any) -> dict[str, Any]:
    if hasattr(spec, "model_dump"):
        return spec.model_dump(mode="json")
    return dict(spec or {})


def start_attempt(
    db: sqlite_utils.Database,
    user_id: int,
    spec: Any,
    questions: list[Question],
    *,
    kind: str = "quiz",
    now: datetime | None = None,
    questions_json: str | None = None,
    registry: Registry | None = None,
) -> int:
    """Store a new attempt with its questions; returns its id.

    ``spec`` is a ``quiz.learning.quizzes.QuizSpec`` (or a dict with at least ``pack_id``).
    ``questions_json``, when given, is ``questions`` already encoded (a live session stores them so,
    and its reveal starts an attempt for each of up to hundreds of people): they are stored once,
    and every participant's attempt refers to the same row of ``question_sets``.
    """
    if kind not in KINDS:
        raise AttemptError(f"unknown attempt kind {kind!r}; use one of {KINDS}")
    if not questions:
        raise AttemptError("an attempt needs at least one question")
    registry = registry or get_registry()
    spec_dict = _spec_dict(spec)
    pack_id = spec_dict.get("pack_id") or questions[0].pack_id
    # Encoded before the write lock, and inserted with plain SQL: the table API reads the table's
    # schema on every call.
    if questions_json is not None:
        encoded = stored.encode_json(questions_json, pack_id, registry)
    else:
        encoded = stored.encode(questions, pack_id, registry)
    key = stored.digest(encoded)
    pack = registry.packs.get(pack_id)
    row = (
        user_id,
        pack_id,
        kind,
        json.dumps(spec_dict, ensure_ascii=False),
        len(questions),
        stored.pack_version(pack) if pack is not None else None,
        to_iso(now or utcnow()),
        key,
    )
    with transaction(db):
        db.execute(
            "INSERT INTO question_sets (digest, questions_json) VALUES (?, ?) ON CONFLICT (digest) DO NOTHING",
            [key, encoded],
        )
        attempt_id = db.execute(
            "INSERT INTO attempts (user_id, pack_id, kind, spec_json, question_count, pack_version, position, "
            "started_at, question_set_id) "
            "SELECT ?, ?, ?, ?, ?, ?, 0, ?, id FROM question_sets WHERE digest = ?",
            row,
        ).lastrowid
    assert attempt_id is not None  # an insert sets it
    return attempt_id


def _open_where(user_id: int, kind: str | tuple[str, ...] | None, now: datetime | None) -> tuple[str, list[Any]]:
    cutoff = to_iso((now or utcnow()) - STALE_AFTER)
    where = (
        "user_id = ? AND finished_at IS NULL AND abandoned_at IS NULL AND "
        "COALESCE((SELECT MAX(answered_at) FROM answers WHERE attempt_id = attempts.id), started_at) >= ?"
    )
    args: list[Any] = [user_id, cutoff]
    if kind is not None:
        kinds = (kind,) if isinstance(kind, str) else tuple(kind)
        where += f" AND kind IN ({', '.join('?' for _ in kinds)})"
        args.extend(kinds)
    return where, args


def open_attempt(
    db: sqlite_utils.Database,
    user_id: int,
    *,
    kind: str | tuple[str, ...] | None = None,
    now: datetime | None = None,
    registry: Registry | None = None,
) -> Attempt | None:
    """The person's newest unfinished attempt (of ``kind``, or one of several kinds), to resume; or None.

    Attempts the person left (``abandon_attempt``) and those untouched for ``STALE_AFTER`` are not
    offered any more.
    """
    where, args = _open_where(user_id, kind, now)
    rows = list(db["attempts"].rows_where(where, args, order_by="id DESC", limit=1, select="id"))
    return get_attempt(db, rows[0]["id"], registry=registry) if rows else None


@dataclass(frozen=True)
class OpenAttemptSummary:
    """Where the person is in the attempt :func:`open_attempt` would resume, without its questions."""

    id: int
    title: str | None
    position: int
    total: int


def open_attempt_summary(
    db: sqlite_utils.Database,
    user_id: int,
    *,
    kind: str | tuple[str, ...] | None = None,
    now: datetime | None = None,
) -> OpenAttemptSummary | None:
    """:func:`open_attempt`'s title, position and length, read without parsing its questions.

    For a page that only links to the attempt (the progress page, on every run): reading and parsing
    ten questions and their answers was most of its own database work.
    """
    where, args = _open_where(user_id, kind, now)
    rows = list(
        db["attempts"].rows_where(
            where,
            args,
            order_by="id DESC",
            limit=1,
            select="id, spec_json, position, question_count AS total",
        )
    )
    if not rows:
        return None
    row = rows[0]
    return OpenAttemptSummary(row["id"], json.loads(row["spec_json"]).get("title"), row["position"], row["total"])


def abandon_attempt(db: sqlite_utils.Database, user_id: int, attempt_id: int, *, now: datetime | None = None) -> bool:
    """The person leaves their unfinished attempt on purpose: it is no longer offered to resume.

    The answers given stay (they count for mastery and refresh). Only the attempt's own person may
    leave it, checked in the transaction that changes it. Returns False when there was nothing to
    leave (finished, already left, or not theirs).
    """
    with transaction(db):
        cursor = db.execute(
            "UPDATE attempts SET abandoned_at = ? "
            "WHERE id = ? AND user_id = ? AND finished_at IS NULL AND abandoned_at IS NULL",
            [to_iso(now or utcnow()), attempt_id, user_id],
        )
        return cursor.rowcount == 1


# An answer's facts and, per statement in the order graded, whether it was placed right.
_ANSWERS_SQL = """
    SELECT a.question_index, a.answer_json, a.score, a.correct, a.time_taken_ms, a.answered_at,
           (SELECT json_group_array(json_array(statement_id, correct))
            FROM (SELECT k.statement_id, r.correct FROM reviews r JOIN statement_keys k ON k.id = r.statement
                  WHERE r.answer_id = a.id ORDER BY r.part))
    FROM answers a WHERE a.attempt_id = ? ORDER BY a.question_index
"""


def _per_statement(parts_json: str | None) -> dict[str, bool]:
    return {sid: bool(ok) for sid, ok in json.loads(parts_json or "[]")}


def _stored_answers(
    db: sqlite_utils.Database, attempt_id: int, questions: list[Question], registry: Registry
) -> dict[int, StoredAnswer]:
    out = {}
    for index, answer_json, score, correct, ms, answered_at, parts in db.execute(_ANSWERS_SQL, [attempt_id]):
        answer = json.loads(answer_json)
        grade = stored.rendered_grade(
            questions[index],
            answer,
            score=score,
            correct=bool(correct),
            per_statement=_per_statement(parts),
            registry=registry,
        )
        out[index] = StoredAnswer(index, answer, grade, ms, datetime.fromisoformat(answered_at))
    return out


def get_attempt(db: sqlite_utils.Database, attempt_id: int, *, registry: Registry | None = None) -> Attempt:
    """The attempt with its questions and answers, in the current language; ``AttemptError`` when there is none.

    Questions and grades are rendered from the pack as it is now (``quiz.learning.stored``): a
    statement removed from it since is shown as removed.
    """
    registry = registry or get_registry()
    rows = db.execute(
        "SELECT a.id, a.user_id, a.pack_id, a.kind, a.spec_json, s.questions_json, a.position, a.started_at, "
        "a.finished_at, a.score, a.abandoned_at "
        "FROM attempts a JOIN question_sets s ON s.id = a.question_set_id WHERE a.id = ?",
        [attempt_id],
    ).fetchall()
    if not rows:
        raise AttemptError(f"no attempt with id {attempt_id}")
    (id_, user_id, pack_id, kind, spec_json, questions_json, position, started_at, finished_at, score, abandoned_at) = (
        rows[0]
    )
    questions = stored.decode(questions_json, pack_id, registry)
    return Attempt(
        id=id_,
        user_id=user_id,
        pack_id=pack_id,
        kind=kind,
        spec=json.loads(spec_json),
        questions=questions,
        position=position,
        answers=_stored_answers(db, attempt_id, questions, registry),
        started_at=datetime.fromisoformat(started_at),
        finished_at=from_iso(finished_at),
        score=score,
        abandoned_at=from_iso(abandoned_at),
    )


# One query for what submit_answer needs of the attempt before the write lock; None when there is none.
# Only the answered question is handed to Python: json.loads of a 60-question attempt took ~0.5 ms.
_ATTEMPT_SQL = """
    SELECT a.user_id, a.pack_id, a.question_count,
           CASE WHEN :index >= 0 THEN json_extract(s.questions_json, '$[' || :index || ']') END,
           a.finished_at IS NOT NULL OR a.abandoned_at IS NOT NULL,
           (SELECT id FROM answers WHERE attempt_id = :attempt_id AND question_index = :index)
    FROM attempts a JOIN question_sets s ON s.id = a.question_set_id WHERE a.id = :attempt_id
"""
# The same, re-read under the write lock (the questions never change).
_STATUS_SQL = """
    SELECT finished_at IS NOT NULL OR abandoned_at IS NOT NULL,
           (SELECT id FROM answers WHERE attempt_id = :attempt_id AND question_index = :index)
    FROM attempts WHERE id = :attempt_id
"""
# An answer stored before: its facts, for the grade shown again.
_STORED_GRADE_SQL = """
    SELECT a.answer_json, a.score, a.correct,
           (SELECT json_group_array(json_array(statement_id, correct))
            FROM (SELECT k.statement_id, r.correct FROM reviews r JOIN statement_keys k ON k.id = r.statement
                  WHERE r.answer_id = a.id ORDER BY r.part))
    FROM answers a WHERE a.id = ?
"""
# Raw SQL in the write transaction: the table API reads the table's schema on every call, and every
# answer of the process waits while one holds the lock (docs/performance.md).
_INSERT_ANSWER = """
    INSERT INTO answers (user_id, attempt_id, question_index, question_type, answer_json, score, correct,
                         time_taken_ms, answered_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
"""
_INSERT_REVIEW = """
    INSERT INTO reviews (answer_id, part, user_id, statement, correct, rating, duration_ms, answered_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
"""


@dataclass(frozen=True)
class _Learning:
    """The mastery and spaced-repetition rows one answer writes, and the stored rows they follow from."""

    recent: dict[str, str]
    cards: dict[str, refresh.StoredCard]
    mastery_rows: list[tuple]
    card_rows: list[tuple]
    log_rows: list[tuple]


def _learning(
    db: sqlite_utils.Database,
    user_id: int,
    pack_id: str,
    per_statement: dict[str, bool],
    *,
    time_taken_ms: int | None,
    now: datetime,
) -> _Learning:
    """Read the person's mastery and cards of the answer's statements and compute their next rows."""
    recent = mastery.stored_recent(db, user_id, pack_id, per_statement)
    cards = refresh.stored_cards(db, user_id, pack_id, per_statement)
    return _next_learning(user_id, pack_id, per_statement, recent, cards, time_taken_ms=time_taken_ms, now=now)


def _next_learning(
    user_id: int,
    pack_id: str,
    per_statement: dict[str, bool],
    recent: dict[str, str],
    cards: dict[str, refresh.StoredCard],
    *,
    time_taken_ms: int | None,
    now: datetime,
) -> _Learning:
    """The mastery, card and review-log rows one answer writes, from the stored ones it follows."""
    reviews = [
        refresh.review(
            user_id,
            pack_id,
            sid,
            cards.get(sid),
            correct=ok,
            time_taken_ms=time_taken_ms,
            statements=len(per_statement),
            now=now,
        )
        for sid, ok in per_statement.items()
    ]
    return _Learning(
        recent=recent,
        cards=cards,
        mastery_rows=[
            mastery.mastery_row(user_id, pack_id, sid, mastery.next_recent(recent.get(sid), correct=ok), now)
            for sid, ok in per_statement.items()
        ],
        card_rows=[state for state, _ in reviews],
        log_rows=[log for _, log in reviews],
    )


def _answer_row(
    user_id: int,
    attempt_id: int,
    question_index: int,
    question: Question,
    answer: Answer,
    grade: Grade,
    time_taken_ms: int | None,
    answered_at: str,
) -> tuple:
    """The ``answers`` row of one graded answer (``_INSERT_ANSWER`` order): its facts, no words."""
    return (
        user_id,
        attempt_id,
        question_index,
        question.type,
        json.dumps(answer, ensure_ascii=False),
        float(grade.score),
        int(grade.correct),
        time_taken_ms,
        answered_at,
    )


def _write_answer(
    db: sqlite_utils.Database, answer_row: tuple, pack_id: str, per_statement: dict[str, bool], learning: _Learning
) -> None:
    """Insert the answer, one review per statement, mastery and cards (in the caller's transaction)."""
    answer_id = db.execute(_INSERT_ANSWER, answer_row).lastrowid
    keys = refresh.statement_keys(db, pack_id, per_statement)
    at = to_micros(datetime.fromisoformat(answer_row[-1]))
    # One review per answered statement: its result (mastery, HR's reports) and its FSRS rating.
    reviews = [
        (answer_id, part, user_id, keys[sid], int(ok), rating, duration, at)
        for part, ((sid, ok), (user_id, _pack, _sid, rating, _at, duration)) in enumerate(
            zip(per_statement.items(), learning.log_rows, strict=True)
        )
    ]
    db.conn.executemany(_INSERT_REVIEW, reviews)
    mastery.store_mastery(db, learning.mastery_rows)
    refresh.store_states(db, learning.card_rows)


def submit_answer(
    db: sqlite_utils.Database,
    attempt_id: int,
    question_index: int,
    answer: Answer,
    *,
    time_taken_ms: int | None,
    registry: Registry | None = None,
    now: datetime | None = None,
) -> Grade:
    """Grade and store one answer; returns the grade the person should see.

    In one transaction: the answer row and its per-statement results, the mastery and the
    spaced-repetition review of each statement, the attempt's new position and, after the last
    question, its finish and score. Submitting the same question again returns the first grade and
    changes nothing. ``registry`` defaults to ``quiz.plugins.get_registry()``.
    """
    now = now or utcnow()
    registry = registry or get_registry()
    # Grading, reading the person's mastery and cards, scheduling and JSON all happen before the
    # write transaction: every writer of the process queues on its lock (docs/performance.md).
    row = db.execute(_ATTEMPT_SQL, {"attempt_id": attempt_id, "index": question_index}).fetchone()
    if row is None:
        raise AttemptError(f"no attempt with id {attempt_id}")
    user_id, attempt_pack_id, total, question_json, finished, stored_answer = row
    if not 0 <= question_index < total:
        raise AttemptError(f"attempt {attempt_id} has no question {question_index}")
    question = stored.decode_one(json.loads(question_json), attempt_pack_id, registry)
    if stored_answer is not None:
        return _stored_grade(db, stored_answer, question, registry)
    if finished:
        raise AttemptError(f"attempt {attempt_id} is finished")
    try:
        grade = quizzes.grade(question, answer, registry, pack_id=attempt_pack_id)
    except stored.PACK_CHANGED as exc:  # a statement of the question was removed from the pack since
        raise AttemptError(f"attempt {attempt_id}: question {question_index} is no longer in its pack") from exc
    per_statement = dict(grade.per_statement) or {sid: grade.correct for sid in question.statement_ids}
    pack_id = question.pack_id or attempt_pack_id
    answer_row = _answer_row(user_id, attempt_id, question_index, question, answer, grade, time_taken_ms, to_iso(now))
    learning = _learning(db, user_id, pack_id, per_statement, time_taken_ms=time_taken_ms, now=now)
    with transaction(db):
        # What was read before may have changed meanwhile: check it again under the lock.
        status = db.execute(_STATUS_SQL, {"attempt_id": attempt_id, "index": question_index}).fetchone()
        if status is None:
            raise AttemptError(f"no attempt with id {attempt_id}")
        if status[1] is not None:
            return _stored_grade(db, status[1], question, registry)  # the same question was answered meanwhile
        if status[0]:
            raise AttemptError(f"attempt {attempt_id} is finished")
        if (
            mastery.stored_recent(db, user_id, pack_id, per_statement) != learning.recent
            or refresh.stored_cards(db, user_id, pack_id, per_statement) != learning.cards
        ):
            # Another answer of this person's changed these statements meanwhile; under the lock
            # they cannot change again.
            learning = _learning(db, user_id, pack_id, per_statement, time_taken_ms=time_taken_ms, now=now)
        _write_answer(db, answer_row, pack_id, per_statement, learning)
        db.execute("UPDATE attempts SET position = MAX(position, ?) WHERE id = ?", [question_index + 1, attempt_id])
        (count,) = db.execute("SELECT COUNT(*) FROM answers WHERE attempt_id = ?", [attempt_id]).fetchone()
        if count == total:
            _finish(db, attempt_id, now)
    return grade


def _stored_grade(db: sqlite_utils.Database, answer_id: int, question: Question, registry: Registry) -> Grade:
    """The grade of an answer stored before, its words in the current language."""
    answer_json, score, correct, parts = db.execute(_STORED_GRADE_SQL, [answer_id]).fetchone()
    return stored.rendered_grade(
        question,
        json.loads(answer_json),
        score=score,
        correct=bool(correct),
        per_statement=_per_statement(parts),
        registry=registry,
    )


def _finish(db: sqlite_utils.Database, attempt_id: int, now: datetime) -> float | None:
    (score,) = db.execute("SELECT AVG(score) FROM answers WHERE attempt_id = ?", [attempt_id]).fetchone()
    db.execute("UPDATE attempts SET finished_at = ?, score = ? WHERE id = ?", [to_iso(now), score, attempt_id])
    return score


def finish_attempt(db: sqlite_utils.Database, attempt_id: int, *, now: datetime | None = None) -> float | None:
    """End an attempt now (e.g. the person stops early); returns its score.

    The score is the mean score of the answered questions (None when none were answered). Finishing
    a finished attempt changes nothing.
    """
    with transaction(db):
        row = db.execute("SELECT finished_at, score FROM attempts WHERE id = ?", [attempt_id]).fetchone()
        if row is None:
            raise AttemptError(f"no attempt with id {attempt_id}")
        if row[0] is not None:
            return row[1]
        return _finish(db, attempt_id, now or utcnow())


def summary(attempt: Attempt) -> AttemptSummary:
    """Score, counts and the statements to repeat (every statement placed wrong, in question order)."""
    answers = [attempt.answers[i] for i in sorted(attempt.answers)]
    missed: list[str] = []
    for index, given in zip(sorted(attempt.answers), answers, strict=True):
        question = attempt.questions[index]
        per_statement = given.grade.per_statement or {sid: given.grade.correct for sid in question.statement_ids}
        missed.extend(sid for sid, ok in per_statement.items() if not ok and sid not in missed)
    score = sum(a.grade.score for a in answers) / len(answers) if answers else 0.0
    return AttemptSummary(
        score=score,
        correct=sum(1 for a in answers if a.grade.correct),
        answered=len(answers),
        total=len(attempt.questions),
        missed_statement_ids=missed,
    )


def attempt_history(
    db: sqlite_utils.Database,
    user_id: int,
    *,
    pack_id: str | None = None,
    limit: int = 50,
    now: datetime | None = None,
) -> list[HistoryRow]:
    """The person's attempts, newest first, for the progress page.

    An unfinished attempt the person left, or one untouched for ``STALE_AFTER``, is ``abandoned``.
    """
    sql = """
        SELECT a.id, a.pack_id, a.kind, a.spec_json, a.question_count,
               a.started_at, a.finished_at, a.score,
               (SELECT COUNT(*) FROM answers WHERE attempt_id = a.id) AS answered,
               -- asked of unfinished attempts only: the last answer's time is read from the table
               CASE WHEN a.finished_at IS NULL THEN a.abandoned_at IS NOT NULL OR COALESCE(
                   (SELECT MAX(answered_at) FROM answers WHERE attempt_id = a.id), a.started_at) < ? END
        FROM attempts a
        WHERE a.user_id = ? AND (? IS NULL OR a.pack_id = ?)
        ORDER BY a.started_at DESC, a.id DESC
        LIMIT ?
    """
    cutoff = to_iso((now or utcnow()) - STALE_AFTER)
    rows = db.execute(sql, [cutoff, user_id, pack_id, pack_id, limit]).fetchall()
    return [
        HistoryRow(
            id=r[0],
            pack_id=r[1],
            kind=r[2],
            title=json.loads(r[3]).get("title") or "",
            started_at=datetime.fromisoformat(r[5]),
            finished_at=from_iso(r[6]),
            score=r[7],
            answered=r[8],
            total=r[4],
            abandoned=r[6] is None and bool(r[9]),
        )
        for r in rows
    ]
