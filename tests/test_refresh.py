"""Spaced repetition: which statements come back, and when, on a controlled clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fsrs import Card, Rating, State

from quiz.learning import refresh
from quiz.learning.attempts import start_attempt, submit_answer
from quiz.store import create_user
from tests.conftest import place_question, right_answer, wrong_answer

NOW = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "correct, ms, statements, learned, rating",
    [
        (False, 1_000, 1, True, Rating.Again),
        (True, 30_000, 1, False, Rating.Hard),
        (True, 10_000, 1, False, Rating.Good),
        (True, 2_000, 1, False, Rating.Good),  # a quick first answer may be a lucky guess
        (True, 2_000, 1, True, Rating.Easy),
        (True, 30_000, 4, True, Rating.Good),  # time is per statement in the question
        (True, None, 1, True, Rating.Good),
    ],
)
def test_rating_is_read_off_correctness_and_speed(correct, ms, statements, learned, rating):
    card = Card(card_id=1, state=State.Review if learned else State.Learning)
    assert refresh.rating_for(correct, ms, statements=statements, card=card if learned else None) == rating


def _answer(db, user_id, pack, registry, statement, *, right, now, ms=8000):
    question = place_question(pack, statement)
    attempt_id = start_attempt(db, user_id, {"pack_id": pack.id}, [question], kind="refresh", now=now)
    answer = right_answer(question) if right else wrong_answer(question)
    submit_answer(db, attempt_id, 0, answer, time_taken_ms=ms, registry=registry, now=now)


def test_a_statement_answered_now_is_not_due_until_days_later(db, pack, registry):
    user = create_user(db, "ida", "Ida", "hemmelig123")
    statement = pack.statements[0]
    assert refresh.due_statements(db, user.id, pack, now=NOW) == [], "statements never met are not due"

    _answer(db, user.id, pack, registry, statement, right=True, now=NOW)
    # No learning steps of minutes: nothing comes back the same day, and a right answer waits days.
    assert refresh.due_count(db, user.id, pack, now=NOW + timedelta(hours=20)) == 0
    first = refresh.next_due(db, user.id, pack, now=NOW)
    assert first >= NOW + timedelta(days=2)
    _answer(db, user.id, pack, registry, statement, right=True, now=first)
    second = refresh.next_due(db, user.id, pack, now=first)
    assert second - first >= timedelta(weeks=2), "then weeks"

    state = refresh.learning_states(db, user.id, pack.id)[statement.id]
    assert (state.reps, state.lapses, state.last_review_at) == (2, 0, first)
    assert state.card.state == State.Review


def test_missed_statements_come_back_the_next_day_first_and_lapses_are_counted(db, pack, registry):
    user = create_user(db, "ida", "Ida", "hemmelig123")
    known, missed = pack.statements[0], pack.statements[1]
    _answer(db, user.id, pack, registry, known, right=True, now=NOW)
    _answer(db, user.id, pack, registry, missed, right=False, now=NOW + timedelta(minutes=1))
    assert refresh.due_statements(db, user.id, pack, now=NOW + timedelta(hours=12)) == []
    assert refresh.due_statements(db, user.id, pack, now=NOW + timedelta(days=1, minutes=1)) == [missed.id]
    later = NOW + timedelta(days=5)
    assert refresh.due_statements(db, user.id, pack, now=later) == [missed.id, known.id], "most overdue first"
    assert refresh.due_statements(db, user.id, pack, now=later, limit=1) == [missed.id]
    _answer(db, user.id, pack, registry, missed, right=True, now=later)
    assert refresh.due_statements(db, user.id, pack, now=later) == [known.id]
    assert refresh.learning_states(db, user.id, pack.id)[missed.id].lapses == 1


def test_an_hour_of_quizzing_leaves_nothing_due_the_same_day(db, pack, registry):
    """The reported queue 6 -> 25 -> 52 within an hour: every statement answered stays away for the day."""
    user = create_user(db, "ida", "Ida", "hemmelig123")
    for minute, statement in enumerate(pack.statements):
        _answer(db, user.id, pack, registry, statement, right=minute % 3 != 0, now=NOW + timedelta(minutes=minute))
        assert refresh.due_count(db, user.id, pack, now=NOW + timedelta(minutes=minute + 1)) == 0
    assert refresh.due_count(db, user.id, pack, now=NOW + timedelta(hours=8)) == 0


def test_the_refresh_offered_a_day_is_capped_and_what_was_refreshed_counts(db, pack, registry, monkeypatch):
    monkeypatch.setattr(refresh, "DAILY_CAP", 2)
    user = create_user(db, "ida", "Ida", "hemmelig123")
    for statement in pack.statements[:4]:
        _answer(db, user.id, pack, registry, statement, right=False, now=NOW)
    later = NOW + timedelta(days=2)
    assert len(refresh.due_statements(db, user.id, pack, now=later)) == 4
    assert refresh.due_count(db, user.id, pack, now=later) == 2
    first = refresh.todays_refresh(db, user.id, pack, now=later)[0]
    _answer(db, user.id, pack, registry, pack.statements_by_id[first], right=True, now=later)
    assert refresh.due_count(db, user.id, pack, now=later) == 1, "one of today's two is done"
    assert refresh.due_count(db, user.id, pack, now=later + timedelta(days=1)) == 2, "a new day, a new allowance"
    assert "2" in str(refresh.explanation())


def test_every_review_is_logged_for_the_fsrs_optimizer(db, pack, registry):
    from fsrs import Rating, ReviewLog

    user = create_user(db, "ida", "Ida", "hemmelig123")
    statement = pack.statements[0]
    _answer(db, user.id, pack, registry, statement, right=False, now=NOW)
    _answer(db, user.id, pack, registry, statement, right=True, now=NOW + timedelta(days=1))
    logs = refresh.review_logs(db, user.id)
    assert [log.rating for log in logs] == [Rating.Again, Rating.Good]
    assert {log.card_id for log in logs} == {1} and logs[1].review_datetime == NOW + timedelta(days=1)
    assert all(isinstance(log, ReviewLog) for log in logs)
    assert ReviewLog.from_dict(logs[0].to_dict()) is not None, "in the optimizer's own shape"


def test_due_queue_is_per_person(db, pack, registry):
    ida = create_user(db, "ida", "Ida", "hemmelig123")
    ole = create_user(db, "ole", "Ole", "hemmelig123")
    _answer(db, ida.id, pack, registry, pack.statements[0], right=True, now=NOW)
    assert refresh.due_count(db, ole.id, pack, now=NOW + timedelta(days=30)) == 0
    assert refresh.due_count(db, ida.id, pack, now=NOW + timedelta(days=30)) == 1
