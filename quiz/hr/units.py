"""Organisation units: centres and their departments as a tree, each person in at most one unit.

A unit's name is unique in the organisation (case does not count), so a spreadsheet can name it
alone. Leaders are scoped to units: a leader of a centre sees the people of the centre and of every
department under it, and no one else (:func:`visible_user_ids`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property
from typing import NewType

import sqlite_utils

from quiz.i18n import QuizError
from quiz.people.access import require_admin
from quiz.people.accounts import ActorLike
from quiz.store.db import to_iso, transaction, utcnow

UnitId = NewType("UnitId", int)
MAX_NAME = 80


@dataclass(frozen=True)
class Unit:
    """A centre or department; ``parent_id`` None for a top-level unit."""

    id: UnitId
    name: str
    parent_id: UnitId | None


@dataclass(frozen=True)
class Tree:
    """Every unit, with the look-ups the HR page and the imports need.

    Never changed once made, so the look-ups are worked out once per tree (the HR page shares one
    tree between every admin's reruns, and names 80 units in each of them).
    """

    units: tuple[Unit, ...]

    @cached_property
    def by_id(self) -> dict[int, Unit]:
        return {u.id: u for u in self.units}

    @cached_property
    def _children(self) -> dict[int | None, tuple[Unit, ...]]:
        out: dict[int | None, list[Unit]] = {}
        for unit in self.units:
            out.setdefault(unit.parent_id, []).append(unit)
        return {k: tuple(sorted(v, key=lambda u: u.name.casefold())) for k, v in out.items()}

    @cached_property
    def _by_name(self) -> dict[str, Unit]:
        return {u.name.casefold(): u for u in reversed(self.units)}

    @cached_property
    def _paths(self) -> dict[int, str]:
        return {u.id: self._path(u.id) for u in self.units}

    def find(self, name: str) -> Unit | None:
        return self._by_name.get(name.strip().casefold())

    def children(self, unit_id: int | None) -> list[Unit]:
        return list(self._children.get(unit_id, ()))

    def subtree(self, unit_id: int) -> set[int]:
        """The unit and every unit under it."""
        found, todo = set(), [unit_id]
        while todo:
            current = todo.pop()
            if current in found:
                continue
            found.add(current)
            todo += [u.id for u in self._children.get(current, ())]
        return found

    def path(self, unit_id: int | None) -> str:
        """``Center for Sundhed › Hjemmeplejen``: the unit under its parents."""
        if unit_id is None:
            return ""
        return self._paths.get(unit_id, "")

    def _path(self, unit_id: int | None) -> str:
        names, seen = [], set()
        by_id = self.by_id
        while unit_id is not None and unit_id in by_id and unit_id not in seen:
            seen.add(unit_id)
            names.append(by_id[unit_id].name)
            unit_id = by_id[unit_id].parent_id
        return " › ".join(reversed(names))

    @cached_property
    def _ordered(self) -> tuple[tuple[int, Unit], ...]:
        out: list[tuple[int, Unit]] = []

        def walk(parent: int | None, depth: int) -> None:
            for unit in self._children.get(parent, ()):
                out.append((depth, unit))
                walk(unit.id, depth + 1)

        walk(None, 0)
        return tuple(out)

    def ordered(self) -> list[tuple[int, Unit]]:
        """Depth-first (depth, unit), children by name: the order to show the tree in."""
        return list(self._ordered)

    def top(self, unit_id: int | None) -> int | None:
        """The centre (top-level unit) a unit belongs to."""
        by_id = self.by_id
        while unit_id is not None and by_id.get(unit_id) and by_id[unit_id].parent_id is not None:
            unit_id = by_id[unit_id].parent_id
        return unit_id


def tree(db: sqlite_utils.Database) -> Tree:
    return Tree(
        tuple(
            Unit(UnitId(r["id"]), r["name"], r["parent_id"])
            for r in db["units"].rows_where(select="id, name, parent_id", order_by="id")
        )
    )


def _clean_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise QuizError("units.name_missing")
    if len(name) > MAX_NAME:
        raise QuizError("units.name_long", max=MAX_NAME)
    return name


def _check_actor(db: sqlite_utils.Database, actor: ActorLike | None) -> None:
    """On the HR page the acting admin is checked again here; the CLI (the operator) passes None."""
    if actor is not None:
        require_admin(db, actor)


def add_unit(
    db: sqlite_utils.Database,
    name: str,
    *,
    parent: str | None = None,
    actor: ActorLike | None = None,
    now: datetime | None = None,
) -> Unit:
    """Create a unit (under ``parent``, named); an existing name or unknown parent is refused."""
    name = _clean_name(name)
    with transaction(db):
        _check_actor(db, actor)
        current = tree(db)
        if current.find(name):
            raise QuizError("units.exists", name=name)
        parent_id = None
        if parent:
            found = current.find(parent)
            if found is None:
                raise QuizError("units.unknown", name=parent)
            parent_id = found.id
        unit_id = (
            db.table("units")
            .insert({"name": name, "parent_id": parent_id, "created_at": to_iso(now or utcnow())})
            .last_pk
        )
    assert unit_id is not None  # an insert sets it
    return Unit(UnitId(unit_id), name, parent_id)


def ensure_units(db: sqlite_utils.Database, rows: Iterable[tuple[str, str | None]]) -> int:
    """Create the (name, parent name) units that do not exist yet, parents first; returns how many were made."""
    made = 0
    pending = [(_clean_name(n), p.strip() if p else None) for n, p in rows]
    with transaction(db):
        while pending:
            current = tree(db)
            left: list[tuple[str, str | None]] = []
            for name, parent in pending:
                if current.find(name):
                    continue
                if parent and current.find(parent) is None:
                    left.append((name, parent))
                    continue
                add_unit(db, name, parent=parent)
                made += 1
            if len(left) == len(pending):
                raise QuizError("units.unknown", name=left[0][1])
            pending = left
    return made


def rename_unit(db: sqlite_utils.Database, unit_id: int, name: str, *, actor: ActorLike | None = None) -> None:
    name = _clean_name(name)
    with transaction(db):
        _check_actor(db, actor)
        other = tree(db).find(name)
        if other and other.id != unit_id:
            raise QuizError("units.exists", name=name)
        db.table("units").update(unit_id, {"name": name})


def set_person_unit(
    db: sqlite_utils.Database,
    user_id: int,
    unit_id: int | None,
    *,
    actor: ActorLike | None = None,
    now: datetime | None = None,
) -> None:
    """Place a person in a unit (None: in none); an unknown unit or person is refused."""
    with transaction(db):
        _check_actor(db, actor)
        _check_person(db, user_id)
        if unit_id is not None and unit_id not in tree(db).by_id:
            raise QuizError("units.unknown", name=str(unit_id))
        upsert_person(db, user_id, {"unit_id": unit_id}, now=now)


def place_person(
    db: sqlite_utils.Database,
    user_id: int,
    unit_id: int | None,
    leads: Iterable[int],
    *,
    actor: ActorLike | None = None,
    now: datetime | None = None,
) -> None:
    """Place a person and set the units they lead, in one transaction that checks the acting admin first.

    What the HR page's »Gem enhed og lederskab« and ``python -m quiz people set`` do: both changes
    or neither.
    """
    with transaction(db):
        _check_actor(db, actor)
        set_person_unit(db, user_id, unit_id, now=now)
        set_leader_units(db, user_id, leads)


def _check_person(db: sqlite_utils.Database, user_id: int) -> None:
    if not db["users"].count_where("id = ?", [user_id]):
        raise QuizError("units.no_person")


def upsert_person(db: sqlite_utils.Database, user_id: int, values: dict, *, now: datetime | None = None) -> None:
    """Change some of a person's HR details (inside the caller's transaction)."""
    stamp = to_iso(now or utcnow())
    if db["people"].count_where("user_id = ?", [user_id]):
        db.table("people").update(user_id, {**values, "updated_at": stamp})
    else:
        db.table("people").insert({"user_id": user_id, **values, "updated_at": stamp})


def person_unit(db: sqlite_utils.Database, user_id: int) -> int | None:
    row = db.execute("SELECT unit_id FROM people WHERE user_id = ?", [user_id]).fetchone()
    return row[0] if row else None


def person_start(db: sqlite_utils.Database, user_id: int) -> date | None:
    row = db.execute("SELECT start_date FROM people WHERE user_id = ?", [user_id]).fetchone()
    return date.fromisoformat(row[0]) if row and row[0] else None


def set_leader_units(
    db: sqlite_utils.Database, user_id: int, unit_ids: Iterable[int], *, actor: ActorLike | None = None
) -> None:
    """The units a person leads (replaces what was there); an empty list makes them no leader."""
    wanted = sorted(set(unit_ids))
    with transaction(db):
        _check_actor(db, actor)
        _check_person(db, user_id)
        known = tree(db).by_id
        for unit_id in wanted:
            if unit_id not in known:
                raise QuizError("units.unknown", name=str(unit_id))
        db.table("unit_leaders").delete_where("user_id = ?", [user_id])
        db.table("unit_leaders").insert_all([{"user_id": user_id, "unit_id": u} for u in wanted])


def led_units(db: sqlite_utils.Database, user_id: int) -> list[int]:
    """The units the person leads directly (the units under them come with them: :func:`scope`)."""
    return [r[0] for r in db.execute("SELECT unit_id FROM unit_leaders WHERE user_id = ? ORDER BY unit_id", [user_id])]


def is_leader(db: sqlite_utils.Database, user_id: int) -> bool:
    return db.execute("SELECT 1 FROM unit_leaders WHERE user_id = ? LIMIT 1", [user_id]).fetchone() is not None


def scope(db: sqlite_utils.Database, user_id: int) -> set[int]:
    """Every unit a leader may see: the units they lead and all units under them."""
    current = tree(db)
    found: set[int] = set()
    for unit_id in led_units(db, user_id):
        found |= current.subtree(unit_id)
    return found


def visible_user_ids(db: sqlite_utils.Database, leader_id: int) -> set[int]:
    """The people a leader may see: those placed in a unit of their :func:`scope`, nobody else."""
    units = scope(db, leader_id)
    if not units:
        return set()
    marks = ",".join("?" * len(units))
    return {r[0] for r in db.execute(f"SELECT user_id FROM people WHERE unit_id IN ({marks})", sorted(units))}


def unit_of_users(db: sqlite_utils.Database) -> dict[int, int | None]:
    """Every placed person's unit, by user id (one query)."""
    return dict(db.execute("SELECT user_id, unit_id FROM people").fetchall())
