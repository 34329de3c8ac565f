"""Match question: place four statements, one from each perspective, on the four perspectives."""

from __future__ import annotations

import random
from dataclasses import replace

from quiz.content.models import Pack, Statement
from quiz.hookspecs import hookimpl
from quiz.i18n import t
from quiz.questions.base import Answer, Grade, Question
from quiz.questions.common import (
    CatalogueNames,
    grade_assign,
    one_role_first,
    perspective_label,
    perspective_options,
    single_perspective_candidates,
    statement_item,
    translated_items,
    translated_options,
)


def _one_per_perspective(pack: Pack, candidates: list[Statement], rng: random.Random) -> list[Statement] | None:
    by_perspective: dict[str, list[Statement]] = {p: [] for p in pack.perspectives}
    for s in candidates:
        by_perspective[s.perspective].append(s)
    if not all(by_perspective.values()):
        return None
    return [rng.choice(group) for group in by_perspective.values()]


class MatchQuestion(CatalogueNames):
    """One statement per perspective, ideally all from the same role; assign each a perspective."""

    key = "match"

    def generate(self, pack: Pack, pool: list[Statement], rng: random.Random, used: set[str]) -> Question | None:
        if len(pack.perspectives) < 2:
            return None
        # A sentence under two perspectives would make "each perspective once" ambiguous.
        candidates = single_perspective_candidates(pack, pool, used)
        chosen = one_role_first(candidates, rng, lambda group: _one_per_perspective(pack, group, rng))
        if not chosen:
            return None
        rng.shuffle(chosen)
        return Question(
            type=self.key,
            kind="assign",
            prompt=t("questions.match.prompt"),
            options=perspective_options(pack),
            accepted=tuple(pack.perspectives_of(s) for s in chosen),
            items=tuple(statement_item(s) for s in chosen),
            statement_ids=tuple(s.id for s in chosen),
            pack_id=pack.id,
        )

    def grade(self, question: Question, answer: Answer, pack: Pack) -> Grade:
        return grade_assign(
            question,
            answer,
            pack,
            right=lambda s: t("questions.match.right", text=s.text, perspective=perspective_label(pack, s.perspective)),
        )

    def translate(self, question: Question, pack: Pack) -> Question:
        """``question`` in ``pack``'s language (the current one): the same keys, other words."""
        return replace(
            question,
            prompt=t("questions.match.prompt"),
            options=translated_options(question, lambda k: perspective_label(pack, k)),
            items=translated_items(question, pack),
        )


question_type = MatchQuestion()


@hookimpl
def register_question_types(register):
    register(question_type)
