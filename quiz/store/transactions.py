"""Write transactions on progress.db: one writer at a time, and the WAL copied back as we go.

Its own module so that both the connection code (``quiz.store.db``) and the migrations
(``quiz.store.migrations``) can use it without importing each other.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import sqlite_utils

_WRITE_LOCK = threading.RLock()  # reentrant: a writer may open a second connection in its thread
# Rows written by this process's transactions between two checkpoints (about 100 answers).
CHECKPOINT_ROWS = 1000


class _Checkpoints:
    """When this process should copy the WAL back into the database file: every ``every`` rows written.

    SQLite does it by itself inside the COMMIT that takes the WAL past ``wal_autocheckpoint`` pages
    (1,000 by default), with two fsyncs: measured 30-270 ms every ~80 answers on the build machine,
    while holding ``_WRITE_LOCK`` that every writer of the process queues on (docs/performance.md).
    ``transaction`` instead checkpoints after it has released the lock; other writers go on
    meanwhile (a checkpoint and a writer can work on a WAL database at the same time).
    """

    def __init__(self, every: int):
        self.every = every
        self._lock = threading.Lock()
        self._rows = 0

    def due(self, rows: int) -> bool:
        """Count ``rows`` just committed; True for the one caller that should checkpoint now."""
        with self._lock:
            self._rows += rows
            if self._rows < self.every:
                return False
            self._rows = 0
            return True


_CHECKPOINTS = _Checkpoints(CHECKPOINT_ROWS)


def _checkpoint(db: sqlite_utils.Database) -> None:
    try:
        db.execute("PRAGMA wal_checkpoint(PASSIVE)")
    except sqlite3.Error:
        # The transaction is committed; a checkpoint that could not run is simply tried again later.
        pass


@contextmanager
def transaction(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """A write transaction that takes the write lock first (``BEGIN IMMEDIATE``).

    Taking the lock before reading means a read-modify-write can never be based on a stale
    snapshot, so two writers never lose an update; the second simply waits (``busy_timeout``).
    Nested use becomes a savepoint.
    """
    if db.conn.in_transaction:
        with db.atomic():
            yield db
        return
    # Writers of this process queue on a lock instead of SQLite's busy handler, which sleeps in
    # growing steps (up to 100 ms) and so gave 16 concurrent writers a p95 of ~0.5 s (docs/performance.md).
    # Other processes still wait through ``busy_timeout``.
    with _WRITE_LOCK:
        changes_before = db.conn.total_changes
        db.conn.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.rollback()
            raise
        try:
            db.conn.execute("COMMIT")
        except BaseException:
            db.rollback()
            raise
        written = db.conn.total_changes - changes_before
    if _CHECKPOINTS.due(written):
        _checkpoint(db)
