"""Match question: place four statements, one from each perspective, on the four perspectives."""

from __future__ import annotations

import random

from quiz.content.models import Pack, Statement
from quiz.hookspecs import hookimpl
from quiz.questions.base import Answer, Grade, Question
from quiz.questions.common import (
    assign_results,
    distinct_texts,
    one_perspective,
    perspective_label,
    perspective_options,
    placement,
    share,
    statement_item,
    unused,
)


def _one_per_perspective(pack: Pack, candidates: list[Statement], rng: random.Random) -> list[Statement] | None:
    by_perspective: dict[str, list[Statement]] = {p: [] for p in pack.perspectives}
    for s in candidates:
        by_perspective[s.perspective].append(s)
    if not all(by_perspective.values()):
        return None
    return [rng.choice(group) for group in by_perspective.values()]


class MatchQuestion:
    """One statement per perspective, ideally all from the same role; assign each a perspective."""

    key = "match"
    label = "Match"
    description = "Sæt fire udsagn sammen med hvert sit perspektiv."
    prompt = "Sæt hvert udsagn sammen med sit perspektiv. Hvert perspektiv bruges én gang."

    def generate(self, pack: Pack, pool: list[Statement], rng: random.Random, used: set[str]) -> Question | None:
        if len(pack.perspectives) < 2:
            return None
        # A sentence under two perspectives would make "each perspective once" ambiguous.
        candidates = distinct_texts(one_perspective(pack, unused(pack, pool, used)))
        # Statements of one role differ only in perspective: that is what the question trains.
        roles = list(dict.fromkeys(s.role for s in candidates))
        rng.shuffle(roles)
        chosen = None
        for role in roles:
            chosen = _one_per_perspective(pack, [s for s in candidates if s.role == role], rng)
            if chosen:
                break
        chosen = chosen or _one_per_perspective(pack, candidates, rng)
        if not chosen:
            return None
        rng.shuffle(chosen)
        return Question(
            type=self.key,
            kind="assign",
            prompt=self.prompt,
            options=perspective_options(pack),
            accepted=tuple(pack.perspectives_of(s) for s in chosen),
            items=tuple(statement_item(s) for s in chosen),
            statement_ids=tuple(s.id for s in chosen),
            pack_id=pack.id,
        )

    def grade(self, question: Question, answer: Answer, pack: Pack) -> Grade:
        results = assign_results(question, answer)
        statements = [pack.statement(i) for i in question.statement_ids]
        return Grade(
            score=share(results),
            correct=all(results),
            right_answer="\n".join(f"»{s.text}« → {perspective_label(pack, s.perspective)}" for s in statements),
            explanation="\n".join(placement(pack, s, quote=True) for s in statements),
            per_statement={s.id: ok for s, ok in zip(statements, results, strict=True)},
        )


question_type = MatchQuestion()


@hookimpl
def register_question_types(register):
    register(question_type)
