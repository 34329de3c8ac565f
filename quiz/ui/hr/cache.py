"""The HR page's figures, shared by every admin's session for a minute.

They scan every answer in the organisation (about half a second at 5,000 people), and nothing an
admin does on the page besides changing a filter needs them fresher: changing a filter is a new
cache key, and the page's own account actions clear the cache.

One shared copy per process, handed out as it is: ``st.cache_data`` gives every caller a fresh
unpickled copy, which for 5,000 people cost more on each rerun (~65 ms) than the page's own drawing,
and even ``st.cache_resource`` hashes its arguments its own way at ~1.5 ms a look-up, with five
look-ups in every rerun of the page. So a small dictionary of our own (:func:`_shared`), keyed on
the plain arguments. What is kept is never changed after it is made (frozen dataclasses, tuples).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol, cast

from quiz import i18n
from quiz.hr import programme, reports, units
from quiz.hr.exports import Onboarding
from quiz.store import User, list_users, open_db
from quiz.ui import session

TTL_SECONDS = 60


class _Cached(Protocol):
    """What :func:`_shared` makes of a function: the function, and ``clear()``."""

    __call__: Callable[..., Any]
    clear: Callable[[], None]


def _shared(*, max_entries: int) -> Callable[[Callable], _Cached]:
    """Keep ``fn``'s results for ``TTL_SECONDS``, shared by every session of the process.

    Two sessions missing the same key at once may both compute it; the later result is kept.
    Keyword arguments named with a leading underscore are passed on but are not part of the key.
    ``.clear()`` drops everything (after a change on the page).
    """

    def wrap(fn: Callable) -> _Cached:
        entries: OrderedDict = OrderedDict()
        lock = threading.Lock()

        def cached(*args, **kwargs):
            key = (args, tuple(sorted((k, v) for k, v in kwargs.items() if not k.startswith("_"))))
            now = time.monotonic()
            with lock:
                hit = entries.get(key)
                if hit is not None and now - hit[0] < TTL_SECONDS:
                    return hit[1]
            value = fn(*args, **kwargs)
            with lock:
                entries[key] = (now, value)
                entries.move_to_end(key)
                while len(entries) > max_entries:
                    entries.popitem(last=False)
            return value

        def clear() -> None:
            with lock:
                entries.clear()

        shared = cast(_Cached, cached)
        shared.clear = clear
        shared.__doc__ = fn.__doc__
        return shared

    return wrap


def _run(report: str, db_path: str, pack_id: str, role: str | None, start, end, unit=None, **options):
    """``quiz.hr.reports.<report>`` for everyone (or one unit and those under it), on a connection of its own."""
    db = open_db(db_path, migrate=False)
    try:
        pack = session.registry().packs[pack_id]
        if unit is not None:
            options["units"] = units.tree(db).subtree(unit)
        return getattr(reports, report)(db, pack, role=role, period=reports.Period(start, end), **options)
    finally:
        db.close()


@_shared(max_entries=64)
def _aggregate(report: str, db_path: str, pack_id: str, role: str | None, start, end, **options):
    result = _run(report, db_path, pack_id, role, start, end, **options)
    return tuple(result) if isinstance(result, list) else result


@_shared(max_entries=64)
def _overview(db_path: str, pack_id: str, role: str | None, start, end, active_only: bool, unit) -> reports.Overview:
    rows = _run("people", db_path, pack_id, role, start, end, unit=unit, active_only=active_only)
    return reports.overview(rows, session.registry().packs[pack_id])


@_shared(max_entries=64)
def _ordered(db_path: str, pack_id: str, role: str | None, start, end, active_only: bool, unit, order: str):
    return reports.ordered(_overview(db_path, pack_id, role, start, end, active_only, unit).people, order)


@_shared(max_entries=8)
def _statuses(db_path: str, pack_id: str, today: date) -> tuple:
    db = open_db(db_path, migrate=False)
    try:
        current = programme.get_programme(db, pack_id) or programme.default_programme(pack_id)
        return current, tuple(programme.statuses(db, session.registry().packs[pack_id], current, today=today))
    finally:
        db.close()


@_shared(max_entries=4)
def _tree(db_path: str) -> units.Tree:
    db = open_db(db_path, migrate=False)
    try:
        return units.tree(db)
    finally:
        db.close()


@_shared(max_entries=4)
def _accounts(db_path: str) -> tuple[User, ...]:
    db = open_db(db_path, migrate=False)
    try:
        return tuple(list_users(db))
    finally:
        db.close()


def _path() -> str:
    return session.db_path()


def overview(
    pack, *, role: str | None, period: reports.Period, active_only: bool, unit: int | None = None
) -> reports.Overview:
    """Everyone matching the filters (by name), with the sums the page shows above the table."""
    return _overview(_path(), pack.id, role, period.start, period.end, active_only, unit)


def ordered_people(
    pack, *, role: str | None, period: reports.Period, active_only: bool, order: str, unit: int | None = None
):
    """The same people in one of ``quiz.hr.reports.PEOPLE_ORDERS``, sorted once for everyone who asks."""
    return _ordered(_path(), pack.id, role, period.start, period.end, active_only, unit, order)


def statuses(pack, *, today: date) -> tuple[programme.Programme, tuple[programme.PersonStatus, ...]]:
    """The programme in force and everyone's status in it (the programme section, the results export)."""
    return _statuses(_path(), pack.id, today)


