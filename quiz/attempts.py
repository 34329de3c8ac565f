"""Quiz attempts: start, resume, answer, finish, and look back.

The service the UI and the CLI call. An attempt stores its spec and its questions as JSON, so after
a restart the person goes on with exactly the same questions at the same place. Every answer is
stored, graded and scheduled for spaced repetition in one transaction.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

import sqlite_utils

from quiz import mastery, refresh
from quiz.questions.base import Answer, Grade, Question
from quiz.store.db import from_iso, to_iso, transaction, utcnow

KINDS = ("quiz", "refresh", "live")


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
) -> int:
    """Store a new attempt with its questions; returns its id.

    ``spec`` is a ``quiz.quizzes.QuizSpec`` (or a dict with at least ``pack_id``).
    """
    if kind not in KINDS:
        raise AttemptError(f"unknown attempt kind {kind!r}; use one of {KINDS}")
    if not questions:
        raise AttemptError("an attempt needs at least one question")
    spec_dict = _spec_dict(spec)
    pack_id = spec_dict.get("pack_id") or questions[0].pack_id
    with transaction(db):
        return (
            db["attempts"]
            .insert(
                {
                    "user_id": user_id,
                    "pack_id": pack_id,
                    "kind": kind,
                    "spec_json": json.dumps(spec_dict, ensure_ascii=False),
                    "questions_json": json.dumps([q.to_dict() for q in questions], ensure_ascii=False),
                    "position": 0,
                    "started_at": to_iso(now or utcnow()),
                    "finished_at": None,
                    "score": None,
                }
            )
            .last_pk
        )


def open_attempt(
    db: sqlite_utils.Database, user_id: int, *, kind: str | tuple[str, ...] | None = None
) -> Attempt | None:
    """The person's newest unfinished attempt (of ``kind``, or one of several kinds), to resume; or None."""
    where = "user_id = ? AND finished_at IS NULL"
    args: list[Any] = [user_id]
    if kind is not None:
        kinds = (kind,) if isinstance(kind, str) else tuple(kind)
        where += f" AND kind IN ({', '.join('?' for _ in kinds)})"
        args.extend(kinds)
    rows = list(db["attempts"].rows_where(where, args, order_by="id DESC", limit=1, select="id"))
    return get_attempt(db, rows[0]["id"]) if rows else None


def _grade_from_json(text: str) -> Grade:
    return Grade(**json.loads(text))


def _stored_answers(db: sqlite_utils.Database, attempt_id: int) -> dict[int, StoredAnswer]:
    rows = db["answers"].rows_where("attempt_id = ?", [attempt_id], order_by="question_index")
    return {
        row["question_index"]: StoredAnswer(
            question_index=row["question_index"],
            answer=json.loads(row["answer_json"]),
            grade=_grade_from_json(row["grade_json"]),
            time_taken_ms=row["time_taken_ms"],
            answered_at=from_iso(row["answered_at"]),
        )
        for row in rows
    }


def get_attempt(db: sqlite_utils.Database, attempt_id: int) -> Attempt:
    """The attempt with its questions and answers; ``AttemptError`` when there is none."""
    rows = list(db["attempts"].rows_where("id = ?", [attempt_id]))
    if not rows:
        raise AttemptError(f"no attempt with id {attempt_id}")
    row = rows[0]
    return Attempt(
        id=row["id"],
        user_id=row["user_id"],
        pack_id=row["pack_id"],
        kind=row["kind"],
        spec=json.loads(row["spec_json"]),
        questions=[Question.from_dict(q) for q in json.loads(row["questions_json"])],
        position=row["position"],
        answers=_stored_answers(db, attempt_id),
        started_at=from_iso(row["started_at"]),
        finished_at=from_iso(row["finished_at"]),
        score=row["score"],
    )


def _default_registry():
    from quiz.plugins import get_registry

    return get_registry()


def _grade(question: Question, answer: Answer, pack_id: str, registry) -> Grade:
    registry = registry or _default_registry()
    question_type = registry.question_types[question.type]
    pack = registry.packs[question.pack_id or pack_id]
    return question_type.grade(question, answer, pack)


