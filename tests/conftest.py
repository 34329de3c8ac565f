"""Shared fixtures: a real progress.db under tmp_path, and a tiny content pack with a fake question type.

The fake type keeps tests of storage, mastery and scheduling independent of the built-in question
types' wording and drawing.
"""

from __future__ import annotations

import os
import random
from types import SimpleNamespace

import pytest
from hypothesis import settings

from quiz.content.models import Manifest, Pack, Perspective, Role, Statement
from quiz.questions.base import Answer, Grade, Option, Question
from quiz.store import Store, create_user, open_db

# In CI the property tests try the same inputs every run, so a red CI means this change broke
# something; run locally, each run explores new inputs (and a failure prints how to replay it).
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture
def db_path(tmp_path, monkeypatch):
    path = tmp_path / "progress.db"
    monkeypatch.setenv("QUIZ_DB", str(path))
    return path


@pytest.fixture
def store(db_path):
    store = Store(db_path)
    yield store
    store.close()


@pytest.fixture
def db(store):
    return store.db


@pytest.fixture
def live_people(db_path):
    """A facilitator and a learner in progress.db, for the live pages' AppTests (own connection)."""
    db = open_db(db_path)
    found = {
        "facilitator": create_user(db, "fie", "Fie Facilitator", "hemmelig123", is_facilitator=True),
        "learner": create_user(db, "lene", "Lene Leder", "hemmelig123"),
    }
    yield db, found
    db.close()


class PlaceType:
    """A fake question type: "which perspective does this statement belong to?"."""

    key = "place"
    label = "Placér"
    description = "Placér udsagnet under sit perspektiv."

    def generate(self, pack: Pack, pool: list[Statement], rng: random.Random, used: set[str]) -> Question | None:
        free = [s for s in pool if s.id not in used]
        if not free:
            return None
        s = rng.choice(free)
        return place_question(pack, s)

    def grade(self, question: Question, answer: Answer, pack: Pack) -> Grade:
        if question.kind == "assign":
            answers = answer if isinstance(answer, list) else []
            oks = [i < len(answers) and answers[i] in acc for i, acc in enumerate(question.accepted)]
            per = {item.statement_id: ok for item, ok in zip(question.items, oks, strict=True)}
            score = sum(oks) / len(oks)
            return Grade(score, all(oks), "", "", per)
        ok = answer in question.accepted[0]
        return Grade(1.0 if ok else 0.0, ok, question.accepted[0][0], "", {question.statement_ids[0]: ok})


def place_question(pack: Pack, statement: Statement) -> Question:
    return Question(
        type="place",
        kind="choice",
        prompt=statement.text,
        options=tuple(Option(p.key, p.name) for p in pack.manifest.perspectives),
        accepted=((statement.perspective,),),
        statement_ids=(statement.id,),
        pack_id=pack.id,
    )


def right_answer(question: Question) -> Answer:
    return question.accepted[0][0] if question.kind == "choice" else [acc[0] for acc in question.accepted]


def wrong_answer(question: Question) -> Answer:
    keys = [o.key for o in question.options]
    wrong = [[k for k in keys if k not in acc][0] for acc in question.accepted]
    return wrong[0] if question.kind == "choice" else wrong


@pytest.fixture
def pack() -> Pack:
    """Two perspectives x (one role + everyone), two statements per cell: eight statements."""
    manifest = Manifest(
        id="mini",
        title="Mini",
        language="da",
        version="1",
        description="En lille testpakke.",
        perspectives=[
            Perspective(key="compliance", name="Compliance", danish_name="Sammen sikrer vi driften", explanation="x"),
            Perspective(key="emergens", name="Emergens", danish_name="Sammen skaber vi velfærd", explanation="y"),
        ],
        roles=[
            Role(key="medarbejder", name="Medarbejder", description="m"),
            Role(key="alle", name="Alle", description="a", everyone=True),
        ],
    )
    statements = [
        Statement(id=f"{role}.{persp}.{n}", text=f"Udsagn {role} {persp} {n}.", perspective=persp, role=role)
        for role in ("medarbejder", "alle")
        for persp in ("compliance", "emergens")
        for n in (1, 2)
    ]
    return Pack(manifest=manifest, statements=statements)


@pytest.fixture
def registry(pack):
    return SimpleNamespace(question_types={"place": PlaceType()}, packs={pack.id: pack})
