"""A learner's quiz attempts: answering, resuming, finishing and looking back."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest

from quiz.attempts import (
    AttemptError,
    attempt_history,
    finish_attempt,
    get_attempt,
    open_attempt,
    start_attempt,
    submit_answer,
    summary,
)
from quiz.questions.base import Item, Option, Question
from quiz.store import Store, create_user, open_db
from tests.conftest import place_question, right_answer, wrong_answer

NOW = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def learner(db):
    return create_user(db, "lærling", "Lærling", "hemmelig123")


def questions_for(pack, n=4):
    return [place_question(pack, s) for s in pack.statements[:n]]


def test_learner_resumes_quiz_after_restart_with_same_questions(db_path, pack, registry):
    db = open_db(db_path)
    user = create_user(db, "lærling", "Lærling", "hemmelig123")
    questions = questions_for(pack)
    attempt_id = start_attempt(db, user.id, {"pack_id": "mini", "title": "Prøv"}, questions, now=NOW)
    submit_answer(db, attempt_id, 0, right_answer(questions[0]), time_taken_ms=3000, registry=registry, now=NOW)
    db.close()

    reopened = open_db(db_path)
    attempt = open_attempt(reopened, user.id)
    assert attempt.id == attempt_id
    assert attempt.questions == questions
    assert attempt.position == 1
    assert attempt.current_question == questions[1]
    assert attempt.spec == {"pack_id": "mini", "title": "Prøv"}
    assert attempt.answers[0].grade.correct
    assert not attempt.finished


def test_last_answer_finishes_the_attempt_with_the_mean_score(db, learner, pack, registry):
    questions = questions_for(pack)
    attempt_id = start_attempt(db, learner.id, {"pack_id": "mini"}, questions)
    for i, q in enumerate(questions):
        answer = right_answer(q) if i % 2 == 0 else wrong_answer(q)
        grade = submit_answer(db, attempt_id, i, answer, time_taken_ms=2000, registry=registry, now=NOW)
        assert grade.correct == (i % 2 == 0)
    attempt = get_attempt(db, attempt_id)
    assert attempt.finished and attempt.finished_at == NOW
    assert attempt.score == 0.5
    assert open_attempt(db, learner.id) is None
    result = summary(attempt)
    assert (result.correct, result.answered, result.total, result.score) == (2, 4, 4, 0.5)
    assert result.missed_statement_ids == [questions[1].statement_ids[0], questions[3].statement_ids[0]]


def test_answering_the_same_question_twice_keeps_the_first_answer(db, learner, pack, registry):
    questions = questions_for(pack, 2)
    attempt_id = start_attempt(db, learner.id, {"pack_id": "mini"}, questions)
    first = submit_answer(db, attempt_id, 0, wrong_answer(questions[0]), time_taken_ms=1, registry=registry)
    second = submit_answer(db, attempt_id, 0, right_answer(questions[0]), time_taken_ms=1, registry=registry)
    assert second == first and not second.correct
    assert db["answers"].count == 1
    assert db["learning_state"].get((learner.id, "mini", questions[0].statement_ids[0]))["reps"] == 1
    assert get_attempt(db, attempt_id).position == 1


def test_answers_outside_the_attempt_are_refused(db, learner, pack, registry):
    questions = questions_for(pack, 1)
    attempt_id = start_attempt(db, learner.id, {"pack_id": "mini"}, questions)
    with pytest.raises(AttemptError):
        submit_answer(db, attempt_id, 1, "compliance", time_taken_ms=1, registry=registry)
    with pytest.raises(AttemptError):
        get_attempt(db, 999)
    with pytest.raises(AttemptError):
        start_attempt(db, learner.id, {"pack_id": "mini"}, [])


def test_stopping_early_scores_the_answered_questions(db, learner, pack, registry):
    questions = questions_for(pack, 3)
    attempt_id = start_attempt(db, learner.id, {"pack_id": "mini"}, questions)
    submit_answer(db, attempt_id, 0, right_answer(questions[0]), time_taken_ms=1, registry=registry)
    assert finish_attempt(db, attempt_id, now=NOW) == 1.0
    assert finish_attempt(db, attempt_id, now=NOW + timedelta(hours=1)) == 1.0
    assert get_attempt(db, attempt_id).finished_at == NOW
    with pytest.raises(AttemptError):
        submit_answer(db, attempt_id, 1, right_answer(questions[1]), time_taken_ms=1, registry=registry)


def test_partly_right_assign_answer_gives_partial_credit_and_names_the_misses(db, learner, pack, registry):
    a, b = pack.statements[0], pack.statements[2]
    question = Question(
        type="place",
        kind="assign",
        prompt="Placér udsagnene",
        options=(Option("compliance", "Compliance"), Option("emergens", "Emergens")),
        accepted=((a.perspective,), (b.perspective,)),
        items=(Item(a.text, a.id), Item(b.text, b.id)),
        statement_ids=(a.id, b.id),
        pack_id="mini",
    )
    attempt_id = start_attempt(db, learner.id, {"pack_id": "mini"}, [question])
    grade = submit_answer(db, attempt_id, 0, [a.perspective, a.perspective], time_taken_ms=9000, registry=registry)
    assert grade.score == 0.5 and not grade.correct
    assert summary(get_attempt(db, attempt_id)).missed_statement_ids == [b.id]
    results = {r["statement_id"]: r["correct"] for r in db["statement_results"].rows}
    assert results == {a.id: 1, b.id: 0}


def test_open_attempt_picks_the_newest_unfinished_of_a_kind(db, learner, pack):
    questions = questions_for(pack, 2)
    quiz_id = start_attempt(db, learner.id, {"pack_id": "mini"}, questions, now=NOW)
    refresh_id = start_attempt(db, learner.id, {"pack_id": "mini"}, questions, kind="refresh", now=NOW)
    assert open_attempt(db, learner.id).id == refresh_id
    assert open_attempt(db, learner.id, kind="quiz").id == quiz_id
    with pytest.raises(AttemptError):
        start_attempt(db, learner.id, {"pack_id": "mini"}, questions, kind="exam")


def test_history_lists_attempts_newest_first_with_progress(db, learner, pack, registry):
    questions = questions_for(pack, 2)
    old = start_attempt(db, learner.id, {"pack_id": "mini", "title": "Første"}, questions, now=NOW)
    new = start_attempt(db, learner.id, {"pack_id": "mini"}, questions, now=NOW + timedelta(days=1))
    submit_answer(db, old, 0, right_answer(questions[0]), time_taken_ms=1, registry=registry)
    rows = attempt_history(db, learner.id)
    assert [r.id for r in rows] == [new, old]
    assert (rows[1].title, rows[1].answered, rows[1].total) == ("Første", 1, 2)
    assert attempt_history(db, learner.id, pack_id="other") == []


def test_two_devices_answering_at_once_lose_nothing(db_path, pack, registry):
    """One person, two attempts on two threads (each its own connection), 20 answers each."""
    store = Store(db_path)
    user = create_user(store.db, "travl", "Travl", "hemmelig123")
    statement = pack.statements[0]
    questions = [place_question(pack, statement)] * 20
    attempt_ids = [start_attempt(store.db, user.id, {"pack_id": "mini"}, questions) for _ in range(2)]
    errors = []
    barrier = threading.Barrier(2)

    def answer_all(attempt_id):
        try:
            barrier.wait()
            for i in range(20):
                submit_answer(store.db, attempt_id, i, "compliance", time_taken_ms=4000, registry=registry)
        except Exception as exc:  # surfaced below; a thread's exception would otherwise vanish
            errors.append(exc)
        finally:
            store.close()

    threads = [threading.Thread(target=answer_all, args=(a,)) for a in attempt_ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == []
    db = store.db
    assert db["answers"].count == 40
    assert db["statement_results"].count == 40
    state = db["learning_state"].get((user.id, "mini", statement.id))
    assert state["reps"] == 40 and state["lapses"] == 0
    assert all(get_attempt(db, a).finished and get_attempt(db, a).score == 1.0 for a in attempt_ids)
