"""Exports for people outside the app: statements for content review (JSON, CSV)."""

from __future__ import annotations

import csv
import json
from typing import TextIO

from quiz.content import Pack

# Danish spreadsheets use ';' between fields (',' is the decimal mark), and a UTF-8 byte-order mark
# makes Excel read æ, ø and å correctly.
CSV_DIALECT = {"delimiter": ";", "lineterminator": "\r\n"}
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
    from quiz.store.users import get_user, person_brake_rows

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
        records[table] = list(db[table].rows_where("user_id = ?", [user_id], order_by="rowid"))
    person = get_user(db, user_id)
    if person is not None:
        records["brake_events"] = person_brake_rows(db, person)
    if "live_join_failures" in db.table_names():
        records["live_join_failures"] = list(
            db["live_join_failures"].rows_where("client_key = ?", [f"user:{user_id}"], order_by="id")
        )
    return records


# Token and code hashes are sign-in secrets, not records about the person.
_NOT_EXPORTED = {"sessions", "login_codes"}


# The HR table (quiz.reports.PersonRow) as a spreadsheet: Danish headers, one line per person.
RESULT_FIELDS = [
    "Navn",
    "Brugernavn",
    "Rolle",
    "Introduktion gennemført",
    "Quizzer gennemført",
    "Svar i perioden",
    "Sidst aktiv",
    "Mestring (%)",
]
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value):
    """Text a person typed, made inert for spreadsheets (a leading '=' would otherwise run as a formula)."""
    return "'" + value if isinstance(value, str) and value.startswith(_FORMULA_START) else value


def result_rows(people, pack: Pack, *, spreadsheet: bool = True) -> list[dict]:
    """``quiz.reports.PersonRow``s as rows under ``RESULT_FIELDS`` (local time, whole percent).

    ``spreadsheet`` makes typed text that looks like a formula inert (for CSV).
    """
    from quiz.reports import LOCAL

    cell = spreadsheet_safe if spreadsheet else str

    def when(moment) -> str:
        return moment.astimezone(LOCAL).strftime("%Y-%m-%d %H:%M") if moment else ""

    return [
        {
            "Navn": cell(p.display_name),
            "Brugernavn": cell(p.username),
            "Rolle": pack.roles[p.role_key].name if p.role_key in pack.roles else "",
            "Introduktion gennemført": when(p.intro_completed_at) if p.intro_done else "Nej",
            "Quizzer gennemført": p.quizzes_finished,
            "Svar i perioden": p.answers,
            "Sidst aktiv": when(p.last_active),
            "Mestring (%)": round(p.mastery * 100),
        }
        for p in people
    ]


def write_results(people, pack: Pack, *, fmt: str, out: TextIO) -> None:
    """Write the per-person results as a CSV table (Danish Excel) or a JSON array."""
    rows = result_rows(people, pack, spreadsheet=fmt == "csv")
    if fmt == "csv":
        write_csv(rows, RESULT_FIELDS, out)
    else:
        json.dump(rows, out, ensure_ascii=False, indent=2)
        out.write("\n")
