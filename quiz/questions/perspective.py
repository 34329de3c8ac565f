"""Perspective question: which of the four perspectives does this statement belong to?"""

from __future__ import annotations

import random
from dataclasses import replace

from quiz.content.models import Pack, Statement
from quiz.hookspecs import hookimpl
from quiz.i18n import t
from quiz.questions.base import Answer, Grade, Question
from quiz.questions.common import (
    CatalogueNames,
    grade_single_statement,
    perspective_label,
    perspective_options,
    single_statement_question,
    translated_items,
    translated_options,
    unused,
)


class PerspectiveQuestion(CatalogueNames):
    """One statement; pick its perspective among all of the pack's perspectives."""

    key = "perspective"

    def generate(self, pack: Pack, pool: list[Statement], rng: random.Random, used: set[str]) -> Question | None:
        candidates = unused(pack, pool, used)
        if not candidates or len(pack.perspectives) < 2:
            return None
        statement = rng.choice(candidates)
        return single_statement_question(
            self.key,
            t("questions.perspective.prompt"),
            pack,
            statement,
            perspective_options(pack),
            pack.perspectives_of(statement),
        )

    def grade(self, question: Question, answer: Answer, pack: Pack) -> Grade:
        return grade_single_statement(question, answer, pack, perspective_label)

    def translate(self, question: Question, pack: Pack) -> Question:
        """``question`` in ``pack``'s language (the current one): the same keys, other words."""
        return replace(
            question,
            prompt=t("questions.perspective.prompt"),
            options=translated_options(question, lambda k: perspective_label(pack, k)),
            items=translated_items(question, pack),
        )


question_type = PerspectiveQuestion()


@hookimpl
def register_question_types(register):
    register(question_type)
