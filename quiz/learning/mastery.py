"""How well people know the statements: per person, and across the organisation.

Definitions (docs/progress.md says the same in prose):

- A *result* is one statement placed in one answer: right (1) or wrong (0).
- A person's mastery of a statement is the weighted mean of their last ``RECENT`` results for it,
  in the order they were recorded: the newest weighs 1, the one before 1/2, then 1/4, and so on.
  Recent answers count most, and one slip after a run of right answers costs about half.
  A statement never answered counts 0.
- The mastery of a group of statements (a perspective, a role, a perspective x role cell, the whole
  pack) is the plain mean over its statements.
- Across people, a statement's mastery is the mean over the *active* people (at least one result
  in the pack, at or after ``since`` when given), a person who never answered it counting 0.

The per-person value is kept current in ``statement_mastery`` on every answer (``next_recent`` and
``store_mastery``, which ``quiz.learning.attempts.submit_answer`` calls around its write transaction;
``record_result`` for one result on its own), so reports read one row per person and statement;
``rebuild_mastery`` recomputes it all from the answers' ``reviews``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from itertools import groupby

import sqlite_utils

from quiz.content.models import Pack
from quiz.store.db import person_statement_rows, statement_keys, to_micros, transaction

RECENT = 5


@dataclass(frozen=True)
class Mastery:
    """Mastery 0..1 of every statement of a pack and of its groups, ready to chart."""

    statements: dict[str, float]
    overall: float
    by_perspective: dict[str, float]
    by_role: dict[str, float]
    by_cell: dict[tuple[str, str], float]  # (perspective, role); only cells that hold statements

    def mean(self, statement_ids: Iterable[str]) -> float:
        """Mastery of any set of the pack's statements (0 for an empty set)."""
        values = [self.statements.get(sid, 0.0) for sid in statement_ids]
        return sum(values) / len(values) if values else 0.0

    def cell_rows(self) -> list[dict]:
        """The cells as rows ``{perspective, role, mastery}``, for a table or heat map."""
        return [{"perspective": p, "role": r, "mastery": m} for (p, r), m in self.by_cell.items()]


@dataclass(frozen=True)
class OrgMastery:
    """Mastery across people: ``active_people`` had results in the period, out of ``people``."""

    people: int
    active_people: int
    mastery: Mastery


@dataclass(frozen=True)
class MissedStatement:
    """A statement and how often it was placed wrong."""

    statement_id: str
    text: str
    perspective: str
    role: str
    results: int
    wrong: int

    @property
    def wrong_rate(self) -> float:
        return self.wrong / self.results if self.results else 0.0


def weighted_recent(recent: str) -> float:
    """Mastery from recent results, newest first ("10" = right now, wrong before): here 2/3."""
    weights = [0.5**age for age in range(len(recent))]
    return sum(w for w, r in zip(weights, recent, strict=True) if r == "1") / sum(weights) if recent else 0.0


def next_recent(recent: str | None, *, correct: bool) -> str:
    """The recent results after one more (``recent`` as stored, None before the first result)."""
    return (("1" if correct else "0") + (recent or ""))[:RECENT]


def stored_recent(
    db: sqlite_utils.Database, user_id: int, pack_id: str, statement_ids: Iterable[str]
) -> dict[str, str]:
    """The stored recent results of those of ``statement_ids`` the person has answered."""
    return dict(person_statement_rows(db, "statement_mastery", "statement_id, recent", user_id, pack_id, statement_ids))


# Raw SQL rather than ``table.upsert``: this runs inside every answer's write transaction, and the
# table API reads the table's schema (several queries) on each call (docs/performance.md). The row
# names its statement by pack and id; its ``statement_keys`` row must exist (``statement_keys``).
_UPSERT = """
    INSERT INTO statement_mastery (user_id, statement, recent, mastery, answered_at)
    VALUES (?, (SELECT id FROM statement_keys WHERE pack_id = ? AND statement_id = ?), ?, ?, ?)
    ON CONFLICT (user_id, statement)
    DO UPDATE SET recent = excluded.recent, mastery = excluded.mastery, answered_at = excluded.answered_at
"""


def mastery_row(user_id: int, pack_id: str, statement_id: str, recent: str, answered_at: datetime) -> tuple:
    """One ``statement_mastery`` row, as ``store_mastery`` takes it."""
    return (user_id, pack_id, statement_id, recent, weighted_recent(recent), to_micros(answered_at))


def store_mastery(db: sqlite_utils.Database, rows: Iterable[tuple]) -> None:
    """Insert or replace ``statement_mastery`` rows made by ``mastery_row`` (in the caller's transaction).

    Each row's statement must have its ``statement_keys`` row (``statement_keys`` makes it).
    """
    db.conn.executemany(_UPSERT, rows)


def record_result(
    db: sqlite_utils.Database, user_id: int, pack_id: str, statement_id: str, *, correct: bool, answered_at: datetime
) -> float:
    """Add one result to the person's mastery of the statement (joins the caller's transaction)."""
    with transaction(db):
        statement_keys(db, pack_id, [statement_id])
        previous = stored_recent(db, user_id, pack_id, [statement_id]).get(statement_id)
        row = mastery_row(user_id, pack_id, statement_id, next_recent(previous, correct=correct), answered_at)
        store_mastery(db, [row])
    return row[4]


