"""Accounts in progress.db: create, read, change and delete a person and everything they own."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlite_utils

from quiz.store.db import from_iso, to_iso, transaction, utcnow

USER_COLUMNS = "id, username, display_name, role_key, is_admin, is_facilitator, created_at, last_seen_at"


@dataclass(frozen=True)
class User:
    """A person who can sign in. The password hash never leaves the store."""

    id: int
    username: str
    display_name: str
    role_key: str | None
    is_admin: bool
    is_facilitator: bool
    created_at: datetime
    last_seen_at: datetime | None

    @classmethod
    def from_row(cls, row: dict) -> User:
        return cls(
            id=row["id"],
            username=row["username"],
            display_name=row["display_name"],
            role_key=row["role_key"],
            is_admin=bool(row["is_admin"]),
            is_facilitator=bool(row["is_facilitator"]),
            created_at=from_iso(row["created_at"]),
            last_seen_at=from_iso(row["last_seen_at"]),
        )


class UsernameTaken(ValueError):
    """Another account already has this username (case does not count)."""


def create_user(
    db: sqlite_utils.Database,
    username: str,
    display_name: str,
    password: str,
    *,
    is_admin: bool = False,
    is_facilitator: bool = False,
    now: datetime | None = None,
) -> User:
    """Validate, hash the password and store a new account.

    Raises ``quiz.auth.InvalidInput`` (Danish message) for a bad username, display name or
    password and ``UsernameTaken`` when the name is in use.
    """
    # Imported here because quiz.auth reads accounts through this module.
    from quiz import auth

    username = auth.validate_username(username)
    display_name = auth.validate_display_name(display_name)
    auth.validate_password(password)
    password_hash = auth.hash_password(password)
    with transaction(db):
        if _row_by_name(db, username) is not None:
            raise UsernameTaken(f"Brugernavnet '{username}' er allerede i brug.")
        user_id = (
            db["users"]
            .insert(
                {
                    "username": username,
                    "display_name": display_name,
                    "password_hash": password_hash,
                    "role_key": None,
                    "is_admin": int(is_admin),
                    "is_facilitator": int(is_facilitator),
                    "created_at": to_iso(now or utcnow()),
                    "last_seen_at": None,
                }
            )
            .last_pk
        )
    return get_user(db, user_id)


def _row_by_name(db: sqlite_utils.Database, username: str) -> dict | None:
    rows = list(db["users"].rows_where("username = ?", [username.strip().casefold()], limit=1))
    return rows[0] if rows else None


def get_user(db: sqlite_utils.Database, user_id: int) -> User | None:
    rows = list(db["users"].rows_where("id = ?", [user_id], select=USER_COLUMNS))
    return User.from_row(rows[0]) if rows else None


def get_user_by_name(db: sqlite_utils.Database, username: str) -> User | None:
    row = _row_by_name(db, username)
    return User.from_row(row) if row else None


def password_hash_for(db: sqlite_utils.Database, username: str) -> tuple[User, str] | None:
    """The account and its stored hash, for checking a password (quiz.auth only)."""
    row = _row_by_name(db, username)
    return (User.from_row(row), row["password_hash"]) if row else None


def list_users(db: sqlite_utils.Database, *, role_key: str | None = None) -> list[User]:
    """Every account, by username; only those with ``role_key`` when given."""
    where, args = ("role_key = ?", [role_key]) if role_key is not None else (None, None)
    return [User.from_row(r) for r in db["users"].rows_where(where, args, select=USER_COLUMNS, order_by="username")]


def _update(db: sqlite_utils.Database, user_id: int, values: dict) -> User:
    with transaction(db):
        db["users"].update(user_id, values)
    return get_user(db, user_id)


def set_user_role_key(db: sqlite_utils.Database, user_id: int, role_key: str | None) -> User:
    """Record the person's role in the organisation (a role key of the pack)."""
    return _update(db, user_id, {"role_key": role_key})


def set_display_name(db: sqlite_utils.Database, user_id: int, display_name: str) -> User:
    from quiz import auth

    return _update(db, user_id, {"display_name": auth.validate_display_name(display_name)})


def set_flags(
    db: sqlite_utils.Database, user_id: int, *, is_admin: bool | None = None, is_facilitator: bool | None = None
) -> User:
    """Grant or withdraw admin and facilitator rights; a flag left as None is unchanged."""
    values = {}
    if is_admin is not None:
        values["is_admin"] = int(is_admin)
    if is_facilitator is not None:
        values["is_facilitator"] = int(is_facilitator)
    return _update(db, user_id, values) if values else get_user(db, user_id)


def set_password(db: sqlite_utils.Database, user_id: int, password: str, *, end_sessions: bool = True) -> None:
    """Store a new password; by default every sign-in of the account ends, too."""
    from quiz import auth

    auth.validate_password(password)
    password_hash = auth.hash_password(password)
    with transaction(db):
        db["users"].update(user_id, {"password_hash": password_hash})
        if end_sessions:
            db["sessions"].delete_where("user_id = ?", [user_id])


def touch_user(db: sqlite_utils.Database, user_id: int, *, now: datetime | None = None) -> None:
    """Remember when the person was last seen."""
    with transaction(db):
        db["users"].update(user_id, {"last_seen_at": to_iso(now or utcnow())})


def delete_user(db: sqlite_utils.Database, user_id: int) -> bool:
    """Delete the account and every row that belongs to it, in one transaction.

    Every table with a ``user_id`` column is cleared for the person, so a table added by a later
    migration is covered without changes here. Foreign keys are checked at commit, which lets the
    rows go in any order. Returns False when there was no such account.
    """
    user = get_user(db, user_id)
    if user is None:
        return False
    with transaction(db):
        db.execute("PRAGMA defer_foreign_keys = ON")
        for table in db.tables:
            if table.name != "users" and "user_id" in table.columns_dict:
                table.delete_where("user_id = ?", [user_id])
        db["login_failures"].delete_where("username = ?", [user.username])
        db["users"].delete_where("id = ?", [user_id])
    return True
