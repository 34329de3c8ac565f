"""People from the HR system: a CSV as Danish Excel saves it, checked whole before anything changes.

``plan`` reads the file and says, person by person, what an import would create, change or leave
alone, with every problem located by row and column; ``apply`` does it in one transaction, and only
when there is no problem at all. A re-import finds people by username (case does not count), so it
updates and never duplicates. Imported people get no password: they sign in by SSO, or set one
through the invitation e-mail (``quiz.people.invitations``).
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlite_utils

from quiz.content.models import Pack
from quiz.hr import programme, units
from quiz.i18n import Msg, QuizError
from quiz.people import auth, passwords
from quiz.people.access import require_admin
from quiz.people.accounts import ActorLike
from quiz.people.passwords import EMAIL
from quiz.store.db import to_iso, transaction, utcnow
from quiz.store.users import NO_PASSWORD

# The stored hash of a person without a password yet: no password ever matches it.
MAX_BYTES = 5 * 1024 * 1024

# Column -> the headings accepted for it (folded: lower case, no spaces, dashes or underscores).
COLUMNS = {
    "name": ("navn", "name", "fuldtnavn", "fuldenavn"),
    "email": ("email", "mail", "emailadresse", "mailadresse"),
    "username": ("brugernavn", "username", "brugerid", "initialer"),
    "role": ("rolle", "role", "stillingskategori"),
    "unit": ("enhed", "unit", "afdeling", "organisation", "center"),
    "start_date": ("startdato", "startdate", "start", "ansat", "ansættelsesdato", "tiltrædelse"),
}
REQUIRED = ("name", "email", "username")
DATE_FORMATS = ("%d-%m-%Y", "%d.%m.%Y", "%d/%m/%Y", "%Y-%m-%d", "%d-%m-%y", "%d.%m.%y")


@dataclass(frozen=True)
class Line:
    """One person as the file gives them, checked."""

    row: int
    name: str
    email: str
    username: str
    role_key: str | None
    unit_id: int | None
    start_date: date | None


@dataclass(frozen=True)
class Change:
    """What the import does to one person: ``create``, ``update`` (the fields named) or ``same``."""

    line: Line
    action: str
    fields: tuple[str, ...] = ()
    user_id: int | None = None


@dataclass(frozen=True)
class Plan:
    """The whole file's outcome: every change, or the problems that stop it."""

    changes: tuple[Change, ...] = ()
    problems: tuple[Msg, ...] = ()
    skip_bad: bool = False
    """Made with ``skip_bad``: ``changes`` are the good rows', ``problems`` the rows left out."""
    new_units: tuple[str, ...] = ()
    """Units the file names that do not exist yet and that the import will create (``create_units``)."""

    def count(self, action: str) -> int:
        return sum(c.action == action for c in self.changes)

    @property
    def bad_rows(self) -> int:
        """How many rows have a problem (a row may have several)."""
        return len({p.params.get("row") for p in self.problems})

    @property
    def ok(self) -> bool:
        """Whether importing goes ahead: no problem, or (``skip_bad``) the bad rows are left out."""
        return not self.problems or (self.skip_bad and bool(self.changes))

    def summary(self, *, done: bool = False) -> Msg:
        """What the import will do (a dry run), or, ``done``, what it did."""
        return Msg(
            "people.summary_done" if done else "people.summary",
            created=self.count("create"),
            updated=self.count("update"),
            same=self.count("same"),
        )


@dataclass
class _Reader:
    headers: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)


# A cell longer than this is no name, e-mail or unit; Python's csv module stops at 131072 anyway.
MAX_CELL = 10_000


