"""``python -m quiz remind``: the e-mails that bring people back, each sent once.

Four kinds, each recorded in ``reminders_sent`` under a key, so a later run never sends it again:

- ``invite`` — an imported person without a password yet gets the set-password link (key ``invite``);
- ``due_soon`` — the programme's deadline is at most ``DUE_SOON_DAYS`` away (key: the deadline);
- ``overdue`` — the deadline has passed (key: the deadline, so a new start date means a new reminder);
- ``refresh`` — to people who opted in on their profile: statements are due, at most once a week;
- ``leader`` — a leader reminded the overdue people of their units from »Min enhed« (key: the day).

Someone invited in a run gets no programme reminder in the same run: the invitation is their first
mail. Every programme reminder leads to the next step the person can take (``step``): set a password
through a fresh invitation link when they have none yet, start the intro when they have done nothing,
continue where they left off when they have begun.

A bad row (a name with a line break, say) is reported with the person and the reason and is not
marked sent; the rest of the run goes through. Each run that sends is recorded in ``reminder_runs``
(when, from where, by whom, what it sent), for the HR page.

A reminder is recorded only after the SMTP server accepted it. A refused mail, or a server that is
down, is reported and tried again on the next run. The texts are the catalogue's, in the language
the person chose on their profile (``users.language``), Danish when they chose none.
"""

from __future__ import annotations

import json
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlite_utils

from quiz import i18n
from quiz.content.models import Pack
from quiz.hr.mailer import Mail, Mailer, MailError
from quiz.hr.programme import LOCAL, PersonStatus, Programme, default_programme, get_programme, statuses
from quiz.hr.units import upsert_person, visible_user_ids
from quiz.i18n import SOURCE_LANGUAGE, Msg, t
from quiz.people import collation, invitations
from quiz.people.access import require_admin
from quiz.people.accounts import ActorLike, require_actor
from quiz.store.db import to_iso, to_micros, transaction, utcnow
from quiz.store.users import NO_PASSWORD

DUE_SOON_DAYS = 7
REFRESH_EVERY = timedelta(days=7)
KINDS = ("invite", "due_soon", "overdue", "refresh", "leader")
PROGRAMME_KINDS = ("due_soon", "overdue", "leader")
STEPS = ("password", "start", "continue", "quiz")
SOURCES = ("cli", "hr", "leader")


@dataclass(frozen=True)
class Reminder:
    """One e-mail due to one person."""

    user_id: int
    kind: str
    key: str
    email: str
    name: str
    params: dict = field(default_factory=dict, hash=False)
    lang: str = SOURCE_LANGUAGE
    """The catalogue language of the e-mail: the person's own choice, else Danish."""
    step: str = "start"
    """Where the mail's link leads: ``password`` (a fresh invitation link), ``start`` (the intro),
    ``continue`` (where they left off), ``quiz`` (the refresh)."""

    @property
    def needs_token(self) -> bool:
        return self.kind == "invite" or self.step == "password"


@dataclass
class Outcome:
    """What a run did (or, in a dry run, would do)."""

    due: list[Reminder] = field(default_factory=list)
    sent: list[Reminder] = field(default_factory=list)
    failed: list[tuple[Reminder, Msg]] = field(default_factory=list)
    stopped: Msg | None = None  # the server went away: the rest waits for the next run

    def summary(self, *, dry_run: bool) -> Msg:
        if dry_run:
            return Msg("remind.dry_summary", count=len(self.due))
        return Msg("remind.summary", sent=len(self.sent), failed=len(self.failed), left=self.left)

    @property
    def left(self) -> int:
        return len(self.due) - len(self.sent) - len(self.failed)


def _sent(db: sqlite_utils.Database) -> set[tuple[int, str, str]]:
    return {tuple(r) for r in db.execute("SELECT user_id, kind, key FROM reminders_sent")}


def _last_refresh(db: sqlite_utils.Database) -> dict[int, str]:
    return dict(db.execute("SELECT user_id, MAX(sent_at) FROM reminders_sent WHERE kind = 'refresh' GROUP BY user_id"))


