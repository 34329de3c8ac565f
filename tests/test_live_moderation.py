"""Moderation, fair results and the clock of a live room, played in plain Python on a real progress.db.

A facilitator runs the room; phones write texts, answer, get removed, tie. What the stage may show
comes from the same domain functions the stage and the phones call (``shown_texts``,
``word_counts``, ``participant_results``, ``is_time_up``).
"""

from __future__ import annotations

import csv
import dataclasses
import io
from datetime import UTC, datetime, timedelta

import pytest

from quiz import live
from quiz.learning.quizzes import QuizSpec
from quiz.store import create_user
from tests.conftest import right_answer, wrong_answer

NOW = datetime(2025, 5, 6, 13, 0, tzinfo=UTC)
SPEC = QuizSpec(pack_id="mini", length=3, types=["place"], seed=7)


@pytest.fixture
def boss(db):
    return create_user(db, "facilitator", "Fie Facilitator", "hemmelig123", is_facilitator=True)


def open_room(db, boss, registry, *questions, approve: bool | None = None):
    """A started session whose first question is an open question (``approve`` as the plan says)."""
    question = live.open_question("Hvad betyder tillid i jeres team?", pack_id="mini")
    if approve is not None:
        question = dataclasses.replace(question, data={**question.data, live.APPROVE_KEY: approve})
    made = live.create_session(
        db, boss.id, SPEC, questions=[question, *questions], allow_anonymous=True, registry=registry
    )
    people = [live.join(db, made.code, display_name=name, client_key="k")[0] for name in ("Anna", "Bo", "Cai")]
    live.start(db, made.id, actor_id=boss.id)
    return made, people


def shown(db, made, index=0, kind=live.OPEN_KIND) -> list[str]:
    return [t.text for t in live.shown_texts(db, made.id, index, kind=kind)]


def test_an_open_questions_answers_wait_until_the_facilitator_approves_them(db, boss, registry):
    made, (anna, bo, _) = open_room(db, boss, registry)
    assert live.approval_required(live.get_session(db, made.id), 0), "on by default for an open question"
    mine = live.submit_text(db, made.id, anna.id, 0, "Ærlighed og åbenhed")
    assert mine.held and not mine.flagged
    assert shown(db, made) == [] and live.word_counts(db, made.id, 0) == [], "nothing on the stage yet"
    assert [t.text for t in live.my_texts(db, anna.id, 0)] == ["Ærlighed og åbenhed"], "the phone keeps it"
    before = live.pulse(db, made.id)
    live.approve_text(db, made.id, mine.id, actor_id=boss.id)
    assert live.pulse(db, made.id) != before, "the stage's pulse moves, so it redraws"
    assert shown(db, made) == ["Ærlighed og åbenhed"]
    with pytest.raises(live.NotAllowed):
        live.approve_text(db, made.id, mine.id, actor_id=bo.user_id or 999)


def test_a_plan_that_turns_approval_off_shows_answers_at_once(db, boss, registry):
    made, (anna, *_rest) = open_room(db, boss, registry, approve=False)
    live.submit_text(db, made.id, anna.id, 0, "Vi lytter til hinanden")
    assert shown(db, made) == ["Vi lytter til hinanden"]


def test_an_offensive_answer_waits_for_approval_even_with_approval_off(db, boss, registry):
    made, (anna, bo, cai) = open_room(db, boss, registry)
    live.set_approval(db, made.id, 0, actor_id=boss.id, required=False)
    live.submit_text(db, made.id, anna.id, 0, "Tillid")
    rude = live.submit_text(db, made.id, bo.id, 0, "Det er noget LORT")
    english = live.submit_text(db, made.id, cai.id, 0, "what a bullshit meeting")
    assert rude.held and rude.flagged and english.held and english.flagged
    assert shown(db, made) == ["Tillid"], "only the clean answer reaches the stage"
    assert [t.text for t in live.waiting_texts(db, made.id, 0)] == ["Det er noget LORT", "what a bullshit meeting"]
    assert not live.is_offensive("Vi tager et knep og en pisk") and not live.is_offensive("Shitake-svampe? nej")
    assert live.is_offensive("lortejob") and live.is_offensive("Fuck")