def _is_utf16(data: bytes) -> bool:
    """Excel's »Unicode Text« (UTF-16, with a byte-order mark), or UTF-16 without one (every other byte 0)."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return True
    sample = data[:2000]
    return len(sample) >= 4 and sample[1::2].count(0) > len(sample) // 4


def decode(data: bytes) -> str:
    """UTF-8 with or without a byte-order mark, else Windows-1252 (what older Excel writes).

    A file over :data:`MAX_BYTES` and a UTF-16 file (Excel's »Unicode Text«) are refused with a
    message that says so and how to save the file instead.
    """
    if len(data) > MAX_BYTES:
        raise QuizError("people.too_big", mb=MAX_BYTES // (1024 * 1024))
    if _is_utf16(data):
        raise QuizError("people.utf16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _fold(heading: str) -> str:
    return re.sub(r"[\s_\-.]", "", unicodedata.normalize("NFC", heading).strip().casefold())


def read_table(data: bytes) -> _Reader:
    """The header and rows; ``;`` or ``,`` between fields, whichever the header line uses."""
    text = decode(data)
    if not text.strip():
        raise QuizError("people.empty")
    first = text.splitlines()[0]
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows: list[list[str]] = []
    try:
        for found in reader:
            if any(len(cell) > MAX_CELL for cell in found):
                raise QuizError("people.cell_too_long", row=reader.line_num, most=MAX_CELL)
            rows.append(found)
    except csv.Error as exc:
        # Python's own text is English and technical: the row and what to do instead.
        row = max(reader.line_num, 1)
        if "field limit" in str(exc):
            raise QuizError("people.cell_too_long", row=row, most=MAX_CELL) from None
        raise QuizError("people.malformed_at", row=row) from None
    rows = [r for r in rows if any(cell.strip() for cell in r)]
    return _Reader(headers=[h.strip() for h in rows[0]], rows=rows[1:])


def _columns(headers: Sequence[str]) -> tuple[dict[str, int], list[Msg]]:
    found: dict[str, int] = {}
    for index, heading in enumerate(headers):
        folded = _fold(heading)
        for column, names in COLUMNS.items():
            if folded in names and column not in found:
                found[column] = index
    problems = [Msg("people.missing_column", column=Msg(f"people.col.{c}")) for c in REQUIRED if c not in found]
    return found, problems


def parse_day(text: str) -> date | None:
    """A date as HR writes it (``01-09-2026``, ``1.9.26``, ``2026-09-01``), or None."""
    return _date(text.strip())


def _date(text: str) -> date | None:
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def _role_lookup(pack: Pack) -> dict[str, str]:
    """Role keys and names (folded) -> key; only roles a person can have (not "alle")."""
    lookup = {}
    for role in pack.manifest.roles:
        if role.everyone:
            continue
        lookup[_fold(role.key)] = role.key
        lookup[_fold(role.name)] = role.key
    return lookup


def _existing(db: sqlite_utils.Database) -> dict[str, dict]:
    sql = """
        SELECT u.id, u.username, u.display_name, u.role_key, p.email, p.unit_id, p.start_date
        FROM users u LEFT JOIN people p ON p.user_id = u.id
    """
    keys = ("id", "username", "display_name", "role_key", "email", "unit_id", "start_date")
    return {r[1].casefold(): dict(zip(keys, r, strict=True)) for r in db.execute(sql)}


def plan(
    db: sqlite_utils.Database, pack: Pack, data: bytes, *, skip_bad: bool = False, create_units: bool = False
) -> Plan:
    """What importing ``data`` would do, or every problem in it (row numbers as Excel shows them).

    By default a file with any problem imports nothing (all or nothing: HR corrects the file and
    tries again). ``skip_bad``, which HR chooses after seeing the problems, plans the good rows and
    keeps each bad row's problems (row, column, reason) as what is left out. A problem with the
    file itself (a missing column) always stops it.

    ``create_units``: a unit the file names that does not exist yet is no problem but one to create
    (``Plan.new_units``, each once).
    """
    table = read_table(data)
    cols, problems = _columns(table.headers)
    if problems:
        return Plan(problems=tuple(problems))
    roles = _role_lookup(pack)
    tree = units.tree(db)
    existing = _existing(db)
    heading = {c: table.headers[i] for c, i in cols.items()}
    lines: list[Line] = []
    seen_names: dict[str, int] = {}
    seen_emails: dict[str, int] = {}
    new_units: dict[str, str] = {}
    for offset, raw in enumerate(table.rows):
        row = offset + 2  # the header is row 1

        def cell(column: str, raw: list[str] = raw) -> str:
            index = cols.get(column)
            return raw[index].strip() if index is not None and index < len(raw) else ""

        def problem(column: str, key: str, row: int = row, **params) -> None:
            problems.append(Msg("people.problem", row=row, column=heading[column], problem=Msg(key, **params)))

        before = len(problems)
        name = cell("name")
        try:
            name = passwords.validate_person_name(name)
        except auth.InvalidInput as refused:
            if refused.msg.key == "auth.display_name_unprintable":
                problem("name", "people.name_unprintable", **refused.msg.params)
            else:
                problem("name", "people.bad_name" if name else "people.no_name")
        email = cell("email").casefold()
        if not email:
            problem("email", "people.no_email")
        elif not EMAIL.match(email):
            problem("email", "people.bad_email", value=email)
        elif email in seen_emails:
            problem("email", "people.duplicate_email", value=email, first=seen_emails[email])
        username = cell("username")
        try:
            username = auth.validate_username(username)
        except auth.InvalidInput:
            problem("username", "people.bad_username" if username else "people.no_username", value=username)
        else:
            if username in seen_names:
                problem("username", "people.duplicate_username", value=username, first=seen_names[username])
        role_key = None
        if "role" in cols and (role_text := cell("role")):
            role_key = roles.get(_fold(role_text))
            if role_key is None:
                problem(
                    "role",
                    "people.unknown_role",
                    value=role_text,
                    known=", ".join(pack.roles[k].name for k in dict.fromkeys(roles.values())),
                )
        unit_id = None
        if "unit" in cols and (unit_text := cell("unit")):
            unit = tree.find(_unit_leaf(unit_text))
            if unit is None and create_units:
                new_units.setdefault(_unit_leaf(unit_text).casefold(), " ".join(_unit_leaf(unit_text).split()))
            elif unit is None:
                problem("unit", "people.unknown_unit", value=unit_text)
            else:
                unit_id = unit.id
        start = None
        if "start_date" in cols and (start_text := cell("start_date")):
            start = _date(start_text)
            if start is None:
                problem("start_date", "people.bad_date", value=start_text)
        if email:
            seen_emails.setdefault(email, row)
        if username:
            seen_names.setdefault(username, row)
        if len(problems) == before:
            lines.append(Line(row, name, email, username, role_key, unit_id, start))
    changes = tuple(_change(line, existing.get(line.username), cols) for line in lines)
    if problems and not skip_bad:
        return Plan(problems=tuple(problems))
    return Plan(changes=changes, problems=tuple(problems), skip_bad=skip_bad, new_units=tuple(new_units.values()))


def _unit_leaf(unit_text: str) -> str:
    # "Center › Afdeling" or "Center/Afdeling" name the department; its own name is unique.
    return re.split(r"\s*[›>/]\s*", unit_text)[-1]


def unknown_units(db: sqlite_utils.Database, data: bytes) -> list[str]:
    """The units the file names that do not exist yet, each once, in the order the file first names them."""
    table = read_table(data)
    cols, _ = _columns(table.headers)
    if "unit" not in cols:
        return []
    tree = units.tree(db)
    found: dict[str, str] = {}
    for raw in table.rows:
        index = cols["unit"]
        text = raw[index].strip() if index < len(raw) else ""
        leaf = " ".join(_unit_leaf(text).split()) if text else ""
        if leaf and tree.find(leaf) is None:
            found.setdefault(leaf.casefold(), leaf)
    return list(found.values())


def _change(line: Line, current: dict | None, cols: dict[str, int]) -> Change:
    if current is None:
        return Change(line, "create")
    wanted: dict[str, object] = {"display_name": line.name, "email": line.email}
    # A column the file does not have leaves that detail as it is.
    if "role" in cols:
        wanted["role_key"] = line.role_key
    if "unit" in cols:
        wanted["unit_id"] = line.unit_id
    if "start_date" in cols:
        wanted["start_date"] = line.start_date.isoformat() if line.start_date else None
    fields = tuple(k for k, v in wanted.items() if current[k] != v)
    return Change(line, "update" if fields else "same", fields, current["id"])


def apply(
    db: sqlite_utils.Database,
    pack: Pack,
    data: bytes,
    *,
    actor: ActorLike,
    now: datetime | None = None,
    skip_bad: bool = False,
    go_live: date | None = None,
    new_units_under: str | None = None,
) -> Plan:
    """Import ``data`` as ``plan`` describes it, in one transaction; the plan is made again under the write lock.

    Raises ``QuizError("people.refused")`` (with the problems on ``.plan``) when the file has any
    problem, unless ``skip_bad``: then the good rows are imported and the returned plan's
    ``problems`` name the rows left out.

    ``go_live`` also sets the day the programme goes live (deadlines of people employed before it count
    from it), in the same transaction. ``new_units_under`` creates the units the file names that do not
    exist yet, under that unit ("" for top level), as the dry run offered; None refuses them.
    """
    stamp = to_iso(now or utcnow())
    with transaction(db):
        require_admin(db, actor)
        if new_units_under is not None:
            units.ensure_units(db, [(name, new_units_under or None) for name in unknown_units(db, data)])
        result = plan(db, pack, data, skip_bad=skip_bad)
        if not result.ok:
            raise ImportRefused(result)
        new_users = [
            {
                "username": c.line.username,
                "display_name": c.line.name,
                "password_hash": NO_PASSWORD,
                "role_key": c.line.role_key,
                "is_admin": 0,
                "is_facilitator": 0,
                "created_at": stamp,
                "last_seen_at": None,
            }
            for c in result.changes
            if c.action == "create"
        ]
        db.table("users").insert_all(new_users, batch_size=500)
        ids = {u.casefold(): i for i, u in db.execute("SELECT id, username FROM users")}
        created = []
        for c in result.changes:
            if c.action == "same":
                continue
            user_id = ids[c.line.username]
            details = {
                "email": c.line.email,
                "unit_id": c.line.unit_id,
                "start_date": c.line.start_date.isoformat() if c.line.start_date else None,
            }
            if c.action == "create":
                created.append({"user_id": user_id, **details, "refresh_reminders": 0, "updated_at": stamp})
                continue
            account = {k: v for k, v in (("display_name", c.line.name), ("role_key", c.line.role_key)) if k in c.fields}
            if account:
                db.table("users").update(user_id, account)
            details = {k: v for k, v in details.items() if k in c.fields}
            if details:
                db.table("people").upsert({"user_id": user_id, **details, "updated_at": stamp}, pk="user_id")
        # New people in bulk: a 5,000-row file is one pass, not 5,000 round trips.
        db.table("people").insert_all(created, batch_size=500)
        if go_live is not None:
            programme.set_go_live(db, pack.id, go_live, actor=actor, now=now)
    return result


class ImportRefused(QuizError):
    """The file has problems; nothing was imported. ``plan.problems`` says where."""

    def __init__(self, plan: Plan):
        super().__init__("people.refused", count=len(plan.problems))
        self.plan = plan


def unit_rows(data: bytes) -> list[tuple[str, str | None]]:
    """A unit tree file's (unit, parent) rows: the columns enhed;overordnet, the parent may be empty."""
    table = read_table(data)
    return [
        (row[0], row[1] if len(row) > 1 and row[1].strip() else None) for row in table.rows if row and row[0].strip()
    ]


def new_unit_rows(db: sqlite_utils.Database, data: bytes) -> list[tuple[str, str | None]]:
    """The rows of a unit tree file whose unit does not exist yet (the dry run of :func:`import_units`)."""
    tree = units.tree(db)
    return [(name, parent) for name, parent in unit_rows(data) if tree.find(name) is None]


def import_units(db: sqlite_utils.Database, data: bytes, *, actor: ActorLike | None = None) -> int:
    """Create the units of a unit tree file that do not exist yet, parents first, all or nothing.

    ``actor`` (the HR page's admin) is checked again in the transaction; the CLI passes None.
    """
    rows = unit_rows(data)
    with transaction(db):
        if actor is not None:
            require_admin(db, actor)
        return units.ensure_units(db, rows)
