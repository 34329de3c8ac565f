"""The numbered migrations of progress.db.

Adding one is a one-function job: append a function decorated with ``@migrations()`` at the bottom
of this file, named ``mNNN_what_it_does`` with the next free number. Migrations run in the order
they are written, each once, all inside one ``BEGIN IMMEDIATE`` transaction (so two processes
starting at once never run one twice). Never edit a migration that has shipped: add a new one.
See docs/progress.md.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import sqlite_utils
from sqlite_utils import Migrations

from quiz.store.backup import backup
from quiz.store.lean import compact_json, iso_to_micros, lean_question
from quiz.store.transactions import transaction

migrations = Migrations("quiz")


# Migrations that rewrite people's records: a database holding any is copied first (quiz.store.backup),
# and the log says where the copy is.
BACKUP_BEFORE = frozenset({"m030_lean_progress", "m033_cards_and_mastery_by_statement_key"})
log = logging.getLogger("quiz.store")


def _backup_first(db: sqlite_utils.Database, names: set[str]) -> Path | None:
    """Copy the database beside itself before ``names`` rewrite its records; the copy's path, or None."""
    if not names & BACKUP_BEFORE or "attempts" not in db.table_names():
        return None
    if db.execute("SELECT EXISTS (SELECT 1 FROM attempts)").fetchone()[0] == 0:
        return None
    (path,) = [row[2] for row in db.execute("PRAGMA database_list").fetchall() if row[1] == "main"]
    if not path:  # an in-memory database has nothing to lose on disk
        return None
    source = Path(path)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    target = source.with_name(f"{source.stem}.before-{'-'.join(sorted(names & BACKUP_BEFORE))}-{stamp}{source.suffix}")
    result = backup(source, target)
    log.warning(
        "progress.db: backup before %s at %s (%d bytes)",
        ", ".join(sorted(names & BACKUP_BEFORE)),
        result.path,
        result.size_bytes,
    )
    return result.path


