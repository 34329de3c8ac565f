"""The HR page's figures, shared by every admin's session for a minute.

They scan every answer in the organisation (about half a second at 5,000 people), and nothing an
admin does on the page besides changing a filter needs them fresher: changing a filter is a new
cache key, and the page's own account actions clear the cache.

``st.cache_resource`` rather than ``st.cache_data``: cache_data hands every caller a fresh
unpickled copy, which for 5,000 people cost more on each rerun (~65 ms) than the page's own drawing.
What is kept here is never changed after it is made (frozen dataclasses, tuples), so one shared
copy is safe.
"""

from __future__ import annotations

import streamlit as st

from quiz import reports
from quiz.store import User, list_users, open_db
from quiz.ui import session

TTL_SECONDS = 60


def _run(report: str, db_path: str, pack_id: str, role: str | None, start, end, **options):
    """``quiz.reports.<report>`` for the whole organisation, on a connection of its own."""
    db = open_db(db_path, migrate=False)
    try:
        pack = session.registry().packs[pack_id]
        return getattr(reports, report)(db, pack, role=role, period=reports.Period(start, end), **options)
    finally:
        db.close()


@st.cache_resource(ttl=TTL_SECONDS, max_entries=64, show_spinner=False)
def _aggregate(report: str, db_path: str, pack_id: str, role: str | None, start, end, **options):
    result = _run(report, db_path, pack_id, role, start, end, **options)
    return tuple(result) if isinstance(result, list) else result


@st.cache_resource(ttl=TTL_SECONDS, max_entries=64, show_spinner=False)
def _overview(db_path: str, pack_id: str, role: str | None, start, end, active_only: bool) -> reports.Overview:
    rows = _run("people", db_path, pack_id, role, start, end, active_only=active_only)
    return reports.overview(rows, session.registry().packs[pack_id])


@st.cache_resource(ttl=TTL_SECONDS, max_entries=64, show_spinner=False)
def _ordered(db_path: str, pack_id: str, role: str | None, start, end, active_only: bool, order: str):
    return reports.ordered(_overview(db_path, pack_id, role, start, end, active_only).people, order)


@st.cache_resource(ttl=TTL_SECONDS, max_entries=4, show_spinner=False)
def _accounts(db_path: str) -> tuple[User, ...]:
    db = open_db(db_path, migrate=False)
    try:
        return tuple(list_users(db))
    finally:
        db.close()


def _path() -> str:
    return session.db_path()


def overview(pack, *, role: str | None, period: reports.Period, active_only: bool) -> reports.Overview:
    """Everyone matching the filters (by name), with the sums the page shows above the table."""
    return _overview(_path(), pack.id, role, period.start, period.end, active_only)


def ordered_people(pack, *, role: str | None, period: reports.Period, active_only: bool, order: str):
    """The same people in one of ``quiz.reports.PEOPLE_ORDERS``, sorted once for everyone who asks."""
    return _ordered(_path(), pack.id, role, period.start, period.end, active_only, order)


def organisation_mastery(pack, *, role: str | None, period: reports.Period):
    return _aggregate("organisation_mastery", _path(), pack.id, role, period.start, period.end)


def missed_statements(pack, *, role: str | None, period: reports.Period, limit: int):
    return _aggregate("missed_statements", _path(), pack.id, role, period.start, period.end, limit=limit)


def accounts() -> tuple[User, ...]:
    """Every account by username, to search in: a new account is found within a minute.

    The page reads the chosen person again before showing or changing their rights.
    """
    return _accounts(_path())


def clear() -> None:
    """After an account change on the page, so its tables show it at once."""
    for cached in (_aggregate, _overview, _ordered, _accounts):
        cached.clear()
