"""Who may do HR's privileged actions: checked again inside the transaction that makes the change.

A page or command says who is acting; the check reads the account afresh, so a withdrawn admin
role or a deleted account takes effect at once, even in a tab opened before.
"""

from __future__ import annotations

import sqlite_utils

from quiz.i18n import QuizError
from quiz.store.users import User, get_user


def require_admin(db: sqlite_utils.Database, actor_id: int | None) -> User:
    """The acting admin, read now; ``QuizError("hr.not_admin")`` when they are not (or no longer) one."""
    actor = get_user(db, actor_id) if actor_id is not None else None
    if actor is None or not actor.is_admin:
        raise QuizError("hr.not_admin")
    return actor