def apply_migrations(db: sqlite_utils.Database, migration_set: Migrations = migrations) -> None:
    """Bring ``db`` up to date; a database that is already current is only read.

    All pending migrations run in one transaction: a process killed meanwhile (even ``kill -9``)
    leaves the database as it was, and the next start runs them again. Before a migration that
    rewrites people's records (``BACKUP_BEFORE``) a copy is taken and its path logged.
    """
    pending = migration_set.pending(db)
    if not pending:
        return
    _backup_first(db, {m.name for m in pending})
    # Foreign keys off while migrating (SQLite's own procedure for rebuilding a table, which
    # PRAGMA cannot change inside a transaction): dropping a rebuilt table must not cascade to the
    # rows that refer to it. The references are checked before the migrations commit.
    db.execute("PRAGMA foreign_keys = OFF")
    try:
        with transaction(db):
            # Re-checked under the write lock: another process may have migrated meanwhile.
            migration_set.apply(db)
            broken = db.execute("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise sqlite3.IntegrityError(f"migrations left rows that refer to missing rows: {broken[:5]}")
    finally:
        db.execute("PRAGMA foreign_keys = ON")


@migrations()
def m001_initial(db: sqlite_utils.Database) -> None:
    # The table API has no COLLATE, and usernames must be unique regardless of case.
    db.execute(
        """
        CREATE TABLE users (
            id INTEGER PRIMARY KEY,
            username TEXT NOT NULL UNIQUE COLLATE NOCASE,
            display_name TEXT NOT NULL,
            password_hash TEXT NOT NULL,
            role_key TEXT,
            is_admin INTEGER NOT NULL DEFAULT 0,
            is_facilitator INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL,
            last_seen_at TEXT
        )
        """
    )
    db.table("users").create_index(["role_key"])

    db.table("settings").create({"key": str, "value": str}, pk="key", not_null={"value"})

    db.table("login_failures").create(
        {"id": int, "username": str, "client_key": str, "failed_at": str},
        pk="id",
        not_null={"username", "client_key", "failed_at"},
    )
    db.table("login_failures").create_index(["username", "failed_at"])
    db.table("login_failures").create_index(["client_key", "failed_at"])

    db.table("sessions").create(
        {"token_hash": str, "user_id": int, "created_at": str, "expires_at": str},
        pk="token_hash",
        foreign_keys=[("user_id", "users", "id")],
        not_null={"user_id", "created_at", "expires_at"},
    )
    db.table("sessions").create_index(["user_id"])

    db.table("intro_progress").create(
        {"user_id": int, "pack_id": str, "step": int, "updated_at": str, "completed_at": str},
        pk=("user_id", "pack_id"),
        foreign_keys=[("user_id", "users", "id")],
        not_null={"step", "updated_at"},
        defaults={"step": 0},
    )

    db.table("attempts").create(
        {
            "id": int,
            "user_id": int,
            "pack_id": str,
            "kind": str,
            "spec_json": str,
            "questions_json": str,
            "position": int,
            "started_at": str,
            "finished_at": str,
            "score": float,
        },
        pk="id",
        foreign_keys=[("user_id", "users", "id")],
        not_null={"user_id", "pack_id", "kind", "spec_json", "questions_json", "position", "started_at"},
        defaults={"position": 0},
    )
    db.table("attempts").create_index(["user_id", "kind", "finished_at"])
    db.table("attempts").create_index(["user_id", "started_at"])

    db.table("answers").create(
        {
            "id": int,
            "user_id": int,
            "attempt_id": int,
            "question_index": int,
            "question_type": str,
            "statement_ids_json": str,
            "answer_json": str,
            "grade_json": str,
            "score": float,
            "correct": int,
            "time_taken_ms": int,
            "answered_at": str,
        },
        pk="id",
        foreign_keys=[("user_id", "users", "id"), ("attempt_id", "attempts", "id")],
        not_null={
            "user_id",
            "attempt_id",
            "question_index",
            "question_type",
            "statement_ids_json",
            "answer_json",
            "grade_json",
            "score",
            "correct",
            "answered_at",
        },
    )
    db.table("answers").create_index(["attempt_id", "question_index"], unique=True)
    db.table("answers").create_index(["user_id", "answered_at"])

    # One row per statement placed in an answer: the record the most-missed report (quiz.hr.reports) and exports read.
    db.table("statement_results").create(
        {
            "answer_id": int,
            "user_id": int,
            "pack_id": str,
            "statement_id": str,
            "correct": int,
            "answered_at": str,
        },
        pk=("answer_id", "statement_id"),
        foreign_keys=[("answer_id", "answers", "id"), ("user_id", "users", "id")],
        not_null={"user_id", "pack_id", "statement_id", "correct", "answered_at"},
    )
    db.table("statement_results").create_index(["user_id", "pack_id", "statement_id", "answered_at"])
    db.table("statement_results").create_index(["pack_id", "statement_id", "correct", "answered_at"])

    # Each person's mastery of each statement, kept current on every answer (quiz.learning.mastery), so that
    # reports over thousands of people read one row per person and statement.
    db.table("statement_mastery").create(
        {
            "user_id": int,
            "pack_id": str,
            "statement_id": str,
            "recent": str,
            "mastery": float,
            "answered_at": str,
        },
        pk=("user_id", "pack_id", "statement_id"),
        foreign_keys=[("user_id", "users", "id")],
        not_null={"recent", "mastery", "answered_at"},
    )
    db.table("statement_mastery").create_index(["pack_id", "user_id", "answered_at"])
    db.table("statement_mastery").create_index(["pack_id", "statement_id", "user_id", "mastery"])

    db.table("learning_state").create(
        {
            "user_id": int,
            "pack_id": str,
            "statement_id": str,
            "card_json": str,
            "due_at": str,
            "last_review_at": str,
            "reps": int,
            "lapses": int,
        },
        pk=("user_id", "pack_id", "statement_id"),
        foreign_keys=[("user_id", "users", "id")],
        not_null={"card_json", "due_at", "reps", "lapses"},
        defaults={"reps": 0, "lapses": 0},
    )
    db.table("learning_state").create_index(["user_id", "pack_id", "due_at"])


@migrations()
def m002_live_sessions(db: sqlite_utils.Database) -> None:
    # Raw SQL: the table API has no ON DELETE actions, CHECK constraints or partial unique indexes.
    # ON DELETE keeps quiz.store.delete_user working: a deleted participant's rows go with them,
    # and a deleted facilitator's sessions stay (for the other participants' results) without an owner.
    db.execute(
        """
        CREATE TABLE live_sessions (
            id INTEGER PRIMARY KEY,
            code TEXT NOT NULL UNIQUE,
            facilitator_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
            pack_id TEXT NOT NULL,
            spec_json TEXT NOT NULL,
            questions_json TEXT NOT NULL,
            allow_anonymous INTEGER NOT NULL DEFAULT 0,
            points_enabled INTEGER NOT NULL DEFAULT 0,
            state TEXT NOT NULL DEFAULT 'lobby' CHECK (state IN ('lobby', 'question', 'revealed', 'ended')),
            current_index INTEGER NOT NULL DEFAULT -1,
            revealed_count INTEGER NOT NULL DEFAULT 0,
            version INTEGER NOT NULL DEFAULT 1,
            created_at TEXT NOT NULL,
            started_at TEXT,
            question_opened_at TEXT,
            ended_at TEXT
        )
        """
    )
    db.table("live_sessions").create_index(["facilitator_id", "state"])
    db.execute(
        """
        CREATE TABLE live_participants (
            id INTEGER PRIMARY KEY,
            session_id INTEGER NOT NULL REFERENCES live_sessions(id) ON DELETE CASCADE,
            user_id INTEGER REFERENCES users(id) ON DELETE CASCADE,
            display_name TEXT NOT NULL,
            token_hash TEXT NOT NULL UNIQUE,
            attempt_id INTEGER REFERENCES attempts(id) ON DELETE SET NULL,
            joined_at TEXT NOT NULL
        )
        """
    )
    db.execute(
        "CREATE UNIQUE INDEX idx_live_participants_session_user "
        "ON live_participants (session_id, user_id) WHERE user_id IS NOT NULL"
    )
    db.table("live_participants").create_index(["session_id", "joined_at"])
    db.table("live_participants").create_index(["user_id", "session_id"])
    # user_id is the participant's, copied so that deleting or exporting a person's records finds
    # their live answers by user_id like every other table.
    db.execute(
        """
        CREATE TABLE live_answers (
            session_id INTEGER NOT NULL REFERENCES live_sessions(id) ON DELETE CASCADE,
            participant_id INTEGER NOT NULL REFERENCES live_participants(id) ON DELETE CASCADE,
            user_id INTEGER REFERENCES users(id) ON DELETE CASCADE,
            question_index INTEGER NOT NULL,
            answer_json TEXT NOT NULL,
            score REAL NOT NULL,
            correct INTEGER NOT NULL,
            answered_at TEXT NOT NULL,
            changed_at TEXT NOT NULL,
            PRIMARY KEY (participant_id, question_index)
        )
        """
    )
    db.table("live_answers").create_index(["session_id", "question_index"])
    db.table("live_answers").create_index(["user_id"])

    db.table("live_join_failures").create(
        {"id": int, "client_key": str, "code": str, "failed_at": str},
        pk="id",
        not_null={"client_key", "code", "failed_at"},
    )
    db.table("live_join_failures").create_index(["client_key", "failed_at"])


@migrations()
def m003_brakes(db: sqlite_utils.Database) -> None:
    # quiz.people.brakes: one row per reserved try and key. Replaces login_failures (and, once the live
    # join code uses it, live_join_failures).
    db.table("brake_events").create(
        {"id": int, "reservation": str, "scope": str, "key": str, "at": str, "settled": int},
        pk="id",
        not_null={"reservation", "scope", "key", "at", "settled"},
        defaults={"settled": 0},
    )
    db.table("brake_events").create_index(["scope", "key", "at"])
    db.table("brake_events").create_index(["reservation"])
    db.table("brake_events").create_index(["key"])


@migrations()
def m003b_accounts(db: sqlite_utils.Database) -> None:
    # users.id is never reused (AUTOINCREMENT), so a stale tab or a leftover row can never attach
    # to the next person. SQLite adds AUTOINCREMENT only by rebuilding the table; the rebuild keeps
    # every column (whatever earlier migrations added) and makes password_hash optional: a person
    # who signs in through the organisation's identity provider has no local password.
    (create_sql,) = db.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'users'").fetchone()
    rebuilt = create_sql.replace("CREATE TABLE users", "CREATE TABLE users_rebuilt", 1)
    rebuilt = rebuilt.replace("id INTEGER PRIMARY KEY,", "id INTEGER PRIMARY KEY AUTOINCREMENT,", 1)
    rebuilt = rebuilt.replace("password_hash TEXT NOT NULL", "password_hash TEXT", 1)
    if "AUTOINCREMENT" not in rebuilt or "users_rebuilt" not in rebuilt:
        raise RuntimeError("users table has an unexpected shape; cannot add AUTOINCREMENT")
    indexes = [
        sql
        for (sql,) in db.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'users' AND sql IS NOT NULL"
        )
    ]
    db.execute(rebuilt)
    db.execute("INSERT INTO users_rebuilt SELECT * FROM users")
    db.execute("DROP TABLE users")
    db.execute("ALTER TABLE users_rebuilt RENAME TO users")
    for sql in indexes:
        db.execute(sql)

    users = db.table("users")
    # Set by HR's password reset: the person must choose their own at the next sign-in.
    users.add_column("must_change_password", int, not_null_default=0)
    # An SSO identity is the issuer and its subject, never a changeable e-mail or username;
    # Microsoft Entra ID also sends the tenant (tid) and the object id (oid), kept beside them.
    for column in ("oidc_issuer", "oidc_subject", "entra_tid", "entra_oid"):
        users.add_column(column, str)
    db.execute("CREATE UNIQUE INDEX idx_users_oidc ON users (oidc_issuer, oidc_subject) WHERE oidc_subject IS NOT NULL")

    # Sign-in codes (quiz.people.login_codes): hashed, single use, bound to the browser that asked.
    db.table("login_codes").create(
        {
            "code_hash": str,
            "user_id": int,
            "browser_hash": str,
            "sealed_token": str,
            "expires_at": str,
        },
        pk="code_hash",
        foreign_keys=[("user_id", "users", "id")],
        not_null={"user_id", "browser_hash", "sealed_token", "expires_at"},
    )
    db.table("login_codes").create_index(["user_id"])
    # Browsers that signed in to an account before (quiz.people.auth): their wrong tries are braked on
    # their own count, so a stranger's guesses cannot lock the person out of their usual browser.
    db.table("known_browsers").create(
        {"user_id": int, "browser_hash": str, "last_signed_in_at": str},
        pk=("user_id", "browser_hash"),
        foreign_keys=[("user_id", "users", "id")],
        not_null={"last_signed_in_at"},
    )
    # Replaced by quiz.people.brakes (brake_events); it named people by username.
    db["login_failures"].drop()


