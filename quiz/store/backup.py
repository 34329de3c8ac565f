"""A consistent copy of a live progress.db, safe while the app writes to it.

SQLite's online backup API copies the database as one snapshot (a single read transaction in WAL
mode), so writers go on meanwhile and the copy never holds half a transaction. The copy is written
next to its destination and moved into place only when complete and checked, so a failed or
interrupted backup never leaves a broken file under the destination name.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from quiz.i18n import QuizError
from quiz.store.transactions import BUSY_TIMEOUT_MS


class BackupError(QuizError):
    """The backup could not be made; the message says why, in the reader's language."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    size_bytes: int
    users: int
    answers: int


def backup(source: str | Path, destination: str | Path, *, overwrite: bool = False) -> BackupResult:
    """Copy ``source`` to ``destination`` consistently; check the copy; return what it holds."""
    source, destination = Path(source), Path(destination)
    if not source.is_file():
        raise BackupError("backup.no_database", path=source)
    if destination.exists():
        if destination.resolve() == source.resolve():
            raise BackupError("backup.onto_itself")
        if not overwrite:
            raise BackupError("backup.exists", path=destination)
    if not destination.parent.is_dir():
        raise BackupError("backup.no_folder", path=destination.parent)
    partial = destination.with_name(destination.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        src = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
        dst = sqlite3.connect(partial)
        try:
            src.backup(dst)  # all pages in one step: one consistent snapshot
            dst.execute("PRAGMA journal_mode = DELETE")  # a self-contained single file
            (check,) = dst.execute("PRAGMA quick_check").fetchone()
            if check != "ok":
                raise BackupError("backup.invalid_copy", check=check)
            users = dst.execute("SELECT COUNT(*) FROM users").fetchone()[0] if _has(dst, "users") else 0
            answers = dst.execute("SELECT COUNT(*) FROM answers").fetchone()[0] if _has(dst, "answers") else 0
        finally:
            dst.close()
            src.close()
        os.replace(partial, destination)
    except sqlite3.Error as exc:
        partial.unlink(missing_ok=True)
        raise BackupError("backup.failed", error=exc) from exc
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return BackupResult(destination, destination.stat().st_size, users, answers)


def _has(conn: sqlite3.Connection, table: str) -> bool:
    return conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", [table]).fetchone() is not None
