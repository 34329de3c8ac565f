"""Single-use codes that let the participant-cookie route set a phone's browser id.

A Streamlit script cannot set cookies, so the join page has the browser fetch
``/live/browser?code=…`` (quiz.ui.server.live_routes). The code stands for the random browser id the page
already uses; it is kept in progress.db (hashed, two minutes, used once), so the route works
whichever server process the browser's request reaches.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

import sqlite_utils

from quiz.store.db import to_iso, utcnow
from quiz.store.transactions import transaction

CODE_TTL = timedelta(minutes=2)


def _hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def issue(db: sqlite_utils.Database, browser: str, *, now: datetime | None = None) -> str:
    """A single-use code for ``browser``; expired codes are cleared on the way."""
    now = now or utcnow()
    code = secrets.token_urlsafe(18)
    with transaction(db):
        db.execute("DELETE FROM live_browser_codes WHERE expires_at < ?", [to_iso(now)])
        db.table("live_browser_codes").insert(
            {"code_hash": _hash(code), "browser": browser, "expires_at": to_iso(now + CODE_TTL)}
        )
    return code


def redeem(db: sqlite_utils.Database, code: str, *, now: datetime | None = None) -> str | None:
    """The browser id of ``code``, once; None when unknown, used or expired."""
    if not code or len(code) > 64:
        return None
    now = now or utcnow()
    with transaction(db):
        row = db.execute(
            "DELETE FROM live_browser_codes WHERE code_hash = ? RETURNING browser, expires_at", [_hash(code)]
        ).fetchone()
    if row is None or datetime.fromisoformat(row[1]) < now:
        return None
    return row[0]
