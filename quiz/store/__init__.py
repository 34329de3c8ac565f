"""progress.db: connections, migrations, accounts and intro progress.

Attempts, answers, mastery and spaced repetition live in ``quiz.attempts``, ``quiz.mastery`` and
``quiz.refresh``; they use the helpers here.
"""

from quiz.store.db import Store, default_db_path, from_iso, open_db, to_iso, transaction, utcnow
from quiz.store.intro import complete_intro, get_intro_step, intro_completed_at, set_intro_step
from quiz.store.migrations import apply_migrations, migrations
from quiz.store.users import (
    User,
    UsernameTaken,
    create_user,
    delete_user,
    get_user,
    get_user_by_name,
    list_users,
    set_display_name,
    set_flags,
    set_password,
    set_user_role_key,
    touch_user,
)

__all__ = [
    "Store",
    "User",
    "UsernameTaken",
    "apply_migrations",
    "complete_intro",
    "create_user",
    "default_db_path",
    "delete_user",
    "from_iso",
    "get_intro_step",
    "get_user",
    "get_user_by_name",
    "intro_completed_at",
    "list_users",
    "migrations",
    "open_db",
    "set_display_name",
    "set_flags",
    "set_intro_step",
    "set_password",
    "set_user_role_key",
    "to_iso",
    "touch_user",
    "transaction",
    "utcnow",
]
