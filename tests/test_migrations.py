"""progress.db upgrades in place: every older version keeps its rows."""

from __future__ import annotations

import json
import sqlite3

import pytest
import sqlite_utils
from sqlite_utils import Migrations

from quiz.store import get_user_by_name, open_db
from quiz.store.migrations import apply_migrations, m001_initial, migrations

NAMES = [m.name for m in migrations._migrations]


def _raw(path) -> sqlite_utils.Database:
    return sqlite_utils.Database(sqlite3.connect(str(path)))


def _old_user(db: sqlite_utils.Database, username: str, display_name: str) -> int:
    """A person as the first version stored them (only its columns; an scrypt password hash)."""
    from quiz.people import passwords

    row = {
        "username": username,
        "display_name": display_name,
        "password_hash": passwords.scrypt_hash("hemmelig123"),
        "role_key": None,
        "is_admin": 0,
        "is_facilitator": 0,
        "created_at": "2025-01-01T00:00:00.000000+00:00",
        "last_seen_at": None,
    }
    with db.conn:
        return db["users"].insert(row).last_pk


def test_a_fresh_database_gets_every_migration_once(db_path):
    db = open_db(db_path)
    assert [m.name for m in migrations.applied(db)] == NAMES
    db.close()
    db = open_db(db_path)  # opening again changes nothing
    assert [m.name for m in migrations.applied(db)] == NAMES
    assert {"users", "sessions", "attempts", "answers", "learning_state", "statement_mastery"} <= set(db.table_names())


@pytest.mark.parametrize("upto", range(1, len(NAMES) + 1))
def test_database_from_each_older_version_upgrades_without_losing_rows(db_path, upto):
    """Made by the first ``upto`` migrations only, then opened by the current code."""
    old = _raw(db_path)
    stop = NAMES[upto] if upto < len(NAMES) else None
    migrations.apply(old, stop_before=stop)
    _old_user(old, "gammel", "Gammel Bruger")
    old.close()

    db = open_db(db_path)

    assert [m.name for m in migrations.applied(db)] == NAMES
    assert get_user_by_name(db, "gammel").display_name == "Gammel Bruger"


def test_a_later_migration_upgrades_a_version_1_database_in_place(db_path):
    """What adding migration 2 looks like: a new column, filled from the rows already there."""
    old = _raw(db_path)
    first_only = Migrations("quiz")
    first_only()(m001_initial)
    apply_migrations(old, first_only)
    user_id = _old_user(old, "gammel", "Gammel Bruger")
    old.close()

    later = Migrations("quiz")
    later()(m001_initial)

    @later()
    def m002_users_initials(db):
        db["users"].add_column("initials", str)
        for row in list(db["users"].rows):
            db["users"].update(row["id"], {"initials": row["display_name"][:1]})

    db = open_db(db_path, migrate=False)
    apply_migrations(db, later)

    assert [m.name for m in later.applied(db)] == ["m001_initial", "m002_users_initials"]
    assert db["users"].get(user_id)["initials"] == "G"
    assert db["users"].get(user_id)["display_name"] == "Gammel Bruger"


def test_a_failing_migration_leaves_the_database_as_it_was(db_path):
    db = _raw(db_path)
    first_only = Migrations("quiz")
    first_only()(m001_initial)
    apply_migrations(db, first_only)
    broken = Migrations("quiz")
    broken()(m001_initial)

    @broken()
    def m002_broken(db):
        db["users"].add_column("half_done", str)
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        apply_migrations(db, broken)
    assert "half_done" not in db["users"].columns_dict
    assert [m.name for m in broken.applied(db)] == ["m001_initial"]


def test_attempts_stored_before_m011_get_their_question_count_and_show_it_in_the_history(db_path):
    from quiz.learning.attempts import attempt_history

    old = _raw(db_path)
    migrations.apply(old, stop_before="m011_attempts_question_count")
    user_id = _old_user(old, "gammel", "Gammel Bruger")
    questions = [{"type": "perspective", "statement_ids": [f"s{n}"]} for n in range(7)]
    with old.conn:
        old.execute(
            "INSERT INTO attempts (user_id, pack_id, kind, spec_json, questions_json, position, started_at) "
            "VALUES (?, 'hvidovrevejen', 'quiz', '{\"title\": \"Gammel quiz\"}', ?, 0, '2025-01-01T00:00:00+00:00')",
            [user_id, json.dumps(questions)],
        )
    old.close()

    db = open_db(db_path)

    assert db.execute("SELECT question_count FROM attempts").fetchall() == [(7,)]
    (row,) = attempt_history(db, user_id)
    assert (row.title, row.total, row.answered) == ("Gammel quiz", 7, 0)