@migrations()
def m004_live_sessions_v2(db: sqlite_utils.Database) -> None:
    """Live sessions: changed answers counted, phones recognised, rooms locked, plans, timers, open answers."""
    # A changed answer bumps ``revision``: the projector's pulse sums it, so a change (D -> B) moves
    # the numbers it watches even when the count of answers stays the same.
    db.table("live_answers").add_column("revision", int, not_null_default=1)
    # Points as earned when answered (bounded speed bonus), so the leaderboard is one sum.
    db.table("live_answers").add_column("points", int)
    # The hash of the browser's participant cookie: the same phone scanning the QR code again resumes.
    db.table("live_participants").add_column("browser_hash", str)
    db.table("live_participants").add_column("removed_at", str)
    db.table("live_participants").create_index(["session_id", "browser_hash"])
    db.table("live_sessions").add_column("locked", int, not_null_default=0)
    db.table("live_sessions").add_column("timer_seconds", int)
    db.table("live_sessions").add_column("auto_reveal", int, not_null_default=0)
    db.table("live_sessions").add_column("ended_during", int)  # the open, unrevealed question at the end
    db.table("live_sessions").create_index(["facilitator_id", "ended_at"])
    # Open questions: short text answers, moderated (``hidden_at``), per participant and question.
    db.execute(
        """
        CREATE TABLE live_texts (
            id INTEGER PRIMARY KEY,
            session_id INTEGER NOT NULL REFERENCES live_sessions(id) ON DELETE CASCADE,
            participant_id INTEGER NOT NULL REFERENCES live_participants(id) ON DELETE CASCADE,
            user_id INTEGER REFERENCES users(id) ON DELETE CASCADE,
            question_index INTEGER NOT NULL,
            text TEXT NOT NULL,
            answered_at TEXT NOT NULL,
            hidden_at TEXT
        )
        """
    )
    db.table("live_texts").create_index(["session_id", "question_index"])
    db.table("live_texts").create_index(["user_id"])
    # A facilitator's saved session plans: hand-picked questions in order, reused for the next course.
    db.execute(
        """
        CREATE TABLE live_plans (
            id INTEGER PRIMARY KEY,
            owner_id INTEGER REFERENCES users(id) ON DELETE CASCADE,
            pack_id TEXT NOT NULL,
            title TEXT NOT NULL,
            items_json TEXT NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )
        """
    )
    db.table("live_plans").create_index(["owner_id", "updated_at"])


