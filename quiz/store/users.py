"""Accounts in progress.db: create, read, change and delete a person and everything they own."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import sqlite_utils

from quiz.i18n import QuizError
from quiz.people import passwords
from quiz.store.db import from_iso, to_iso, transaction, utcnow

USER_COLUMNS = (
    "id, username, display_name, role_key, is_admin, is_facilitator, created_at, last_seen_at, "
    "must_change_password, oidc_subject IS NOT NULL AS sso"
)


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
    must_change_password: bool = False
    """Set by HR's password reset: the person chooses their own password before anything else."""
    sso: bool = False
    """Signs in through the organisation's identity provider (issuer + subject), not a local password."""

    @classmethod
    def from_row(cls, row: dict) -> User:
        return cls(
            id=row["id"],
            username=row["username"],
            display_name=row["display_name"],
            role_key=row["role_key"],
            is_admin=bool(row["is_admin"]),
            is_facilitator=bool(row["is_facilitator"]),
            created_at=datetime.fromisoformat(row["created_at"]),  # NOT NULL
            last_seen_at=from_iso(row["last_seen_at"]),
            must_change_password=bool(row["must_change_password"]),
            sso=bool(row["sso"]),
        )


NO_PASSWORD = "!"
"""The password hash of an account that has no password yet (imported by HR, or signing in by SSO)."""


class UsernameTaken(QuizError, ValueError):
    """Another account already has this username (case does not count)."""


@dataclass(frozen=True)
class OidcIdentity:
    """Who the identity provider says a person is: the issuer and its never-reassigned ``sub``.

    ``tid``/``oid`` are Microsoft Entra ID's tenant and object ids, when the provider sends them.
    """

    issuer: str
    subject: str
    tid: str | None = None
    oid: str | None = None


def create_user(
    db: sqlite_utils.Database,
    username: str,
    display_name: str,
    password: str | None,
    *,
    is_admin: bool = False,
    is_facilitator: bool = False,
    first_becomes_admin: bool = False,
    must_change_password: bool = False,
    identity: OidcIdentity | None = None,
    now: datetime | None = None,
) -> User:
    """Validate, hash the password and store a new account.

    ``first_becomes_admin``: the account is an administrator when it is the first one, decided
    inside the insert's transaction so that simultaneous sign-ups on an empty database make one
    administrator. ``password=None`` only with an ``identity`` (an SSO person, no local password).

    Raises ``quiz.people.passwords.InvalidInput`` for a bad username, display name or password and
    ``UsernameTaken`` when the name is in use.
    """
    username = passwords.validate_username(username)
    display_name = passwords.validate_person_name(display_name)
    if password is None:
        if identity is None:
            raise ValueError("an account without a password must have an SSO identity")
        password_hash = None
    else:
        passwords.validate_password(password, username=username)
        password_hash = passwords.hash_password(password)
    with transaction(db):
        if _row_by_name(db, username) is not None:
            raise UsernameTaken("auth.username_taken", username=username)
        if first_becomes_admin and db["users"].count == 0:
            is_admin = True
        row = {
            "username": username,
            "display_name": display_name,
            "password_hash": password_hash,
            "role_key": None,
            "is_admin": int(is_admin),
            "is_facilitator": int(is_facilitator),
            "created_at": to_iso(now or utcnow()),
            "last_seen_at": None,
            "must_change_password": int(must_change_password),
        }
        if identity is not None:
            row |= {
                "oidc_issuer": identity.issuer,
                "oidc_subject": identity.subject,
                "entra_tid": identity.tid,
                "entra_oid": identity.oid,
            }
        user_id = db.table("users").insert(row).last_pk
    assert user_id is not None  # an insert sets the new row's id
    return _existing_user(db, user_id)


