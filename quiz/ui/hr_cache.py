"""The HR page's aggregates, cached across sessions for a minute.

They scan every answer in the organisation (about a second at 5,000 people), and nothing an
admin does on the page besides changing a filter needs them fresher: changing a filter is a new
cache key, and the page's own account actions clear the cache.
"""

from __future__ import annotations

import streamlit as st

from quiz import reports
from quiz.store import open_db
from quiz.ui import session

TTL_SECONDS = 60


@st.cache_data(ttl=TTL_SECONDS, max_entries=64, show_spinner=False)
def _aggregate(report: str, db_path: str, pack_id: str, role: str | None, start, end, **options):
    """``quiz.reports.<report>`` for the whole organisation, on a connection of its own."""
    db = open_db(db_path, migrate=False)
    try:
        pack = session.registry().packs[pack_id]
        return getattr(reports, report)(db, pack, role=role, period=reports.Period(start, end), **options)
    finally:
        db.close()


def _path() -> str:
    return str(session.store().path)


def people(pack, *, role: str | None, period: reports.Period, active_only: bool):
    return _aggregate("people", _path(), pack.id, role, period.start, period.end, active_only=active_only)


def organisation_mastery(pack, *, role: str | None, period: reports.Period):
    return _aggregate("organisation_mastery", _path(), pack.id, role, period.start, period.end)


def missed_statements(pack, *, role: str | None, period: reports.Period, limit: int):
    return _aggregate("missed_statements", _path(), pack.id, role, period.start, period.end, limit=limit)


def clear() -> None:
    """After an account change on the page, so its tables show it at once."""
    _aggregate.clear()