@migrations()
def m004b_live_browser_codes(db: sqlite_utils.Database) -> None:
    # quiz.live.browser_codes: the participant-cookie route's single-use codes, shared by every
    # server process (they were in one process's memory).
    db.table("live_browser_codes").create({"code_hash": str, "browser": str, "expires_at": str}, pk="code_hash")


@migrations()
def m005_onboarding(db: sqlite_utils.Database) -> None:
    """Organisation units, people's HR details, the onboarding programme, e-mails sent (issue 14)."""
    db.execute(
        """
        CREATE TABLE units (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE COLLATE NOCASE,
            parent_id INTEGER REFERENCES units(id) ON DELETE RESTRICT,
            created_at TEXT NOT NULL
        )
        """
    )
    db.table("units").create_index(["parent_id"])
    # One row per person HR knows about (imported, or placed in a unit on the HR page).
    db.execute(
        """
        CREATE TABLE people (
            user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
            email TEXT COLLATE NOCASE,
            unit_id INTEGER REFERENCES units(id) ON DELETE SET NULL,
            start_date TEXT,
            refresh_reminders INTEGER NOT NULL DEFAULT 0,
            updated_at TEXT NOT NULL
        )
        """
    )
    db.table("people").create_index(["unit_id"])
    db.execute(
        """
        CREATE TABLE unit_leaders (
            user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            unit_id INTEGER NOT NULL REFERENCES units(id) ON DELETE CASCADE,
            PRIMARY KEY (user_id, unit_id)
        )
        """
    )
    db.table("programmes").create(
        {"pack_id": str, "items_json": str, "days": int, "updated_at": str, "updated_by": int},
        pk="pack_id",
        not_null={"items_json", "days", "updated_at"},
    )
    # Only the hash of a set-password link's token is kept; a used or expired one is refused.
    db.table("invitations").create(
        {"token_hash": str, "user_id": int, "created_at": str, "expires_at": str, "used_at": str},
        pk="token_hash",
        not_null={"user_id", "created_at", "expires_at"},
        foreign_keys=[("user_id", "users", "id")],
    )
    db.table("invitations").create_index(["user_id"])
    # What was delivered, so nobody gets the same e-mail twice; written only after the server took it.
    db.table("reminders_sent").create(
        {"user_id": int, "kind": str, "key": str, "sent_at": str},
        pk=("user_id", "kind", "key"),
        not_null={"sent_at"},
        foreign_keys=[("user_id", "users", "id")],
    )


