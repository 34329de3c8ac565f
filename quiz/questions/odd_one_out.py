"""Odd one out: of four statements, three share a perspective; pick the one that doesn't."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import replace

from quiz.content.models import Pack, Statement
from quiz.hookspecs import hookimpl
from quiz.i18n import t
from quiz.questions.base import Answer, Grade, Option, Question
from quiz.questions.common import (
    CatalogueNames,
    choice_key,
    one_role_first,
    placement,
    single_perspective_candidates,
    translated_options,
)

GROUP = 3


def _pick(pack: Pack, candidates: list[Statement], rng: random.Random) -> tuple[list[Statement], Statement] | None:
    """Three statements of one perspective and one of another, or None."""
    by_perspective: dict[str, list[Statement]] = {}
    for s in candidates:
        by_perspective.setdefault(s.perspective, []).append(s)
    majorities = [p for p, group in by_perspective.items() if len(group) >= GROUP]
    rng.shuffle(majorities)
    for majority in majorities:
        odd_ones = [s for s in candidates if s.perspective != majority]
        if odd_ones:
            return rng.sample(by_perspective[majority], GROUP), rng.choice(odd_ones)
    return None


class OddOneOutQuestion(CatalogueNames):
    """Four statements, ideally of one role, so only the perspective tells the odd one apart."""

    key = "odd_one_out"

    def generate(self, pack: Pack, pool: list[Statement], rng: random.Random, used: set[str]) -> Question | None:
        candidates = single_perspective_candidates(pack, pool, used)
        picked = one_role_first(candidates, rng, lambda group: _pick(pack, group, rng))
        if not picked:
            return None
        three, odd = picked
        shown = [*three, odd]
        rng.shuffle(shown)
        return Question(
            type=self.key,
            kind="choice",
            prompt=t("questions.odd_one_out.prompt"),
            options=tuple(Option(s.id, s.text) for s in shown),
            accepted=((odd.id,),),
            statement_ids=tuple(s.id for s in shown),
            pack_id=pack.id,
            data={"majority": three[0].perspective},
        )

    def grade(self, question: Question, answer: Answer, pack: Pack) -> Grade:
        statements = [pack.statement(i) for i in question.statement_ids]
        odd_id = question.accepted[0][0]
        odd = pack.statement(odd_id)
        picked = choice_key(question, answer)
        correct = picked == odd_id
        # Not picking a statement says "it belongs with the others": right for the three.
        # A malformed answer says nothing: every statement counts as missed.
        per_statement = {s.id: correct or (picked is not None and s.id not in (odd_id, picked)) for s in statements}
        common = Counter(s.perspective for s in statements).most_common(1)[0][0]
        majority = pack.perspectives[question.data.get("majority", common)]
        odd_p = pack.perspectives[odd.perspective]
        return Grade(
            score=1.0 if correct else 0.0,
            correct=correct,
            right_answer=t(
                "questions.odd_one_out.right",
                text=odd.text,
                model=odd_p.name,
                own=odd_p.danish_name,
                others_model=majority.name,
                others_own=majority.danish_name,
            ),
            explanation="\n".join(placement(pack, s, quote=True) for s in statements),
            per_statement=per_statement,
        )

    def translate(self, question: Question, pack: Pack) -> Question:
        """``question`` in ``pack``'s language (the current one): the options are the statements by id."""
        return replace(
            question,
            prompt=t("questions.odd_one_out.prompt"),
            options=translated_options(question, lambda k: pack.statement(k).text),
        )


question_type = OddOneOutQuestion()


@hookimpl
def register_question_types(register):
    register(question_type)