def _languages(db: sqlite_utils.Database) -> dict[int, str]:
    """The people who chose a language the catalogue has; everyone else is written to in Danish."""
    known = i18n.tables()
    sql = "SELECT id, language FROM users WHERE language IS NOT NULL"
    return {user_id: lang for user_id, lang in db.execute(sql) if lang in known}


def due(
    db: sqlite_utils.Database,
    pack: Pack,
    *,
    now: datetime,
    programme: Programme | None = None,
    invite: bool = True,
    only: Iterable[int] | None = None,
    leader: str | None = None,
) -> list[Reminder]:
    """Every reminder that should go out now and has not gone out before, in Danish name order.

    ``only`` limits it to those people; ``leader`` (the leader's name) makes it the leader's reminder
    to the overdue people among them, once a day, instead of the run's usual mails.
    """
    programme = programme or get_programme(db, pack.id)
    today = now.astimezone(LOCAL).date()
    sent = _sent(db)
    chosen = _languages(db)
    wanted = set(only) if only is not None else None
    no_password = {r[0] for r in db.execute("SELECT id FROM users WHERE password_hash = ?", [NO_PASSWORD])}
    out: list[Reminder] = []

    def add(user_id: int, kind: str, key: str, email: str | None, name: str, step: str = "start", **params) -> None:
        if wanted is not None and user_id not in wanted:
            return
        if email and (user_id, kind, key) not in sent:
            lang = chosen.get(user_id, SOURCE_LANGUAGE)
            out.append(Reminder(user_id, kind, key, email, name, params, lang, step))

    if leader is not None:
        # As »Min enhed« shows it: the default programme while HR has set none.
        programme = programme or default_programme(pack.id)
        for person in statuses(db, pack, programme, today=today, user_ids=wanted):
            if person.status == "overdue":
                step = _step(person, invite and person.user_id in no_password)
                when = person.deadline.strftime("%d-%m-%Y")
                add(person.user_id, "leader", today.isoformat(), person.email, person.display_name, step,
                    deadline=when, leader=leader)  # fmt: skip
        return _ordered(out)
    invited: set[int] = set()
    if invite:
        sql = """
            SELECT u.id, p.email, u.display_name FROM users u JOIN people p ON p.user_id = u.id
            WHERE u.password_hash = ? AND p.email IS NOT NULL ORDER BY u.id
        """
        for user_id, email, name in db.execute(sql, [NO_PASSWORD]):
            before = len(out)
            add(user_id, "invite", "invite", email, name, "password")
            if len(out) > before:
                invited.add(user_id)
    if programme is not None:
        for person in statuses(db, pack, programme, today=today, user_ids=wanted):
            # The invitation is the first mail: no "not completed" in the same run.
            if person.user_id not in invited:
                _programme_reminder(person, today, add, _step(person, invite and person.user_id in no_password))
    opted = "SELECT user_id FROM people WHERE refresh_reminders = 1 AND email IS NOT NULL"
    sql = f"""
        SELECT p.user_id, p.email, u.display_name, COUNT(*)
        FROM learning_state l JOIN people p ON p.user_id = l.user_id JOIN users u ON u.id = l.user_id
        JOIN statement_keys k ON k.id = l.statement
        WHERE l.user_id IN ({opted}) AND k.pack_id = ? AND l.due_at <= ?
        GROUP BY l.user_id ORDER BY l.user_id
    """
    last = _last_refresh(db)
    for user_id, email, name, count in db.execute(sql, [pack.id, to_micros(now)]):
        if user_id in last and datetime.fromisoformat(last[user_id]) > now - REFRESH_EVERY:
            continue
        add(user_id, "refresh", today.isoformat(), email, name, "quiz", count=count)
    return _ordered(out)


def _ordered(reminders: list[Reminder]) -> list[Reminder]:
    """By name in Danish order (Æ, Ø, Å last; "Aa" as Å), then by kind as listed in ``KINDS``."""
    return sorted(reminders, key=lambda r: (collation.sort_key(r.name), KINDS.index(r.kind), r.user_id))