@migrations()
def m006_abandoned_attempts_and_review_logs(db: sqlite_utils.Database) -> None:
    # A quiz the person left on purpose (or that went stale) is ended without a score, so it is no
    # longer offered to resume and shows as "afbrudt" rather than "i gang" in the history.
    db.table("attempts").add_column("abandoned_at", str)
    # One row per FSRS review, in the shape fsrs.ReviewLog takes (card = person x statement), so the
    # scheduler's optimizer can later be fitted to how Hvidovre's people actually remember.
    db.table("review_logs").create(
        {
            "id": int,
            "user_id": int,
            "pack_id": str,
            "statement_id": str,
            "rating": int,
            "review_datetime": str,
            "review_duration_ms": int,
        },
        pk="id",
        not_null={"user_id", "pack_id", "statement_id", "rating", "review_datetime"},
        foreign_keys=[("user_id", "users", "id")],
    )
    db.table("review_logs").create_index(["user_id", "pack_id", "statement_id"])
    db.table("review_logs").create_index(["user_id", "review_datetime"])


@migrations()
def m007_drop_settings_table(db: sqlite_utils.Database) -> None:
    # Never written or read: operator settings come from QUIZ_* variables (quiz.settings).
    db["settings"].drop(ignore=True)


@migrations()
def m007b_users_language(db: sqlite_utils.Database) -> None:
    # The language a person chose on their profile; NULL follows the browser (quiz.people.languages).
    db.table("users").add_column("language", str)


@migrations()
def m008_live_discussion(db: sqlite_utils.Database) -> None:
    # A revealed question's discussion prompt can collect the room's short texts, as an open
    # question does: the same table, ``kind`` says which ("open" or "discussion").
    db.table("live_texts").add_column("kind", str, not_null_default="open")
    # The discussion as the facilitator opened it: its prompt per question (JSON, index -> text, in
    # the facilitator's language) and whether the projector shows a word cloud or a list.
    db.table("live_sessions").add_column("discussions_json", str)
    db.table("live_sessions").add_column("discussion_display", str)
    # The new state "discussion" must pass the CHECK on ``state``: SQLite changes a constraint only
    # by rebuilding the table (its own procedure; foreign keys are off while migrating).
    (sql,) = db.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'live_sessions'").fetchone()
    old_check = "CHECK (state IN ('lobby', 'question', 'revealed', 'ended'))"
    if old_check not in sql:
        return
    indexes = [
        row[0]
        for row in db.execute(
            "SELECT sql FROM sqlite_master WHERE tbl_name = 'live_sessions' AND type IN ('index', 'trigger')"
            " AND sql IS NOT NULL"
        ).fetchall()
    ]
    head, rest = sql.split("(", 1)
    db.execute(
        "CREATE TABLE live_sessions_m008 ("
        + rest.replace(old_check, "CHECK (state IN ('lobby', 'question', 'revealed', 'discussion', 'ended'))")
    )
    db.execute("INSERT INTO live_sessions_m008 SELECT * FROM live_sessions")
    db.execute("DROP TABLE live_sessions")
    db.execute("ALTER TABLE live_sessions_m008 RENAME TO live_sessions")
    for statement in indexes:
        db.execute(statement)


@migrations()
def m010_people_email_index(db: sqlite_utils.Database) -> None:
    # A first SSO sign-in finds the person HR imported by e-mail (quiz.people.sso); NOCASE, as the column.
    db.table("people").create_index(["email"])


@migrations()
def m011_attempts_question_count(db: sqlite_utils.Database) -> None:
    # The number of questions beside their JSON: the progress page's history, every answer and the
    # xAPI export read it, and json_array_length parsed each attempt's ~10 KB of questions to get it.
    # Rows written without it (by hand, in old tests) still count through COALESCE in the queries.
    db.execute("ALTER TABLE attempts ADD COLUMN question_count INTEGER")
    db.execute("UPDATE attempts SET question_count = json_array_length(questions_json)")


@migrations()
def m012_programme_go_live(db: sqlite_utils.Database) -> None:
    """The day the programme went live: deadlines of people employed before it count from it (issue 24)."""
    db.table("programmes").add_column("go_live", str)


@migrations()
def m013_reminder_runs(db: sqlite_utils.Database) -> None:
    """Every remind run (from the timer, the CLI or the HR page): when, by whom, and what it sent (issue 24)."""
    db.table("reminder_runs").create(
        {
            "id": int,
            "started_at": str,
            "source": str,  # "cli" (the timer or an operator), "hr" (the HR page), "leader" (Min enhed)
            "user_id": int,  # who pressed the button; None for the CLI
            "sent": int,
            "failed": int,
            "left": int,
            "kinds_json": str,  # {"invite": 3, "overdue": 1, ...} of what was sent
        },
        pk="id",
        not_null={"started_at", "source", "sent", "failed", "left", "kinds_json"},
    )
    db.table("reminder_runs").create_index(["started_at"])


@migrations()
def m015_forget_deleted_actors(db: sqlite_utils.Database) -> None:
    # Before issue 27, deleting an administrator left their id in programmes.updated_by (personal
    # data of a person who asked to be forgotten, and an id a later account could be given).
    if "programmes" in db.table_names():
        db.execute("UPDATE programmes SET updated_by = NULL WHERE updated_by NOT IN (SELECT id FROM users)")