@_shared(max_entries=8)
def _onboarding(db_path: str, pack_id: str, today: date) -> Onboarding:
    _, rows = _statuses(db_path, pack_id, today)
    current = _tree(db_path)
    return Onboarding({u.id: current.path(u.id) for u in current.units}, {r.user_id: r for r in rows})


@dataclass(frozen=True)
class ProgrammeView:
    """What the programme section shows for one unit filter, worked out once for every admin."""

    rows: tuple[programme.PersonStatus, ...]
    counts: dict[str, int]
    overdue: tuple[tuple[int | None, tuple[programme.PersonStatus, ...], int], ...]
    """(unit, its overdue people, its people), most overdue first."""
    series: tuple[dict, ...]
    """``programme.completion_over_time`` by centre (everyone) or by the chosen unit's own units."""


@_shared(max_entries=32)
def _programme_view(db_path: str, pack_id: str, today: date, unit, weeks: int) -> ProgrammeView:
    _, rows = _statuses(db_path, pack_id, today)
    tree = _tree(db_path)
    if unit is not None:
        wanted = tree.subtree(unit)
        rows = tuple(r for r in rows if r.unit_id in wanted)
    groups = programme.by_unit(rows, {})
    overdue = sorted(
        ((key, tuple(r for r in group if r.status == "overdue"), len(group)) for key, group in groups.items()),
        key=lambda item: (-len(item[1]), tree.path(item[0])),
    )
    group_of = {u.id: tree.top(u.id) for u in tree.units} if unit is None else {}
    series = programme.completion_over_time(rows, group_of, weeks=weeks, today=today)
    return ProgrammeView(rows, programme.counts(rows), tuple(o for o in overdue if o[1]), tuple(series))


def programme_view(pack, *, today: date, unit: int | None, weeks: int) -> ProgrammeView:
    """The programme section's figures for everyone, or one unit and those under it."""
    return _programme_view(_path(), pack.id, today, unit, weeks)


def onboarding(pack, *, today: date) -> Onboarding:
    """Units and statuses by person, for the people table and the results CSV."""
    return _onboarding(_path(), pack.id, today)


def tree() -> units.Tree:
    """The organisation's units (a new unit shows within a minute, at once after a change on the page)."""
    return _tree(_path())


def organisation_mastery(pack, *, role: str | None, period: reports.Period):
    return _aggregate("organisation_mastery", _path(), pack.id, role, period.start, period.end)


def missed_statements(pack, *, role: str | None, period: reports.Period, limit: int):
    return _aggregate("missed_statements", _path(), pack.id, role, period.start, period.end, limit=limit)


def accounts() -> tuple[User, ...]:
    """Every account by username, to search in: a new account is found within a minute.

    The page reads the chosen person again before showing or changing their rights.
    """
    return _accounts(_path())


@_shared(max_entries=256)
def _table(db_path: str, name: str, key: tuple, lang: str, *, _build: Callable):
    return _build()


def table(name: str, key: tuple, build: Callable):
    """A table the page shows (an Arrow table or HTML), built once for everyone asking with the same ``key``.

    ``key`` must hold everything the table depends on besides the database and the language.
    """
    return _table(_path(), name, key, i18n.current_language(), _build=build)


def clear() -> None:
    """After a change on the page (accounts, units, an import, the programme), so its tables show it at once."""
    for cached in (_aggregate, _overview, _ordered, _accounts, _statuses, _tree, _onboarding, _programme_view, _table):
        cached.clear()
