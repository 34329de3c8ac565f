"""A learner's quiz attempts: answering, resuming, finishing and looking back."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest

from quiz.learning.attempts import (
    AttemptError,
    attempt_history,
    finish_attempt,
    get_attempt,
    open_attempt,
    open_attempt_summary,
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


def _run_together(target, arg_tuples) -> None:
    """One thread per argument tuple, started together; returns when all have ended."""
    threads = [threading.Thread(target=target, args=args) for args in arg_tuples]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def test_learner_resumes_quiz_after_restart_with_same_questions(db_path, pack, registry):
    db = open_db(db_path)
    user = create_user(db, "lærling", "Lærling", "hemmelig123")
    questions = questions_for(pack)
    attempt_id = start_attempt(db, user.id, {"pack_id": "mini", "title": "Prøv"}, questions, now=NOW)
    submit_answer(db, attempt_id, 0, right_answer(questions[0]), time_taken_ms=3000, registry=registry, now=NOW)
    db.close()

    reopened = open_db(db_path)
    attempt = open_attempt(reopened, user.id, now=NOW)
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
    assert open_attempt(db, learner.id, now=NOW) is None
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
    assert _row(db, "learning_state", learner.id, questions[0].statement_ids[0])["reps"] == 1
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
    results = dict(
        db.execute("SELECT k.statement_id, r.correct FROM reviews r JOIN statement_keys k ON k.id = r.statement")
    )
    assert results == {a.id: 1, b.id: 0}


def test_open_attempt_picks_the_newest_unfinished_of_a_kind(db, learner, pack):
    questions = questions_for(pack, 2)
    quiz_id = start_attempt(db, learner.id, {"pack_id": "mini"}, questions, now=NOW)
    refresh_id = start_attempt(db, learner.id, {"pack_id": "mini"}, questions, kind="refresh", now=NOW)
    assert open_attempt(db, learner.id, now=NOW).id == refresh_id
    assert open_attempt(db, learner.id, kind="quiz", now=NOW).id == quiz_id
    with pytest.raises(AttemptError):
        start_attempt(db, learner.id, {"pack_id": "mini"}, questions, kind="exam")


def test_the_progress_pages_summary_of_the_open_attempt_agrees_with_the_attempt(db, learner, pack, registry):
    questions = questions_for(pack, 3)
    assert open_attempt_summary(db, learner.id, now=NOW) is None
    attempt_id = start_attempt(db, learner.id, {"pack_id": "mini", "title": "Tirsdag"}, questions, now=NOW)
    submit_answer(db, attempt_id, 0, right_answer(questions[0]), time_taken_ms=1, registry=registry, now=NOW)
    full, short = open_attempt(db, learner.id, now=NOW), open_attempt_summary(db, learner.id, now=NOW)
    assert (short.id, short.title, short.position, short.total) == (full.id, "Tirsdag", full.position, 3)
    assert short.position == 1, "one answered: the next question is the second"
    assert open_attempt_summary(db, learner.id, kind="refresh", now=NOW) is None
    assert open_attempt_summary(db, learner.id, now=NOW + timedelta(days=365)) is None, "stale, as open_attempt"


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

    _run_together(answer_all, [(a,) for a in attempt_ids])

    assert errors == []
    db = store.db
    assert db["answers"].count == 40
    assert db["reviews"].count == 40
    state = _row(db, "learning_state", user.id, statement.id)
    assert state["reps"] == 40 and state["lapses"] == 0
    assert all(get_attempt(db, a).finished and get_attempt(db, a).score == 1.0 for a in attempt_ids)


def test_sixteen_devices_answering_at_once_store_every_answer_once_and_learn_from_each(db_path, pack, registry):
    """Eight people on two devices each (16 threads, own connections), overlapping statements, each
    question sent twice: every answer is stored once, and mastery and cards follow from exactly the
    stored answers in the order they were committed."""
    from quiz.learning import mastery, refresh
    from quiz.store.db import from_micros

    store = Store(db_path)
    people = [create_user(store.db, f"travl{n}", f"Travl {n}", "hemmelig123") for n in range(8)]
    questions = [place_question(pack, pack.statements[i % 3]) for i in range(12)]
    runs = [(p.id, start_attempt(store.db, p.id, {"pack_id": "mini"}, questions)) for p in people for _ in range(2)]
    errors = []
    barrier = threading.Barrier(len(runs))

    def answer_all(n, attempt_id):
        try:
            barrier.wait()
            for i, question in enumerate(questions):
                given = right_answer(question) if (n + i) % 3 else wrong_answer(question)
                first = submit_answer(store.db, attempt_id, i, given, time_taken_ms=4000, registry=registry)
                again = submit_answer(
                    store.db, attempt_id, i, right_answer(question), time_taken_ms=1, registry=registry
                )
                assert again == first
        except Exception as exc:  # surfaced below; a thread's exception would otherwise vanish
            errors.append(exc)
        finally:
            store.close()

    _run_together(answer_all, [(n, a) for n, (_, a) in enumerate(runs)])

    assert errors == []
    db = store.db
    assert db["answers"].count == len(runs) * len(questions)
    assert db["reviews"].count == len(runs) * len(questions)
    for n, (_, attempt_id) in enumerate(runs):
        attempt = get_attempt(db, attempt_id)
        assert attempt.finished and attempt.position == len(questions)
        expected = [1.0 if (n + i) % 3 else 0.0 for i in range(len(questions))]
        assert [attempt.answers[i].grade.score for i in range(len(questions))] == expected
        assert attempt.score == pytest.approx(sum(expected) / len(expected))

    kept = {(r["user_id"], r["statement"]): r["recent"] for r in db["statement_mastery"].rows}
    mastery.rebuild_mastery(db)
    assert {(r["user_id"], r["statement"]): r["recent"] for r in db["statement_mastery"].rows} == kept
    # Each card is what reviewing the stored results one by one, in commit order, gives.
    results = db.execute(
        "SELECT r.user_id, k.statement_id, r.correct, r.answered_at FROM reviews r "
        "JOIN statement_keys k ON k.id = r.statement ORDER BY r.answer_id"
    ).fetchall()
    replayed = {}
    for user_id, sid, correct, answered_at in results:
        row, _log = refresh.review(
            user_id,
            "mini",
            sid,
            replayed.get((user_id, sid)),
            correct=bool(correct),
            time_taken_ms=4000,
            now=from_micros(answered_at),
        )
        replayed[(user_id, sid)] = tuple(row[3:])  # the card's columns, reps and lapses
    stored = refresh.stored_cards
    for user_id, sid in replayed:
        assert stored(db, user_id, "mini", [sid])[sid] == replayed[(user_id, sid)]


def _wait_until_queued_for_the_write_lock(thread: threading.Thread) -> None:
    """Until ``thread`` stands in ``quiz.store.db.transaction``: it has read and computed, and waits."""
    import sys
    import time

    for _ in range(2000):
        frame = sys._current_frames().get(thread.ident)
        if frame is not None and frame.f_code.co_name == "transaction":
            return
        time.sleep(0.005)
    raise AssertionError("the answering thread never reached the write lock")


def _answer_while_another_writes(db_path, registry, attempt_id, index, given, write_meanwhile):
    """Submit ``given`` on a second thread and let ``write_meanwhile(db)`` commit while it waits."""
    from quiz.store.db import transaction

    outcome = {}

    def answer():
        db = open_db(db_path)
        try:
            outcome["grade"] = submit_answer(db, attempt_id, index, given, time_taken_ms=4000, registry=registry)
        except Exception as exc:  # checked by the caller
            outcome["error"] = exc
        finally:
            db.close()

    holder = open_db(db_path)
    thread = threading.Thread(target=answer)
    with transaction(holder):
        thread.start()
        _wait_until_queued_for_the_write_lock(thread)
        write_meanwhile(holder)
    thread.join()
    holder.close()
    return outcome


def test_an_answer_computed_before_another_device_wrote_is_recomputed_not_lost(db_path, pack, registry):
    db = open_db(db_path)
    user = create_user(db, "travl", "Travl", "hemmelig123")
    question = place_question(pack, pack.statements[0])
    phone, laptop = (start_attempt(db, user.id, {"pack_id": "mini"}, [question]) for _ in range(2))

    def laptop_answers_wrong(holder):
        submit_answer(holder, laptop, 0, wrong_answer(question), time_taken_ms=4000, registry=registry)

    outcome = _answer_while_another_writes(db_path, registry, phone, 0, right_answer(question), laptop_answers_wrong)

    assert outcome["grade"].correct
    statement = question.statement_ids[0]
    assert _row(db, "statement_mastery", user.id, statement)["recent"] == "10"
    state = _row(db, "learning_state", user.id, statement)
    assert (state["reps"], state["lapses"]) == (2, 1)


def test_the_same_question_sent_from_two_tabs_at_once_is_stored_once(db_path, pack, registry):
    db = open_db(db_path)
    user = create_user(db, "travl", "Travl", "hemmelig123")
    question = place_question(pack, pack.statements[0])
    attempt_id = start_attempt(db, user.id, {"pack_id": "mini"}, [question, question])

    def other_tab_answers_wrong(holder):
        submit_answer(holder, attempt_id, 0, wrong_answer(question), time_taken_ms=4000, registry=registry)

    outcome = _answer_while_another_writes(
        db_path, registry, attempt_id, 0, right_answer(question), other_tab_answers_wrong
    )

    assert not outcome["grade"].correct  # the first stored answer counts
    assert db["answers"].count == 1 and db["reviews"].count == 1
    assert _row(db, "learning_state", user.id, question.statement_ids[0])["reps"] == 1
    assert get_attempt(db, attempt_id).position == 1


def test_an_answer_to_an_attempt_finished_meanwhile_is_refused(db_path, pack, registry):
    db = open_db(db_path)
    user = create_user(db, "travl", "Travl", "hemmelig123")
    question = place_question(pack, pack.statements[0])
    attempt_id = start_attempt(db, user.id, {"pack_id": "mini"}, [question, question])

    outcome = _answer_while_another_writes(
        db_path, registry, attempt_id, 1, right_answer(question), lambda holder: finish_attempt(holder, attempt_id)
    )

    assert isinstance(outcome.get("error"), AttemptError)
    assert db["answers"].count == 0 and db["learning_state"].count == 0


def _row(db, table, user_id, statement_id, pack_id="mini"):
    """A person's ``learning_state`` or ``statement_mastery`` row of one statement (keyed by its integer key)."""
    cursor = db.execute(
        f"SELECT t.* FROM {table} t JOIN statement_keys k ON k.id = t.statement "
        "WHERE t.user_id = ? AND k.pack_id = ? AND k.statement_id = ?",
        [user_id, pack_id, statement_id],
    )
    names = [d[0] for d in cursor.description]
    return dict(zip(names, cursor.fetchone(), strict=True))


def _learning_rows(db, user_id):
    """Everything an answer leaves about the person, without ids (which differ between two people)."""
    tables = {
        "answers": "question_index, question_type, answer_json, score, correct, time_taken_ms, answered_at",
        "reviews": "part, statement, correct, rating, duration_ms, answered_at",
        "statement_mastery": "k.statement_id, recent, mastery, answered_at",
        "learning_state": "k.statement_id, state, step, stability, difficulty, due_at, last_review_at, reps, lapses",
    }
    keyed = {"statement_mastery", "learning_state"}  # by (person, statement key) since m033
    rows = {
        table: sorted(
            db.execute(
                f"SELECT {columns} FROM {table}"
                + (" JOIN statement_keys k ON k.id = statement" if table in keyed else "")
                + " WHERE user_id = ?",
                [user_id],
            ).fetchall()
        )
        for table, columns in tables.items()
    }
    rows["attempts"] = db.execute(
        "SELECT position, finished_at, score FROM attempts WHERE user_id = ? ORDER BY id", [user_id]
    ).fetchall()
    return rows
