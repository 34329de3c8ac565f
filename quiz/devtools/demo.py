"""Demo data: realistic learners in every role, their intro, and quizzes answered over several weeks.

For trying the HR page, the exports and the load on a full-size organisation. Fast by design: the
quizzes are drawn with ``draw_questions`` (a few variants per quiz kind, reused), graded by the real
question types (memoised), and written in bulk, a few hundred people per transaction. The rows are
what ``quiz.attempts.submit_answer`` would write for the same answers, at the same times: answers,
per-statement results, mastery (``quiz.mastery.next_recent`` and ``mastery_row``) and spaced-repetition cards
(``quiz.refresh.rating_for`` with the same FSRS scheduler). Every demo person's password is
``DEMO_PASSWORD``.
"""

from __future__ import annotations

import json
import math
import random
import time as clock
import zlib
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, time, timedelta

import sqlite_utils
from fsrs import Card

from quiz import auth, quizzes
from quiz.content.models import Pack
from quiz.mastery import mastery_row, next_recent
from quiz.presets import PRESETS, build_spec, preset
from quiz.questions.base import Answer, Grade, Question
from quiz.quizzes import draw_questions
from quiz.refresh import SCHEDULER, rating_for
from quiz.reports import LOCAL
from quiz.store.db import to_iso, transaction, utcnow

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


USER_FIELDS = (
    "id", "username", "display_name", "password_hash", "role_key", "is_admin", "is_facilitator", "created_at",
    "last_seen_at",
)  # fmt: skip
INTRO_FIELDS = ("user_id", "pack_id", "step", "updated_at", "completed_at")
ATTEMPT_FIELDS = (
    "id", "user_id", "pack_id", "kind", "spec_json", "questions_json", "position", "started_at", "finished_at", "score",
)  # fmt: skip
ANSWER_FIELDS = (
    "id", "user_id", "attempt_id", "question_index", "question_type", "statement_ids_json", "answer_json",
    "grade_json", "score", "correct", "time_taken_ms", "answered_at",
)  # fmt: skip
RESULT_FIELDS = ("answer_id", "user_id", "pack_id", "statement_id", "correct", "answered_at")
MASTERY_FIELDS = ("user_id", "pack_id", "statement_id", "recent", "mastery", "answered_at")
STATE_FIELDS = ("user_id", "pack_id", "statement_id", "card_json", "due_at", "last_review_at", "reps", "lapses")


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
    answers: list[dict] = field(default_factory=list)
    # statement id -> (recent results newest first, card, reps, lapses, last review)
    memory: dict[str, list] = field(default_factory=dict)


