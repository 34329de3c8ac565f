"""Demo data: realistic learners in every role, their intro, and quizzes answered over several weeks.

For trying the HR page, the exports and the load on a full-size organisation. Everything a person
does is written through the domain's own functions, with the moment it happened as ``now``: the
intro through ``quiz.learning.intro``, quizzes through ``quiz.learning.attempts.start_attempt`` and
``submit_answer``, the app's own write path (the grade, per-statement results, mastery,
spaced-repetition card and review log, and the attempt's finish), the last visit through
``touch_user``. Only the account
rows are inserted directly, all with one hash of ``DEMO_PASSWORD``: ``create_user`` hashes each
password anew (argon2id, about 0.1 s), which would take minutes at 5,000 people.

Fast enough by design: the quizzes are drawn with ``draw_questions`` (a few variants per quiz kind,
reused), and a few hundred people share one transaction (the domain functions' own transactions
become savepoints inside it).
"""

from __future__ import annotations

import json
import math
import random
import time as clock
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta

import sqlite_utils

from quiz import live
from quiz.content.models import Pack
from quiz.hr.reports import LOCAL
from quiz.learning import attempts
from quiz.learning.intro import complete_intro, set_intro_step
from quiz.learning.mastery import RECENT
from quiz.learning.presets import PRESETS, build_spec, preset
from quiz.learning.quizzes import QuizSpec, draw_questions
from quiz.people import passwords
from quiz.questions.base import Answer, Question
from quiz.store.db import to_iso, transaction, utcnow
from quiz.store.users import touch_user
from quiz_devtools.demo_org import organise

DEMO_PASSWORD = "demo-hvidovre"
USERNAME = "demo-{:04d}"
CHUNK = 250  # people per write transaction
VARIANTS = 4  # drawn question sets per quiz kind, reused by many people
# Histories stop this long before "now"; the live session runs after them, so every person's records stay in order.
HISTORY_BEFORE_NOW = timedelta(hours=3)
LIVE_BEFORE_NOW = timedelta(hours=2)

FIRST_NAMES = (
    "Søren", "Jørgen", "Bjørn", "Åse", "Mette", "Kirsten", "Lærke", "Sørine", "Jens", "Anne", "Mads",
    "Freja", "Ida", "Mikkel", "Sofie", "Rasmus", "Line", "Lars", "Hanne", "Morten", "Kåre", "Tove",
    "Bodil", "Frode", "Birthe", "Ærbøl", "Gøran", "Helle", "Niels", "Malene", "Anders", "Signe",
    "Thøger", "Ellen", "Kasper", "Maja", "Jonas", "Emma", "Ole", "Nanna", "Åge", "Dorthe", "Bente",
)  # fmt: skip
LAST_NAMES = (
    "Sørensen", "Jørgensen", "Møller", "Nørgaard", "Bæk", "Kjær", "Bøgh", "Ågård", "Aaberg", "Hansen",
    "Nielsen", "Jensen", "Pedersen", "Andersen", "Christensen", "Larsen", "Rasmussen", "Poulsen",
    "Mørch", "Østergaard", "Skovgård", "Dalsgård", "Frølund", "Lykkegård", "Holm", "Krøyer",
    "Søndergaard", "Højgaard", "Brøndum", "Thomsen", "Vestergård", "Læssøe", "Bjørnholm",
)  # fmt: skip

# Share of the organisation in each role (the rest are employees), and how much each knows at the start.
ROLE_SHARES = {"direktion": 0.01, "centerchef": 0.04, "leder_af_ledere": 0.07, "leder_af_medarbejdere": 0.15}
ROLE_SKILL = {"direktion": 0.8, "centerchef": 0.6, "leder_af_ledere": 0.45, "leder_af_medarbejdere": 0.35}
EMPLOYEE_SKILL = 0.0
# Some perspectives are harder to tell apart than others.
PERSPECTIVE_EASE = {"compliance": 0.35, "performance": 0.1, "emergens": -0.45, "resiliens": -0.15}


@dataclass(frozen=True)
class DemoSummary:
    """What was made."""

    users: int
    attempts: int
    answers: int
    statement_results: int
    seconds: float
    live_session: str | None = None
    usernames: list[str] = field(default_factory=list, repr=False)


@dataclass
class _Person:
    id: int
    username: str
    display_name: str
    role_key: str
    skill: float
    joined_at: datetime
    # statement id -> how often the person has placed it: practice (counted as far as mastery looks back).
    practised: dict[str, int] = field(default_factory=dict)


