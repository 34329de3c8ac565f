"""Spaced repetition (FSRS) per person and statement: what to refresh, and when.

Each statement a person has placed gets an FSRS card in ``learning_state``. Every answer reviews
the cards of the statements in it with a rating read off the answer (``rating_for``); its row in
``reviews`` (one per answered statement, written by ``quiz.learning.attempts``) keeps the rating
beside the result, and is what ``fsrs.Optimizer`` is fitted to. A statement is *due* when its card's
due time has come; the refresh quiz asks the due ones, most overdue first, at most ``DAILY_CAP`` a
day. Every function takes ``now`` so tests can run the clock.

Tuned for refreshing values rather than cramming vocabulary: the default FSRS learning steps (1
and 10 minutes) brought every statement of a quiz back within the hour, so the queue grew faster
than anyone could keep up (6 -> 25 -> 52 due in an hour). Here a statement comes back the next day
at the soonest, and then after days and weeks.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import sqlite_utils
from fsrs import Card, Rating, ReviewLog, Scheduler, State

from quiz.content.models import Pack
from quiz.i18n import Msg
from quiz.store.db import (
    from_micros,
    moment_of,
    person_statement_rows,
    statement_keys,
    to_micros,
    transaction,
)

# One learning step of a day (a miss also comes back the next day, not in ten minutes); 85 %
# retention rather than 90 % (values are not exam facts: longer gaps, fewer reviews); at most a
# year between two refreshes. Fuzzing off: the same answers give the same schedule, which people
# (and tests) can rely on.
LEARNING_STEPS = (timedelta(days=1),)
DESIRED_RETENTION = 0.85
MAXIMUM_INTERVAL_DAYS = 365
SCHEDULER = Scheduler(
    desired_retention=DESIRED_RETENTION,
    learning_steps=LEARNING_STEPS,
    relearning_steps=LEARNING_STEPS,
    maximum_interval=MAXIMUM_INTERVAL_DAYS,
    enable_fuzzing=False,
)
LOCAL = ZoneInfo("Europe/Copenhagen")
# At most this many statements offered for refresh a day: a few minutes, kept up with every day.
DAILY_CAP = 20

# Time per statement in the question: at most QUICK_MS is "quick", more than SLOW_MS is "slow".
QUICK_MS = 5_000
SLOW_MS = 20_000


@dataclass(frozen=True)
class LearningState:
    """One person's memory of one statement."""

    statement_id: str
    card: Card
    due_at: datetime
    last_review_at: datetime | None
    reps: int
    lapses: int


def rating_for(correct: bool, time_taken_ms: int | None, *, statements: int = 1, card: Card | None = None) -> Rating:
    """The FSRS rating of one answer for one of its statements.

    Wrong -> Again. Right -> Good; Hard when slow (more than SLOW_MS per statement); Easy when quick
    (at most QUICK_MS per statement) and the card was already learned, so a lucky first guess is
    never taken as "easy". Without a time, a right answer is Good.
    """
    if not correct:
        return Rating.Again
    if time_taken_ms is None:
        return Rating.Good
    per_statement = time_taken_ms / max(statements, 1)
    if per_statement > SLOW_MS:
        return Rating.Hard
    if per_statement <= QUICK_MS and card is not None and card.state == State.Review:
        return Rating.Easy
    return Rating.Good


def _new_card(now: datetime) -> Card:
    # An explicit id and due time: Card() would read the wall clock (and sleep 1 ms).
    return Card(card_id=1, due=now)


# The FSRS card as ``learning_state`` stores it, one column per field (``CARD_COLUMNS``), and what a
# review reads of it: the card's columns, then reps and lapses.
CARD_COLUMNS = ("state", "step", "stability", "difficulty", "due_at", "last_review_at")
# Times as integer microseconds since 1970 UTC (m033).
StoredCard = tuple[int, int | None, float | None, float | None, int, int | None, int, int]

STATE_COLUMNS = ("user_id", "pack_id", "statement_id", *CARD_COLUMNS, "reps", "lapses")


def stored_cards(
    db: sqlite_utils.Database, user_id: int, pack_id: str, statement_ids: Iterable[str]
) -> dict[str, StoredCard]:
    """The stored cards of those of ``statement_ids`` the person has met."""
    columns = "statement_id, " + ", ".join(STATE_COLUMNS[3:])
    rows = person_statement_rows(db, "learning_state", columns, user_id, pack_id, statement_ids)
    return {row[0]: tuple(row[1:]) for row in rows}


