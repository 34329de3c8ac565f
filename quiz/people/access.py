"""Who may do HR's privileged actions: checked again inside the transaction that makes the change.

A page passes ``quiz.ui.session.actor()`` (the account and the sign-in it acts with), the CLI the
admin's id; ``quiz.people.accounts.require_actor`` reads the account afresh, so a withdrawn admin role, a
deleted account or an ended sign-in takes effect at once, even in a tab opened before.
"""

from __future__ import annotations

import sqlite_utils

from quiz.people.accounts import ActorLike, require_actor
from quiz.store.users import User


def require_admin(db: sqlite_utils.Database, actor: ActorLike | None) -> User:
    """The acting admin, read now; ``AccountRefused`` when they are not (or no longer) one."""
    return require_actor(db, actor if actor is not None else -1, admin=True)


def actor_user_id(actor: ActorLike) -> int:
    """The id of the person acting, whichever way they were named."""
    return actor if isinstance(actor, int) else getattr(actor, "user_id", getattr(actor, "id", -1))
