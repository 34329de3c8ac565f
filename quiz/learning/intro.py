"""How far each person has come through a pack's guided intro."""

from __future__ import annotations

from datetime import datetime

import sqlite_utils

from quiz.store.db import to_iso, transaction, utcnow


def _row(db: sqlite_utils.Database, user_id: int, pack_id: str) -> dict | None:
    rows = list(db["intro_progress"].rows_where("user_id = ? AND pack_id = ?", [user_id, pack_id]))
    return rows[0] if rows else None


def get_intro_step(db: sqlite_utils.Database, user_id: int, pack_id: str) -> int:
    """The step to show next (0 when the person has not started)."""
    row = _row(db, user_id, pack_id)
    return row["step"] if row else 0


def set_intro_step(
    db: sqlite_utils.Database, user_id: int, pack_id: str, step: int, *, now: datetime | None = None
) -> None:
    """Remember the step the person is on; a completed intro stays completed."""
    with transaction(db):
        db.table("intro_progress").upsert(
            {"user_id": user_id, "pack_id": pack_id, "step": step, "updated_at": to_iso(now or utcnow())},
            pk=("user_id", "pack_id"),
        )


def complete_intro(
    db: sqlite_utils.Database, user_id: int, pack_id: str, *, step: int | None = None, now: datetime | None = None
) -> None:
    """Mark the intro as read to the end (the first completion time is kept)."""
    moment = to_iso(now or utcnow())
    with transaction(db):
        row = _row(db, user_id, pack_id)
        db.table("intro_progress").upsert(
            {
                "user_id": user_id,
                "pack_id": pack_id,
                "step": step if step is not None else (row["step"] if row else 0),
                "updated_at": moment,
                "completed_at": (row or {}).get("completed_at") or moment,
            },
            pk=("user_id", "pack_id"),
        )


def intro_completed_at(db: sqlite_utils.Database, user_id: int, pack_id: str) -> datetime | None:
    """When the person finished the intro, or None."""
    row = _row(db, user_id, pack_id)
    return datetime.fromisoformat(row["completed_at"]) if row and row["completed_at"] else None