def card_of(state: int, step: int | None, stability: float | None, difficulty: float | None, due_at: int,
            last_review_at: int | None) -> Card:  # fmt: skip
    """The ``fsrs.Card`` of a stored card's columns (every card has id 1: it is keyed by person and statement)."""
    return Card(
        card_id=1,
        state=State(state),
        step=step,
        stability=stability,
        difficulty=difficulty,
        due=moment_of(due_at),
        last_review=from_micros(last_review_at),
    )


def review(
    user_id: int,
    pack_id: str,
    statement_id: str,
    stored: StoredCard | None,
    *,
    correct: bool,
    time_taken_ms: int | None,
    statements: int = 1,
    now: datetime,
) -> tuple[tuple, tuple]:
    """The ``learning_state`` row (``STATE_COLUMNS`` order) and the review of one answered statement.

    The review is ``(user_id, pack_id, statement_id, rating, reviewed_at, duration_ms)`` (times in
    microseconds, ``to_micros``): what the
    ``reviews`` row adds to the result.

    Pure: reads and writes nothing, so it can run before the write transaction.
    """
    card = card_of(*stored[:6]) if stored else _new_card(now)
    rating = rating_for(correct, time_taken_ms, statements=statements, card=card if stored else None)
    card, _log = SCHEDULER.review_card(card, rating, review_datetime=now)
    reps, lapses = (stored[6], stored[7]) if stored else (0, 0)
    state = (
        user_id,
        pack_id,
        statement_id,
        int(card.state),
        card.step,
        card.stability,
        card.difficulty,
        to_micros(card.due),
        to_micros(now),
        reps + 1,
        lapses + (0 if correct else 1),
    )
    duration = None if time_taken_ms is None else int(time_taken_ms / max(statements, 1))
    return state, (user_id, pack_id, statement_id, int(rating), to_micros(now), duration)


# Raw SQL rather than ``table.upsert``: this runs inside every answer's write transaction, and the
# table API reads the table's schema (several queries) on each call (docs/performance.md). The row
# names its statement by pack and id; its ``statement_keys`` row must exist (``statement_keys``).
_UPSERT = """
    INSERT INTO learning_state (user_id, statement, state, step, stability, difficulty, due_at,
                                last_review_at, reps, lapses)
    VALUES (?, (SELECT id FROM statement_keys WHERE pack_id = ? AND statement_id = ?), ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (user_id, statement) DO UPDATE SET
        state = excluded.state, step = excluded.step, stability = excluded.stability,
        difficulty = excluded.difficulty, due_at = excluded.due_at, last_review_at = excluded.last_review_at,
        reps = excluded.reps, lapses = excluded.lapses
"""


# A review on its own, not part of an answer (``record_review``).
_INSERT_REVIEW = """
    INSERT INTO reviews (answer_id, part, user_id, statement, correct, rating, answered_at, duration_ms)
    VALUES (NULL, 0, ?, ?, ?, ?, ?, ?)
"""


def store_states(db: sqlite_utils.Database, rows: Iterable[tuple]) -> None:
    """Insert or replace ``learning_state`` rows made by ``review`` (in the caller's transaction).

    Each row's statement must have its ``statement_keys`` row (``statement_keys`` makes it).
    """
    db.conn.executemany(_UPSERT, rows)


def review_logs(db: sqlite_utils.Database, user_id: int | None = None) -> list[ReviewLog]:
    """The stored reviews as ``fsrs.ReviewLog`` objects, oldest first, for ``fsrs.Optimizer``.

    A card is one person's memory of one statement; its id is stable for the pair within a run.
    """
    where, args = ("WHERE user_id = ?", [user_id]) if user_id is not None else ("", [])
    where = where.replace("user_id", "r.user_id")
    rows = db.execute(
        f"SELECT r.user_id, k.pack_id, k.statement_id, r.rating, r.answered_at, r.duration_ms "
        f"FROM reviews r JOIN statement_keys k ON k.id = r.statement {where} ORDER BY r.answered_at, r.id",
        args,
    ).fetchall()
    card_ids: dict[tuple, int] = {}
    return [
        ReviewLog(
            card_id=card_ids.setdefault((uid, pid, sid), len(card_ids) + 1),
            rating=Rating(rating),
            review_datetime=moment_of(at),
            review_duration=duration,
        )
        for uid, pid, sid, rating, at, duration in rows
    ]


