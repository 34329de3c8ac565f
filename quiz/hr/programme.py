"""The onboarding programme: what a new employee must complete, and by when; each person's status.

HR sets the programme of a pack (the requirements and the number of days from the start date).
A person's status follows from what they did, read in one query for the whole organisation:

- ``completed`` (gennemført): every requirement met; the date is when the last one was met;
- ``overdue`` (overskredet): not completed, and the deadline (start date + days) has passed;
- ``in_progress`` (i gang): begun (intro step, an answer or a requirement met), not yet due;
- ``not_started`` (ikke startet): nothing yet, not yet due.

The start date is the one HR imported, else the day the account was made. When HR sets the day the
programme went live (``go_live``), the deadline of anyone employed before it counts from that day:
the people already employed when a centre starts are not overdue on day one.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

import sqlite_utils

from quiz.content.models import Pack
from quiz.i18n import Msg, QuizError
from quiz.people import collation
from quiz.people.access import actor_user_id, require_admin
from quiz.people.accounts import ActorLike
from quiz.store.db import from_iso, to_iso, transaction, utcnow

RequirementKind = Literal["intro", "role_quiz", "everyone_quiz"]
KINDS: tuple[RequirementKind, ...] = ("intro", "role_quiz", "everyone_quiz")
STATUSES = ("not_started", "in_progress", "completed", "overdue")
LOCAL = ZoneInfo("Europe/Copenhagen")
DEFAULT_DAYS = 30
DEFAULT_SCORE = 0.8


@dataclass(frozen=True)
class Requirement:
    """One thing to complete: the intro, or a quiz (own role's, or the statements for all) at ``min_score``."""

    kind: RequirementKind
    min_score: float = DEFAULT_SCORE

    def describe(self) -> Msg:
        return Msg(f"programme.req.{self.kind}", percent=round(self.min_score * 100))


@dataclass(frozen=True)
class Programme:
    """A pack's onboarding programme."""

    pack_id: str
    requirements: tuple[Requirement, ...]
    days: int
    go_live: date | None = None
    """Deadlines count from this day for people who started before it (None: from their start date)."""

    def counts_from(self, start: date) -> date:
        """The day a person's deadline counts from: their start date, or the go-live day if later."""
        return max(start, self.go_live) if self.go_live else start

    def deadline(self, start: date) -> date:
        return self.counts_from(start) + timedelta(days=self.days)

    def to_json(self) -> str:
        return json.dumps([{"kind": r.kind, "min_score": r.min_score} for r in self.requirements])


def default_programme(pack_id: str) -> Programme:
    """The intro, the own role's quiz at 80 % and the statements for all at 80 %, within 30 days."""
    return Programme(pack_id, tuple(Requirement(k) for k in KINDS), DEFAULT_DAYS)


def get_programme(db: sqlite_utils.Database, pack_id: str) -> Programme | None:
    """The programme HR set for the pack, or None when none is set."""
    rows = list(db["programmes"].rows_where("pack_id = ?", [pack_id]))
    if not rows:
        return None
    items = json.loads(rows[0]["items_json"])
    go_live = rows[0].get("go_live")
    return Programme(
        pack_id,
        tuple(Requirement(i["kind"], float(i["min_score"])) for i in items),
        rows[0]["days"],
        date.fromisoformat(go_live) if go_live else None,
    )


def set_programme(
    db: sqlite_utils.Database, programme: Programme, *, actor: ActorLike, now: datetime | None = None
) -> Programme:
    """Store the pack's programme; checks the acting admin and the values in the same transaction."""
    if not programme.requirements:
        raise QuizError("programme.empty")
    if not 1 <= programme.days <= 730:
        raise QuizError("programme.bad_days", max=730)
    for r in programme.requirements:
        if r.kind not in KINDS or not 0 < r.min_score <= 1:
            raise QuizError("programme.bad_requirement")
    with transaction(db):
        require_admin(db, actor)
        db.table("programmes").upsert(
            {
                "pack_id": programme.pack_id,
                "items_json": programme.to_json(),
                "days": programme.days,
                "go_live": programme.go_live.isoformat() if programme.go_live else None,
                "updated_at": to_iso(now or utcnow()),
                "updated_by": actor_user_id(actor),
            },
            pk="pack_id",
        )
    return programme


def set_go_live(
    db: sqlite_utils.Database, pack_id: str, day: date | None, *, actor: ActorLike, now: datetime | None = None
) -> Programme:
    """Set (None: clear) the day the pack's programme went live; the default programme when none is set yet."""
    with transaction(db):
        require_admin(db, actor)
        current = get_programme(db, pack_id) or default_programme(pack_id)
        return set_programme(db, replace(current, go_live=day), actor=actor, now=now)


@dataclass(frozen=True)
class PersonStatus:
    """Where one person stands in the programme."""

    user_id: int
    username: str
    display_name: str
    email: str | None
    role_key: str | None
    unit_id: int | None
    start_date: date
    deadline: date
    met: tuple[tuple[RequirementKind, datetime | None], ...]  # per requirement kind, when it was met
    started: bool
    status: str
    completed_at: datetime | None

    @property
    def done(self) -> int:
        return sum(when is not None for _, when in self.met)


def _quiz_met(roles_condition: str) -> str:
    """SQL: when the person first finished a quiz on the wanted statements at the pass mark."""
    return f"""(SELECT MIN(a.finished_at) FROM attempts a
        WHERE a.user_id = u.id AND a.kind = 'quiz' AND a.finished_at IS NOT NULL AND a.pack_id = :pack_id
          AND a.score >= :{{score}} AND ({roles_condition}))"""


_ROLE_QUIZ = _quiz_met("EXISTS (SELECT 1 FROM json_each(a.spec_json, '$.roles') r WHERE r.value = u.role_key)")
_EVERYONE_QUIZ = _quiz_met(
    "json_array_length(a.spec_json, '$.roles') = 0 "
    "OR EXISTS (SELECT 1 FROM json_each(a.spec_json, '$.roles') r "
    "WHERE r.value IN (SELECT value FROM json_each(:everyone)))"
)


def statuses(
    db: sqlite_utils.Database,
    pack: Pack,
    programme: Programme,
    *,
    today: date,
    user_ids: Iterable[int] | None = None,
) -> list[PersonStatus]:
    """Every person's status (only ``user_ids`` when given), by name; one query for everyone."""
    scores = {r.kind: r.min_score for r in programme.requirements}
    columns = {
        "intro": "i.completed_at",
        "role_quiz": _ROLE_QUIZ.format(score="role_score"),
        "everyone_quiz": _EVERYONE_QUIZ.format(score="everyone_score"),
    }
    wanted = [r.kind for r in programme.requirements]
    met_sql = ",\n".join(f"{columns[k]} AS {k}" for k in wanted)
    where, args = "", {}
    if user_ids is not None:
        where = "AND u.id IN (SELECT value FROM json_each(:ids))"
        args["ids"] = json.dumps(sorted(set(user_ids)))
    sql = f"""
        SELECT u.id, u.username, u.display_name, p.email, u.role_key, p.unit_id,
               COALESCE(p.start_date, substr(u.created_at, 1, 10)),
               COALESCE(i.step, 0) > 0 OR EXISTS (SELECT 1 FROM answers x WHERE x.user_id = u.id),
               {met_sql}
        FROM users u
        LEFT JOIN people p ON p.user_id = u.id
        LEFT JOIN intro_progress i ON i.user_id = u.id AND i.pack_id = :pack_id
        WHERE 1 {where}
        ORDER BY u.display_name COLLATE NOCASE, u.username
    """
    everyone = [r.key for r in pack.manifest.roles if r.everyone]
    params = {
        **args,
        "pack_id": pack.id,
        "role_score": scores.get("role_quiz", 1.0),
        "everyone_score": scores.get("everyone_quiz", 1.0),
        "everyone": json.dumps(everyone),
    }
    out = []
    for row in db.execute(sql, params):
        start = date.fromisoformat(row[6])
        deadline = programme.deadline(start)
        met = tuple((k, from_iso(v)) for k, v in zip(wanted, row[8:], strict=True))
        when = [v for _, v in met]
        done = [v for v in when if v is not None]
        completed_at = max(done) if len(done) == len(when) else None
        started = bool(row[7]) or any(when)
        if completed_at is not None:
            status = "completed"
        elif today > deadline:
            status = "overdue"
        else:
            status = "in_progress" if started else "not_started"
        out.append(
            PersonStatus(
                row[0], row[1], row[2], row[3], row[4], row[5], start, deadline, met, started, status, completed_at
            )
        )
    # By name in Danish order (Æ, Ø, Å after Z; "Aa" as Å), which SQLite's NOCASE does not know.
    out.sort(key=lambda r: (collation.sort_key(r.display_name), r.username.casefold()))
    return out


def standing(db: sqlite_utils.Database, pack: Pack, user_id: int, *, today: date) -> PersonStatus | None:
    """Where a person HR knows (imported, or placed in a unit) stands in the programme in force, or None.

    The programme in force is the one HR set, else the default, as on the HR page and the certificate.
    """
    if not db.execute("SELECT 1 FROM people WHERE user_id = ?", [user_id]).fetchone():
        return None
    current = get_programme(db, pack.id) or default_programme(pack.id)
    rows = statuses(db, pack, current, today=today, user_ids=[user_id])
    return rows[0] if rows else None


def local_day(moment: datetime) -> date:
    """The Danish calendar day of a stored moment."""
    return moment.astimezone(LOCAL).date()


def status_name(status: str) -> str:
    """The status in the reader's language (``ikke startet``, ``i gang``, ``gennemført``, ``overskredet``)."""
    return str(Msg(f"programme.status.{status}"))


def counts(rows: Sequence[PersonStatus]) -> dict[str, int]:
    return {s: sum(r.status == s for r in rows) for s in STATUSES}


def by_unit(
    rows: Sequence[PersonStatus], unit_of: dict[int | None, int | None]
) -> dict[int | None, list[PersonStatus]]:
    """People grouped by the unit ``unit_of`` maps their own unit to (e.g. its centre); None: no unit."""
    groups: dict[int | None, list[PersonStatus]] = {}
    for row in rows:
        groups.setdefault(unit_of.get(row.unit_id, row.unit_id), []).append(row)
    return groups


def completion_over_time(
    rows: Sequence[PersonStatus], unit_of: dict[int | None, int | None], *, weeks: int, today: date
) -> list[dict]:
    """Per unit and week (Mondays, oldest first): the share of its people who had completed by that week's end.

    People count from their start date on, so the line shows how a unit's cohort gets through.
    """
    monday = today - timedelta(days=today.weekday())
    ends = [monday - timedelta(weeks=w) + timedelta(days=7) for w in reversed(range(weeks))]
    out = []
    for unit, group in by_unit(rows, unit_of).items():
        for end in ends:
            present = [r for r in group if r.start_date < end]
            if not present:
                continue
            done = sum(r.completed_at is not None and local_day(r.completed_at) < end for r in present)
            out.append({"unit": unit, "week": end - timedelta(days=7), "share": done / len(present)})
    return out
