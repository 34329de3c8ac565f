"""A question type plugin: is this statement under this perspective, true or false?"""

import random

from quiz.content import Pack, Statement
from quiz.hookspecs import hookimpl
from quiz.questions.base import Answer, Grade, Item, Option, Question


class TrueOrFalse:
    key = "true_or_false"
    label = "Sandt eller falsk"
    description = "Passer perspektivet til udsagnet?"

    def generate(self, pack: Pack, pool: list[Statement], rng: random.Random, used: set[str]) -> Question | None:
        candidates = [s for s in pool if s.id not in used]
        if not candidates:
            return None
        statement = rng.choice(candidates)
        claimed = rng.choice(list(pack.perspectives))
        right = "sandt" if claimed in pack.perspectives_of(statement) else "falsk"
        name = pack.perspectives[claimed].danish_name
        return Question(
            type=self.key,
            kind="choice",
            prompt=f"Udsagnet hører til perspektivet »{name}«. Sandt eller falsk?",
            options=(Option("sandt", "Sandt"), Option("falsk", "Falsk")),
            accepted=((right,),),
            items=(Item(text=statement.text, statement_id=statement.id),),
            statement_ids=(statement.id,),
            pack_id=pack.id,
        )

    def grade(self, question: Question, answer: Answer, pack: Pack) -> Grade:
        statement = pack.statement(question.statement_ids[0])
        correct = answer in question.accepted[0]  # a malformed answer is simply not accepted
        perspective = pack.perspectives[statement.perspective]
        return Grade(
            score=1.0 if correct else 0.0,
            correct=correct,
            right_answer=question.option_label(question.accepted[0][0]),
            explanation=f'Udsagnet står under {perspective.name} – "{perspective.danish_name}".',
            per_statement={statement.id: correct},
        )


@hookimpl
def register_question_types(register):
    register(TrueOrFalse())
