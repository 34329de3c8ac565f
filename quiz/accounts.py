"""What an admin may do to accounts, with the rules that keep the organisation from locking itself out.

Used by the HR page and the CLI. Every refusal is an ``AccountRefused`` with a Danish message.
"""

from __future__ import annotations

import secrets

import sqlite_utils

from quiz.store.db import transaction
from quiz.store.users import (
    User,
    create_user,
    delete_user,
    get_user,
    set_flags,
    set_password,
    set_user_role_key,
)

# Letters and digits that cannot be mistaken for one another when read aloud or copied by hand.
_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
TEMP_PASSWORD_LENGTH = 12


class AccountRefused(ValueError):
    """The change is not allowed; the message says why, in Danish."""


def temporary_password(length: int = TEMP_PASSWORD_LENGTH) -> str:
    """A random password to hand over once (about 70 bits for 12 characters)."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


def _target(db: sqlite_utils.Database, user_id: int) -> User:
    user = get_user(db, user_id)
    if user is None:
        raise AccountRefused("Personen findes ikke længere.")
    return user


def _admins(db: sqlite_utils.Database) -> int:
    return db["users"].count_where("is_admin = 1")


def change_flags(
    db: sqlite_utils.Database,
    actor: User,
    user_id: int,
    *,
    is_admin: bool | None = None,
    is_facilitator: bool | None = None,
) -> User:
    """Give or take the admin and facilitator roles.

    An admin cannot take away their own admin role (another admin must do it), so nobody locks
    themselves out by a slip, and the last admin always stays.
    """
    with transaction(db):
        target = _target(db, user_id)
        if is_admin is False and target.is_admin:
            if target.id == actor.id:
                raise AccountRefused("Du kan ikke fjerne din egen administratorrolle. Bed en anden administrator.")
            if _admins(db) <= 1:
                raise AccountRefused("Der skal altid være mindst én administrator.")
        return set_flags(db, user_id, is_admin=is_admin, is_facilitator=is_facilitator)


def reset_password(db: sqlite_utils.Database, actor: User, user_id: int) -> str:
    """Give the person a new temporary password (returned, to be shown once); their sign-ins end."""
    _target(db, user_id)
    password = temporary_password()
    set_password(db, user_id, password)
    return password


def delete_person(db: sqlite_utils.Database, actor: User, user_id: int) -> None:
    """Delete the person and every record of theirs; the last admin cannot delete themselves."""
    with transaction(db):
        target = _target(db, user_id)
        if target.is_admin and _admins(db) <= 1:
            raise AccountRefused("Den sidste administrator kan ikke slettes. Giv først en anden administratorrollen.")
        delete_user(db, user_id)


def add_user(
    db: sqlite_utils.Database,
    username: str,
    password: str,
    *,
    display_name: str | None = None,
    is_admin: bool = False,
    is_facilitator: bool = False,
    role_key: str | None = None,
) -> User:
    """Create an account (the first admin is made this way, from the CLI)."""
    user = create_user(
        db, username, display_name or username, password, is_admin=is_admin, is_facilitator=is_facilitator
    )
    return set_user_role_key(db, user.id, role_key) if role_key is not None else user