def user_for_identity(db: sqlite_utils.Database, identity: OidcIdentity) -> User | None:
    """The account of an SSO person, found by issuer and subject only (never by name or e-mail)."""
    rows = list(
        db["users"].rows_where(
            "oidc_issuer = ? AND oidc_subject = ?", [identity.issuer, identity.subject], select=USER_COLUMNS, limit=1
        )
    )
    return User.from_row(rows[0]) if rows else None


def _row_by_name(db: sqlite_utils.Database, username: str) -> dict | None:
    """The account's User columns and its password hash (``password_hash_for`` needs it)."""
    rows = list(
        db["users"].rows_where(
            "username = ?", [username.strip().casefold()], select=USER_COLUMNS + ", password_hash", limit=1
        )
    )
    return rows[0] if rows else None


def get_user(db: sqlite_utils.Database, user_id: int) -> User | None:
    rows = list(db["users"].rows_where("id = ?", [user_id], select=USER_COLUMNS))
    return User.from_row(rows[0]) if rows else None


def _existing_user(db: sqlite_utils.Database, user_id: int) -> User:
    """The account just written (by the caller), which is there."""
    user = get_user(db, user_id)
    assert user is not None, user_id
    return user


def get_user_by_name(db: sqlite_utils.Database, username: str) -> User | None:
    row = _row_by_name(db, username)
    return User.from_row(row) if row else None


def password_hash_for(db: sqlite_utils.Database, username: str) -> tuple[User, str] | None:
    """The account and its stored hash, for checking a password (quiz.people.auth only)."""
    row = _row_by_name(db, username)
    return (User.from_row(row), row["password_hash"]) if row else None


def list_users(db: sqlite_utils.Database, *, role_key: str | None = None) -> list[User]:
    """Every account, by username; only those with ``role_key`` when given."""
    where, args = ("role_key = ?", [role_key]) if role_key is not None else (None, None)
    return [User.from_row(r) for r in db["users"].rows_where(where, args, select=USER_COLUMNS, order_by="username")]


def _update(db: sqlite_utils.Database, user_id: int, values: dict) -> User:
    with transaction(db):
        db.table("users").update(user_id, values)
    return _existing_user(db, user_id)


def set_user_role_key(db: sqlite_utils.Database, user_id: int, role_key: str | None) -> User:
    """Record the person's role in the organisation (a role key of the pack)."""
    return _update(db, user_id, {"role_key": role_key})


def set_display_name(db: sqlite_utils.Database, user_id: int, display_name: str) -> User:
    return _update(db, user_id, {"display_name": passwords.validate_person_name(display_name)})


def set_flags(
    db: sqlite_utils.Database, user_id: int, *, is_admin: bool | None = None, is_facilitator: bool | None = None
) -> User:
    """Grant or withdraw admin and facilitator rights; a flag left as None is unchanged."""
    values = {}
    if is_admin is not None:
        values["is_admin"] = int(is_admin)
    if is_facilitator is not None:
        values["is_facilitator"] = int(is_facilitator)
    return _update(db, user_id, values) if values else _existing_user(db, user_id)


def set_password(
    db: sqlite_utils.Database,
    user_id: int,
    password: str,
    *,
    end_sessions: bool = True,
    keep_session_hash: str | None = None,
    must_change: bool = False,
) -> None:
    """Store a new password; by default every sign-in of the account ends, too.

    ``keep_session_hash``: the one sign-in that stays (the person changing their own password).
    ``must_change``: the person must choose another at the next sign-in (set by HR).
    The account's count of failed sign-ins ends too: they guessed at a password that is gone, and a
    new password (HR's reset or invitation link) is the way back in after the brake's ceiling.
    """
    user = get_user(db, user_id)
    passwords.validate_password(password, username=user.username if user else None)
    password_hash = passwords.hash_password(password)
    with transaction(db):
        db.table("users").update(user_id, {"password_hash": password_hash, "must_change_password": int(must_change)})
        if end_sessions:
            db.table("sessions").delete_where("user_id = ? AND token_hash IS NOT ?", [user_id, keep_session_hash])
        if user is not None:
            db.table("brake_events").delete_where("scope = 'signin' AND key = ?", [f"account:{user.username}"])


