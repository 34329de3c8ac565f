"""The HR page's aggregates, cached across sessions for a minute.

They scan every answer in the organisation (about a second at 5,000 people), and nothing an
admin does on the page besides changing a filter needs them fresher: changing a filter is a new
cache key, and the page's own account actions clear the cache.
"""

from __future__ import annotations

from datetime import datetime

import streamlit as st

from quiz import reports
from quiz.store import open_db
from quiz.ui import session

TTL_SECONDS = 60


def _period(start: datetime | None, end: datetime | None) -> reports.Period:
    return reports.Period(start, end)


@st.cache_data(ttl=TTL_SECONDS, max_entries=64, show_spinner=False)
def _people(db_path: str, pack_id: str, role: str | None, start, end, active_only: bool):
    db = open_db(db_path, migrate=False)
    try:
        pack = session.registry().packs[pack_id]
        return reports.people(db, pack, role=role, period=_period(start, end), active_only=active_only)
    finally:
        db.close()


@st.cache_data(ttl=TTL_SECONDS, max_entries=64, show_spinner=False)
def _organisation_mastery(db_path: str, pack_id: str, role: str | None, start, end):
    db = open_db(db_path, migrate=False)
    try:
        pack = session.registry().packs[pack_id]
        return reports.organisation_mastery(db, pack, role=role, period=_period(start, end))
    finally:
        db.close()


@st.cache_data(ttl=TTL_SECONDS, max_entries=64, show_spinner=False)
def _missed_statements(db_path: str, pack_id: str, role: str | None, start, end, limit: int):
    db = open_db(db_path, migrate=False)
    try:
        pack = session.registry().packs[pack_id]
        return reports.missed_statements(db, pack, role=role, period=_period(start, end), limit=limit)
    finally:
        db.close()


def _path() -> str:
    return str(session.store().path)


def people(pack, *, role: str | None, period: reports.Period, active_only: bool):
    return _people(_path(), pack.id, role, period.start, period.end, active_only)


def organisation_mastery(pack, *, role: str | None, period: reports.Period):
    return _organisation_mastery(_path(), pack.id, role, period.start, period.end)


def missed_statements(pack, *, role: str | None, period: reports.Period, limit: int):
    return _missed_statements(_path(), pack.id, role, period.start, period.end, limit)


def clear() -> None:
    """After an account change on the page, so its tables show it at once."""
    for cached in (_people, _organisation_mastery, _missed_statements):
        cached.clear()
