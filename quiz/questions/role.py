"""Role question: who says this? Pick the role whose page carries the statement."""

from __future__ import annotations

import random
from dataclasses import replace

from quiz.content.models import Pack, Statement
from quiz.hookspecs import hookimpl
from quiz.i18n import t
from quiz.questions.base import Answer, Grade, Option, Question
from quiz.questions.common import (
    CatalogueNames,
    grade_single_statement,
    role_name,
    single_statement_question,
    translated_items,
    translated_options,
    unused,
)

OPTION_COUNT = 4


def role_options(pack: Pack, accepted: tuple[str, ...], rng: random.Random) -> list[str]:
    """The accepted roles plus the nearest other roles in the hierarchy, in hierarchy order.

    Neighbouring roles are the plausible mix-ups: a centerchef's statement reads much like a
    leader of leaders', and the shared "Vi ..." statements read like the direktion's. Only
    accepted roles can be right, so no option is right without being accepted.
    """
    order = list(pack.roles)
    positions = [order.index(r) for r in accepted]
    others = [r for r in order if r not in accepted]
    rng.shuffle(others)  # random tie-break between equally near roles
    others.sort(key=lambda r: min(abs(order.index(r) - p) for p in positions))
    wanted = max(OPTION_COUNT - len(accepted), 1)
    chosen = set(accepted) | set(others[:wanted])
    return [r for r in order if r in chosen]


class RoleQuestion(CatalogueNames):
    """One statement; pick the role that says it. A sentence under several roles accepts each."""

    key = "role"

    def generate(self, pack: Pack, pool: list[Statement], rng: random.Random, used: set[str]) -> Question | None:
        candidates = unused(pack, pool, used)
        if not candidates or len(pack.roles) < 2:
            return None
        statement = rng.choice(candidates)
        accepted = pack.roles_of(statement)
        options = role_options(pack, accepted, rng)
        return single_statement_question(
            self.key,
            t("questions.role.prompt"),
            pack,
            statement,
            tuple(Option(r, role_name(pack, r)) for r in options),
            accepted,
        )

    def grade(self, question: Question, answer: Answer, pack: Pack) -> Grade:
        return grade_single_statement(question, answer, pack, role_name)

    def translate(self, question: Question, pack: Pack) -> Question:
        """``question`` in ``pack``'s language (the current one): the same keys, other words."""
        return replace(
            question,
            prompt=t("questions.role.prompt"),
            options=translated_options(question, lambda k: role_name(pack, k)),
            items=translated_items(question, pack),
        )


question_type = RoleQuestion()


@hookimpl
def register_question_types(register):
    register(question_type)
