"""The room in plain Python: recognised phones, the brake per browser, the lock, removing and renaming,
timers and automatic reveal, points for speed, open questions with moderation, plans, ended sessions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from quiz import live
from quiz.learning.quizzes import QuizSpec
from quiz.store import create_user
from tests.conftest import right_answer, wrong_answer

NOW = datetime(2025, 5, 6, 13, 0, tzinfo=UTC)
SPEC = QuizSpec(pack_id="mini", length=3, types=["place"], seed=7)
VENUE_WIFI = "192.0.2.10"  # every phone in the room shares the address


@pytest.fixture
def boss(db):
    return create_user(db, "facilitator", "Fie Facilitator", "hemmelig123", is_facilitator=True)


@pytest.fixture
def room(db, boss, registry):
    return live.create_session(db, boss.id, SPEC, allow_anonymous=True, points=True, registry=registry)


def test_an_anonymous_phone_that_scans_the_code_again_is_the_same_participant(db, room, boss, registry):
    anna, first_token = live.join(db, room.code, display_name="Anna", client_key=VENUE_WIFI, browser="phone-a" * 4)
    current = live.start(db, room.id, actor_id=boss.id)
    live.submit_answer(db, room.id, anna.id, 0, right_answer(current.questions[0]), registry=registry)

    # The tab is lost; the QR code again, from the same phone: no token in the URL, only the cookie.
    assert live.participant_for_browser(db, room.id, "phone-a" * 4) == anna
    again, token = live.join(db, room.code, display_name="Anna", client_key=VENUE_WIFI, browser="phone-a" * 4)
    assert again.id == anna.id and token != first_token
    assert live.pulse(db, room.id).participants == 1, "still »1 af 1 har svaret«, not »1 af 2«"
    assert [r.display_name for r in live.participant_results(db, room.id)] == ["Anna"]
    # Another phone with the same name is another person.
    other, _ = live.join(db, room.code, display_name="Anna", client_key=VENUE_WIFI, browser="phone-b" * 4)
    assert other.id != anna.id


def test_one_person_guessing_codes_does_not_lock_out_the_venue(db, room):
    guesser = "guesser-browser-0001"
    for i in range(live.JOIN_FAILURES_BEFORE_LOCK):
        with pytest.raises(live.LiveError, match="ingen live-quiz med den kode"):
            live.join(
                db, f"ZZZZZ{live.CODE_ALPHABET[i]}", display_name="G", client_key=VENUE_WIFI, browser=guesser, now=NOW
            )
    with pytest.raises(live.JoinLocked):
        live.join(db, room.code, display_name="G", client_key=VENUE_WIFI, browser=guesser, now=NOW)
    # Everybody else on the same Wi-Fi joins as usual.
    for n in range(5):
        person, _ = live.join(
            db, room.code, display_name=f"P{n}", client_key=VENUE_WIFI, browser=f"phone-{n:016d}", now=NOW
        )
        assert person.display_name == f"P{n}"


def test_a_locked_room_takes_nobody_new_but_lets_those_in_it_back(db, room, boss):
    anna, token = live.join(db, room.code, display_name="Anna", client_key="k", browser="anna-browser-000001")
    live.set_locked(db, room.id, actor_id=boss.id, locked=True)
    with pytest.raises(live.LiveError, match="lukket for nye deltagere"):
        live.join(db, room.code, display_name="Bo", client_key="k", browser="bo-browser-00000001")
    assert live.join(db, room.code, display_name="Anna", client_key="k", token=token)[0].id == anna.id
    live.set_locked(db, room.id, actor_id=boss.id, locked=False)
    assert live.join(db, room.code, display_name="Bo", client_key="k", browser="bo-browser-00000001")[0]


def test_a_removed_participant_leaves_the_counts_and_cannot_come_back(db, room, boss, registry):
    anna, token = live.join(db, room.code, display_name="Anna", client_key="k")
    troll, troll_token = live.join(db, room.code, display_name="www.example.dk", client_key="k")
    live.rename_participant(db, room.id, anna.id, "  Anna   Andersen ", actor_id=boss.id)
    assert live.get_participant(db, anna.id).display_name == "Anna Andersen"
    live.remove_participant(db, room.id, troll.id, actor_id=boss.id)
    assert [p.display_name for p in live.participants(db, room.id)] == ["Anna Andersen"]
    assert live.pulse(db, room.id).participants == 1
    with pytest.raises(live.LiveError, match="taget dig ud"):
        live.join(db, room.code, display_name="x", client_key="k", token=troll_token)
    current = live.start(db, room.id, actor_id=boss.id)
    with pytest.raises(live.LiveError, match="deltager ikke"):
        live.submit_answer(db, room.id, troll.id, 0, right_answer(current.questions[0]), registry=registry)
    with pytest.raises(live.NotAllowed):
        live.remove_participant(db, room.id, anna.id, actor_id=anna.id if anna.user_id else 999)


def test_the_timer_closes_answers_and_reveals_by_itself_when_asked_to(db, boss, registry):
    timed = live.create_session(
        db, boss.id, SPEC, allow_anonymous=True, timer_seconds=20, auto_reveal=True, registry=registry
    )
    anna, _ = live.join(db, timed.code, display_name="Anna", client_key="k")
    bo, _ = live.join(db, timed.code, display_name="Bo", client_key="k")
    current = live.start(db, timed.id, actor_id=boss.id, now=NOW)
    question = current.questions[0]
    assert current.deadline() == NOW + timedelta(seconds=20)
    live.submit_answer(
        db, timed.id, anna.id, 0, right_answer(question), registry=registry, now=NOW + timedelta(seconds=5)
    )
    assert live.reveal_when_due(db, timed.id, now=NOW + timedelta(seconds=10)) is None, "Bo has not answered"
    with pytest.raises(live.AnswerClosed):
        live.submit_answer(
            db, timed.id, bo.id, 0, right_answer(question), registry=registry, now=NOW + timedelta(seconds=25)
        )
    revealed = live.reveal_when_due(db, timed.id, now=NOW + timedelta(seconds=21))
    assert revealed.state == live.State.REVEALED
    assert live.reveal_when_due(db, timed.id, now=NOW + timedelta(seconds=22)) is None, "only once"

    # When everyone has answered, the answer shows at once.
    current = live.next_question(db, timed.id, actor_id=boss.id, now=NOW + timedelta(seconds=30))
    for person in (anna, bo):
        live.submit_answer(
            db,
            timed.id,
            person.id,
            1,
            right_answer(current.questions[1]),
            registry=registry,
            now=NOW + timedelta(seconds=31),
        )
    assert live.reveal_when_due(db, timed.id, now=NOW + timedelta(seconds=32)).state == live.State.REVEALED


def test_a_session_without_a_timer_has_none_and_never_reveals_by_itself(db, room, boss, registry):
    current = live.start(db, room.id, actor_id=boss.id)
    assert current.timer_seconds is None and current.deadline() is None
    assert live.reveal_when_due(db, room.id) is None
    with pytest.raises(live.LiveError, match="mellem 5"):
        live.create_session(db, boss.id, SPEC, timer_seconds=2, registry=registry)


def test_points_reward_speed_within_bounds_and_give_each_phone_a_place(db, room, boss, registry):
    assert live.points_for(1.0, seconds=0, timer_seconds=None) == 1000
    assert live.points_for(1.0, seconds=999, timer_seconds=20) == 500, "a right answer at the bell earns half"
    assert live.points_for(0.0, seconds=0, timer_seconds=20) == 0
    assert live.points_for(0.5, seconds=0, timer_seconds=20) == 500, "partial credit scales"
    fast, _ = live.join(db, room.code, display_name="Hurtig", client_key="k")
    slow, _ = live.join(db, room.code, display_name="Langsom", client_key="k")
    wrong, _ = live.join(db, room.code, display_name="Forkert", client_key="k")
    current = live.start(db, room.id, actor_id=boss.id, now=NOW)
    q = current.questions[0]
    live.submit_answer(db, room.id, fast.id, 0, right_answer(q), registry=registry, now=NOW + timedelta(seconds=2))
    live.submit_answer(db, room.id, slow.id, 0, right_answer(q), registry=registry, now=NOW + timedelta(seconds=20))
    live.submit_answer(db, room.id, wrong.id, 0, wrong_answer(q), registry=registry, now=NOW + timedelta(seconds=1))
    live.reveal(db, room.id, actor_id=boss.id, registry=registry)
    results = live.participant_results(db, room.id)
    assert [r.display_name for r in results] == ["Hurtig", "Langsom", "Forkert"]
    assert 500 < results[1].points < results[0].points <= 1000 and results[2].points == 0
    assert [live.place_of(results, p.id) for p in (fast, slow, wrong)] == [1, 2, 3]


def test_open_question_texts_are_counted_moderated_and_exported(db, boss, registry, pack):
    questions = [live.open_question("Hvad betyder tillid i jeres team?", pack_id="mini")]
    made = live.create_session(db, boss.id, SPEC, questions=questions, allow_anonymous=True, registry=registry)
    anna, _ = live.join(db, made.code, display_name="Anna", client_key="k")
    bo, _ = live.join(db, made.code, display_name="Bo", client_key="k")
    live.start(db, made.id, actor_id=boss.id)
    before = live.pulse(db, made.id)
    live.submit_text(db, made.id, anna.id, 0, "Tillid er at turde sige fra")
    rude = live.submit_text(db, made.id, bo.id, 0, "  noget   grimt  ")
    assert rude.text == "noget grimt"
    assert live.pulse(db, made.id).answered == 2 and live.pulse(db, made.id) != before, "the projector redraws"
    live.submit_text(db, made.id, anna.id, 0, "Og at lytte")
    assert live.pulse(db, made.id).answered == 2, "people, not texts"
    assert live.distribution(db, made.id, 0).answered == 2
    assert live.texts_of(db, made.id, 0, hidden=False) == [], "an open question's texts wait for approval"
    for text in live.waiting_texts(db, made.id, 0):
        live.approve_text(db, made.id, text.id, actor_id=boss.id)
    live.set_text_hidden(db, made.id, rude.id, actor_id=boss.id)
    assert [t.text for t in live.texts_of(db, made.id, 0, hidden=False)] == [
        "Tillid er at turde sige fra",
        "Og at lytte",
    ]
    words = dict(live.word_counts(db, made.id, 0))
    assert "Tillid er at turde sige fra" in words and "noget grimt" not in words
    with pytest.raises(live.LiveError, match="højst"):
        live.submit_text(db, made.id, anna.id, 0, "x" * (live.TEXT_MAX + 1))
    live.reveal(db, made.id, actor_id=boss.id, registry=registry)
    live.end(db, made.id, actor_id=boss.id)
    rows = live.results_rows(db, made.id)
    assert [(r["participant"], r["answer"], r["hidden"]) for r in rows] == [
        ("Anna", "Tillid er at turde sige fra", "nej"),
        ("Bo", "noget grimt", "ja"),
        ("Anna", "Og at lytte", "nej"),
    ]
    assert live.question_results(db, made.id)[0].answered == 2
    assert db["answers"].count == 0, "an open question is no graded answer in anyone's progress"


def test_a_saved_plan_gives_the_next_session_the_same_questions_in_its_order(db, boss, registry):
    found = live.candidates(SPEC, registry)
    assert len(found) >= 3
    picked = [found[2], live.open_question("Hvad tager I med?", pack_id="mini"), found[0]]
    plan = live.save_plan(db, boss.id, "mini", " Lederdag  juni ", picked)
    assert plan.title == "Lederdag juni" and live.plans_of(db, boss.id) == [plan]
    searched = live.candidates(SPEC, registry, search=found[0].prompt[:12].upper())
    assert found[0] in searched
    for _course in range(2):  # this course and the next
        made = live.create_session(db, boss.id, SPEC, questions=live.get_plan(db, plan.id).questions, registry=registry)
        assert [q.prompt for q in made.questions] == [q.prompt for q in picked]
    with pytest.raises(live.LiveError, match="mindst ét"):
        live.save_plan(db, boss.id, "mini", "Tom", [])
    other = create_user(db, "anden", "Anden", "hemmelig123", is_facilitator=True)
    with pytest.raises(live.LiveError):
        live.save_plan(db, other.id, "mini", "Stjålet", picked, plan_id=plan.id)


def test_ending_during_a_question_says_so_and_ended_sessions_can_be_found_again(db, room, boss, registry):
    anna, _ = live.join(db, room.code, display_name="Anna", client_key="k")
    current = live.start(db, room.id, actor_id=boss.id)
    live.submit_answer(db, room.id, anna.id, 0, right_answer(current.questions[0]), registry=registry)
    ended = live.end(db, room.id, actor_id=boss.id)
    assert ended.ended_during == 0
    assert "under spørgsmål 1" in str(live.ending_note(ended)) and "ingen resultater" in str(live.ending_note(ended))
    assert live.ending_note(ended).render("en").startswith("The live quiz was ended during question 1")
    early = live.create_session(db, boss.id, SPEC, registry=registry)
    assert "før den gik i gang" in str(live.ending_note(live.end(db, early.id, actor_id=boss.id)))
    assert [s.id for s in live.ended_sessions(db, boss.id)] == [early.id, room.id]
    assert live.open_sessions(db, boss.id) == []
