"""Write transactions on progress.db: one writer at a time, and the WAL copied back as we go.

Its own module so that both the connection code (``quiz.store.db``) and the migrations
(``quiz.store.migrations``) can use it without importing each other.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager

try:  # POSIX; elsewhere processes wait through SQLite's busy handler alone
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]  # then no lock file is opened (_fd checks)

import sqlite_utils

# How long a connection waits for another's write lock before it gives up.
BUSY_TIMEOUT_MS = 5000
_WRITE_LOCK = threading.RLock()  # reentrant: a writer may open a second connection in its thread
log = logging.getLogger(__name__)
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


class _ProcessLocks:
    """The write lock between processes: ``flock`` on a file beside the database (``progress.db-writer``).

    Two app servers on one progress.db otherwise meet in SQLite's busy handler, which retries in
    growing sleeps (1, 2, 5, 10 ... 100 ms) and so gave the 16 writers spread over two processes a
    p95 of ~90 ms where one process queueing on ``_WRITE_LOCK`` had its wait from the queue alone
    (docs/performance.md). A blocked ``flock`` wakes as soon as the holder lets go, and the kernel lets
    go for a process that dies. Only the outermost transaction of the process takes it (callers hold
    ``_WRITE_LOCK``, so one thread at a time is here). Where the file cannot be made (a read-only
    folder, an in-memory database, no ``fcntl``), processes still wait through ``busy_timeout``.
    """

    OPEN_MAX = 32  # lock files kept open; a server has one database, a test run many

    def __init__(self):
        self._fds: dict[str, int | None] = {}
        self._depth: dict[str, int] = {}

    def _fd(self, path: str) -> int | None:
        if path not in self._fds:
            self._close_idle()
            fd = None
            if fcntl is not None and path:
                try:
                    fd = os.open(path + "-writer", os.O_RDWR | os.O_CREAT, 0o600)
                except OSError as exc:
                    log.warning("No write lock file beside %s (%s): writers wait in SQLite instead", path, exc)
            self._fds[path] = fd
        return self._fds[path]

    def _close_idle(self) -> None:
        if len(self._fds) < self.OPEN_MAX:
            return
        for path in [p for p in self._fds if not self._depth.get(p)]:
            fd = self._fds.pop(path)
            self._depth.pop(path, None)
            if fd is not None:
                os.close(fd)

    @contextmanager
    def held(self, db: sqlite_utils.Database) -> Iterator[None]:
        path = database_file(db)
        fd = self._fd(path)
        depth = self._depth.get(path, 0)
        if fd is not None and depth == 0:
            fcntl.flock(fd, fcntl.LOCK_EX)
        self._depth[path] = depth + 1
        try:
            yield
        finally:
            self._depth[path] = depth
            if fd is not None and depth == 0:
                fcntl.flock(fd, fcntl.LOCK_UN)


def database_file(db: sqlite_utils.Database) -> str:
    """The main database file of ``db`` ('' for an in-memory one), looked up once per connection."""
    path = getattr(db, "_hv_file", None)
    if path is None:
        path = next((row[2] for row in db.conn.execute("PRAGMA database_list") if row[1] == "main"), "") or ""
        db._hv_file = path  # type: ignore[attr-defined]  # kept on the connection object itself
    return path


_PROCESS_LOCKS = _ProcessLocks()


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
    # Other processes queue on a file lock (_ProcessLocks) for the same reason.
    with _WRITE_LOCK, _PROCESS_LOCKS.held(db):
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