def record_review(
    db: sqlite_utils.Database,
    user_id: int,
    pack_id: str,
    statement_id: str,
    *,
    correct: bool,
    time_taken_ms: int | None,
    statements: int = 1,
    now: datetime,
) -> LearningState:
    """Review the person's card for one statement and store it (joins the caller's transaction)."""
    with transaction(db):
        key = statement_keys(db, pack_id, [statement_id])[statement_id]
        stored = stored_cards(db, user_id, pack_id, [statement_id]).get(statement_id)
        row, log = review(
            user_id,
            pack_id,
            statement_id,
            stored,
            correct=correct,
            time_taken_ms=time_taken_ms,
            statements=statements,
            now=now,
        )
        store_states(db, [row])
        user, _pack, _sid, rating, at, duration = log
        db.execute(_INSERT_REVIEW, [user, key, int(correct), rating, at, duration])
    return _state(dict(zip(STATE_COLUMNS, row, strict=True)))


def _state(row: dict) -> LearningState:
    return LearningState(
        statement_id=row["statement_id"],
        card=card_of(*(row[c] for c in CARD_COLUMNS)),
        due_at=moment_of(row["due_at"]),
        last_review_at=from_micros(row["last_review_at"]),
        reps=row["reps"],
        lapses=row["lapses"],
    )


def learning_states(db: sqlite_utils.Database, user_id: int, pack_id: str) -> dict[str, LearningState]:
    """Every statement of the pack the person has met, by id."""
    columns = ", ".join(f"l.{c}" for c in STATE_COLUMNS[3:])
    cursor = db.execute(
        f"SELECT k.statement_id, {columns} FROM learning_state l JOIN statement_keys k ON k.id = l.statement "
        "WHERE l.user_id = ? AND k.pack_id = ?",
        [user_id, pack_id],
    )
    names = [d[0] for d in cursor.description]
    return {row[0]: _state(dict(zip(names, row, strict=True))) for row in cursor.fetchall()}


def due_statements(
    db: sqlite_utils.Database, user_id: int, pack: Pack, *, now: datetime, limit: int | None = None
) -> list[str]:
    """Ids of the pack's statements due for the person at ``now``, most overdue first.

    Only statements the person has met count; statements no longer in the pack are left out.
    """
    rows = db.execute(
        "SELECT k.statement_id FROM learning_state l JOIN statement_keys k ON k.id = l.statement "
        "WHERE l.user_id = ? AND k.pack_id = ? AND l.due_at <= ? ORDER BY l.due_at, k.statement_id",
        [user_id, pack.id, to_micros(now)],
    ).fetchall()
    known = pack.statements_by_id
    ids = [sid for (sid,) in rows if sid in known]
    return ids[:limit] if limit is not None else ids


def refreshed_today(db: sqlite_utils.Database, user_id: int, pack_id: str, *, now: datetime) -> int:
    """How many statements the person has refreshed (in refresh quizzes) since midnight, Danish time."""
    local = now.astimezone(LOCAL)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    (count,) = db.execute(
        "SELECT COUNT(DISTINCT r.statement) FROM reviews r "
        "JOIN answers a ON a.id = r.answer_id JOIN attempts t ON t.id = a.attempt_id "
        "WHERE r.user_id = ? AND r.answered_at >= ? AND t.kind = 'refresh' "
        "AND r.statement IN (SELECT id FROM statement_keys WHERE pack_id = ?)",
        [user_id, to_micros(midnight), pack_id],
    ).fetchone()
    return count


def todays_refresh(db: sqlite_utils.Database, user_id: int, pack: Pack, *, now: datetime) -> list[str]:
    """The due statements offered for refresh now: most overdue first, at most ``DAILY_CAP`` a day."""
    left = max(0, DAILY_CAP - refreshed_today(db, user_id, pack.id, now=now))
    return due_statements(db, user_id, pack, now=now, limit=left) if left else []


def due_count(db: sqlite_utils.Database, user_id: int, pack: Pack, *, now: datetime) -> int:
    """How many statements the person is offered to refresh at ``now`` (the daily cap applied)."""
    return len(todays_refresh(db, user_id, pack, now=now))


def explanation() -> Msg:
    """The one sentence that explains the refresh queue to the person."""
    return Msg("refresh.explain", cap=DAILY_CAP)


def next_due(db: sqlite_utils.Database, user_id: int, pack: Pack, *, now: datetime) -> datetime | None:
    """When the next statement falls due after ``now`` (None when nothing is scheduled)."""
    row = db.execute(
        "SELECT MIN(l.due_at) FROM learning_state l JOIN statement_keys k ON k.id = l.statement "
        "WHERE l.user_id = ? AND k.pack_id = ? AND l.due_at > ?",
        [user_id, pack.id, to_micros(now)],
    ).fetchone()
    return from_micros(row[0])
