"""Live group sessions in plain Python: a facilitator runs a quiz, a room answers on their phones."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest

from quiz import live
from quiz.learning.quizzes import QuizSpec
from quiz.people.auth import InvalidInput
from quiz.store import create_user, delete_user, open_db
from tests.conftest import right_answer, wrong_answer

NOW = datetime(2025, 5, 6, 13, 0, tzinfo=UTC)
SPEC = QuizSpec(pack_id="mini", length=3, types=["place"], seed=7)


@pytest.fixture
def facilitator(db):
    return create_user(db, "facilitator", "Fie Facilitator", "hemmelig123", is_facilitator=True)


@pytest.fixture
def learner(db):
    return create_user(db, "leder", "Lene Leder", "hemmelig123")


@pytest.fixture
def session(db, facilitator, registry):
    return live.create_session(db, facilitator.id, SPEC, allow_anonymous=True, points=True, registry=registry)


def join_anonymous(db, session, name, *, client_key="10.0.0.1"):
    return live.join(db, session.code, display_name=name, client_key=client_key, now=NOW)


def test_a_session_runs_from_lobby_through_each_question_to_the_end(db, session, facilitator, registry):
    assert session.state == "lobby"
    assert len(session.code) == 6 and all(ch in live.CODE_ALPHABET for ch in session.code)
    assert len(session.questions) == 3
    anna, _ = join_anonymous(db, session, "Anna")
    bo, _ = join_anonymous(db, session, "Bo")

    current = live.start(db, session.id, actor_id=facilitator.id)
    for index, question in enumerate(current.questions):
        assert current.state == "question" and current.current_index == index
        live.submit_answer(db, session.id, anna.id, index, right_answer(question), registry=registry)
        live.submit_answer(db, session.id, bo.id, index, wrong_answer(question), registry=registry)
        current = live.reveal(db, session.id, actor_id=facilitator.id, registry=registry)
        assert current.state == "revealed"
        if index < len(current.questions) - 1:
            current = live.next_question(db, session.id, actor_id=facilitator.id)
    with pytest.raises(live.LiveError, match="ikke flere spørgsmål"):
        live.next_question(db, session.id, actor_id=facilitator.id)
    ended = live.end(db, session.id, actor_id=facilitator.id)

    assert ended.state == "ended" and ended.ended_at is not None
    results = live.participant_results(db, session.id)
    assert [(r.display_name, r.correct, r.points) for r in results] == [("Anna", 3, 3000), ("Bo", 0, 0)]
    assert [(q.answered, q.correct) for q in live.question_results(db, session.id)] == [(2, 1)] * 3
    assert live.leaderboard(db, session.id, limit=1)[0].display_name == "Anna"
    csv_text = live.results_csv(db, session.id)
    assert csv_text.splitlines()[0].startswith("\ufeffkode;spørgsmål_nr;spørgsmål;deltager")
    assert len(csv_text.splitlines()) == 1 + 3 * 2


def test_every_state_change_bumps_the_version_clients_poll(db, session, facilitator, registry):
    seen = [live.session_version(db, session.id)]
    join_anonymous(db, session, "Anna")
    assert live.session_version(db, session.id) == seen[-1], "joining must not wake every phone"
    for step in (live.start, lambda *a, **k: live.reveal(*a, registry=registry, **k), live.end):
        step(db, session.id, actor_id=facilitator.id)
        seen.append(live.session_version(db, session.id))
    assert seen == sorted(set(seen)) and len(seen) == 4
    assert live.session_version(db, 999_999) == 0


def test_a_changed_answer_replaces_the_first_one(db, session, facilitator, registry):
    anna, _ = join_anonymous(db, session, "Anna")
    current = live.start(db, session.id, actor_id=facilitator.id)
    question = current.questions[0]
    first = live.submit_answer(db, session.id, anna.id, 0, wrong_answer(question), registry=registry, now=NOW)
    later = NOW + timedelta(seconds=5)
    second = live.submit_answer(db, session.id, anna.id, 0, right_answer(question), registry=registry, now=later)

    assert not first.correct and second.correct
    assert second.answered_at == NOW and second.changed_at == later
    assert db["live_answers"].count_where("participant_id = ?", [anna.id]) == 1
    counts = live.distribution(db, session.id, 0).counts
    assert counts[right_answer(question)] == 1 and counts[wrong_answer(question)] == 0


def test_no_answer_is_taken_after_the_reveal_or_the_end(db, session, facilitator, registry):
    anna, _ = join_anonymous(db, session, "Anna")
    current = live.start(db, session.id, actor_id=facilitator.id)
    question = current.questions[0]
    live.submit_answer(db, session.id, anna.id, 0, wrong_answer(question), registry=registry)
    live.reveal(db, session.id, actor_id=facilitator.id, registry=registry)
    with pytest.raises(live.AnswerClosed):
        live.submit_answer(db, session.id, anna.id, 0, right_answer(question), registry=registry)
    assert not live.answer_of(db, anna.id, 0).correct

    live.next_question(db, session.id, actor_id=facilitator.id)
    with pytest.raises(live.AnswerClosed):  # not the open question
        live.submit_answer(db, session.id, anna.id, 2, right_answer(current.questions[2]), registry=registry)
    live.end(db, session.id, actor_id=facilitator.id)
    with pytest.raises(live.AnswerClosed):
        live.submit_answer(db, session.id, anna.id, 1, right_answer(current.questions[1]), registry=registry)
    with pytest.raises(live.LiveError, match="slut"):
        join_anonymous(db, session, "Sen Sigurd")


def test_an_answer_that_does_not_fit_the_question_is_refused(db, session, facilitator, registry):
    anna, _ = join_anonymous(db, session, "Anna")
    live.start(db, session.id, actor_id=facilitator.id)
    for bad in ("findes_ikke", ["compliance"], 3, None):
        with pytest.raises(live.LiveError, match="passer ikke"):
            live.submit_answer(db, session.id, anna.id, 0, bad, registry=registry)
    assert live.answer_of(db, anna.id, 0) is None


def test_fifty_phones_answering_at_once_are_all_counted_exactly(db_path, db, session, facilitator, registry):
    current = live.start(db, session.id, actor_id=facilitator.id)
    question = current.questions[0]
    keys = [o.key for o in question.options]
    errors: list[BaseException] = []
    barrier = threading.Barrier(60)

    def phone(i: int) -> None:
        conn = open_db(db_path)
        try:
            participant, _ = live.join(conn, session.code, display_name=f"Deltager {i}", client_key=f"10.0.0.{i}")
            barrier.wait()
            # Everyone first answers keys[0]; odd numbers change their mind to keys[1].
            live.submit_answer(conn, session.id, participant.id, 0, keys[0], registry=registry)
            if i % 2:
                live.submit_answer(conn, session.id, participant.id, 0, keys[1], registry=registry)
        except BaseException as exc:  # reported below: an exception in a thread would be lost
            errors.append(exc)
        finally:
            conn.close()

    threads = [threading.Thread(target=phone, args=(i,)) for i in range(60)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == []
    result = live.distribution(db, session.id, 0)
    assert result.answered == 60 and result.participants == 60
    assert result.counts == {keys[0]: 30, keys[1]: 30}
    assert live.pulse(db, session.id) == live.Pulse(version=current.version, participants=60, answered=60, changes=90)


def test_assign_questions_are_counted_per_item_and_option(db, facilitator, pack):
    from tests.conftest import PlaceType

    class AssignType(PlaceType):
        key = "assign_two"

        def generate(self, pack, pool, rng, used):
            from quiz.questions.base import Item, Option, Question

            free = [s for s in pool if s.id not in used][:2]
            if len(free) < 2:
                return None
            return Question(
                type=self.key,
                kind="assign",
                prompt="Placér udsagnene.",
                options=tuple(Option(p.key, p.name) for p in pack.manifest.perspectives),
                accepted=tuple((s.perspective,) for s in free),
                items=tuple(Item(s.text, s.id) for s in free),
                statement_ids=tuple(s.id for s in free),
                pack_id=pack.id,
            )

    from types import SimpleNamespace

    registry = SimpleNamespace(question_types={"assign_two": AssignType()}, packs={pack.id: pack})
    spec = QuizSpec(pack_id="mini", length=1, types=["assign_two"], seed=1)
    session = live.create_session(db, facilitator.id, spec, allow_anonymous=True, registry=registry)
    live.start(db, session.id, actor_id=facilitator.id)
    question = session.questions[0]
    for name, answer in (("A", ["compliance", "compliance"]), ("B", ["emergens", "compliance"])):
        person, _ = join_anonymous(db, session, name)
        live.submit_answer(db, session.id, person.id, 0, answer, registry=registry)

    result = live.distribution(db, session.id, 0)
    assert result.kind == "assign" and result.answered == 2
    assert result.per_item == [{"compliance": 1, "emergens": 1}, {"compliance": 2, "emergens": 0}]
    assert len(result.per_item) == len(question.items)


def test_the_results_csv_reads_right_in_danish_excel(db, facilitator, registry):
    """Whole percentages (no decimal point), and when each answer was given, in Danish time."""
    session = live.create_session(db, facilitator.id, SPEC, allow_anonymous=True, registry=registry)
    question = live.start(db, session.id, actor_id=facilitator.id, now=NOW).questions[0]
    anna, _ = join_anonymous(db, session, "Anna")
    live.submit_answer(db, session.id, anna.id, 0, right_answer(question), registry=registry, now=NOW)
    live.reveal(db, session.id, actor_id=facilitator.id, registry=registry, now=NOW)

    text = live.results_csv(db, session.id)
    assert text.startswith("\ufeffkode;"), "a byte-order mark, so Excel reads æ, ø and å"
    [row] = live.results_rows(db, session.id)
    assert row["score_percent"] == 100 and ";1.0;" not in text
    assert row["answered_at"] == "2025-05-06 15:00:00", "Danish summer time"
    assert row["answer"] == live.answer_text(question, right_answer(question))


def test_an_assign_answer_in_words_lists_the_picks_in_statement_order_without_numbers():
    from quiz.questions.base import Item, Option, Question

    question = Question(
        type="chain",
        kind="assign",
        prompt="Sæt udsagnene i kæden.",
        options=(Option("direktion", "1. Direktion"), Option("centerchef", "2. Centerchef")),
        accepted=(("direktion",), ("centerchef",)),
        items=(Item("Vi sætter retningen.", "s1"), Item("Jeg leder centret.", "s2")),
        statement_ids=("s1", "s2"),
        pack_id="mini",
    )
    assert live.answer_text(question, ["centerchef", "direktion"]) == "2. Centerchef; 1. Direktion"


def test_a_participant_who_reloads_comes_back_with_their_answers_by_token(db_path, session, facilitator, registry):
    db = open_db(db_path)
    anna, token = join_anonymous(db, session, "Anna")
    current = live.start(db, session.id, actor_id=facilitator.id)
    live.submit_answer(db, session.id, anna.id, 0, right_answer(current.questions[0]), registry=registry)
    db.close()

    after_restart = open_db(db_path)
    assert live.participant_for_token(after_restart, token) == anna
    again, same_token = live.join(after_restart, session.code, display_name="Anna", client_key="x", token=token)
    assert again.id == anna.id and same_token == token
    assert live.answers_of(after_restart, anna.id)[0].correct
    assert live.participant_for_token(after_restart, "forkert-token") is None
    assert after_restart["live_participants"].count == 1


def test_a_signed_in_participant_who_reloads_is_found_by_user_id(db, session, facilitator, learner, registry):
    first, first_token = live.join(db, session.code, user_id=learner.id, client_key="phone")
    assert first.display_name == "Lene Leder"
    current = live.start(db, session.id, actor_id=facilitator.id)
    live.submit_answer(db, session.id, first.id, 0, right_answer(current.questions[0]), registry=registry)

    assert live.active_participation(db, learner.id) == first
    again, new_token = live.join(db, session.code.lower(), user_id=learner.id, client_key="laptop")
    assert again.id == first.id and new_token != first_token
    assert live.participant_for_token(db, new_token).id == first.id
    assert live.answers_of(db, again.id)[0].correct
    assert db["live_participants"].count == 1


def test_signed_in_answers_land_in_own_progress_after_the_reveal(db, session, facilitator, learner, registry):
    lene, _ = live.join(db, session.code, user_id=learner.id, client_key="phone")
    guest, _ = join_anonymous(db, session, "Gæst")
    current = live.start(db, session.id, actor_id=facilitator.id)
    q0, q1 = current.questions[0], current.questions[1]
    live.submit_answer(db, session.id, lene.id, 0, right_answer(q0), registry=registry)
    live.submit_answer(db, session.id, guest.id, 0, right_answer(q0), registry=registry)
    assert db["answers"].count == 0, "nothing counts before the reveal: the answer may still change"

    live.reveal(db, session.id, actor_id=facilitator.id, registry=registry)
    live.next_question(db, session.id, actor_id=facilitator.id)
    live.submit_answer(db, session.id, lene.id, 1, wrong_answer(q1), registry=registry)
    live.reveal(db, session.id, actor_id=facilitator.id, registry=registry)
    live.end(db, session.id, actor_id=facilitator.id)

    attempts = list(db["attempts"].rows_where("user_id = ?", [learner.id]))
    assert [a["kind"] for a in attempts] == ["live"]
    assert attempts[0]["finished_at"] is not None, "the end finishes the live attempt"
    answers = list(db["answers"].rows_where("attempt_id = ?", [attempts[0]["id"]], order_by="question_index"))
    assert [(a["question_index"], a["correct"]) for a in answers] == [(0, 1), (1, 0)]
    assert db["statement_mastery"].count_where("user_id = ?", [learner.id]) == 2
    assert db["answers"].count == 2, "the anonymous guest has no progress to keep"


def test_answers_a_crash_kept_out_of_progress_at_the_reveal_are_recorded_at_the_end(
    db, session, facilitator, learner, registry, monkeypatch
):
    lene, _ = live.join(db, session.code, user_id=learner.id, client_key="phone")
    current = live.start(db, session.id, actor_id=facilitator.id)
    live.submit_answer(db, session.id, lene.id, 0, right_answer(current.questions[0]), registry=registry)
    recorder = live.control._record_progress
    monkeypatch.setattr(live.control, "_record_progress", lambda *a, **k: None)  # the process dies now
    live.reveal(db, session.id, actor_id=facilitator.id, registry=registry)
    assert db["answers"].count == 0
    monkeypatch.setattr(live.control, "_record_progress", recorder)  # started again

    revealed = live.get_session(db, session.id)
    live.control._record_progress(db, revealed, 0, registry=registry, now=NOW)  # recording twice changes nothing
    live.end(db, session.id, actor_id=facilitator.id, registry=registry)

    [attempt] = db["attempts"].rows_where("user_id = ?", [learner.id])
    assert attempt["kind"] == "live" and attempt["finished_at"] is not None
    assert [(a["question_index"], a["correct"]) for a in db["answers"].rows] == [(0, 1)]
    assert db["live_participants"].get(lene.id)["attempt_id"] == attempt["id"]


def test_deleting_a_person_removes_their_live_records(db, session, facilitator, learner, registry):
    lene, _ = live.join(db, session.code, user_id=learner.id, client_key="phone")
    current = live.start(db, session.id, actor_id=facilitator.id)
    live.submit_answer(db, session.id, lene.id, 0, right_answer(current.questions[0]), registry=registry)
    live.reveal(db, session.id, actor_id=facilitator.id, registry=registry)

    assert delete_user(db, learner.id)
    assert db["live_participants"].count == 0 and db["live_answers"].count == 0
    assert delete_user(db, facilitator.id)
    assert live.get_session(db, session.id).facilitator_id is None


def test_join_code_guessing_is_braked_per_browser(db, session):
    guesser = "guessing-browser-0001"
    for i in range(live.JOIN_FAILURES_BEFORE_LOCK):
        with pytest.raises(live.LiveError, match="ingen live-quiz med den kode"):
            live.join(
                db, f"ZZZZZ{live.CODE_ALPHABET[i]}", display_name="G", client_key="6.6.6.6", browser=guesser, now=NOW
            )
    with pytest.raises(live.JoinLocked, match="For mange forkerte koder") as locked:
        live.join(db, session.code, display_name="Gætter", client_key="6.6.6.6", browser=guesser, now=NOW)
    assert 0 < locked.value.retry_after <= 60, "a growing wait, never a lock-out"

    # Another browser is not affected, and the braked one may try again once the window has passed.
    assert live.join(db, session.code, display_name="Anna", client_key="6.6.6.6", browser="b" * 20, now=NOW)[0]
    later = NOW + live.JOIN_WINDOW + timedelta(seconds=1)
    assert live.join(db, session.code, display_name="Gætter", client_key="6.6.6.6", browser=guesser, now=later)[0]


def test_a_malformed_code_is_refused_without_counting_as_a_guess(db, session):
    for _ in range(live.JOIN_FAILURES_BEFORE_LOCK + 1):
        with pytest.raises(live.LiveError, match="6 tegn"):
            live.join(db, "ABC", display_name="Anna", client_key="10.0.0.3")
    assert join_anonymous(db, session, "Anna", client_key="10.0.0.3")[0]


def test_anonymous_joining_needs_permission_and_a_usable_name(db, facilitator, registry, learner):
    closed = live.create_session(db, facilitator.id, SPEC, allow_anonymous=False, registry=registry)
    with pytest.raises(live.LiveError, match="logget ind"):
        live.join(db, closed.code, display_name="Anna", client_key="k")
    assert live.join(db, closed.code, user_id=learner.id, client_key="k")[0].user_id == learner.id

    open_ = live.create_session(db, facilitator.id, SPEC, allow_anonymous=True, registry=registry)
    with pytest.raises(InvalidInput):
        live.join(db, open_.code, display_name="   ", client_key="k")
    person, _ = live.join(db, f" {open_.code[:3]}-{open_.code[3:].lower()} ", display_name="<b>Bo</b>", client_key="k")
    assert person.display_name == "<b>Bo</b>", "names are stored as typed and escaped where shown"


def test_only_the_facilitator_or_an_admin_can_run_the_session(db, session, learner, registry):
    other = create_user(db, "anden", "Anden Facilitator", "hemmelig123", is_facilitator=True)
    admin = create_user(db, "admin", "Ada Admin", "hemmelig123", is_admin=True)
    for outsider in (learner, other):
        with pytest.raises(live.NotAllowed):
            live.start(db, session.id, actor_id=outsider.id)
    assert live.get_session(db, session.id).state == "lobby"
    assert live.start(db, session.id, actor_id=admin.id).state == "question"
    with pytest.raises(live.LiveError, match="i gang"):
        live.start(db, session.id, actor_id=admin.id)
    assert live.end(db, session.id, actor_id=admin.id).state == "ended"


def test_a_second_process_sees_the_same_session(db_path, session, facilitator, registry):
    other_process = open_db(db_path)
    live.start(other_process, session.id, actor_id=facilitator.id)
    other_process.close()

    fresh = open_db(db_path)
    assert live.session_by_code(fresh, session.code).state == "question"
    assert [s.id for s in live.open_sessions(fresh, facilitator.id)] == [session.id]


def test_the_leaderboard_counts_only_revealed_questions(db, session, facilitator, registry):
    anna, _ = join_anonymous(db, session, "Anna")
    current = live.start(db, session.id, actor_id=facilitator.id)
    live.submit_answer(db, session.id, anna.id, 0, right_answer(current.questions[0]), registry=registry)
    assert live.leaderboard(db, session.id)[0].points == 0
    live.reveal(db, session.id, actor_id=facilitator.id, registry=registry)
    assert live.leaderboard(db, session.id)[0].points == live.POINTS_PER_QUESTION


def test_csv_cells_cannot_smuggle_spreadsheet_formulas(db, session, facilitator, registry):
    evil, _ = join_anonymous(db, session, '=HYPERLINK("http://x")')
    current = live.start(db, session.id, actor_id=facilitator.id)
    live.submit_answer(db, session.id, evil.id, 0, right_answer(current.questions[0]), registry=registry)
    live.reveal(db, session.id, actor_id=facilitator.id, registry=registry)
    assert live.results_rows(db, session.id)[0]["participant"].startswith("'=")


def test_the_right_answer_and_explanation_come_from_the_question_type(session, registry):
    question = session.questions[0]
    shown = live.explain(question, registry=registry)
    assert shown.correct and shown.right_answer == question.accepted[0][0]