def test_switching_approval_off_shows_what_waited_only_for_it_but_not_the_offensive(db, boss, registry):
    made, (anna, bo, _) = open_room(db, boss, registry)
    live.submit_text(db, made.id, anna.id, 0, "Mod til at sige fra")
    live.submit_text(db, made.id, bo.id, 0, "røvhul")
    live.set_approval(db, made.id, 0, actor_id=boss.id, required=False)
    assert shown(db, made) == ["Mod til at sige fra"]
    assert [t.text for t in live.waiting_texts(db, made.id, 0)] == ["røvhul"]
    assert not live.approval_required(live.get_session(db, made.id), 0)


def test_a_hidden_text_leaves_the_stage_and_comes_back_when_restored(db, boss, registry):
    made, (anna, *_rest) = open_room(db, boss, registry, approve=False)
    text = live.submit_text(db, made.id, anna.id, 0, "Respekt")
    live.set_text_hidden(db, made.id, text.id, actor_id=boss.id)
    assert shown(db, made) == [] and live.word_counts(db, made.id, 0) == []
    live.set_text_hidden(db, made.id, text.id, actor_id=boss.id, hidden=False)
    assert shown(db, made) == ["Respekt"]


def test_the_facilitator_resets_the_question_on_screen_and_the_room_answers_afresh(db, boss, registry):
    made, (anna, bo, _) = open_room(db, boss, registry, approve=False)
    live.submit_text(db, made.id, anna.id, 0, "Første runde")
    live.submit_text(db, made.id, bo.id, 0, "Også første runde")
    before = live.get_session(db, made.id)
    after = live.reset_question(db, made.id, 0, actor_id=boss.id)
    assert after.version > before.version, "the phones drop the answers they showed"
    assert live.texts_of(db, made.id, 0) == [] and live.pulse(db, made.id).answered == 0
    live.submit_text(db, made.id, anna.id, 0, "Anden runde")
    assert shown(db, made) == ["Anden runde"]
    with pytest.raises(live.LiveError, match="på skærmen nu"):
        live.reset_question(db, made.id, 1, actor_id=boss.id)


def test_a_choice_question_reset_clears_its_distribution(db, boss, registry):
    made = live.create_session(db, boss.id, SPEC, allow_anonymous=True, registry=registry)
    anna, _ = live.join(db, made.code, display_name="Anna", client_key="k")
    question = live.start(db, made.id, actor_id=boss.id).questions[0]
    live.submit_answer(db, made.id, anna.id, 0, right_answer(question), registry=registry)
    live.reset_question(db, made.id, 0, actor_id=boss.id)
    assert live.distribution(db, made.id, 0).answered == 0
    assert live.answer_of(db, anna.id, 0) is None


def test_the_word_cloud_keeps_phrases_whole_and_orders_them_by_count(db, boss, registry):
    made, people = open_room(db, boss, registry, approve=False)
    more = [live.join(db, made.code, display_name=f"P{n}", client_key="k")[0] for n in range(3)]
    anna, bo, cai = people
    for person, text in [
        (anna, "Ærlighed og åbenhed"),
        (bo, "ærlighed  og åbenhed."),
        (cai, "Ærlighed og åbenhed"),
        (more[0], "Tillid"),
        (more[1], "tillid"),
        (more[2], "At lytte"),
    ]:
        live.submit_text(db, made.id, person.id, 0, text)
    live.submit_text(db, made.id, anna.id, 0, "ærlighed og åbenhed!")  # the same person again counts once
    assert live.word_counts(db, made.id, 0) == [("Ærlighed og åbenhed", 3), ("Tillid", 2), ("At lytte", 1)]


def test_an_answer_over_the_limit_is_refused_with_a_message_naming_the_limit(db, boss, registry):
    made, (anna, *_rest) = open_room(db, boss, registry)
    long_text = "Tillid " * 41  # 288 characters, as a participant once wrote
    assert len(long_text.strip()) > live.TEXT_MAX
    with pytest.raises(live.LiveError) as refused:
        live.submit_text(db, made.id, anna.id, 0, long_text)
    assert f"højst {live.TEXT_MAX} tegn" in str(refused.value) and "286" in str(refused.value)
    assert live.texts_of(db, made.id, 0) == [], "nothing stored, nothing cut short"
    exact = live.submit_text(db, made.id, anna.id, 0, "x" * live.TEXT_MAX)
    assert len(exact.text) == live.TEXT_MAX