def rebuild_mastery(db: sqlite_utils.Database) -> None:
    """Recompute ``statement_mastery`` from every stored result (after a repair or an import)."""
    sql = """
        SELECT user_id, statement, correct, answered_at FROM (
            SELECT r.user_id, r.statement, r.correct, r.answered_at,
                   ROW_NUMBER() OVER (PARTITION BY r.user_id, r.statement ORDER BY r.answer_id DESC) AS age
            FROM reviews r WHERE r.answer_id IS NOT NULL
        )
        WHERE age <= ?
        ORDER BY user_id, statement, age
    """
    with transaction(db):
        rows = db.execute(sql, [RECENT]).fetchall()
        db.table("statement_mastery").delete_where()
        records = []
        for (user_id, statement), group in groupby(rows, key=lambda r: r[:2]):
            results = list(group)
            recent = "".join(str(r[2]) for r in results)
            records.append(
                {
                    "user_id": user_id,
                    "statement": statement,
                    "recent": recent,
                    "mastery": weighted_recent(recent),
                    "answered_at": results[0][3],
                }
            )
        db.table("statement_mastery").insert_all(records)


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def mastery_from_statements(pack: Pack, values: dict[str, float]) -> Mastery:
    """Group per-statement mastery (missing statements count 0) by perspective, role and cell."""
    statements = {s.id: float(values.get(s.id, 0.0)) for s in pack.statements}
    by_p: dict[str, list[float]] = {}
    by_r: dict[str, list[float]] = {}
    by_c: dict[tuple[str, str], list[float]] = {}
    for s in pack.statements:
        by_p.setdefault(s.perspective, []).append(statements[s.id])
        by_r.setdefault(s.role, []).append(statements[s.id])
        by_c.setdefault((s.perspective, s.role), []).append(statements[s.id])
    return Mastery(
        statements=statements,
        overall=_mean(list(statements.values())),
        by_perspective={p: _mean(by_p.get(p, [])) for p in pack.perspectives},
        by_role={r: _mean(by_r.get(r, [])) for r in pack.roles},
        by_cell={(p, r): _mean(by_c[(p, r)]) for p in pack.perspectives for r in pack.roles if (p, r) in by_c},
    )


def role_goal(pack: Pack, role_key: str | None) -> list[str]:
    """The statements a person in ``role_key`` should master: their role's and everyone's."""
    roles = {r.key for r in pack.manifest.roles if r.everyone}
    if role_key:
        roles.add(role_key)
    return [s.id for s in pack.statements if s.role in roles]


# The person's rows off the key (user_id, statement), each statement's pack and id by its key.
USER_MASTERY_SQL = (
    "SELECT k.statement_id, m.mastery FROM statement_mastery m JOIN statement_keys k ON k.id = m.statement "
    "WHERE m.user_id = ? AND +k.pack_id = ?"
)


def user_mastery(db: sqlite_utils.Database, user_id: int, pack: Pack) -> Mastery:
    """One person's mastery of the pack."""
    rows = db.execute(
        USER_MASTERY_SQL,
        [user_id, pack.id],
    ).fetchall()
    return mastery_from_statements(pack, dict(rows))


def org_mastery(
    db: sqlite_utils.Database, pack: Pack, *, role: str | None = None, since: datetime | None = None
) -> OrgMastery:
    """Mastery across the active people (in ``role`` when given; active at or after ``since``).

    One query for the whole organisation, not one per person.
    """
    params = {"role": role, "since": to_micros(since) if since is not None else None}
    # One pass over the table (keyed by person, then statement; no second index since m033), summed
    # per statement key before the keys are read: CROSS JOIN keeps that order (the other way round
    # SQLite scanned the whole table once per statement of the pack: 2.3 s instead of 0.1 s at 5,000
    # people).
    if role is None and since is None:
        # Everyone who has answered.
        sql = """
            SELECT k.statement_id, t.total,
                   (SELECT COUNT(DISTINCT a.user_id) FROM statement_mastery a
                    CROSS JOIN statement_keys ak ON ak.id = a.statement WHERE ak.pack_id = :pack_id)
            FROM (SELECT statement, SUM(mastery) AS total FROM statement_mastery GROUP BY statement) t
            CROSS JOIN statement_keys k ON k.id = t.statement
            WHERE k.pack_id = :pack_id
        """
    else:
        # The active people first (a few thousand ids, grouped in key order), then the rows of only theirs.
        role_only = "AND a.user_id IN (SELECT id FROM users WHERE role_key = :role)" if role is not None else ""
        having = "HAVING MAX(a.answered_at) >= :since" if since is not None else ""
        sql = f"""
            WITH active AS (
                SELECT a.user_id FROM statement_mastery a CROSS JOIN statement_keys ak ON ak.id = a.statement
                WHERE ak.pack_id = :pack_id {role_only}
                GROUP BY a.user_id {having}
            )
            SELECT k.statement_id, t.total, (SELECT COUNT(*) FROM active)
            FROM (SELECT statement, SUM(mastery) AS total FROM statement_mastery WHERE user_id IN active
                  GROUP BY statement) t
            CROSS JOIN statement_keys k ON k.id = t.statement
            WHERE k.pack_id = :pack_id
        """
    rows = db.execute(sql, {**params, "pack_id": pack.id}).fetchall()
    active = rows[0][2] if rows else 0
    values = {sid: total / active for sid, total, _ in rows} if active else {}
    people_sql = "SELECT COUNT(*) FROM users" + (" WHERE role_key = ?" if role is not None else "")
    (people,) = db.execute(people_sql, [role] if role is not None else []).fetchone()
    return OrgMastery(people=people, active_people=active, mastery=mastery_from_statements(pack, values))
