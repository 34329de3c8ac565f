"""Chain question: one perspective down the chain of roles, from the top (Direktion) to Medarbejder."""

from __future__ import annotations

import random
from dataclasses import replace

from quiz.content.models import Pack, Statement
from quiz.hookspecs import hookimpl
from quiz.i18n import t
from quiz.questions.base import Answer, Grade, Option, Question
from quiz.questions.common import (
    CatalogueNames,
    distinct_texts,
    grade_assign,
    one_place,
    role_name,
    statement_item,
    translated_items,
    unused,
)


class ChainQuestion(CatalogueNames):
    """One statement from each role under one perspective; put each at its place in the chain."""

    key = "chain"

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
            prompt=t(
                "questions.chain.prompt",
                model=p.name,
                own=p.danish_name,
                first=role_name(pack, chain[0]),
                last=role_name(pack, chain[-1]),
            ),
            options=tuple(
                Option(r, t("questions.chain.option", n=n, role=role_name(pack, r)))
                for n, r in enumerate(chain, start=1)
            ),
            accepted=tuple(pack.roles_of(s) for s in chosen),
            items=tuple(statement_item(s) for s in chosen),
            statement_ids=tuple(s.id for s in chosen),
            pack_id=pack.id,
            data={"perspective": perspective},
        )

    def grade(self, question: Question, answer: Answer, pack: Pack) -> Grade:
        order = {r: n for n, r in enumerate(pack.chain_roles)}
        return grade_assign(
            question,
            answer,
            pack,
            order=lambda s: order.get(s.role, len(order)),
            right=lambda s: t("questions.chain.right", place=question.option_label(s.role), text=s.text),
        )

    def translate(self, question: Question, pack: Pack) -> Question:
        """``question`` in ``pack``'s language (the current one): the same keys, other words."""
        chain = pack.chain_roles
        p = pack.perspectives[question.data["perspective"]]
        return replace(
            question,
            prompt=t(
                "questions.chain.prompt",
                model=p.name,
                own=p.danish_name,
                first=role_name(pack, chain[0]),
                last=role_name(pack, chain[-1]),
            ),
            options=tuple(
                Option(o.key, t("questions.chain.option", n=n, role=role_name(pack, o.key)))
                for n, o in enumerate(question.options, start=1)
            ),
            items=translated_items(question, pack),
        )


question_type = ChainQuestion()


@hookimpl
def register_question_types(register):
    register(question_type)
