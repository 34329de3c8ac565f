"""Writers of two app processes queue on a file lock beside progress.db, not in SQLite's sleeps."""

from __future__ import annotations

import fcntl
import multiprocessing
import os
import sys
import time
import types

import pytest

from quiz.store import open_db
from quiz.store.db import transaction


def _other_process_can_lock(path: str, out) -> None:
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        out.put(True)
    except BlockingIOError:
        out.put(False)
    finally:
        os.close(fd)


@pytest.fixture(autouse=True)
def plain_main_module(monkeypatch):
    """Streamlit's script runner leaves the last page script installed as ``__main__`` (an AppTest
    earlier in the run), and a spawned child would run that page again: these children get a plain one."""
    monkeypatch.setitem(sys.modules, "__main__", types.ModuleType("__main__"))


def other_process_can_lock(path) -> bool:
    ctx = multiprocessing.get_context("spawn")
    out = ctx.Queue()
    proc = ctx.Process(target=_other_process_can_lock, args=(str(path), out))
    proc.start()
    proc.join(timeout=60)
    return out.get(timeout=5)


def test_a_write_transaction_holds_the_lock_file_other_processes_wait_on(db_path):
    db = open_db(db_path)
    lock_file = db_path.parent / (db_path.name + "-writer")
    with transaction(db):
        db.execute("CREATE TABLE notes (text TEXT)")
        assert lock_file.exists()
        assert not other_process_can_lock(lock_file)
    assert other_process_can_lock(lock_file)
    db.close()


def test_a_nested_transaction_on_a_second_connection_keeps_the_lock_until_the_outer_one_ends(db_path):
    first, second = open_db(db_path), open_db(db_path)
    lock_file = db_path.parent / (db_path.name + "-writer")
    with transaction(first):
        first.execute("CREATE TABLE notes (text TEXT)")
        with transaction(first):  # a savepoint
            first.execute("INSERT INTO notes VALUES ('inner')")
        assert not other_process_can_lock(lock_file)
    with transaction(second):
        second.execute("INSERT INTO notes VALUES ('second')")
    assert other_process_can_lock(lock_file)
    assert [r[0] for r in first.execute("SELECT text FROM notes ORDER BY rowid")] == ["inner", "second"]
    first.close()
    second.close()


def test_a_writer_in_another_process_waits_for_the_lock_and_then_writes(db_path):
    db = open_db(db_path)
    with transaction(db):
        db.execute("CREATE TABLE notes (text TEXT)")
    ctx = multiprocessing.get_context("spawn")
    with transaction(db):
        db.execute("INSERT INTO notes VALUES ('first')")
        proc = ctx.Process(target=_write_note, args=(str(db_path), "second"))
        proc.start()
        time.sleep(0.5)  # the other process is now queued on the lock file
        assert [r[0] for r in db.execute("SELECT text FROM notes")] == ["first"]
    proc.join(timeout=60)
    assert proc.exitcode == 0
    assert [r[0] for r in db.execute("SELECT text FROM notes ORDER BY rowid")] == ["first", "second"]
    db.close()


def _write_note(path: str, text: str) -> None:
    db = open_db(path, migrate=False)
    with transaction(db):
        db.execute("INSERT INTO notes VALUES (?)", [text])
    db.close()


def test_an_in_memory_database_writes_without_a_lock_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    from sqlite_utils import Database

    db = Database(memory=True)
    with transaction(db):
        db.execute("CREATE TABLE notes (text TEXT)")
        db.execute("INSERT INTO notes VALUES ('x')")
    assert db.execute("SELECT COUNT(*) FROM notes").fetchone()[0] == 1
    assert not list(tmp_path.iterdir())
