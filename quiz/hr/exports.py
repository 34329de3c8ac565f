"""Exports for people outside the app: statements for content review (JSON, CSV)."""

from __future__ import annotations

import csv
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TextIO

import sqlite_utils

from quiz.content import Pack
from quiz.hr import programme, units
from quiz.hr.programme import status_name
from quiz.hr.reports import LOCAL
from quiz.i18n import Msg, t
from quiz.people.accounts import AccountRefused, ActorLike, require_actor
from quiz.store.db import to_iso, transaction, utcnow
from quiz.store.users import get_user, person_brake_rows

# Danish spreadsheets use ';' between fields (',' is the decimal mark), and a UTF-8 byte-order mark
# makes Excel read æ, ø and å correctly.
log = logging.getLogger(__name__)

CSV_DIALECT: dict[str, Any] = {"delimiter": ";", "lineterminator": "\r\n"}
BOM = "\ufeff"

STATEMENT_FIELDS = ["id", "text", "perspective", "role"]


def statement_rows(pack: Pack) -> list[dict[str, str]]:
    """Every statement of the pack as ``{id, text, perspective, role}``, in the pack's order."""
    return [{k: getattr(s, k) for k in STATEMENT_FIELDS} for s in pack.statements]


def write_csv(rows: list[dict], fields: list[str], out: TextIO) -> None:
    """Write rows as a spreadsheet-friendly CSV (BOM, ';', a header row)."""
    out.write(BOM)
    writer = csv.DictWriter(out, fieldnames=fields, **CSV_DIALECT)
    writer.writeheader()
    writer.writerows(rows)


def write_statements(pack: Pack, *, fmt: str, out: TextIO) -> None:
    """Write every statement of ``pack`` as a JSON array or a CSV table."""
    rows = statement_rows(pack)
    if fmt == "csv":
        write_csv(rows, STATEMENT_FIELDS, out)
    else:
        json.dump(rows, out, ensure_ascii=False, indent=2)
        out.write("\n")


def user_records(db, user_id: int) -> dict:
    """Everything stored about one person, for their own download (the right of access).

    Every table with a ``user_id`` column, found the way ``delete_user`` finds them, so a table
    added by a later migration is included without a change here; and the rows that name the
    person another way (guessing-brake counts, live join failures keyed ``user:<id>``), the same
    rows ``delete_user`` removes. Sign-in secrets are left out.
    """
    user = next(
        db["users"].rows_where(
            "id = ?",
            [user_id],
            select="id, username, display_name, role_key, is_admin, is_facilitator, created_at, last_seen_at, "
            "must_change_password, oidc_issuer, oidc_subject, entra_tid, entra_oid",
        ),
        None,
    )
    records: dict = {"user": user}
    for table in db.table_names():
        if table in _NOT_EXPORTED or "user_id" not in db[table].columns_dict:
            continue
        # In the order written; a table WITHOUT ROWID (its key is the row) in the order of its key.
        order = None if _without_rowid(db, table) else "rowid"
        records[table] = list(db[table].rows_where("user_id = ?", [user_id], order_by=order))
    person = get_user(db, user_id)
    if person is not None:
        records["brake_events"] = person_brake_rows(db, person)
    if "live_join_failures" in db.table_names():
        records["live_join_failures"] = list(
            db["live_join_failures"].rows_where("client_key = ?", [f"user:{user_id}"], order_by="id")
        )
    return records


def _without_rowid(db: sqlite_utils.Database, table: str) -> bool:
    (sql,) = db.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", [table]).fetchone()
    return "WITHOUT ROWID" in sql.upper()


# Token and code hashes are sign-in secrets, not records about the person.
_NOT_EXPORTED = {"sessions", "login_codes", "invitations"}


# The HR table (quiz.hr.reports.PersonRow) as a spreadsheet: headers in the reader's language, one line per person.
RESULT_COLUMNS = (
    "name",
    "username",
    "role",
    "intro",
    "quizzes",
    "answers",
    "last_active",
    "mastery",
    "unit",
    "programme",
    "programme_done",
)


def result_fields() -> list[str]:
    """The column headings, in the current language (``Navn``, ``Brugernavn`` ...)."""
    return [t(f"results.{c}") for c in RESULT_COLUMNS]


@dataclass(frozen=True)
class Onboarding:
    """What the results add about onboarding: each person's unit (as a path) and programme status."""

    unit_paths: dict[int | None, str] = field(default_factory=dict)
    statuses: dict[int, programme.PersonStatus] = field(default_factory=dict)  # by user id


def onboarding_for(db, pack: Pack, *, today=None) -> Onboarding:
    """Units and programme statuses of everyone, for the results export (two queries)."""

    tree = units.tree(db)
    current = programme.get_programme(db, pack.id) or programme.default_programme(pack.id)
    rows = programme.statuses(db, pack, current, today=today or date.today())
    return Onboarding({u.id: tree.path(u.id) for u in tree.units}, {r.user_id: r for r in rows})


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value):
    """Text a person typed, made inert for spreadsheets (a leading '=' would otherwise run as a formula)."""
    return "'" + value if isinstance(value, str) and value.startswith(_FORMULA_START) else value