def store_password_hash(db: sqlite_utils.Database, user_id: int, password_hash: str) -> None:
    """Replace the stored hash of the same password (the upgrade from scrypt to argon2id)."""
    with transaction(db):
        db.table("users").update(user_id, {"password_hash": password_hash})


def touch_user(db: sqlite_utils.Database, user_id: int, *, now: datetime | None = None) -> None:
    """Remember when the person was last seen."""
    with transaction(db):
        db.table("users").update(user_id, {"last_seen_at": to_iso(now or utcnow())})


def delete_user(db: sqlite_utils.Database, user_id: int) -> bool:
    """Delete the account and every row that refers to the person, in one transaction.

    Every table with a ``user_id`` column is cleared for the person, so a table added by a later
    migration is covered without changes here; so are the rows that name them another way
    (:func:`person_keys`), and the columns that only note who did something (``updated_by`` of the
    onboarding programme): they are set to NULL, "someone no longer here". Foreign keys are checked
    at commit, which lets the rows go in any order. Returns False when there was no such account.
    """
    user = get_user(db, user_id)
    if user is None:
        return False
    with transaction(db):
        db.execute("PRAGMA defer_foreign_keys = ON")
        for table in db.tables:
            if table.name != "users" and "user_id" in table.columns_dict:
                table.delete_where("user_id = ?", [user_id])
            for column in _ACTOR_COLUMNS & set(table.columns_dict):
                db.execute(f"UPDATE [{table.name}] SET [{column}] = NULL WHERE [{column}] = ?", [user_id])
        keys, prefixes = person_keys(user)
        if "live_join_failures" in db.table_names():
            db.table("live_join_failures").delete_where("client_key = ?", [f"user:{user_id}"])
        forget_brake_keys(db, keys, prefixes=prefixes)
        db.table("users").delete_where("id = ?", [user_id])
    return True


# Columns that note which account did something; the row stays when the account goes.
_ACTOR_COLUMNS = frozenset({"updated_by", "created_by", "changed_by"})


def forget_brake_keys(db: sqlite_utils.Database, keys: Iterable[str], *, prefixes: Iterable[str] = ()) -> None:
    """Delete every brake count of ``keys`` (any scope), and of keys starting with ``prefixes``.

    For a deleted person: their account, their ``user:<id>`` and their trusted devices
    (``quiz.people.brakes`` counts them; the rows are the person's, so they go with the account).
    """
    with transaction(db):
        for key in keys:
            db.table("brake_events").delete_where("key = ?", [key])
        for prefix in prefixes:
            db.table("brake_events").delete_where("substr(key, 1, ?) = ?", [len(prefix), prefix])


def person_keys(user: User) -> tuple[list[str], list[str]]:
    """The brake keys that name the person (exact keys, and prefixes of their trusted browsers)."""
    return [f"account:{user.username}", f"user:{user.id}"], [f"device:{user.id}:"]


def person_brake_rows(db: sqlite_utils.Database, user: User) -> list[dict]:
    """The brake counts that name the person, for their own-data export."""
    keys, prefixes = person_keys(user)
    where = " OR ".join(["key = ?"] * len(keys) + ["substr(key, 1, ?) = ?"] * len(prefixes))
    args: list = [*keys]
    for prefix in prefixes:
        args += [len(prefix), prefix]
    return list(db["brake_events"].rows_where(where, args, select="scope, key, at", order_by="id"))


def user_for_email(db: sqlite_utils.Database, email: str) -> int | None:
    """The account HR imported with this e-mail (for linking a first sign-in by SSO, ``quiz.people.sso``).

    None when no one has it, and when two people have it: an SSO sign-in must never guess between them.
    """
    rows = db.execute("SELECT user_id FROM people WHERE email = ? LIMIT 2", [email.strip().casefold()]).fetchall()
    return rows[0][0] if len(rows) == 1 else None
