"""Perspective question: which of the four perspectives does this statement belong to?"""

from __future__ import annotations

import random

from quiz.content.models import Pack, Statement
from quiz.hookspecs import hookimpl
from quiz.questions.base import Answer, Grade, Question
from quiz.questions.common import (
    choice_key,
    join_words,
    perspective_label,
    perspective_options,
    placement,
    statement_item,
    unused,
)


class PerspectiveQuestion:
    """One statement; pick its perspective among all of the pack's perspectives."""

    key = "perspective"
    label = "Perspektiv"
    description = "Hvilket perspektiv hører udsagnet til?"
    prompt = "Hvilket perspektiv hører udsagnet til?"

    def generate(self, pack: Pack, pool: list[Statement], rng: random.Random, used: set[str]) -> Question | None:
        candidates = unused(pack, pool, used)
        if not candidates or len(pack.perspectives) < 2:
            return None
        statement = rng.choice(candidates)
        return Question(
            type=self.key,
            kind="choice",
            prompt=self.prompt,
            options=perspective_options(pack),
            accepted=(pack.perspectives_of(statement),),
            items=(statement_item(statement),),
            statement_ids=(statement.id,),
            pack_id=pack.id,
        )

    def grade(self, question: Question, answer: Answer, pack: Pack) -> Grade:
        statement = pack.statement(question.statement_ids[0])
        correct = choice_key(question, answer) in question.accepted[0]
        return Grade(
            score=1.0 if correct else 0.0,
            correct=correct,
            right_answer=join_words((perspective_label(pack, k) for k in question.accepted[0]), "eller"),
            explanation=placement(pack, statement),
            per_statement={statement.id: correct},
        )


question_type = PerspectiveQuestion()


@hookimpl
def register_question_types(register):
    register(question_type)
