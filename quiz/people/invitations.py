"""Invitations: a single-use, expiring link with which an imported person sets their own password.

Only the SHA-256 of the link's token is stored, so a copy of progress.db holds no usable link.
A link works once, for ``VALID_DAYS``; a newer invitation replaces the older ones of the person.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from urllib.parse import quote

import sqlite_utils

from quiz.i18n import QuizError
from quiz.store.db import to_iso, transaction, utcnow
from quiz.store.users import User, get_user, set_password

VALID_DAYS = 7
PAGE = "adgangskode"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


def link(base_url: str, token: str) -> str:
    """The address of the set-password page for ``token``."""
    return f"{base_url.rstrip('/')}/{PAGE}?token={quote(token)}"


def store_invitation(db: sqlite_utils.Database, user_id: int, token: str, *, now: datetime | None = None) -> None:
    """Remember ``token`` (hashed) for the person, in the caller's transaction; older links stop working."""
    now = now or utcnow()
    db.table("invitations").delete_where("user_id = ? AND used_at IS NULL", [user_id])
    db.table("invitations").insert(
        {
            "token_hash": token_hash(token),
            "user_id": user_id,
            "created_at": to_iso(now),
            "expires_at": to_iso(now + timedelta(days=VALID_DAYS)),
            "used_at": None,
        }
    )


def invite(db: sqlite_utils.Database, user_id: int, *, now: datetime | None = None) -> str:
    """A fresh link token for the person (stored hashed); returned once, to be sent."""
    token = new_token()
    with transaction(db):
        store_invitation(db, user_id, token, now=now)
    return token


def _valid_row(db: sqlite_utils.Database, token: str, now: datetime) -> dict:
    rows = list(db["invitations"].rows_where("token_hash = ?", [token_hash(token or "")]))
    if not rows:
        raise QuizError("invite.unknown")
    row = rows[0]
    if row["used_at"]:
        raise QuizError("invite.used")
    if datetime.fromisoformat(row["expires_at"]) <= now:
        raise QuizError("invite.expired")
    return row


def check(db: sqlite_utils.Database, token: str, *, now: datetime | None = None) -> User:
    """The person the link is for; ``QuizError`` when it is unknown, used or expired."""
    row = _valid_row(db, token, now or utcnow())
    user = get_user(db, row["user_id"])
    if user is None:
        raise QuizError("invite.unknown")
    return user


def redeem(db: sqlite_utils.Database, token: str, password: str, *, now: datetime | None = None) -> User:
    """Set the person's password with the link, which then stops working; returns the person."""
    now = now or utcnow()
    with transaction(db):
        row = _valid_row(db, token, now)
        set_password(db, row["user_id"], password)
        db.table("invitations").update(row["token_hash"], {"used_at": to_iso(now)})
    user = get_user(db, row["user_id"])
    if user is None:
        raise QuizError("invite.unknown")
    return user
