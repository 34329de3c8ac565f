"""HR reports across the organisation: who has done the intro and the quizzes, and how well they know the pack.

Plain Python over progress.db. Every figure is one SQL query over the whole organisation (never one
query per person), served by the indexes of migration m001, so the admin page stays quick with
thousands of people (docs/operations.md has the timing). Mastery itself is defined in
``quiz.learning.mastery``; this module reuses its per-statement values.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlite_utils

from quiz.content.models import Pack
from quiz.learning.mastery import MissedStatement, OrgMastery, org_mastery, role_goal
from quiz.people import collation
from quiz.store.db import from_iso, to_iso, to_micros

LOCAL = ZoneInfo("Europe/Copenhagen")

# Attempts that count as "a quiz finished" (the SQL in ``people`` says the same): the learner's own
# quizzes and refresh rounds, not live sessions.
QUIZ_KINDS = ("quiz", "refresh")


@dataclass(frozen=True)
class Period:
    """A time range: ``start`` included, ``end`` excluded; None means open on that side."""

    start: datetime | None = None
    end: datetime | None = None

    @classmethod
    def from_dates(cls, first: date | None, last: date | None) -> Period:
        """Whole Danish calendar days from ``first`` to ``last``, both included."""
        start = datetime.combine(first, time(), LOCAL) if first else None
        end = datetime.combine(last + timedelta(days=1), time(), LOCAL) if last else None
        return cls(start, end)

    def where(self, column: str) -> str:
        """SQL conditions on ``column`` (a fixed column name, never user input) for ``params``."""
        sql = ""
        if self.start is not None:
            sql += f" AND {column} >= :start"
        if self.end is not None:
            sql += f" AND {column} < :end"
        return sql

    def params(self) -> dict[str, str | None]:
        return {
            "start": to_iso(self.start) if self.start is not None else None,
            "end": to_iso(self.end) if self.end is not None else None,
        }


ALL_TIME = Period()


@dataclass(frozen=True)
class PersonRow:
    """One person's line in the HR table.

    ``quizzes_finished`` and ``answers`` count within the period; ``mastery`` is the person's mastery
    now of the statements of their own role and those shared by all (0..1).
    """

    user_id: int
    username: str
    display_name: str
    role_key: str | None
    is_admin: bool
    is_facilitator: bool
    intro_step: int
    intro_completed_at: datetime | None
    quizzes_finished: int
    answers: int
    last_active: datetime | None
    mastery: float
    unit_id: int | None = None

    @property
    def intro_done(self) -> bool:
        return self.intro_completed_at is not None

    @property
    def active(self) -> bool:
        """Answered at least one question in the period."""
        return self.answers > 0


@dataclass(frozen=True)
class RoleSummary:
    """Completion and mastery of the people in one role (``role_key`` None: no role chosen yet)."""

    role_key: str | None
    people: int
    intro_done: int
    with_quiz: int
    active: int
    mastery: float


@dataclass(frozen=True)
class UnitSummary:
    """Completion and mastery of the people placed in one unit (``unit_id`` None: in no unit)."""

    unit_id: int | None
    people: int
    intro_done: int
    with_quiz: int
    active: int
    mastery: float


def _statements_json(pack: Pack) -> str:
    everyone = {r.key for r in pack.manifest.roles if r.everyone}
    return json.dumps([[s.id, s.role, int(s.role in everyone)] for s in pack.statements])


def people(
    db: sqlite_utils.Database,
    pack: Pack,
    *,
    role: str | None = None,
    period: Period = ALL_TIME,
    active_only: bool = False,
    units: Collection[int] | None = None,
) -> list[PersonRow]:
    """Every person (in ``role`` when given) with their intro, quizzes, activity and mastery, by name.

    ``units`` keeps only the people placed in one of those units (``quiz.hr.units.Tree.subtree``).

    One query. Each person's quizzes, answers and last answer are read off that person's entries of
    the (user, kind, finished) and (user, answered) indexes, so only the people shown are counted
    and no table of a whole organisation's answers is grouped; mastery is summed once per statement.
    ``active_only`` keeps only those who answered something in the period.
    """
    goal_sizes = {r: len(role_goal(pack, r)) for r in [None, *pack.roles]}
    answered = f"(SELECT COUNT(*) FROM answers a WHERE a.user_id = u.id {period.where('a.answered_at')})"
    role_where = " AND u.role_key = :role" if role is not None else ""
    active_where = f" AND {answered} > 0" if active_only else ""
    unit_where = " AND p.unit_id IN (SELECT value FROM json_each(:units))" if units is not None else ""
    sql = f"""
        WITH stmts AS MATERIALIZED (
            SELECT k.id AS statement, json_extract(value, '$[1]') AS role, json_extract(value, '$[2]') AS everyone
            FROM json_each(:statements)
            CROSS JOIN statement_keys k ON k.pack_id = :pack_id AND k.statement_id = json_extract(value, '$[0]')
        ),
        -- One pass over the mastery rows in key order (person, statement): each person's rows
        -- together, each row's statement looked up in the pack's list (a few hundred).
        mas AS (
            SELECT m.user_id, SUM(m.mastery) AS total
            FROM statement_mastery m
            CROSS JOIN stmts s ON s.statement = m.statement
            CROSS JOIN users mu ON mu.id = m.user_id
            WHERE s.everyone OR s.role = mu.role_key
            GROUP BY m.user_id
        )
        SELECT u.id, u.username, u.display_name, u.role_key, u.is_admin, u.is_facilitator, u.last_seen_at,
               i.step, i.completed_at,
               (SELECT COUNT(*) FROM attempts a
                WHERE a.user_id = u.id AND a.kind IN ('quiz', 'refresh') AND a.finished_at IS NOT NULL
                  {period.where("a.finished_at")} AND a.pack_id = :pack_id),
               {answered},
               (SELECT MAX(a.answered_at) FROM answers a WHERE a.user_id = u.id),
               mas.total, p.unit_id
        FROM users u
        LEFT JOIN intro_progress i ON i.user_id = u.id AND i.pack_id = :pack_id
        LEFT JOIN mas ON mas.user_id = u.id
        LEFT JOIN people p ON p.user_id = u.id
        WHERE 1 {role_where} {active_where} {unit_where}
        ORDER BY u.display_name COLLATE NOCASE, u.username
    """
    params = {**period.params(), "pack_id": pack.id, "role": role, "statements": _statements_json(pack)}
    params["units"] = json.dumps(sorted(units)) if units is not None else None
    rows = []
    for r in db.execute(sql, params).fetchall():
        role_key = r[3] if r[3] in pack.roles else None
        size = goal_sizes[role_key]
        last_seen = max(filter(None, [r[6], r[11]]), default=None)
        rows.append(
            PersonRow(
                user_id=r[0],
                username=r[1],
                display_name=r[2],
                role_key=r[3],
                is_admin=bool(r[4]),
                is_facilitator=bool(r[5]),
                intro_step=r[7] or 0,
                intro_completed_at=from_iso(r[8]),
                quizzes_finished=r[9] or 0,
                answers=r[10] or 0,
                last_active=from_iso(last_seen),
                mastery=(r[12] or 0.0) / size if size else 0.0,
                unit_id=r[13],
            )
        )
    # By name in Danish order (Æ, Ø, Å after Z; "Aa" as Å), which SQLite's NOCASE does not know.
    rows.sort(key=lambda p: (collation.sort_key(p.display_name), p.username.casefold()))
    return rows


def by_role(rows: Iterable[PersonRow], pack: Pack) -> list[RoleSummary]:
    """The people table summed up per role, in the pack's role order (people without a role last).

    ``mastery`` is the mean over the role's people, a person who never answered counting 0.
    """
    groups: dict[str | None, list[PersonRow]] = {}
    for row in rows:
        groups.setdefault(row.role_key if row.role_key in pack.roles else None, []).append(row)
    order = [r.key for r in pack.manifest.roles if not r.everyone] + [None]
    return [
        RoleSummary(
            role_key=key,
            people=len(group),
            intro_done=sum(p.intro_done for p in group),
            with_quiz=sum(p.quizzes_finished > 0 for p in group),
            active=sum(p.active for p in group),
            mastery=sum(p.mastery for p in group) / len(group),
        )
        for key in order
        if (group := groups.get(key))
    ]


def by_unit(rows: Iterable[PersonRow]) -> list[UnitSummary]:
    """The people table summed up per unit they are placed in (people in no unit last)."""
    groups: dict[int | None, list[PersonRow]] = {}
    for row in rows:
        groups.setdefault(row.unit_id, []).append(row)
    return [
        UnitSummary(
            unit_id=key,
            people=len(group),
            intro_done=sum(p.intro_done for p in group),
            with_quiz=sum(p.quizzes_finished > 0 for p in group),
            active=sum(p.active for p in group),
            mastery=sum(p.mastery for p in group) / len(group),
        )
        for key, group in sorted(groups.items(), key=lambda kv: (kv[0] is None, kv[0] or 0))
    ]


@dataclass(frozen=True)
class Overview:
    """The people table for one set of filters, summed up: what the top of the HR page shows."""

    people: tuple[PersonRow, ...]  # in the order ``people`` returned them: by name
    by_role: tuple[RoleSummary, ...]
    by_unit: tuple[UnitSummary, ...]
    intro_done: int
    with_quiz: int
    mastery: float  # mean over the people, a person who never answered counting 0

    @property
    def count(self) -> int:
        return len(self.people)


def overview(rows: Sequence[PersonRow], pack: Pack) -> Overview:
    """Sum up the people table once, so showing the sums does not go through every person again."""
    rows = tuple(rows)
    return Overview(
        people=rows,
        by_role=tuple(by_role(rows, pack)),
        by_unit=tuple(by_unit(rows)),
        intro_done=sum(p.intro_done for p in rows),
        with_quiz=sum(p.quizzes_finished > 0 for p in rows),
        mastery=sum(p.mastery for p in rows) / len(rows) if rows else 0.0,
    )


def _never_active_first(p: PersonRow) -> tuple:
    return (p.last_active is not None, p.last_active or datetime.min.replace(tzinfo=LOCAL))


# Orders of the people table. Sorting is stable, so people with equal values stay by name.
PEOPLE_ORDERS = {
    "name": None,
    "mastery_low": lambda p: p.mastery,
    "mastery_high": lambda p: -p.mastery,
    "inactive": _never_active_first,
}


def ordered(rows: Sequence[PersonRow], order: str) -> tuple[PersonRow, ...]:
    """``rows`` (as ``people`` returns them, by name) in one of ``PEOPLE_ORDERS``."""
    key = PEOPLE_ORDERS[order]
    return tuple(rows) if key is None else tuple(sorted(rows, key=key))


def organisation_mastery(
    db: sqlite_utils.Database, pack: Pack, *, role: str | None = None, period: Period = ALL_TIME
) -> OrgMastery:
    """Mastery now, per statement, perspective, role and cell, across the people active since the start.

    The period's end does not apply: mastery is a state, not an event.
    """
    return org_mastery(db, pack, role=role, since=period.start)


def missed_statements(
    db: sqlite_utils.Database,
    pack: Pack,
    *,
    role: str | None = None,
    period: Period = ALL_TIME,
    limit: int = 10,
) -> list[MissedStatement]:
    """The statements placed wrong most often in the period (ties: larger share wrong), by people in ``role``."""
    # Reviews keep their times as microseconds (quiz.store.lean.to_micros). Grouped in the order the
    # pack's statement keys are read (pack, statement id): no sort of the whole pack's reviews.
    where = period.where("r.answered_at")
    if role is not None:
        where += " AND r.user_id IN (SELECT id FROM users WHERE role_key = :role)"
    sql = f"""
        SELECT k.statement_id, COUNT(*) AS results, SUM(1 - r.correct) AS wrong
        FROM statement_keys k JOIN reviews r ON r.statement = k.id
        WHERE k.pack_id = :pack_id {where}
        GROUP BY k.statement_id
        HAVING wrong > 0
        ORDER BY wrong DESC, CAST(wrong AS REAL) / results DESC, k.statement_id
    """
    params = {
        "start": to_micros(period.start) if period.start is not None else None,
        "end": to_micros(period.end) if period.end is not None else None,
        "pack_id": pack.id,
        "role": role,
    }
    missed = []
    for sid, results, wrong in db.execute(sql, params).fetchall():
        statement = pack.statements_by_id.get(sid)
        if statement is None:  # removed from the pack since
            continue
        missed.append(MissedStatement(sid, statement.text, statement.perspective, statement.role, results, wrong))
        if len(missed) == limit:
            break
    return missed


def admin_count(db: sqlite_utils.Database) -> int:
    """How many accounts have the admin flag."""
    return db["users"].count_where("is_admin = 1")
