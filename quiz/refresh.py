"""Spaced repetition (FSRS) per person and statement: what to refresh, and when.

Each statement a person has placed gets an FSRS card in ``learning_state``. Every answer reviews
the cards of the statements in it with a rating read off the answer (``rating_for``). A statement
is *due* when its card's due time has come; the refresh quiz asks the due ones, most overdue first.
Every function takes ``now`` so tests can run the clock.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import sqlite_utils
from fsrs import Card, Rating, Scheduler, State

from quiz.content.models import Pack
from quiz.store.db import from_iso, person_statement_rows, to_iso, transaction

# Fuzzing off: the same answers give the same schedule, which people (and tests) can rely on.
SCHEDULER = Scheduler(enable_fuzzing=False)

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


# What a review reads of a stored card: (card_json, reps, lapses).
StoredCard = tuple[str, int, int]

STATE_COLUMNS = ("user_id", "pack_id", "statement_id", "card_json", "due_at", "last_review_at", "reps", "lapses")


def stored_cards(
    db: sqlite_utils.Database, user_id: int, pack_id: str, statement_ids: Iterable[str]
) -> dict[str, StoredCard]:
    """The stored cards of those of ``statement_ids`` the person has met."""
    columns = "statement_id, card_json, reps, lapses"
    rows = person_statement_rows(db, "learning_state", columns, user_id, pack_id, statement_ids)
    return {sid: (card_json, reps, lapses) for sid, card_json, reps, lapses in rows}


def reviewed(
    user_id: int,
    pack_id: str,
    statement_id: str,
    stored: StoredCard | None,
    *,
    correct: bool,
    time_taken_ms: int | None,
    statements: int = 1,
    now: datetime,
) -> tuple:
    """The ``learning_state`` row (values in ``STATE_COLUMNS`` order) after one review of ``stored``.

    Pure: reads and writes nothing, so it can run before the write transaction.
    """
    card = Card.from_json(stored[0]) if stored else _new_card(now)
    rating = rating_for(correct, time_taken_ms, statements=statements, card=card if stored else None)
    card, _log = SCHEDULER.review_card(card, rating, review_datetime=now)
    reps, lapses = (stored[1], stored[2]) if stored else (0, 0)
    return (
        user_id,
        pack_id,
        statement_id,
        card.to_json(),
        to_iso(card.due),
        to_iso(now),
        reps + 1,
        lapses + (0 if correct else 1),
    )


# Raw SQL rather than ``table.upsert``: this runs inside every answer's write transaction, and the
# table API reads the table's schema (several queries) on each call (docs/performance.md).
_UPSERT = """
    INSERT INTO learning_state (user_id, pack_id, statement_id, card_json, due_at, last_review_at, reps, lapses)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (user_id, pack_id, statement_id) DO UPDATE SET
        card_json = excluded.card_json, due_at = excluded.due_at, last_review_at = excluded.last_review_at,
        reps = excluded.reps, lapses = excluded.lapses
"""


def store_states(db: sqlite_utils.Database, rows: Iterable[tuple]) -> None:
    """Insert or replace ``learning_state`` rows made by ``reviewed`` (in the caller's transaction)."""
    db.conn.executemany(_UPSERT, rows)


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
        stored = stored_cards(db, user_id, pack_id, [statement_id]).get(statement_id)
        row = reviewed(
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
    return _state(dict(zip(STATE_COLUMNS, row, strict=True)))


def _state(row: dict) -> LearningState:
    return LearningState(
        statement_id=row["statement_id"],
        card=Card.from_json(row["card_json"]),
        due_at=from_iso(row["due_at"]),
        last_review_at=from_iso(row["last_review_at"]),
        reps=row["reps"],
        lapses=row["lapses"],
    )


def learning_states(db: sqlite_utils.Database, user_id: int, pack_id: str) -> dict[str, LearningState]:
    """Every statement of the pack the person has met, by id."""
    rows = db["learning_state"].rows_where("user_id = ? AND pack_id = ?", [user_id, pack_id])
    return {row["statement_id"]: _state(row) for row in rows}


def due_statements(
    db: sqlite_utils.Database, user_id: int, pack: Pack, *, now: datetime, limit: int | None = None
) -> list[str]:
    """Ids of the pack's statements due for the person at ``now``, most overdue first.

    Only statements the person has met count; statements no longer in the pack are left out.
    """
    rows = db.execute(
        "SELECT statement_id FROM learning_state WHERE user_id = ? AND pack_id = ? AND due_at <= ? "
        "ORDER BY due_at, statement_id",
        [user_id, pack.id, to_iso(now)],
    ).fetchall()
    known = pack.statements_by_id
    ids = [sid for (sid,) in rows if sid in known]
    return ids[:limit] if limit is not None else ids


def due_count(db: sqlite_utils.Database, user_id: int, pack: Pack, *, now: datetime) -> int:
    """How many of the pack's statements are due for the person at ``now``."""
    return len(due_statements(db, user_id, pack, now=now))


def next_due(db: sqlite_utils.Database, user_id: int, pack: Pack, *, now: datetime) -> datetime | None:
    """When the next statement falls due after ``now`` (None when nothing is scheduled)."""
    row = db.execute(
        "SELECT MIN(due_at) FROM learning_state WHERE user_id = ? AND pack_id = ? AND due_at > ?",
        [user_id, pack.id, to_iso(now)],
    ).fetchone()
    return from_iso(row[0])