def submit_answer(
    db: sqlite_utils.Database,
    attempt_id: int,
    question_index: int,
    answer: Answer,
    *,
    time_taken_ms: int | None,
    registry=None,
    now: datetime | None = None,
) -> Grade:
    """Grade and store one answer; returns the grade the person should see.

    In one transaction: the answer row and its per-statement results, the spaced-repetition review
    of each statement, the attempt's new position and, after the last question, its finish and
    score. Submitting the same question again returns the first grade and changes nothing.
    ``registry`` defaults to ``quiz.plugins.get_registry()``.
    """
    now = now or utcnow()
    attempt = get_attempt(db, attempt_id)
    if not 0 <= question_index < len(attempt.questions):
        raise AttemptError(f"attempt {attempt_id} has no question {question_index}")
    if question_index in attempt.answers:
        return attempt.answers[question_index].grade
    question = attempt.questions[question_index]
    # Grading is pure and may be slow; do it before taking the write lock.
    grade = _grade(question, answer, attempt.pack_id, registry)
    per_statement = dict(grade.per_statement) or {sid: grade.correct for sid in question.statement_ids}
    with transaction(db):
        stored = list(db["answers"].rows_where("attempt_id = ? AND question_index = ?", [attempt_id, question_index]))
        if stored:
            return _grade_from_json(stored[0]["grade_json"])
        position, finished_at = db.execute(
            "SELECT position, finished_at FROM attempts WHERE id = ?", [attempt_id]
        ).fetchone()
        if finished_at is not None:
            raise AttemptError(f"attempt {attempt_id} is finished")
        answered_at = to_iso(now)
        answer_id = (
            db["answers"]
            .insert(
                {
                    "user_id": attempt.user_id,
                    "attempt_id": attempt_id,
                    "question_index": question_index,
                    "question_type": question.type,
                    "statement_ids_json": json.dumps(list(question.statement_ids)),
                    "answer_json": json.dumps(answer, ensure_ascii=False),
                    "grade_json": json.dumps(asdict(grade), ensure_ascii=False),
                    "score": float(grade.score),
                    "correct": int(grade.correct),
                    "time_taken_ms": time_taken_ms,
                    "answered_at": answered_at,
                }
            )
            .last_pk
        )
        pack_id = question.pack_id or attempt.pack_id
        db["statement_results"].insert_all(
            {
                "answer_id": answer_id,
                "user_id": attempt.user_id,
                "pack_id": pack_id,
                "statement_id": sid,
                "correct": int(ok),
                "answered_at": answered_at,
            }
            for sid, ok in per_statement.items()
        )
        for sid, ok in per_statement.items():
            mastery.record_result(db, attempt.user_id, pack_id, sid, correct=ok, answered_at=now)
            refresh.record_review(
                db,
                attempt.user_id,
                pack_id,
                sid,
                correct=ok,
                time_taken_ms=time_taken_ms,
                statements=len(per_statement),
                now=now,
            )
        db["attempts"].update(attempt_id, {"position": max(position, question_index + 1)})
        count = db["answers"].count_where("attempt_id = ?", [attempt_id])
        if count == len(attempt.questions):
            _finish(db, attempt_id, now)
    return grade


def _finish(db: sqlite_utils.Database, attempt_id: int, now: datetime) -> float | None:
    (score,) = db.execute("SELECT AVG(score) FROM answers WHERE attempt_id = ?", [attempt_id]).fetchone()
    db["attempts"].update(attempt_id, {"finished_at": to_iso(now), "score": score})
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
    for index, stored in zip(sorted(attempt.answers), answers, strict=True):
        question = attempt.questions[index]
        per_statement = stored.grade.per_statement or {sid: stored.grade.correct for sid in question.statement_ids}
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
    db: sqlite_utils.Database, user_id: int, *, pack_id: str | None = None, limit: int = 50
) -> list[HistoryRow]:
    """The person's attempts, newest first, for the progress page."""
    sql = """
        SELECT a.id, a.pack_id, a.kind, a.spec_json, json_array_length(a.questions_json),
               a.started_at, a.finished_at, a.score,
               (SELECT COUNT(*) FROM answers WHERE attempt_id = a.id) AS answered
        FROM attempts a
        WHERE a.user_id = ? AND (? IS NULL OR a.pack_id = ?)
        ORDER BY a.started_at DESC, a.id DESC
        LIMIT ?
    """
    rows = db.execute(sql, [user_id, pack_id, pack_id, limit]).fetchall()
    return [
        HistoryRow(
            id=r[0],
            pack_id=r[1],
            kind=r[2],
            title=json.loads(r[3]).get("title") or "",
            started_at=from_iso(r[5]),
            finished_at=from_iso(r[6]),
            score=r[7],
            answered=r[8],
            total=r[4],
        )
        for r in rows
    ]
