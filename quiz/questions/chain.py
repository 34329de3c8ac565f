"""Chain question: one perspective down the chain of roles, from Direktion to Medarbejder."""

from __future__ import annotations

import random

from quiz.content.models import Pack, Statement
from quiz.hookspecs import hookimpl
from quiz.questions.base import Answer, Grade, Option, Question
from quiz.questions.common import (
    assign_results,
    distinct_texts,
    one_place,
    placement,
    role_name,
    share,
    statement_item,
    unused,
)


class ChainQuestion:
    """One statement from each role under one perspective; put each at its place in the chain."""

    key = "chain"
    label = "Kæden"
    description = "Følg ét perspektiv gennem kæden fra Direktion til Medarbejder."

    def generate(self, pack: Pack, pool: list[Statement], rng: random.Random, used: set[str]) -> Question | None:
        chain = pack.chain_roles
        if len(chain) < 2:
            return None
        # A sentence under two roles (Centerchef and Leder af ledere) would fit two places.
        candidates = distinct_texts(one_place(pack, unused(pack, pool, used)))
        perspectives = list(pack.perspectives)
        rng.shuffle(perspectives)
        for perspective in perspectives:
            by_role = {r: [s for s in candidates if s.perspective == perspective and s.role == r] for r in chain}
            if all(by_role.values()):
                break
        else:
            return None
        chosen = [rng.choice(by_role[r]) for r in chain]
        rng.shuffle(chosen)
        p = pack.perspectives[perspective]
        return Question(
            type=self.key,
            kind="assign",
            prompt=(
                f'Alle udsagnene står under {p.name} – "{p.danish_name}". Sæt hvert udsagn på '
                f"sin plads i kæden fra {role_name(pack, chain[0])} til "
                f"{role_name(pack, chain[-1])}."
            ),
            options=tuple(Option(r, f"{n}. {role_name(pack, r)}") for n, r in enumerate(chain, start=1)),
            accepted=tuple(pack.roles_of(s) for s in chosen),
            items=tuple(statement_item(s) for s in chosen),
            statement_ids=tuple(s.id for s in chosen),
            pack_id=pack.id,
            data={"perspective": perspective},
        )

    def grade(self, question: Question, answer: Answer, pack: Pack) -> Grade:
        results = assign_results(question, answer)
        statements = [pack.statement(i) for i in question.statement_ids]
        order = {r: n for n, r in enumerate(pack.chain_roles)}
        in_chain = sorted(statements, key=lambda s: order.get(s.role, len(order)))
        return Grade(
            score=share(results),
            correct=all(results),
            right_answer="\n".join(f"{question.option_label(s.role)}: »{s.text}«" for s in in_chain),
            explanation="\n".join(placement(pack, s, quote=True) for s in in_chain),
            per_statement={s.id: ok for s, ok in zip(statements, results, strict=True)},
        )


question_type = ChainQuestion()


@hookimpl
def register_question_types(register):
    register(question_type)