def test_removing_a_participant_keeps_what_was_revealed_and_takes_their_texts_out_of_the_csv(db, boss, registry):
    choice_questions = live.create_session(db, boss.id, SPEC, registry=registry).questions
    made = live.create_session(
        db,
        boss.id,
        SPEC,
        questions=[choice_questions[0], live.open_question("Hvad tager I med?", pack_id="mini", cloud=False)],
        allow_anonymous=True,
        points=True,
        registry=registry,
    )
    anna, _ = live.join(db, made.code, display_name="Anna", client_key="k")
    troll, _ = live.join(db, made.code, display_name="Trold", client_key="k")
    question = live.start(db, made.id, actor_id=boss.id).questions[0]
    live.submit_answer(db, made.id, troll.id, 0, right_answer(question), registry=registry)
    live.submit_answer(db, made.id, anna.id, 0, wrong_answer(question), registry=registry)
    live.reveal(db, made.id, actor_id=boss.id, registry=registry)
    seen = live.distribution(db, made.id, 0)
    results_seen = live.question_results(db, made.id)
    live.next_question(db, made.id, actor_id=boss.id)
    live.set_approval(db, made.id, 1, actor_id=boss.id, required=False)
    live.submit_text(db, made.id, troll.id, 1, "Trolden var her")
    live.submit_text(db, made.id, anna.id, 1, "Mod")

    live.remove_participant(db, made.id, troll.id, actor_id=boss.id)
    assert live.distribution(db, made.id, 0) == seen, "the revealed chart stays as the room saw it"
    assert live.question_results(db, made.id) == results_seen
    assert shown(db, made, 1) == ["Mod"], "the removed person's text leaves the stage"
    assert live.pulse(db, made.id).participants == 1
    live.reveal(db, made.id, actor_id=boss.id, registry=registry)
    live.end(db, made.id, actor_id=boss.id)

    everyone = live.participant_results(db, made.id, removed=True)
    assert [(r.display_name, r.removed, r.correct, r.place) for r in everyone] == [
        ("Anna", False, 0, 1),
        ("Trold", True, 1, None),
    ], "marked as removed, with the answer revealed before"
    assert [r.display_name for r in live.participant_results(db, made.id)] == ["Anna"], "off the podium"
    rows = live.results_rows(db, made.id)
    assert [(r["question_no"], r["participant"], r["removed"]) for r in rows if r["question_no"] == 1] == [
        (1, "Anna", "nej"),
        (1, "Trold", "ja"),
    ]
    assert [r["answer"] for r in rows if r["question_no"] == 2] == ["Mod"], "the removed person's text left"
    assert "Trolden var her" not in live.results_csv(db, made.id)


def test_a_removed_participant_cannot_rejoin_from_a_fresh_browser(db, boss, registry):
    made = live.create_session(db, boss.id, SPEC, allow_anonymous=True, registry=registry)
    troll, _ = live.join(db, made.code, display_name="Trold", client_key="k", browser="browser-one-000001")
    live.remove_participant(db, made.id, troll.id, actor_id=boss.id)
    with pytest.raises(live.LiveError, match="»trold« ud af denne live-quiz"):
        live.join(db, made.code, display_name="  trold ", client_key="k", browser="browser-two-000002")
    learner = create_user(db, "lene", "Lene Leder", "hemmelig123")
    lene, _ = live.join(db, made.code, user_id=learner.id, client_key="k")
    live.remove_participant(db, made.id, lene.id, actor_id=boss.id)
    with pytest.raises(live.LiveError, match="taget dig ud"):
        live.join(db, made.code, user_id=learner.id, client_key="k", browser="another-browser-03")
    assert live.join(db, made.code, display_name="Anna", client_key="k")[0].display_name == "Anna"