def _step(person: PersonStatus, password: bool) -> str:
    """The next step the person can take: set a password, start, or continue where they left off."""
    if password:
        return "password"
    return "continue" if person.started else "start"


def _programme_reminder(person: PersonStatus, today: date, add: Callable, step: str) -> None:
    if person.status == "completed":
        return
    deadline = person.deadline.isoformat()
    when = person.deadline.strftime("%d-%m-%Y")
    if person.status == "overdue":
        add(person.user_id, "overdue", deadline, person.email, person.display_name, step, deadline=when)
    elif (person.deadline - today).days <= DUE_SOON_DAYS:
        days = (person.deadline - today).days
        add(person.user_id, "due_soon", deadline, person.email, person.display_name, step, deadline=when, days=days)


def compose(reminder: Reminder, *, base_url: str, pack: Pack, token: str | None = None) -> Mail:
    """The e-mail for a reminder, in the person's language, with its link into the app."""
    base = base_url.rstrip("/")
    links = {
        "password": invitations.link(base_url, token or "…"),
        "start": f"{base}/intro",
        "continue": f"{base}/",
        "quiz": f"{base}/quiz",
    }
    params = {**reminder.params, "name": reminder.name, "link": links[reminder.step], "title": pack.manifest.title}
    params["days_valid"] = invitations.VALID_DAYS
    params["step"] = t(f"remind.step.{reminder.step}", lang=reminder.lang, days_valid=invitations.VALID_DAYS)
    return Mail(
        to=reminder.email,
        to_name=reminder.name,
        subject=t(f"remind.{reminder.kind}.subject", lang=reminder.lang, **params),
        body=t(f"remind.{reminder.kind}.body", lang=reminder.lang, **params),
    )


def _record(db: sqlite_utils.Database, reminder: Reminder, now: datetime, token: str | None) -> None:
    with transaction(db):
        if token is not None:
            invitations.store_invitation(db, reminder.user_id, token, now=now)
        db.execute(
            "INSERT OR IGNORE INTO reminders_sent (user_id, kind, key, sent_at) VALUES (?, ?, ?, ?)",
            [reminder.user_id, reminder.kind, reminder.key, to_iso(now)],
        )


def run(
    db: sqlite_utils.Database,
    pack: Pack,
    *,
    mailer: Mailer | None,
    base_url: str,
    now: datetime | None = None,
    dry_run: bool = False,
    invite: bool = True,
    progress: Callable[[Reminder, Msg | None], None] | None = None,
    source: str = "cli",
    actor_id: int | None = None,
    only: Iterable[int] | None = None,
    leader: str | None = None,
    actor: ActorLike | None = None,
) -> Outcome:
    """Send what is due through ``mailer`` (a ``quiz.hr.mailer.Mailer``, or None in a dry run).

    Each mail is recorded right after the server accepted it; a refused one, or a row that cannot
    become a mail, is reported and left for the next run. When the server cannot be reached at all
    the run stops, recording nothing more. A run that is not a dry run is recorded in ``reminder_runs``.
    ``actor`` (the HR page's admin) is checked again before anything is sent.
    """
    now = now or utcnow()
    if actor is not None and not dry_run:
        require_admin(db, actor)
    outcome = Outcome(due=due(db, pack, now=now, invite=invite, only=only, leader=leader))
    if dry_run:
        return outcome
    if mailer is None:
        raise ValueError("a run that sends needs a mailer")
    for reminder in outcome.due:
        problem = _row_problem(reminder)
        token: str | None = None
        if problem is None:
            token = invitations.new_token() if reminder.needs_token else None
            mail = compose(reminder, base_url=base_url, pack=pack, token=token)
            try:
                mailer.send(mail)
            except MailError as exc:
                if exc.msg.key == "mail.unreachable":
                    outcome.stopped = exc.msg
                    break
                problem = exc.msg
            except (ValueError, UnicodeError) as exc:  # a header the mail library cannot write
                problem = Msg("remind.bad_row", problem=str(exc) or type(exc).__name__)
        if problem is not None:
            outcome.failed.append((reminder, problem))
            if progress:
                progress(reminder, problem)
            continue
        _record(db, reminder, now, token)
        outcome.sent.append(reminder)
        if progress:
            progress(reminder, None)
    record_run(db, outcome, now=now, source=source, actor_id=actor_id)
    return outcome


