"""progress.db: connections, transactions, migrations and accounts.

==================  ==================================================================
``db``              opening progress.db: location, connection settings, timestamps
``transactions``    write transactions: one writer at a time, the WAL copied back as we go
``migrations``      the numbered migrations (``sqlite_utils.Migrations``)
``lean``            the stored form of an attempt's questions (shared by a migration and learning)
``users``           accounts: create, read, change and delete a person and all they own
``backup``          a consistent copy of a live progress.db
==================  ==================================================================

The learning records (intro, attempts, answers, mastery, spaced repetition) are written by
``quiz.learning``, HR's by ``quiz.hr``, the live rooms' by ``quiz.live``; they use the helpers
here. Nothing here imports them (docs/architecture.md).
"""

from quiz.store.db import Store, default_db_path, from_iso, open_db, to_iso, transaction, utcnow
from quiz.store.migrations import apply_migrations, migrations
from quiz.store.transactions import database_file
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
    "create_user",
    "default_db_path",
    "delete_user",
    "from_iso",
    "get_user",
    "get_user_by_name",
    "list_users",
    "migrations",
    "open_db",
    "set_display_name",
    "set_flags",
    "set_password",
    "set_user_role_key",
    "to_iso",
    "touch_user",
    "transaction",
    "database_file",
    "utcnow",
]