def test_tied_players_share_a_place_and_the_next_place_is_skipped(db, boss, registry):
    made = live.create_session(db, boss.id, SPEC, allow_anonymous=True, points=True, registry=registry)
    names = ["Anna", "Bo", "Cai", "Dan"]
    people = {n: live.join(db, made.code, display_name=n, client_key="k")[0] for n in names}
    question = live.start(db, made.id, actor_id=boss.id, now=NOW).questions[0]
    for name, answer, seconds in [("Anna", right_answer, 2), ("Bo", right_answer, 2), ("Cai", right_answer, 9)]:
        live.submit_answer(
            db, made.id, people[name].id, 0, answer(question), registry=registry, now=NOW + timedelta(seconds=seconds)
        )
    live.submit_answer(db, made.id, people["Dan"].id, 0, wrong_answer(question), registry=registry, now=NOW)
    live.reveal(db, made.id, actor_id=boss.id, registry=registry)
    results = live.participant_results(db, made.id)
    assert [(r.display_name, r.place) for r in results] == [("Anna", 1), ("Bo", 1), ("Cai", 3), ("Dan", 4)]
    assert [live.place_of(results, people[n].id) for n in names] == [1, 1, 3, 4]
    assert [r.place for r in live.leaderboard(db, made.id, limit=3)] == [1, 1, 3]


def test_without_points_equal_scores_share_a_place(db, boss, registry):
    made = live.create_session(db, boss.id, SPEC, allow_anonymous=True, registry=registry)
    anna, _ = live.join(db, made.code, display_name="Anna", client_key="k")
    bo, _ = live.join(db, made.code, display_name="Bo", client_key="k")
    question = live.start(db, made.id, actor_id=boss.id).questions[0]
    live.submit_answer(db, made.id, anna.id, 0, right_answer(question), registry=registry)
    live.submit_answer(db, made.id, bo.id, 0, right_answer(question), registry=registry)
    live.reveal(db, made.id, actor_id=boss.id, registry=registry)
    assert [r.place for r in live.participant_results(db, made.id)] == [1, 1]


def test_with_a_timer_and_no_automatic_reveal_the_room_is_told_time_is_up(db, boss, registry):
    made = live.create_session(db, boss.id, SPEC, allow_anonymous=True, timer_seconds=20, registry=registry)
    anna, _ = live.join(db, made.code, display_name="Anna", client_key="k")
    current = live.start(db, made.id, actor_id=boss.id, now=NOW)
    assert live.time_left(current, NOW + timedelta(seconds=5)) == 15.0
    assert not live.is_time_up(current, NOW + timedelta(seconds=19))
    assert live.is_time_up(current, NOW + timedelta(seconds=20))
    assert live.time_left(current, NOW + timedelta(seconds=60)) == 0.0
    assert live.reveal_when_due(db, made.id, now=NOW + timedelta(seconds=60)) is None, "no automatic reveal"
    with pytest.raises(live.AnswerClosed):
        live.submit_answer(
            db, made.id, anna.id, 0, right_answer(current.questions[0]), registry=registry,
            now=NOW + timedelta(seconds=25),
        )  # fmt: skip
    revealed = live.reveal(db, made.id, actor_id=boss.id, registry=registry)
    assert live.time_left(revealed) is None and not live.is_time_up(revealed), "after the reveal: no clock"
    untimed = live.start(db, live.create_session(db, boss.id, SPEC, registry=registry).id, actor_id=boss.id)
    assert live.time_left(untimed) is None and not live.is_time_up(untimed)


def test_the_results_csv_headers_are_in_the_readers_language(db, boss, registry):
    made = live.create_session(db, boss.id, SPEC, allow_anonymous=True, registry=registry)
    anna, _ = live.join(db, made.code, display_name="Anna", client_key="k")
    question = live.start(db, made.id, actor_id=boss.id).questions[0]
    live.submit_answer(db, made.id, anna.id, 0, right_answer(question), registry=registry)
    live.reveal(db, made.id, actor_id=boss.id, registry=registry)

    def table(lang: str) -> list[dict[str, str]]:
        text = live.results_csv(db, made.id, lang=lang).lstrip("\ufeff")
        return list(csv.DictReader(io.StringIO(text), delimiter=";"))

    [danish] = table("da")
    [english] = table("en")
    assert list(danish)[:4] == ["kode", "spørgsmål_nr", "spørgsmål", "deltager"]
    assert list(english) == [
        "code", "question_no", "question", "participant", "signed_in", "answer", "answered_at", "correct",
        "score_percent", "points", "hidden", "removed", "discussion",
    ]  # fmt: skip
    assert danish["rigtigt"] == "ja" and english["correct"] == "yes"


def test_a_session_id_too_large_for_sqlite_is_simply_not_found(db):
    assert live.get_session(db, 99999999999999999999999) is None
    assert live.get_session(db, -1) is None
