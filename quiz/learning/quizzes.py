"""Quizzes: which statements and question types a quiz draws from, and drawing its questions.

A quiz is described by a :class:`QuizSpec` and drawn with :func:`draw_questions`. The same spec
with the same seed draws the same questions, so a live session or a resumed attempt can be rebuilt.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Sequence
from itertools import cycle

from pydantic import BaseModel, ConfigDict, Field

from quiz.content.loader import content_root
from quiz.content.models import Pack, Statement
from quiz.i18n import Msg, current_language, use_language
from quiz.plugins import Registry, get_registry, pack_in, question_type_in
from quiz.questions.base import Answer, Grade, Question, question_shape

# The order an unspecified ``types`` list cycles through: plugin types come after, by key.
DEFAULT_TYPE_ORDER = ("perspective", "role", "match", "odd_one_out", "chain", "values")


class QuizSpec(BaseModel):
    """What a quiz asks about: a pack, optionally narrowed to perspectives and roles."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    pack_id: str
    perspectives: list[str] = Field(default_factory=list, description="Empty means all.")
    roles: list[str] = Field(default_factory=list, description="Empty means all, e.g. ['medarbejder', 'alle'].")
    length: int = Field(default=10, ge=1, le=500)
    types: list[str] = Field(default_factory=list, description="Question type keys to cycle through; empty means all.")
    statement_ids: list[str] = Field(
        default_factory=list, description="Only these statements (e.g. the refresh queue); empty means no limit."
    )
    seed: int | None = None
    title: str | None = Field(default=None, description="Title shown to the learner (in the language it was made in).")


class UnknownKeys(ValueError):
    """A quiz names perspectives or roles the pack does not have (``args[0]`` is the :class:`Msg`)."""

    def __str__(self) -> str:
        return str(self.args[0])


def statement_pool(
    pack: Pack, perspectives: list[str] | tuple[str, ...] = (), roles: list[str] | tuple[str, ...] = ()
) -> list[Statement]:
    """The pack's statements under the given perspectives and roles (empty means all).

    Unknown keys raise :class:`UnknownKeys` (a ``ValueError``) rather than quietly giving an empty quiz.
    """
    for what, wanted, known in (
        ("quizzes.unknown_perspective", perspectives, pack.perspectives),
        ("quizzes.unknown_role", roles, pack.roles),
    ):
        unknown = [k for k in wanted if k not in known]
        if unknown:
            raise UnknownKeys(Msg(what, pack=pack.id, unknown=", ".join(unknown), known=", ".join(known)))
    return [
        s
        for s in pack.statements
        if (not perspectives or s.perspective in perspectives) and (not roles or s.role in roles)
    ]


def quiz_types(spec: QuizSpec, registry: Registry) -> list[str]:
    """The question type keys the quiz cycles through, in order."""
    if not spec.types:
        known = [k for k in DEFAULT_TYPE_ORDER if k in registry.question_types]
        return known + sorted(k for k in registry.question_types if k not in known)
    for key in spec.types:
        question_type_in(registry, key)  # raises, naming the registered keys
    return list(spec.types)


def used_ids(question: Question) -> set[str]:
    """Ids a question uses up: its statements, plus synthetic topic ids in ``data["used"]``."""
    return set(question.statement_ids) | set(question.data.get("used", ()))


def draw_questions(spec: QuizSpec, registry: Registry | None = None) -> list[Question]:
    """Draw up to ``spec.length`` questions, cycling through the spec's question types.

    No statement is used twice. A type that can make nothing more from what is left is dropped;
    when none can, the quiz is shorter rather than repeating itself.
    """
    registry = registry or get_registry()
    pack = pack_in(registry, spec.pack_id)
    pool = statement_pool(pack, spec.perspectives, spec.roles)
    if spec.statement_ids:
        wanted = set(spec.statement_ids)
        pool = [s for s in pool if s.id in wanted]
    rng = random.Random(spec.seed)
    live = quiz_types(spec, registry)
    used: set[str] = set()
    questions: list[Question] = []
    turns = cycle(list(live))
    while live and len(questions) < spec.length:
        key = next(turns)
        if key not in live:
            continue
        question = registry.question_types[key].generate(pack, pool, rng, used)
        # A type that returns nothing, or repeats a statement, has nothing new left to ask.
        if question is None or used & set(question.statement_ids):
            live.remove(key)
            continue
        questions.append(question)
        used |= used_ids(question)
    return questions


def grade(question: Question, answer: Answer, registry: Registry | None = None, *, pack_id: str = "") -> Grade:
    """Grade an answer with the question's own type and pack; malformed answers score 0.

    The one grading dispatcher (quizzes, attempts, live sessions). ``pack_id`` is the pack of a
    question stored without one (older attempts). The pack comes in the current language, so the
    right answer and the explanation are in the reader's words.
    """
    registry = registry or get_registry()
    pack = pack_in(registry, question.pack_id or pack_id)
    return question_type_in(registry, question.type).grade(question, answer, pack)


@functools.lru_cache(maxsize=512)
def _redrawn(spec_json: str, lang: str, root: str) -> tuple[Question, ...]:
    try:
        with use_language(lang):
            return tuple(draw_questions(QuizSpec.model_validate_json(spec_json), get_registry(lang)))
    except (KeyError, ValueError):
        return ()


def shown_in(spec: QuizSpec, questions: Sequence[Question], lang: str | None = None) -> list[Question]:
    """``questions``, drawn for ``spec``, with their words in ``lang`` (default: the current language).

    A live session's phones, or a quiz resumed after a language change, show the stored questions
    in the reader's language: the spec's seed draws them again from the pack in that language.
    A question whose redraw is not exactly the stored one (no seed, a changed pack) stays as
    stored, so what a person answers is always what is graded.
    """
    if spec.seed is None:
        return list(questions)
    again = _redrawn(spec.model_dump_json(), lang or current_language(), str(content_root()))
    same = [i < len(again) and question_shape(again[i]) == question_shape(q) for i, q in enumerate(questions)]
    return [again[i] if ok else q for i, (q, ok) in enumerate(zip(questions, same, strict=True))]
