"""The value objects every question type speaks: Question, Answer, Grade, and the QuestionType protocol.

A question is plain data (JSON-serialisable through ``to_dict``/``from_dict``) so that an attempt can
be stored in progress.db and resumed after a restart with exactly the same questions.

Two input kinds cover every built-in type, and both work with keyboard and touch alone (no dragging):

- ``choice``: pick one of ``options``. The answer is one option key.
- ``assign``: for each of ``items``, pick one of ``options``. The answer is a list of option keys,
  one per item, in item order.
"""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass, field
from typing import Literal, Protocol, runtime_checkable

from quiz.content.models import Pack, Statement

Kind = Literal["choice", "assign"]
# A choice answer is one option key; an assign answer is one option key per item.
Answer = str | list[str]


@dataclass(frozen=True)
class Option:
    """Something a person can pick: a stable key and the Danish label shown."""

    key: str
    label: str


@dataclass(frozen=True)
class Item:
    """Something shown to be placed (usually a statement); ``statement_id`` is empty for other items."""

    text: str
    statement_id: str = ""


@dataclass(frozen=True)
class Question:
    """One generated question, with its answer key.

    ``accepted`` holds, for a choice, one tuple of accepted option keys; for an assign question one
    tuple per item. More than one key is accepted where the source places a sentence under several
    roles, so no one is ever marked wrong for a right answer.
    """

    type: str
    kind: Kind
    prompt: str
    options: tuple[Option, ...]
    accepted: tuple[tuple[str, ...], ...]
    items: tuple[Item, ...] = ()
    statement_ids: tuple[str, ...] = ()
    pack_id: str = ""
    # Extra data a question type needs for grading or explanations (JSON-serialisable).
    data: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> Question:
        return cls(
            type=d["type"],
            kind=d["kind"],
            prompt=d["prompt"],
            options=tuple(Option(**o) for o in d["options"]),
            accepted=tuple(tuple(a) for a in d["accepted"]),
            items=tuple(Item(**i) for i in d.get("items", ())),
            statement_ids=tuple(d.get("statement_ids", ())),
            pack_id=d.get("pack_id", ""),
            data=dict(d.get("data", {})),
        )

    def option_label(self, key: str) -> str:
        for option in self.options:
            if option.key == key:
                return option.label
        return key


@dataclass(frozen=True)
class Grade:
    """The outcome of one answer.

    ``score`` is 0..1 (partial credit for assign questions); ``correct`` means fully right;
    ``right_answer`` says the right answer and ``explanation`` places the statement(s) (role,
    perspective and the pack's perspective name), both in the current language. Only the facts are
    stored; a stored grade's words are rendered again when read (``quiz.learning.stored``).
    ``per_statement`` tells, for each statement id in the question, whether the person placed it
    right: mastery and spaced repetition use it.
    """

    score: float
    correct: bool
    right_answer: str
    explanation: str
    per_statement: dict[str, bool] = field(default_factory=dict)


@runtime_checkable
class QuestionType(Protocol):
    """What a question type plugin provides."""

    key: str  # stable id, e.g. "perspective"
    label: str  # Danish name shown when choosing a quiz, e.g. "Perspektiv"
    description: str  # one Danish sentence

    def generate(self, pack: Pack, pool: list[Statement], rng: random.Random, used: set[str]) -> Question | None:
        """Make one question from ``pool`` using no statement id in ``used``; None when it can't."""

    def grade(self, question: Question, answer: Answer, pack: Pack) -> Grade:
        """Grade ``answer`` to ``question``; never raises for a malformed answer (score 0)."""


def question_shape(question: Question) -> tuple:
    """What a question asks, apart from its words: the same shape in two languages is the same question."""
    return (
        question.type,
        question.kind,
        question.statement_ids,
        tuple(o.key for o in question.options),
        question.accepted,
        tuple(i.statement_id for i in question.items),
        question.pack_id,
    )