def remind_overdue_in_units(
    db: sqlite_utils.Database,
    pack: Pack,
    *,
    leader: ActorLike,
    mailer: Mailer | None,
    base_url: str,
    now: datetime | None = None,
    dry_run: bool = False,
    invite: bool = True,
) -> Outcome:
    """A leader's reminder (from »Min enhed«) to the overdue people of the units they lead, once a day each.

    Who the leader leads is read now, so a leadership taken away stops the button at once.
    """
    user = require_actor(db, leader)
    people = visible_user_ids(db, user.id) - {user.id}
    return run(
        db,
        pack,
        mailer=mailer,
        base_url=base_url,
        now=now,
        dry_run=dry_run,
        invite=invite,
        source="leader",
        actor_id=user.id,
        only=people,
        leader=user.display_name,
    )


def _row_problem(reminder: Reminder) -> Msg | None:
    """Why this person's row cannot become a mail (a line break or other control character), or None."""
    for value, key in ((reminder.name, "remind.bad_name"), (reminder.email, "remind.bad_email")):
        if any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in value):
            return Msg(key)
    return None


@dataclass(frozen=True)
class RunRecord:
    """One remind run as the HR page shows it."""

    started_at: datetime
    source: str
    user_id: int | None
    sent: int
    failed: int
    left: int
    kinds: dict[str, int]


def record_run(
    db: sqlite_utils.Database, outcome: Outcome, *, now: datetime, source: str = "cli", actor_id: int | None = None
) -> None:
    """Write down a run (not a dry run): when, from where, by whom, and how many of each kind it sent."""
    if source not in SOURCES:
        raise ValueError(source)
    kinds = Counter(r.kind for r in outcome.sent)
    with transaction(db):
        db.table("reminder_runs").insert(
            {
                "started_at": to_iso(now),
                "source": source,
                "user_id": actor_id,
                "sent": len(outcome.sent),
                "failed": len(outcome.failed),
                "left": outcome.left,
                "kinds_json": json.dumps({k: kinds[k] for k in KINDS if kinds[k]}),
            }
        )


def last_runs(db: sqlite_utils.Database, *, limit: int = 5) -> list[RunRecord]:
    """The latest runs, newest first."""
    sql = """SELECT started_at, source, user_id, sent, failed, "left", kinds_json FROM reminder_runs
             ORDER BY started_at DESC, id DESC LIMIT ?"""
    return [
        RunRecord(datetime.fromisoformat(r[0]), r[1], r[2], r[3], r[4], r[5], json.loads(r[6]))
        for r in db.execute(sql, [limit])
    ]


def set_refresh_opt_in(db: sqlite_utils.Database, user_id: int, on: bool, *, now: datetime | None = None) -> None:
    """The person's own choice on their profile: a weekly e-mail when statements are due."""
    with transaction(db):
        upsert_person(db, user_id, {"refresh_reminders": int(on)}, now=now)


def refresh_opt_in(db: sqlite_utils.Database, user_id: int) -> bool:
    row = db.execute("SELECT refresh_reminders FROM people WHERE user_id = ?", [user_id]).fetchone()
    return bool(row and row[0])


def describe(reminder: Reminder) -> str:
    """One line for the dry run and the run's report: kind, person, address (a line break in a name shown as ⏎)."""
    name = "".join("⏎" if unicodedata.category(ch) in ("Cc", "Zl", "Zp") else ch for ch in reminder.name)
    return f"{t(f'remind.kind.{reminder.kind}')}: {name} <{reminder.email}>"


def as_json(outcome: Outcome) -> str:
    return json.dumps({"due": len(outcome.due), "sent": len(outcome.sent), "failed": len(outcome.failed)})