@migrations()
def m016_export_reports(db: sqlite_utils.Database) -> None:
    # What the HR page's last export left out (damaged rows), per admin: the file is made in another
    # thread when its button is pressed, so the page says so on its next run (quiz.hr.exports).
    db.table("export_reports").create(
        {"id": int, "user_id": int, "made_at": str, "export": str, "left_out_json": str},
        pk="id",
        not_null={"user_id", "made_at", "export", "left_out_json"},
    )
    db.table("export_reports").create_index(["user_id"])

@migrations()
def m018_live_moderation(db: sqlite_utils.Database) -> None:
    # Moderation as Mentimeter does it (quiz.live.moderation): a text waits for the facilitator's
    # approval (``held``) when its question asks for approval first or a word on the bundled list
    # matched (``flagged``, kept so the control page says why it waits).
    db.table("live_texts").add_column("held", int, not_null_default=0)
    db.table("live_texts").add_column("flagged", int, not_null_default=0)
    # The facilitator's own choice per question (JSON, index -> true/false) over the plan's default,
    # and a counter every moderation move bumps, so the stage's pulse moves on each one.
    db.table("live_sessions").add_column("approval_json", str)
    db.table("live_sessions").add_column("moderated", int, not_null_default=0)
    # How many questions were revealed when a participant was removed: their answers to those keep
    # counting, so revealed distributions and results never change afterwards (NULL: none count).
    db.table("live_participants").add_column("removed_after", int)


@migrations()
def m020_live_stage_keys(db: sqlite_utils.Database) -> None:
    # The presenter link of a session (issue #25): a secret a signed-out projector PC opens. Only its
    # hash is kept; revoking stamps ``revoked_at`` so the link stops working at once in every process.
    db.table("live_stage_keys").create(
        {"key_hash": str, "session_id": int, "created_at": str, "revoked_at": str},
        pk="key_hash",
        foreign_keys=[("session_id", "live_sessions", "id")],
        if_not_exists=True,
    )
    db.table("live_stage_keys").create_index(["session_id"], if_not_exists=True)


# The built-in question types whose words ``translate`` rebuilds from the pack alone (the statement
# texts, the perspective and role names, the catalogue's prompt): their stored words are left out.
# Any other type (values, a plugin's) keeps them as stored.
M030_REBUILT_TYPES = frozenset({"perspective", "role", "match", "chain", "odd_one_out"})


def _m030_question(question: dict, pack_id: str) -> dict:
    whole = all(key in question for key in ("kind", "options", "accepted"))
    if (
        whole
        and question.get("type") in M030_REBUILT_TYPES
        and all(i.get("statement_id") for i in question.get("items", ()))
    ):
        return lean_question(question, pack_id)
    return question