def result_rows(
    people,
    pack: Pack,
    *,
    spreadsheet: bool = True,
    onboarding: Onboarding | None = None,
    skipped: list[Msg] | None = None,
) -> list[dict]:
    """``quiz.hr.reports.PersonRow``s as rows under ``result_fields()`` (local time, whole percent).

    ``spreadsheet`` makes typed text that looks like a formula inert (for CSV); ``onboarding`` fills
    the unit and programme columns (empty without it). A person whose row cannot be made (damaged
    stored data) is left out, logged and named in ``skipped``; everyone else is exported.
    """
    cell = spreadsheet_safe if spreadsheet else str
    onboarding = onboarding or Onboarding()
    head = dict(zip(RESULT_COLUMNS, result_fields(), strict=True))
    no = t("results.no")

    def when(moment) -> str:
        return moment.astimezone(LOCAL).strftime("%Y-%m-%d %H:%M") if moment else ""

    rows = []
    for p in people:
        try:
            rows.append(_result_row(p, pack, cell, onboarding, head, no, when))
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            log.warning("Results export: %s left out: %s: %s", p.username, type(exc).__name__, exc)
            if skipped is not None:
                skipped.append(Msg("results.skipped", username=p.username))
    return rows


def _result_row(p, pack: Pack, cell, onboarding: Onboarding, head: dict, no: str, when) -> dict:
    status = onboarding.statuses.get(p.user_id)
    values = {
        "name": cell(p.display_name),
        "username": cell(p.username),
        "role": pack.roles[p.role_key].name if p.role_key in pack.roles else "",
        "intro": when(p.intro_completed_at) if p.intro_done else no,
        "quizzes": p.quizzes_finished,
        "answers": p.answers,
        "last_active": when(p.last_active),
        "mastery": round(p.mastery * 100),
        "unit": cell(onboarding.unit_paths.get(p.unit_id, "")),
        "programme": status_name(status.status) if status else "",
        "programme_done": when(status.completed_at) if status else "",
    }
    return {head[k]: v for k, v in values.items()}


def write_results(
    people,
    pack: Pack,
    *,
    fmt: str,
    out: TextIO,
    onboarding: Onboarding | None = None,
    skipped: list[Msg] | None = None,
) -> None:
    """Write the per-person results as a CSV table (Danish Excel) or a JSON array; see :func:`result_rows`."""
    rows = result_rows(people, pack, spreadsheet=fmt == "csv", onboarding=onboarding, skipped=skipped)
    if fmt == "csv":
        write_csv(rows, result_fields(), out)
    else:
        json.dump(rows, out, ensure_ascii=False, indent=2)
        out.write("\n")


def records_for_export(db: sqlite_utils.Database, actor: ActorLike, user_id: int) -> dict:
    """Everything stored about ``user_id``: the person themselves, or an administrator, may read it."""
    me = require_actor(db, actor)
    if me.id != user_id and not me.is_admin:
        raise AccountRefused("account.actor_not_admin")
    return user_records(db, user_id)


@dataclass(frozen=True)
class ExportReport:
    """What an export made on the HR page left out, and when: the page shows it on its next run."""

    export: str  # "results" or "xapi"
    made_at: datetime
    left_out: tuple[Msg, ...]


def _msg_json(msg: Msg) -> dict[str, Any]:
    return {"key": msg.key, "params": {k: _msg_json(v) if isinstance(v, Msg) else v for k, v in msg.params.items()}}


def _msg_of(data: dict[str, Any]) -> Msg:
    params = {k: _msg_of(v) if isinstance(v, dict) and "key" in v else v for k, v in data["params"].items()}
    return Msg(data["key"], **params)


def note_export(
    db: sqlite_utils.Database, user_id: int, export: str, left_out: Sequence[Msg], *, now: datetime | None = None
) -> None:
    """Keep what ``user_id``'s export just left out (the facts, rendered when read), replacing the last note."""
    row = {
        "user_id": user_id,
        "made_at": to_iso(now or utcnow()),
        "export": export,
        "left_out_json": json.dumps([_msg_json(m) for m in left_out], ensure_ascii=False, default=str),
    }
    with transaction(db):
        db.table("export_reports").delete_where("user_id = ?", [user_id])
        db.table("export_reports").insert(row)


def last_export(db: sqlite_utils.Database, user_id: int) -> ExportReport | None:
    """The note of ``user_id``'s last export from the HR page, or None."""
    row = db.execute(
        "SELECT export, made_at, left_out_json FROM export_reports WHERE user_id = ? ORDER BY id DESC LIMIT 1",
        [user_id],
    ).fetchone()
    if row is None:
        return None
    export, made_at, left_out = row
    return ExportReport(export, datetime.fromisoformat(made_at), tuple(_msg_of(m) for m in json.loads(left_out)))