class _Generator:
    def __init__(self, db: sqlite_utils.Database, registry, pack: Pack, rng: random.Random, now: datetime, weeks: int):
        self.db, self.registry, self.pack, self.rng, self.now = db, registry, pack, rng, now
        self.start = now - timedelta(weeks=weeks)
        self.everyone = [r.key for r in pack.manifest.roles if r.everyone]
        self.ease = {s.id: rng.gauss(0, 0.6) + PERSPECTIVE_EASE.get(s.perspective, 0) for s in pack.statements}
        self.single_type_presets = [p.key for p in PRESETS if len(p.types) == 1]
        self._quizzes: dict[tuple, tuple[dict, list[Question], str]] = {}
        self._grades: dict[tuple, tuple[Grade, str, dict]] = {}
        self.password_hash = auth.hash_password(DEMO_PASSWORD)
        self.next_attempt = (db.execute("SELECT MAX(id) FROM attempts").fetchone()[0] or 0) + 1
        self.next_answer = (db.execute("SELECT MAX(id) FROM answers").fetchone()[0] or 0) + 1
        self.counts = {"attempts": 0, "answers": 0, "statement_results": 0}

    # --- quizzes -----------------------------------------------------------------------------

    def quiz_for(self, person: _Person) -> tuple[tuple, dict, list[Question], str]:
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
            self._quizzes[cache_key] = (spec.model_dump(mode="json"), questions, questions_json)
        return (cache_key, *self._quizzes[cache_key])

    def chance(self, person: _Person, statement_id: str) -> float:
        """How likely the person places the statement right now: skill, own role, difficulty, practice."""
        statement = self.pack.statements_by_id[statement_id]
        own = 0.45 if statement.role == person.role_key else 0.2 if statement.role in self.everyone else 0.0
        practice = min(1.6, 0.3 * len(person.memory.get(statement_id, [""])[0]))
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

    def grade(self, quiz_key: tuple, index: int, question: Question, answer: Answer) -> tuple[Grade, str, dict]:
        """The real question type's grade, its JSON and per-statement results (memoised: answers repeat)."""
        key = (quiz_key, index, answer if isinstance(answer, str) else tuple(answer))
        if key not in self._grades:
            grade = quizzes.grade(question, answer, self.registry, pack_id=self.pack.id)
            per_statement = dict(grade.per_statement) or {sid: grade.correct for sid in question.statement_ids}
            self._grades[key] = (grade, json.dumps(asdict(grade), ensure_ascii=False), per_statement)
        return self._grades[key]

    # --- one person's history ------------------------------------------------------------------

    def history(self, person: _Person, *, attempts: int, leave_open: bool) -> tuple[list[dict], list[dict]]:
        """The person's attempts and answers, taken one after another from their first week on."""
        attempt_rows, answer_rows = [], []
        moment = person.joined_at + timedelta(hours=self.rng.uniform(0.2, 3))
        for n in range(attempts):
            if moment >= self.now - HISTORY_BEFORE_NOW:
                break
            quiz_key, spec, questions, questions_json = self.quiz_for(person)
            attempt_id = self.next_attempt
            self.next_attempt += 1
            started_at = moment
            last = n == attempts - 1
            stop_after = self.rng.randrange(1, len(questions)) if last and leave_open else len(questions)
            scores = []
            for index, question in enumerate(questions[:stop_after]):
                per_question_ms = self.rng.lognormvariate(math.log(9000), 0.45) * max(1, len(question.statement_ids))
                moment += timedelta(milliseconds=per_question_ms)
                answer = self.answer(person, question)
                graded = self.grade(quiz_key, index, question, answer)
                answer_rows.append(
                    self.record(person, attempt_id, index, question, answer, graded, per_question_ms, moment)
                )
                scores.append(graded[0].score)
            finished = stop_after == len(questions)
            attempt_rows.append(
                {
                    "id": attempt_id,
                    "user_id": person.id,
                    "pack_id": self.pack.id,
                    "kind": "quiz",
                    "spec_json": json.dumps(spec, ensure_ascii=False),
                    "questions_json": questions_json,
                    "position": stop_after,
                    "started_at": to_iso(started_at),
                    "finished_at": to_iso(moment) if finished else None,
                    "score": sum(scores) / len(scores) if finished else None,
                }
            )
            # The next visit: often the same day, mostly within a few days.
            gap = self.rng.choice([0.05, 0.5, 20, 26, 50, 75, 120, 170]) * self.rng.uniform(0.8, 1.3)
            moment = _working_hours(moment + timedelta(hours=gap), self.rng)
        return attempt_rows, answer_rows

    def record(self, person, attempt_id, index, question, answer, graded, ms: float, moment: datetime) -> tuple:
        """The answer row, as submit_answer stores it, and its effect on mastery and spaced repetition."""
        grade, grade_json, per_statement = graded
        answer_id = self.next_answer
        self.next_answer += 1
        for sid, ok in per_statement.items():
            recent, card, reps, lapses, _ = person.memory.get(sid) or ["", None, 0, 0, None]
            # As quiz.refresh.record_review: a new card is due now, and a first answer is never "easy".
            rating = rating_for(ok, int(ms), statements=len(per_statement), card=card)
            card, _log = SCHEDULER.review_card(card or Card(card_id=1, due=moment), rating, review_datetime=moment)
            person.memory[sid] = [next_recent(recent or None, correct=ok), card, reps + 1, lapses + (not ok), moment]
        answer_row = (
            answer_id,
            person.id,
            attempt_id,
            index,
            question.type,
            json.dumps(list(question.statement_ids)),
            json.dumps(answer, ensure_ascii=False),
            grade_json,
            float(grade.score),
            int(grade.correct),
            int(ms),
            to_iso(moment),
        )
        return answer_row, per_statement

    # --- writing ------------------------------------------------------------------------------

    def write(self, people: list[_Person], user_rows, intro_rows, attempt_rows, answer_rows) -> None:
        """Insert one chunk of people with everything they did, in one transaction."""
        results, mastery_rows, state_rows = [], [], []
        for row, per_statement in answer_rows:
            results.extend((row[0], row[1], self.pack.id, sid, int(ok), row[11]) for sid, ok in per_statement.items())
        for person in people:
            for sid, (recent, card, reps, lapses, last) in person.memory.items():
                last_at = to_iso(last)
                mastery_rows.append(mastery_row(person.id, self.pack.id, sid, recent, last))
                state_rows.append(
                    (person.id, self.pack.id, sid, card.to_json(), to_iso(card.due), last_at, reps, lapses)
                )
        tables = [
            ("users", USER_FIELDS, [tuple(r[f] for f in USER_FIELDS) for r in user_rows]),
            ("intro_progress", INTRO_FIELDS, [tuple(r[f] for f in INTRO_FIELDS) for r in intro_rows]),
            ("attempts", ATTEMPT_FIELDS, [tuple(r[f] for f in ATTEMPT_FIELDS) for r in attempt_rows]),
            ("answers", ANSWER_FIELDS, [row for row, _ in answer_rows]),
            ("statement_results", RESULT_FIELDS, results),
            ("statement_mastery", MASTERY_FIELDS, mastery_rows),
            ("learning_state", STATE_FIELDS, state_rows),
        ]
        with transaction(self.db):
            for table, fields, rows in tables:
                # executemany over a fixed statement: the table API's per-value checks cost more than
                # the writing itself at a million rows. Table and column names are constants here.
                sql = f"INSERT INTO {table} ({', '.join(fields)}) VALUES ({', '.join('?' * len(fields))})"
                self.db.conn.executemany(sql, rows)
        self.counts["attempts"] += len(attempt_rows)
        self.counts["answers"] += len(answer_rows)
        self.counts["statement_results"] += len(results)


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
    e-mail address (``quiz.devtools.demo_org``). Deterministic for the same ``seed`` and ``now``.
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
    intro_steps = len(pack.intro)
    usernames = []
    for chunk_start in range(0, users, CHUNK):
        people, user_rows, intro_rows, attempt_rows, answer_rows = [], [], [], [], []
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
            people.append(person)
            usernames.append(person.username)
            engagement = rng.random()
            last_seen = None
            if engagement >= 0.05 and intro_steps:
                read_all = engagement >= 0.1
                done_at = joined + timedelta(minutes=rng.uniform(5, 25))
                intro_rows.append(
                    {
                        "user_id": person.id,
                        "pack_id": pack.id,
                        "step": intro_steps - 1 if read_all else rng.randrange(intro_steps),
                        "updated_at": to_iso(done_at),
                        "completed_at": to_iso(done_at) if read_all else None,
                    }
                )
                last_seen = done_at
            if engagement >= 0.15:
                count = max(1, round(rng.gauss(10, 4)))
                attempts, answers = gen.history(person, attempts=count, leave_open=rng.random() < 0.15)
                attempt_rows += attempts
                answer_rows += answers
                if answers:
                    last_seen = datetime.fromisoformat(answers[-1][0][11])
            user_rows.append(
                {
                    "id": person.id,
                    "username": person.username,
                    "display_name": person.display_name,
                    "password_hash": gen.password_hash,
                    "role_key": role,
                    "is_admin": 0,
                    "is_facilitator": int(role != "medarbejder" and rng.random() < 0.1),
                    "created_at": to_iso(joined),
                    "last_seen_at": to_iso(last_seen) if last_seen else None,
                }
            )
        gen.write(people, user_rows, intro_rows, attempt_rows, answer_rows)
        if progress is not None:
            progress(min(users, chunk_start + CHUNK), users)
    live = add_demo_live_session(db, registry, pack, usernames, now=now, rng=rng)
    from quiz.devtools.demo_org import organise

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
    None when this installation has no live sessions (``quiz.live`` missing or without the
    expected functions).
    """
    try:
        from quiz import live
    except ImportError:
        return None
    needed = ("create_session", "join", "start", "submit_answer", "reveal", "next_question", "end")
    if not all(hasattr(live, name) for name in needed) or not usernames:
        return None
    from quiz.quizzes import QuizSpec

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
