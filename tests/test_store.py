"""Accounts, intro progress and connections, on a real progress.db."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest

from quiz.learning.attempts import start_attempt, submit_answer
from quiz.learning.intro import complete_intro, get_intro_step, intro_completed_at, set_intro_step
from quiz.people import auth
from quiz.store import (
    Store,
    UsernameTaken,
    create_user,
    default_db_path,
    delete_user,
    get_user,
    get_user_by_name,
    list_users,
    open_db,
    set_flags,
    set_password,
    set_user_role_key,
)
from quiz.store.users import OidcIdentity, password_hash_for, user_for_identity
from tests.conftest import place_question, wrong_answer

NOW = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


def test_database_opens_in_wal_mode_with_foreign_keys(db_path):
    db = open_db(db_path)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert db.execute("PRAGMA busy_timeout").fetchone()[0] == 5000
    assert db.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL


def test_database_path_comes_from_quiz_db(db_path):
    assert default_db_path() == db_path
    open_db().close()
    assert db_path.exists()


def test_new_account_is_stored_and_found_by_name_in_any_case(db):
    user = create_user(db, " Søren.Hansen ", "  Søren   Hansen ", "hemmelig123", is_facilitator=True)
    assert user.username == "søren.hansen"
    assert user.display_name == "Søren Hansen"
    assert user.is_facilitator and not user.is_admin
    assert user.role_key is None
    assert get_user_by_name(db, "SØREN.HANSEN") == user
    assert get_user(db, user.id) == user
    assert "password_hash" not in vars(user)


def test_every_reader_of_an_account_returns_the_same_person_also_for_sso_and_a_forced_password(db):
    """By id, by name (any case), by SSO identity, in the list and with its hash: one and the same User."""
    who = OidcIdentity("https://login.example/tenant/v2.0", "sub-lise", tid="t-1", oid="o-1")
    lise = create_user(db, "lise", "Lise Lund", None, identity=who)
    assert lise.sso and not lise.must_change_password
    per = create_user(db, "per", "Per Holm", "hemmelig123", must_change_password=True)
    assert per.must_change_password and not per.sso
    for person in (lise, per):
        assert get_user(db, person.id) == person
        assert get_user_by_name(db, person.username.upper()) == person
        assert [u for u in list_users(db) if u.id == person.id] == [person]
        found, _hash = password_hash_for(db, person.username)
        assert found == person
    assert user_for_identity(db, who) == lise


def test_username_cannot_be_taken_twice(db):
    create_user(db, "mette", "Mette", "hemmelig123")
    with pytest.raises(UsernameTaken):
        create_user(db, "METTE", "Mette igen", "hemmelig123")


def test_role_flags_and_password_can_change(db):
    user = create_user(db, "anna", "Anna", "hemmelig123")
    assert set_user_role_key(db, user.id, "medarbejder").role_key == "medarbejder"
    changed = set_flags(db, user.id, is_admin=True)
    assert changed.is_admin and not changed.is_facilitator
    token = auth.create_session(db, user.id)
    set_password(db, user.id, "nyt-kodeord-1")
    assert auth.user_for_session(db, token) is None, "a new password signs out everywhere"
    assert auth.verify_login(db, "anna", "nyt-kodeord-1", client_key="t") == get_user(db, user.id)
    assert [u.username for u in list_users(db)] == ["anna"]
    assert list_users(db, role_key="direktion") == []


def test_intro_progress_is_remembered_and_completion_kept(db):
    user = create_user(db, "bo", "Bo", "hemmelig123")
    assert get_intro_step(db, user.id, "mini") == 0
    set_intro_step(db, user.id, "mini", 3, now=NOW)
    assert get_intro_step(db, user.id, "mini") == 3
    assert intro_completed_at(db, user.id, "mini") is None
    complete_intro(db, user.id, "mini", now=NOW)
    set_intro_step(db, user.id, "mini", 1)
    assert intro_completed_at(db, user.id, "mini") == NOW
    assert get_intro_step(db, user.id, "mini") == 1


def test_deleting_a_person_removes_every_row_of_theirs_and_nothing_else(db, pack, registry):
    gone = create_user(db, "gone", "Gone", "hemmelig123")
    kept = create_user(db, "kept", "Kept", "hemmelig123")
    for user in (gone, kept):
        set_intro_step(db, user.id, "mini", 2)
        auth.create_session(db, user.id)
        auth.verify_login(db, user.username, "forkert-kode", client_key="ip")
        question = place_question(pack, pack.statements[0])
        attempt_id = start_attempt(db, user.id, {"pack_id": "mini"}, [question, question])
        submit_answer(db, attempt_id, 0, wrong_answer(question), time_taken_ms=1000, registry=registry)

    assert delete_user(db, gone.id)

    assert get_user(db, gone.id) is None
    mine = ["sessions", "intro_progress", "attempts", "answers", "reviews", "statement_mastery"]
    for table in mine + ["learning_state"]:
        assert db[table].count_where("user_id = ?", [kept.id]) > 0, table
    for table in db.tables:
        if "user_id" in table.columns_dict:
            assert table.count_where("user_id = ?", [gone.id]) == 0, table.name
    assert db["brake_events"].count_where("key = ?", ["account:gone"]) == 0
    assert db["brake_events"].count_where("key = ?", ["account:kept"]) == 1
    assert db["answers"].count == 1 and db["attempts"].count == 1
    assert not delete_user(db, gone.id)


def test_each_thread_gets_its_own_connection(store):
    seen = []

    def work():
        seen.append(store.db)
        seen.append(store.db)
        store.db.execute("SELECT COUNT(*) FROM users").fetchone()

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    assert seen[0] is seen[1]
    assert seen[0] is not store.db


def test_store_survives_reopening(db_path):
    first = Store(db_path)
    create_user(first.db, "karin", "Karin", "hemmelig123")
    first.close()
    assert get_user_by_name(Store(db_path).db, "karin").display_name == "Karin"


def _fill_settings(db, transactions: int) -> int:
    """Write ten rows in each of ``transactions`` transactions; the frames now in the WAL."""
    from quiz.store.db import transaction

    if "filler" not in db.table_names():
        db["filler"].create({"key": str, "value": str}, pk="key")
    for n in range(transactions):
        with transaction(db):
            rows = [(f"fyld-{n}-{i}", "x" * 300) for i in range(10)]
            db.conn.executemany("INSERT OR REPLACE INTO filler (key, value) VALUES (?, ?)", rows)
    return db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()[1]


def test_writes_copy_the_wal_back_into_the_database_file_as_they_go(db, monkeypatch):
    """The checkpoint comes after the write lock is released, every CHECKPOINT_ROWS rows, so the WAL
    stays short without SQLite doing it inside a COMMIT that every writer waits for."""
    from quiz.store import db as store_db

    transactions = 3 * store_db.CHECKPOINT_ROWS // 10 + 5
    monkeypatch.setattr(store_db._CHECKPOINTS, "every", 10**9)
    without = _fill_settings(db, transactions)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    monkeypatch.setattr(store_db._CHECKPOINTS, "every", store_db.CHECKPOINT_ROWS)
    with_checkpoints = _fill_settings(db, transactions)

    assert db.execute("PRAGMA wal_autocheckpoint").fetchone()[0] > without
    assert with_checkpoints < without / 2