class _Generator:
    def __init__(self, db: sqlite_utils.Database, registry, pack: Pack, rng: random.Random, now: datetime, weeks: int):
        self.db, self.registry, self.pack, self.rng, self.now = db, registry, pack, rng, now
        self.start = now - timedelta(weeks=weeks)
        self.everyone = [r.key for r in pack.manifest.roles if r.everyone]
        self.ease = {s.id: rng.gauss(0, 0.6) + PERSPECTIVE_EASE.get(s.perspective, 0) for s in pack.statements}
        self.single_type_presets = [p.key for p in PRESETS if len(p.types) == 1]
        self._quizzes: dict[tuple, tuple[QuizSpec, list[Question], str]] = {}
        self.password_hash = passwords.hash_password(DEMO_PASSWORD)
        self.counts = {"attempts": 0, "answers": 0, "statement_results": 0}

    # --- quizzes -----------------------------------------------------------------------------

    def quiz_for(self, person: _Person) -> tuple[QuizSpec, list[Question], str]:
        """A quiz the person picks from the menu: mostly their own role, sometimes something else."""
        roll = self.rng.random()
        chain = [r for r in self.pack.roles if r not in self.everyone]
        if roll < 0.45:
            key, choice = "min_rolle", None
        elif roll < 0.6:
            key, choice = "rolle", self.rng.choice(list(self.pack.roles))
        elif roll < 0.72:
            key, choice = "perspektiv", self.rng.choice(list(self.pack.perspectives))
        elif roll < 0.85:
            key, choice = "alt", None
        else:
            key, choice = self.rng.choice(self.single_type_presets), None
        own = person.role_key if key == "min_rolle" and person.role_key in chain else None
        cache_key = (key, own, choice, self.rng.randrange(VARIANTS))
        if cache_key not in self._quizzes:
            spec = build_spec(preset(key), self.pack, own_role=own, choice=choice, length=10, seed=cache_key[3])
            questions = draw_questions(spec, self.registry)
            questions_json = json.dumps([q.to_dict() for q in questions], ensure_ascii=False)
            self._quizzes[cache_key] = (spec, questions, questions_json)
        return self._quizzes[cache_key]

    def chance(self, person: _Person, statement_id: str) -> float:
        """How likely the person places the statement right now: skill, own role, difficulty, practice."""
        statement = self.pack.statements_by_id[statement_id]
        own = 0.45 if statement.role == person.role_key else 0.2 if statement.role in self.everyone else 0.0
        practice = min(1.6, 0.3 * min(RECENT, person.practised.get(statement_id, 0)))
        x = 0.1 + person.skill + own + self.ease[statement_id] + practice
        return 1 / (1 + math.exp(-x))

    def answer(self, person: _Person, question: Question) -> Answer:
        """What the person picks: right with their chance, else mostly the option most often confused."""

        def pick(accepted: tuple[str, ...], p: float, item: int) -> str:
            if self.rng.random() < p:
                return accepted[0]
            wrong = [o.key for o in question.options if o.key not in accepted]
            if not wrong:
                return accepted[0]
            # People who get it wrong tend to make the same mistake.
            confused = wrong[zlib.crc32(f"{question.prompt}/{item}".encode()) % len(wrong)]
            return confused if self.rng.random() < 0.7 else self.rng.choice(wrong)

        if question.kind == "choice":
            sids = [s for s in question.statement_ids if s in self.pack.statements_by_id]
            p = sum(self.chance(person, s) for s in sids) / len(sids) if sids else 0.75
            return pick(question.accepted[0], p, 0)
        return [
            pick(accepted, self.chance(person, item.statement_id) if item.statement_id in self.ease else 0.7, n)
            for n, (item, accepted) in enumerate(zip(question.items, question.accepted, strict=True))
        ]

    # --- one person's history ------------------------------------------------------------------

    def history(self, person: _Person, *, count: int, leave_open: bool) -> datetime | None:
        """The person's quizzes, taken one after another from their first week on; the last answer's time."""
        moment = person.joined_at + timedelta(hours=self.rng.uniform(0.2, 3))
        last_answer = None
        for n in range(count):
            if moment >= self.now - HISTORY_BEFORE_NOW:
                break
            spec, questions, questions_json = self.quiz_for(person)
            attempt_id = attempts.start_attempt(
                self.db, person.id, spec, questions, now=moment, questions_json=questions_json
            )
            self.counts["attempts"] += 1
            last = n == count - 1
            stop_after = self.rng.randrange(1, len(questions)) if last and leave_open else len(questions)
            # Question after question, each answer as practised as the person is by then, stored
            # through the app's own write path at the moment it was given.
            grades = []
            for index, question in enumerate(questions[:stop_after]):
                ms = self.rng.lognormvariate(math.log(9000), 0.45) * max(1, len(question.statement_ids))
                moment += timedelta(milliseconds=ms)
                answer = self.answer(person, question)
                grades.append(
                    attempts.submit_answer(
                        self.db, attempt_id, index, answer, time_taken_ms=int(ms), registry=self.registry, now=moment
                    )
                )
                for sid in question.statement_ids:
                    person.practised[sid] = person.practised.get(sid, 0) + 1
            self.counts["answers"] += len(grades)
            self.counts["statement_results"] += sum(
                len(g.per_statement) or len(q.statement_ids) for g, q in zip(grades, questions, strict=False)
            )
            if grades:
                last_answer = moment
            # The next visit: often the same day, mostly within a few days.
            gap = self.rng.choice([0.05, 0.5, 20, 26, 50, 75, 120, 170]) * self.rng.uniform(0.8, 1.3)
            moment = _working_hours(moment + timedelta(hours=gap), self.rng)
        return last_answer

    def add_person(self, person: _Person, *, is_facilitator: bool) -> None:
        """The person's account, intro and quizzes, each as the app records them at the time it happened."""
        rng, pack = self.rng, self.pack
        # The table API, not create_user: see the module's docstring.
        self.db["users"].insert(
            {
                "id": person.id,
                "username": person.username,
                "display_name": person.display_name,
                "password_hash": self.password_hash,
                "role_key": person.role_key,
                "is_admin": 0,
                "is_facilitator": int(is_facilitator),
                "created_at": to_iso(person.joined_at),
                "last_seen_at": None,
            }
        )
        engagement = rng.random()
        last_seen = None
        steps = len(pack.intro)
        if engagement >= 0.05 and steps:
            done_at = person.joined_at + timedelta(minutes=rng.uniform(5, 25))
            if engagement >= 0.1:
                complete_intro(self.db, person.id, pack.id, step=steps - 1, now=done_at)
            else:
                set_intro_step(self.db, person.id, pack.id, rng.randrange(steps), now=done_at)
            last_seen = done_at
        if engagement >= 0.15:
            count = max(1, round(rng.gauss(10, 4)))
            last_seen = self.history(person, count=count, leave_open=rng.random() < 0.15) or last_seen
        if last_seen is not None:
            touch_user(self.db, person.id, now=last_seen)


