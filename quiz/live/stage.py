"""What the stage (the projector) needs beyond the results: its secret link, and the room's phrases.

The presenter link works on a signed-out PC: it carries a per-session secret, of which only the
hash is stored (``live_stage_keys``, migration m020). The facilitator makes it on the control page
and may revoke it; revoking ends every link of the session at once, in every server process.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

import sqlite_utils

from quiz.store.db import to_iso, transaction, utcnow

from .control import locked_session

KEY_BYTES = 24


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def stage_key(db: sqlite_utils.Database, session_id: int, *, actor_id: int, now: datetime | None = None) -> str:
    """A new secret presenter key for the session; the earlier ones stay valid until revoked."""
    key = secrets.token_urlsafe(KEY_BYTES)
    with transaction(db):
        locked_session(db, session_id, actor_id)
        row = {"key_hash": _hash(key), "session_id": session_id, "created_at": to_iso(now or utcnow())}
        db.table("live_stage_keys").insert({**row, "revoked_at": None})
    return key


def revoke_stage_keys(db: sqlite_utils.Database, session_id: int, *, actor_id: int, now: datetime | None = None) -> int:
    """Stop every presenter link of the session; returns how many were live."""
    with transaction(db):
        locked_session(db, session_id, actor_id)
        cursor = db.execute(
            "UPDATE live_stage_keys SET revoked_at = ? WHERE session_id = ? AND revoked_at IS NULL",
            [to_iso(now or utcnow()), session_id],
        )
        return cursor.rowcount


def session_for_stage_key(db: sqlite_utils.Database, key: str | None) -> int | None:
    """The session a presenter key opens, or None (unknown, malformed or revoked)."""
    if not key or not 20 <= len(key) <= 64:
        return None
    row = db.execute(
        "SELECT session_id FROM live_stage_keys WHERE key_hash = ? AND revoked_at IS NULL", [_hash(key)]
    ).fetchone()
    return row[0] if row else None


def has_stage_key(db: sqlite_utils.Database, session_id: int) -> bool:
    """Whether a presenter link of the session is live (the control page offers to revoke it)."""
    row = db.execute(
        "SELECT 1 FROM live_stage_keys WHERE session_id = ? AND revoked_at IS NULL LIMIT 1", [session_id]
    ).fetchone()
    return row is not None
