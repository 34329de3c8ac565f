"""What an admin may do to accounts, with the rules that keep the organisation from locking itself out.

Used by the HR page and the CLI. Every refusal is an ``AccountRefused`` (a ``QuizError``).

Every privileged action re-checks **who is acting, inside the transaction that makes the change**:
a button in a tab opened while the person was still an administrator acts on what the database
says now, not on what the page knew when it was drawn. The acting person is an :class:`Actor`
(their id and, from a browser, the hash of their sign-in token, so a password reset or "sign out
everywhere" also ends what their open tabs may do); a plain user id or ``User`` works for the CLI.
:func:`require_actor` is the check itself, for any privileged domain function (live-session
control uses it too).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

import sqlite_utils

from quiz.i18n import QuizError
from quiz.store.db import to_iso, transaction, utcnow
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


class AccountRefused(QuizError, ValueError):
    """The change is not allowed; the message says why."""


@dataclass(frozen=True)
class Actor:
    """The person pressing the button: their id, and the hash of the sign-in token they act with.

    ``session_hash`` None means "not through a browser sign-in" (the CLI, an SSO session without
    a token of ours): then only the account itself is checked.
    """

    user_id: int
    session_hash: str | None = None


ActorLike = Actor | User | int


def _as_actor(actor: ActorLike) -> Actor:
    if isinstance(actor, Actor):
        return actor
    if isinstance(actor, User):
        return Actor(actor.id)
    return Actor(int(actor))


def require_actor(
    db: sqlite_utils.Database, actor: ActorLike, *, admin: bool = False, facilitator: bool = False
) -> User:
    """The acting person as the database has them now, or ``AccountRefused`` with a clear message.

    Call it inside the transaction that makes the change (it only reads, so it also works
    outside one). ``admin``: must be an administrator; ``facilitator``: facilitator or admin.
    A signed-out session (the token ended by a password reset) or a deleted account is refused.
    """
    who = _as_actor(actor)
    user = get_user(db, who.user_id)
    if user is None:
        raise AccountRefused("account.actor_gone")
    if who.session_hash is not None:
        alive = db["sessions"].count_where(
            "token_hash = ? AND user_id = ? AND expires_at > ?", [who.session_hash, who.user_id, to_iso(utcnow())]
        )
        if not alive:
            raise AccountRefused("account.actor_signed_out")
    if admin and not user.is_admin:
        raise AccountRefused("account.actor_not_admin")
    if facilitator and not (user.is_facilitator or user.is_admin):
        raise AccountRefused("account.actor_not_facilitator")
    return user


def temporary_password(length: int = TEMP_PASSWORD_LENGTH) -> str:
    """A random password to hand over once (about 70 bits for 12 characters)."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


def _target(db: sqlite_utils.Database, user_id: int) -> User:
    user = get_user(db, user_id)
    if user is None:
        raise AccountRefused("account.gone")
    return user


def _admins(db: sqlite_utils.Database) -> int:
    return db["users"].count_where("is_admin = 1")


def change_flags(
    db: sqlite_utils.Database,
    actor: ActorLike,
    user_id: int,
    *,
    is_admin: bool | None = None,
    is_facilitator: bool | None = None,
) -> User:
    """Give or take the admin and facilitator roles (the actor must be an administrator now).

    An admin cannot take away their own admin role (another admin must do it), so nobody locks
    themselves out by a slip, and the last admin always stays.
    """
    with transaction(db):
        me = require_actor(db, actor, admin=True)
        target = _target(db, user_id)
        if is_admin is False and target.is_admin:
            if target.id == me.id:
                raise AccountRefused("account.own_admin")
            if _admins(db) <= 1:
                raise AccountRefused("account.last_admin")
        return set_flags(db, user_id, is_admin=is_admin, is_facilitator=is_facilitator)


def reset_password(db: sqlite_utils.Database, actor: ActorLike, user_id: int) -> str:
    """Give the person a new temporary password (returned, to be shown once).

    Their sign-ins end, and they must choose their own password at the next sign-in.
    """
    password = temporary_password()
    with transaction(db):
        require_actor(db, actor, admin=True)
        if _target(db, user_id).sso:
            raise AccountRefused("account.sso_no_password")
        set_password(db, user_id, password, must_change=True)
    return password


def delete_person(db: sqlite_utils.Database, actor: ActorLike, user_id: int) -> None:
    """Delete the person and every record of theirs; the last admin cannot delete themselves."""
    with transaction(db):
        require_actor(db, actor, admin=True)
        target = _target(db, user_id)
        if target.is_admin and _admins(db) <= 1:
            raise AccountRefused("account.last_admin_delete")
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