def _working_hours(moment: datetime, rng: random.Random) -> datetime:
    """The same moment when it falls in a Danish working day (7-17), else a random time the next morning."""
    local = moment.astimezone(LOCAL)
    if 7 <= local.hour < 17:
        return moment
    day = local.date() + timedelta(days=1 if local.hour >= 17 else 0)
    return datetime.combine(day, time(8), LOCAL).astimezone(UTC) + timedelta(minutes=rng.uniform(0, 7 * 60))


def _roles(pack: Pack, count: int, rng: random.Random) -> list[str]:
    """Every role at least once (when there are enough people), then by the organisation's shares."""
    chain = [r.key for r in pack.manifest.roles if not r.everyone]
    employee = chain[-1]
    shares = {r: ROLE_SHARES.get(r, 0.0) for r in chain if r != employee}
    roles = chain[:count]
    for _ in range(count - len(roles)):
        roll, total = rng.random(), 0.0
        for role, share in shares.items():
            total += share
            if roll < total:
                roles.append(role)
                break
        else:
            roles.append(employee)
    rng.shuffle(roles)
    return roles


def make_demo(
    db: sqlite_utils.Database,
    registry,
    *,
    users: int,
    seed: int = 1,
    pack_id: str | None = None,
    now: datetime | None = None,
    weeks: int = 6,
    progress: Callable[[int, int], None] | None = None,
) -> DemoSummary:
    """Add ``users`` demo people (``demo-0001`` on, after any already there) with their history.

    About 5 % never start, 10 % read only (part of) the intro; the rest take on average about ten
    ten-question quizzes over ``weeks`` weeks, getting better at what they practise. The last quiz
    of some is left unfinished, as people leave. Everyone is placed in one of 80 units with an
    e-mail address (``quiz_devtools.demo_org``). Deterministic for the same ``seed`` and ``now``.
    """
    began = clock.perf_counter()
    now = now or utcnow()
    # A large page cache keeps the indexes being filled in memory (default: 2 MB); this connection only.
    db.execute("PRAGMA cache_size = -262144")
    pack = registry.packs[pack_id] if pack_id else next(iter(registry.packs.values()))
    rng = random.Random(seed)
    gen = _Generator(db, registry, pack, rng, now, weeks)
    (last_demo,) = db.execute(
        "SELECT MAX(CAST(substr(username, 6) AS INTEGER)) FROM users WHERE username GLOB 'demo-[0-9]*'"
    ).fetchone()
    first_number = (last_demo or 0) + 1
    next_user = (db.execute("SELECT MAX(id) FROM users").fetchone()[0] or 0) + 1
    roles = _roles(pack, users, rng)
    usernames = []
    for chunk_start in range(0, users, CHUNK):
        with transaction(db):
            for n in range(chunk_start, min(users, chunk_start + CHUNK)):
                role = roles[n]
                joined = _working_hours(gen.start + timedelta(days=rng.uniform(0, weeks * 7 * 0.7)), rng)
                person = _Person(
                    id=next_user + n,
                    username=USERNAME.format(first_number + n),
                    display_name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                    role_key=role,
                    skill=rng.gauss(ROLE_SKILL.get(role, EMPLOYEE_SKILL), 0.5),
                    joined_at=joined,
                )
                usernames.append(person.username)
                gen.add_person(person, is_facilitator=role != "medarbejder" and rng.random() < 0.1)
        if progress is not None:
            progress(min(users, chunk_start + CHUNK), users)
    live = add_demo_live_session(db, registry, pack, usernames, now=now, rng=rng)
    placed = db.execute(
        "SELECT id, username, role_key, created_at FROM users WHERE id >= ? ORDER BY id", [next_user]
    ).fetchall()
    organise(db, pack, placed, seed=seed, now=now)
    return DemoSummary(
        users=users,
        attempts=gen.counts["attempts"],
        answers=gen.counts["answers"],
        statement_results=gen.counts["statement_results"],
        seconds=clock.perf_counter() - began,
        live_session=live,
        usernames=usernames,
    )