@migrations()
def m030_lean_progress(db: sqlite_utils.Database) -> None:
    """Store what happened, render what it means when read (issue 26; docs/progress.md).

    - An attempt's questions move to ``question_sets`` (one row per distinct set, words left out
      where the pack rebuilds them); the attempt refers to its set and records the pack's version.
    - An answer keeps its facts (score, right or wrong); the rendered right answer and explanation
      (``grade_json``) and the statement ids (the question has them) go.
    - ``statement_results`` and ``review_logs`` held the same (person, statement, time) twice: one
      ``reviews`` row per answered statement now carries the result and the FSRS rating.
    """
    db.execute(
        "CREATE TABLE question_sets (id INTEGER PRIMARY KEY, digest BLOB NOT NULL UNIQUE, questions_json TEXT NOT NULL)"
    )
    db.execute("ALTER TABLE attempts ADD COLUMN question_set_id INTEGER REFERENCES question_sets(id)")
    # Attempts started before the pack's version was recorded keep NULL: the version is unknown.
    db.execute("ALTER TABLE attempts ADD COLUMN pack_version TEXT")
    sets: dict[bytes, int | None] = {}
    # A demo's or a live room's attempts share their questions: each stored text is encoded once.
    # Keyed by a hash, and read a thousand attempts at a time: 5,000 people's questions were 300 MB.
    by_text: dict[bytes, int | None] = {}
    last = 0
    while True:
        chunk = db.execute(
            "SELECT id, pack_id, questions_json FROM attempts WHERE id > ? ORDER BY id LIMIT 1000", [last]
        ).fetchall()
        if not chunk:
            break
        placed: list[tuple[int | None, int]] = []
        for attempt_id, pack_id, questions_json in chunk:
            text_key = hashlib.sha256(f"{pack_id}\n{questions_json}".encode()).digest()
            set_id = by_text.get(text_key)
            if set_id is None:
                encoded = compact_json([_m030_question(q, pack_id) for q in json.loads(questions_json)])
                digest = hashlib.sha256(encoded.encode()).digest()[:16]
                set_id = sets.get(digest)
                if set_id is None:
                    set_id = db.execute(
                        "INSERT INTO question_sets (digest, questions_json) VALUES (?, ?)", [digest, encoded]
                    ).lastrowid
                    sets[digest] = set_id
                by_text[text_key] = set_id
            placed.append((set_id, attempt_id))
        db.conn.executemany("UPDATE attempts SET question_set_id = ? WHERE id = ?", placed)
        last = chunk[-1][0]
    db.execute("ALTER TABLE attempts DROP COLUMN questions_json")

    # A statement's (pack, id) once, an integer in every review and its indexes.
    db.execute(
        "CREATE TABLE statement_keys (id INTEGER PRIMARY KEY, pack_id TEXT NOT NULL, statement_id TEXT NOT NULL, "
        "UNIQUE (pack_id, statement_id))"
    )
    db.execute(
        "INSERT INTO statement_keys (pack_id, statement_id) SELECT DISTINCT pack_id, statement_id FROM ("
        "SELECT pack_id, statement_id FROM statement_results UNION SELECT pack_id, statement_id FROM review_logs) "
        "ORDER BY pack_id, statement_id"
    )
    db.conn.create_function("m030_micros", 1, iso_to_micros, deterministic=True)
    db.execute(
        """
        CREATE TABLE reviews (
            id INTEGER PRIMARY KEY,
            answer_id INTEGER REFERENCES answers(id),
            part INTEGER NOT NULL,
            user_id INTEGER NOT NULL REFERENCES users(id),
            statement INTEGER NOT NULL REFERENCES statement_keys(id),
            correct INTEGER NOT NULL,
            rating INTEGER NOT NULL,
            duration_ms INTEGER,
            answered_at INTEGER NOT NULL
        )
        """
    )
    # Each result with its FSRS review: written in the same transaction, at the same moment, by the
    # same answer. ``part`` is the statement's place in the answer's grade, as the results were written.
    db.execute(
        """
        INSERT INTO reviews (answer_id, part, user_id, statement, correct, rating, duration_ms, answered_at)
        SELECT r.answer_id,
               ROW_NUMBER() OVER (PARTITION BY r.answer_id ORDER BY r.rowid) - 1,
               r.user_id, k.id, r.correct,
               COALESCE(l.rating, CASE WHEN r.correct THEN 3 ELSE 1 END), l.review_duration_ms,
               m030_micros(r.answered_at)
        FROM statement_results r
        JOIN statement_keys k ON k.pack_id = r.pack_id AND k.statement_id = r.statement_id
        LEFT JOIN review_logs l ON l.id = (
            SELECT MIN(x.id) FROM review_logs x
            WHERE x.user_id = r.user_id AND x.pack_id = r.pack_id AND x.statement_id = r.statement_id
              AND x.review_datetime = r.answered_at
        )
        ORDER BY r.answer_id, r.rowid
        """
    )
    # A review without an answer (``quiz.learning.refresh.record_review`` on its own) keeps its rating;
    # anything but "again" was a right recall.
    db.execute(
        """
        INSERT INTO reviews (answer_id, part, user_id, statement, correct, rating, duration_ms, answered_at)
        SELECT NULL, 0, l.user_id, k.id, l.rating > 1, l.rating, l.review_duration_ms, m030_micros(l.review_datetime)
        FROM review_logs l
        JOIN statement_keys k ON k.pack_id = l.pack_id AND k.statement_id = l.statement_id
        WHERE NOT EXISTS (
            SELECT 1 FROM statement_results r
            WHERE r.user_id = l.user_id AND r.pack_id = l.pack_id AND r.statement_id = l.statement_id
              AND r.answered_at = l.review_datetime
        )
        ORDER BY l.id
        """
    )
    db["statement_results"].drop()
    db["review_logs"].drop()
    # Only the indexes a query of the app uses (tests/test_lean_progress.py asks SQLite's plan):
    # an answer's statements; the most-missed report; a person's reviews over time (refresh, export).
    db.execute("CREATE UNIQUE INDEX idx_reviews_answer ON reviews (answer_id, part)")
    db.execute("CREATE INDEX idx_reviews_statement ON reviews (statement, correct, answered_at, user_id)")
    db.execute("CREATE INDEX idx_reviews_user_time ON reviews (user_id, answered_at)")

    db.execute("ALTER TABLE answers DROP COLUMN grade_json")
    db.execute("ALTER TABLE answers DROP COLUMN statement_ids_json")


@migrations()
def m031_fsrs_card_columns(db: sqlite_utils.Database) -> None:
    """The FSRS card as columns, not JSON that repeated the due and last-review columns (issue 26).

    Keyed by (person, pack, statement) WITHOUT ROWID: the key is the row, no second copy of it in
    an index. Every card was made with id 1 (``quiz.learning.refresh``), which is not stored.
    """
    db.execute(
        """
        CREATE TABLE learning_state_m031 (
            user_id INTEGER NOT NULL REFERENCES users(id),
            pack_id TEXT NOT NULL,
            statement_id TEXT NOT NULL,
            state INTEGER NOT NULL,
            step INTEGER,
            stability REAL,
            difficulty REAL,
            due_at TEXT NOT NULL,
            last_review_at TEXT,
            reps INTEGER NOT NULL DEFAULT 0,
            lapses INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (user_id, pack_id, statement_id)
        ) WITHOUT ROWID
        """
    )
    db.execute(
        """
        INSERT INTO learning_state_m031
        SELECT user_id, pack_id, statement_id, json_extract(card_json, '$.state'), json_extract(card_json, '$.step'),
               json_extract(card_json, '$.stability'), json_extract(card_json, '$.difficulty'), due_at,
               COALESCE(last_review_at, json_extract(card_json, '$.last_review')), reps, lapses
        FROM learning_state
        """
    )
    db.execute("DROP TABLE learning_state")
    db.execute("ALTER TABLE learning_state_m031 RENAME TO learning_state")
    # No index on due_at: a person's refresh queue, next due time and reminder read their own few
    # hundred cards off the key (user, pack) and sort them; an index of every card's due time
    # would cost a sixth of the table's size for nothing (tests/test_lean_progress.py).


