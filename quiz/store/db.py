"""Opening progress.db: location, connection settings, write transactions and timestamps.

Every thread (and every process) uses its own connection: ``sqlite3`` connections must not be
shared between threads. ``Store`` keeps one connection per thread for the Streamlit app.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

import sqlite_utils

import quiz
from quiz.store.lean import from_micros, moment_of, to_micros
from quiz.store.migrations import apply_migrations
from quiz.store.transactions import _CHECKPOINTS, _WRITE_LOCK, BUSY_TIMEOUT_MS, CHECKPOINT_ROWS, transaction

__all__ = [
    "AUTOCHECKPOINT_PAGES",
    "BUSY_TIMEOUT_MS",
    "CHECKPOINT_ROWS",
    "_CHECKPOINTS",
    "_WRITE_LOCK",
    "Store",
    "default_db_path",
    "from_iso",
    "from_micros",
    "moment_of",
    "open_db",
    "person_statement_rows",
    "to_iso",
    "to_micros",
    "transaction",
    "utcnow",
]

# SQLite's own checkpoint, in the COMMIT that crosses this many pages, is only a safety net for
# writes made outside ``transaction``; ours comes first (see ``_Checkpoints``).
AUTOCHECKPOINT_PAGES = 10_000


# Resolved once per process: ``resolve()`` asks the file system on every call, and the pages ask for
# the path on every run.
_REPO_DB = Path(quiz.__file__).resolve().parents[1] / "progress.db"


def default_db_path() -> Path:
    """``QUIZ_DB``, or ``progress.db`` at the repository root."""
    env = os.environ.get("QUIZ_DB")
    return Path(env) if env else _REPO_DB


class Database(sqlite_utils.Database):
    """``sqlite_utils.Database`` that remembers the table and view names until the schema changes.

    sqlite-utils reads them from ``sqlite_master`` on every ``db[name]`` and every ``rows_where``:
    measured ~150 µs around a ~10 µs primary-key read, a large part of each live-session rerun
    (docs/performance.md). ``PRAGMA schema_version`` changes with every schema change, made by this
    connection or any other, so the remembered names are never stale.
    """

    _names: tuple[int, list[str], list[str]] | None = None

    def _schema_names(self) -> tuple[list[str], list[str]]:
        (version,) = self.conn.execute("PRAGMA schema_version").fetchone()
        if self._names is None or self._names[0] != version:
            self._names = (version, super().table_names(), super().view_names())
        return self._names[1], self._names[2]

    def table_names(self, fts4: bool = False, fts5: bool = False) -> list[str]:
        if fts4 or fts5:
            return super().table_names(fts4=fts4, fts5=fts5)
        return list(self._schema_names()[0])

    def view_names(self) -> list[str]:
        return list(self._schema_names()[1])


def open_db(
    path: str | Path | None = None, *, migrate: bool = True, check_same_thread: bool = True
) -> sqlite_utils.Database:
    """Open (and create or upgrade) progress.db for use by the calling thread only.

    WAL lets readers go on while one writer writes; ``busy_timeout`` makes a second writer wait
    instead of failing; ``synchronous=NORMAL`` is safe with WAL and much faster than FULL.
    """
    path = Path(path) if path is not None else default_db_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    # ``check_same_thread=False`` is for a connection owned by one Streamlit session: its script runs
    # one at a time, but each run (and each callback) may come on a new thread.
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=check_same_thread)
    db = Database(conn)
    db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    db.execute("PRAGMA foreign_keys = ON")
    db.enable_wal()
    db.execute("PRAGMA synchronous = NORMAL")
    db.execute(f"PRAGMA wal_autocheckpoint = {AUTOCHECKPOINT_PAGES}")
    if migrate:
        apply_migrations(db)
    return db


def person_statement_rows(
    db: sqlite_utils.Database, table: str, columns: str, user_id: int, pack_id: str, statement_ids: Iterable[str]
) -> list[tuple]:
    """``columns`` of ``table`` for one person's rows about some statements of a pack (one query).

    For the per-person, per-statement tables keyed ``(user_id, statement)`` (m033), ``statement``
    being a ``statement_keys`` row: ``statement_mastery`` and ``learning_state``. ``columns`` may
    name ``statement_id`` (the key's text id).
    """
    ids = list(statement_ids)
    return db.execute(
        f"SELECT {columns} FROM [{table}] JOIN statement_keys k ON k.id = statement "
        f"WHERE user_id = ? AND k.pack_id = ? AND k.statement_id IN ({', '.join('?' for _ in ids)})",
        [user_id, pack_id, *ids],
    ).fetchall()


def statement_keys(db: sqlite_utils.Database, pack_id: str, statement_ids: Iterable[str]) -> dict[str, int]:
    """The integer key of each statement in ``statement_keys``, made for those without one (caller's transaction)."""
    ids = list(dict.fromkeys(statement_ids))
    if not ids:
        return {}
    db.conn.executemany(
        "INSERT INTO statement_keys (pack_id, statement_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
        [(pack_id, sid) for sid in ids],
    )
    marks = ", ".join("?" for _ in ids)
    rows = db.execute(
        f"SELECT statement_id, id FROM statement_keys WHERE pack_id = ? AND statement_id IN ({marks})", [pack_id, *ids]
    ).fetchall()
    return dict(rows)


class Store:
    """progress.db for a multi-threaded app: one path, one connection per thread.

    Migrations run once, when the store is made; ``store.db`` then opens a connection lazily
    in each thread that asks for one.
    """

    def __init__(self, path: str | Path | None = None):
        self.path = Path(path) if path is not None else default_db_path()
        self._local = threading.local()
        open_db(self.path).close()

    @property
    def db(self) -> sqlite_utils.Database:
        """This thread's connection."""
        db = getattr(self._local, "db", None)
        if db is None:
            db = open_db(self.path, migrate=False)
            self._local.db = db
        return db

    def close(self) -> None:
        """Close this thread's connection (others close when their thread ends)."""
        db = getattr(self._local, "db", None)
        if db is not None:
            db.close()
            self._local.db = None


def utcnow() -> datetime:
    return datetime.now(UTC)


def to_iso(moment: datetime) -> str:
    """One fixed text form for every stored time, so that SQL can compare them as strings."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: pass an aware UTC time")
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def from_iso(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None