LIVE_PARTICIPANTS = 30
LIVE_QUESTIONS = 6


def add_demo_live_session(
    db: sqlite_utils.Database, registry, pack: Pack, usernames: list[str], *, now: datetime, rng: random.Random
) -> str | None:
    """One finished live session ("Temadag om Hvidovrevejen") with some of the demo people, via ``quiz.live``.

    Run an hour and a half before ``now``, after the demo histories end. Returns its join code, or
    None when there is nobody to take part.
    """
    if not usernames:
        return None
    placeholders = ", ".join("?" * len(usernames))
    rows = db.execute(
        f"SELECT id, is_facilitator FROM users WHERE username IN ({placeholders}) ORDER BY is_facilitator DESC, id",
        usernames,
    ).fetchall()
    if not rows or not rows[0][1]:
        return None  # a small demo may have no facilitator to run the session
    facilitator = rows[0][0]
    # Live control re-checks the role in every action: the demo's facilitator must have it.
    db["users"].update(facilitator, {"is_facilitator": 1})
    room = [user_id for user_id, _ in rows[1 : LIVE_PARTICIPANTS + 1]]
    moment = now - LIVE_BEFORE_NOW
    spec = QuizSpec(
        pack_id=pack.id,
        length=LIVE_QUESTIONS,
        types=["perspective", "role", "odd_one_out"],
        seed=rng.randrange(2**31),
        title="Temadag om Hvidovrevejen",
    )
    session = live.create_session(db, facilitator, spec, registry=registry, now=moment)
    participants = []
    for user_id in room:
        moment += timedelta(seconds=rng.uniform(2, 10))
        participant, _token = live.join(db, session.code, user_id=user_id, client_key="demo", now=moment)
        participants.append(participant)
    moment += timedelta(minutes=1)
    live.start(db, session.id, actor_id=facilitator, now=moment)
    for index, question in enumerate(session.questions):
        if index:
            moment += timedelta(minutes=rng.uniform(2, 4))  # the discussion after the reveal
            live.next_question(db, session.id, actor_id=facilitator, now=moment)
        for participant in participants:
            if rng.random() < 0.92:
                when = moment + timedelta(seconds=rng.uniform(5, 40))
                answer = _room_answer(question, rng)
                live.submit_answer(db, session.id, participant.id, index, answer, registry=registry, now=when)
        moment += timedelta(seconds=45)
        live.reveal(db, session.id, actor_id=facilitator, registry=registry, now=moment)
    live.end(db, session.id, actor_id=facilitator, now=moment + timedelta(minutes=3))
    return session.code


def _room_answer(question: Question, rng: random.Random) -> Answer:
    """A room's answer: right about two times in three."""

    def pick(accepted: tuple[str, ...]) -> str:
        wrong = [o.key for o in question.options if o.key not in accepted]
        return accepted[0] if not wrong or rng.random() < 0.68 else rng.choice(wrong)

    if question.kind == "choice":
        return pick(question.accepted[0])
    return [pick(accepted) for accepted in question.accepted]