@migrations()
def m032_statement_mastery_without_rowid(db: sqlite_utils.Database) -> None:
    # Keyed by (person, pack, statement) WITHOUT ROWID: the key is the row, not a second copy of it
    # in an index beside a rowid table (issue 26). The same columns and the same two report indexes.
    db.execute(
        """
        CREATE TABLE statement_mastery_m032 (
            user_id INTEGER NOT NULL REFERENCES users(id),
            pack_id TEXT NOT NULL,
            statement_id TEXT NOT NULL,
            recent TEXT NOT NULL,
            mastery FLOAT NOT NULL,
            answered_at TEXT NOT NULL,
            PRIMARY KEY (user_id, pack_id, statement_id)
        ) WITHOUT ROWID
        """
    )
    db.execute(
        "INSERT INTO statement_mastery_m032 SELECT user_id, pack_id, statement_id, recent, mastery, answered_at "
        "FROM statement_mastery"
    )
    db.execute("DROP TABLE statement_mastery")
    db.execute("ALTER TABLE statement_mastery_m032 RENAME TO statement_mastery")
    db.table("statement_mastery").create_index(["pack_id", "user_id", "answered_at"])
    db.table("statement_mastery").create_index(["pack_id", "statement_id", "user_id", "mastery"])


@migrations()
def m033_cards_and_mastery_by_statement_key(db: sqlite_utils.Database) -> None:
    """FSRS cards and mastery keyed by (person, ``statement_keys.id``), times as integer microseconds.

    Issue 26's size target: the text pack and statement ids in every row and index, and two ISO times
    of 32 bytes per card, were two fifths of the lean database. Both tables stay WITHOUT ROWID; the
    mastery table loses its two report indexes (the organisation reports read the table itself, as
    small as those indexes were; tests/test_lean_progress.py asks SQLite's plan of each query).
    """
    # Every statement a card or a mastery row names gets its key (a review made them all, but a
    # mastery row recorded on its own, ``record_result``, has no review).
    db.execute(
        "INSERT INTO statement_keys (pack_id, statement_id) SELECT pack_id, statement_id FROM ("
        "SELECT pack_id, statement_id FROM learning_state UNION SELECT pack_id, statement_id FROM statement_mastery) "
        "WHERE true ORDER BY pack_id, statement_id ON CONFLICT DO NOTHING"
    )
    db.conn.create_function("m033_micros", 1, iso_to_micros, deterministic=True)
    db.execute(
        """
        CREATE TABLE learning_state_m033 (
            user_id INTEGER NOT NULL REFERENCES users(id),
            statement INTEGER NOT NULL REFERENCES statement_keys(id),
            state INTEGER NOT NULL,
            step INTEGER,
            stability REAL,
            difficulty REAL,
            due_at INTEGER NOT NULL,
            last_review_at INTEGER,
            reps INTEGER NOT NULL DEFAULT 0,
            lapses INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (user_id, statement)
        ) WITHOUT ROWID
        """
    )
    db.execute(
        """
        INSERT INTO learning_state_m033
        SELECT l.user_id, k.id, l.state, l.step, l.stability, l.difficulty, m033_micros(l.due_at),
               m033_micros(l.last_review_at), l.reps, l.lapses
        FROM learning_state l JOIN statement_keys k ON k.pack_id = l.pack_id AND k.statement_id = l.statement_id
        ORDER BY l.user_id, k.id
        """
    )
    db.execute("DROP TABLE learning_state")
    db.execute("ALTER TABLE learning_state_m033 RENAME TO learning_state")
    db.execute(
        """
        CREATE TABLE statement_mastery_m033 (
            user_id INTEGER NOT NULL REFERENCES users(id),
            statement INTEGER NOT NULL REFERENCES statement_keys(id),
            recent TEXT NOT NULL,
            mastery REAL NOT NULL,
            answered_at INTEGER NOT NULL,
            PRIMARY KEY (user_id, statement)
        ) WITHOUT ROWID
        """
    )
    db.execute(
        """
        INSERT INTO statement_mastery_m033
        SELECT m.user_id, k.id, m.recent, m.mastery, m033_micros(m.answered_at)
        FROM statement_mastery m JOIN statement_keys k ON k.pack_id = m.pack_id AND k.statement_id = m.statement_id
        ORDER BY m.user_id, k.id
        """
    )
    db.execute("DROP TABLE statement_mastery")  # its two indexes go with it
    db.execute("ALTER TABLE statement_mastery_m033 RENAME TO statement_mastery")
