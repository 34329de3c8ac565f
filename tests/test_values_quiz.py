"""The values quiz as a learner meets it: no answer given away in the question, and praise only for a full result."""

from __future__ import annotations

import random
from pathlib import Path

from streamlit.testing.v1 import AppTest

from quiz.learning import attempts
from quiz.learning.quizzes import QuizSpec, draw_questions
from quiz.plugins import get_registry
from quiz.questions.values import question_type as values
from quiz.store import create_user, open_db, set_user_role_key
from quiz.ui.pages import path as page_file
from tests.conftest import right_answer, wrong_answer

APP = str(Path(__file__).resolve().parents[1] / "app.py")


def test_a_value_described_in_the_question_does_not_carry_its_own_word():
    pack = get_registry().packs["hvidovrevejen"]
    rng, used, seen = random.Random(1), set(), {}
    while (question := values.generate(pack, [], rng, used)) is not None:
        used |= set(question.data["used"])
        if question.data["topic"].startswith("values:meaning:"):
            seen[question.data["topic"]] = question.items[0].text
    assert len(seen) == 3
    openness = seen["values:meaning:aabenhed"]
    assert "åbne" not in openness.casefold() and "___" in openness
    assert "engagerer" not in seen["values:meaning:engagement"].casefold()
    assert seen["values:meaning:dialog"].startswith("Vi taler sammen"), "a description without the word is left whole"


def test_a_values_quiz_with_one_of_five_right_is_not_praised_as_all_right(db_path):
    db = open_db(db_path)
    registry = get_registry()
    pack = registry.packs["hvidovrevejen"]
    learner = create_user(db, "mette", "Mette Ørsted", "hemmeligt1")
    set_user_role_key(db, learner.id, "medarbejder")
    spec = QuizSpec(pack_id=pack.id, types=["values"], length=5, seed=3)
    questions = draw_questions(spec, registry)
    attempt_id = attempts.start_attempt(db, learner.id, spec, questions)
    for index, question in enumerate(questions):
        answer = right_answer(question) if index == 0 else wrong_answer(question)
        attempts.submit_answer(db, attempt_id, index, answer, time_taken_ms=4000, registry=registry)
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["user_id"] = learner.id
    at.run()
    at.session_state["quiz_attempt_id"] = attempt_id
    at = at.switch_page(page_file("quiz")).run()
    assert not at.exception
    assert at.header[0].value == "Resultat: 20 %"
    assert not [s.value for s in at.success if "alt rigtigt" in s.value]
    assert "Du havde ikke alt rigtigt denne gang. Læs forklaringerne, og prøv igen." in [i.value for i in at.info]
    db.close()


def test_a_chain_question_puts_direktions_statement_anywhere_not_always_last_and_the_same_seed_the_same_way():
    from quiz.questions.chain import question_type as chain

    pack = get_registry().packs["hvidovrevejen"]
    places = []
    for seed in range(60):
        question = chain.generate(pack, list(pack.statements), random.Random(seed), set())
        places.append([roles[0] for roles in question.accepted].index("direktion"))
        again = chain.generate(pack, list(pack.statements), random.Random(seed), set())
        assert again.items == question.items, "the quiz's seed decides the order, so a resumed quiz is the same"
    assert set(places) == set(range(len(pack.chain_roles))), "every place in the list, not alphabetical"
    texts_sorted = sum(
        [i.text for i in q.items] == sorted(i.text for i in q.items)
        for q in (chain.generate(pack, list(pack.statements), random.Random(s), set()) for s in range(60))
    )
    assert texts_sorted < 10
