"""The room answers the discussion prompt after a reveal; questions keep their own time limits; phones
read stored questions in their own language. Plain Python over a real progress.db."""

from __future__ import annotations

import dataclasses
import re
from datetime import UTC, datetime, timedelta

import pytest

from quiz import live
from quiz.learning.quizzes import QuizSpec, draw_questions, grade
from quiz.learning.translation import in_language
from quiz.plugins import get_registry
from quiz.store import create_user
from tests.conftest import right_answer

NOW = datetime(2025, 5, 6, 13, 0, tzinfo=UTC)
SPEC = QuizSpec(pack_id="mini", length=2, types=["place"], seed=7)
PROMPT = "Hvad betyder udsagnet for jer?"


@pytest.fixture
def boss(db):
    return create_user(db, "facilitator", "Fie Facilitator", "hemmelig123", is_facilitator=True)


@pytest.fixture
def room(db, boss, registry, pack):
    pack.manifest.discussion_prompts[:] = [PROMPT]
    made = live.create_session(db, boss.id, SPEC, allow_anonymous=True, registry=registry)
    anna, _ = live.join(db, made.code, display_name="Anna", client_key="k")
    bo, _ = live.join(db, made.code, display_name="=Bo", client_key="k")
    return made, anna, bo


def test_the_room_writes_to_the_discussion_only_while_the_facilitator_has_it_open(db, room, boss, registry):
    made, anna, bo = room
    live.start(db, made.id, actor_id=boss.id)
    with pytest.raises(live.AnswerClosed):
        live.submit_discussion_text(db, made.id, anna.id, 0, "For tidligt")
    live.reveal(db, made.id, actor_id=boss.id, registry=registry)
    with pytest.raises(live.AnswerClosed):
        live.submit_discussion_text(db, made.id, anna.id, 0, "Ikke åbnet endnu")
    learner = create_user(db, "lene", "Lene Leder", "hemmelig123")
    with pytest.raises(live.NotAllowed):
        live.open_discussion(db, made.id, actor_id=learner.id, registry=registry)

    before = live.pulse(db, made.id)
    opened = live.open_discussion(db, made.id, actor_id=boss.id, registry=registry)
    assert opened.state == live.State.DISCUSSION and opened.discussions == {0: PROMPT}
    assert opened.current_question == opened.questions[0], "the revealed question stays on screen"
    live.submit_discussion_text(db, made.id, anna.id, 0, "Vi tør sige fra")
    live.submit_discussion_text(db, made.id, anna.id, 0, "Og lytte")
    live.submit_discussion_text(db, made.id, bo.id, 0, "Tillid")
    assert live.pulse(db, made.id) != before, "the projector redraws"
    assert live.writers(db, made.id, 0, kind=live.DISCUSSION_KIND) == 2
    assert live.pulse(db, made.id).answered == 0, "a discussion text is no answer to the question"
    with pytest.raises(live.LiveError, match="højst"):
        live.submit_discussion_text(db, made.id, bo.id, 0, "x" * (live.TEXT_MAX + 1))
    live.submit_discussion_text(db, made.id, anna.id, 0, "Tre")
    with pytest.raises(live.LiveError):
        live.submit_discussion_text(db, made.id, anna.id, 0, "Fire er for mange")

    assert live.close_discussion(db, made.id, actor_id=boss.id).state == live.State.REVEALED
    with pytest.raises(live.AnswerClosed):
        live.submit_discussion_text(db, made.id, bo.id, 0, "Lukket")
    again = live.open_discussion(db, made.id, actor_id=boss.id, registry=registry, display="list")
    assert again.discussion_display == "list"
    assert live.next_question(db, made.id, actor_id=boss.id).state == live.State.QUESTION
    with pytest.raises(live.AnswerClosed):
        live.submit_discussion_text(db, made.id, bo.id, 0, "Videre")
    assert [t.text for t in live.my_texts(db, anna.id, 0)] == [], "the open question's texts are another kind"


def test_hidden_discussion_texts_leave_the_projector_but_stay_in_the_results_and_csv(db, room, boss, registry):
    made, anna, bo = room
    live.start(db, made.id, actor_id=boss.id)
    live.submit_answer(db, made.id, anna.id, 0, right_answer(made.questions[0]), registry=registry)
    live.reveal(db, made.id, actor_id=boss.id, registry=registry)
    live.open_discussion(db, made.id, actor_id=boss.id, registry=registry)
    live.submit_discussion_text(db, made.id, anna.id, 0, "Tillid bygger vi sammen")
    rude = live.submit_discussion_text(db, made.id, bo.id, 0, "noget grimt")
    live.set_text_hidden(db, made.id, rude.id, actor_id=boss.id)
    shown = [t.text for t in live.texts_of(db, made.id, 0, hidden=False, kind=live.DISCUSSION_KIND)]
    assert shown == ["Tillid bygger vi sammen"]
    words = dict(live.word_counts(db, made.id, 0, kind=live.DISCUSSION_KIND))
    assert words == {"Tillid bygger vi sammen": 1}, "phrases stay whole; the hidden one is not there"
    live.end(db, made.id, actor_id=boss.id, registry=registry)

    [(index, prompt, texts)] = live.discussion_results(db, made.id)
    assert (index, prompt, [t.hidden for t in texts]) == (0, PROMPT, [False, True])
    rows = live.results_rows(db, made.id)
    answers = [r for r in rows if r["discussion"] == "nej"]
    talk = [r for r in rows if r["discussion"] == "ja"]
    assert [r["participant"] for r in answers] == ["Anna", "'=Bo"], "the question's own rows, one per person"
    assert [(r["question_no"], r["question"], r["participant"], r["answer"], r["hidden"]) for r in talk] == [
        (1, PROMPT, "Anna", "Tillid bygger vi sammen", "nej"),
        (1, PROMPT, "'=Bo", "noget grimt", "ja"),
    ]
    csv = live.results_csv(db, made.id)
    assert csv.splitlines()[0].endswith(";skjult;fjernet;drøftelse")


def test_an_open_question_or_a_pack_without_prompts_has_no_discussion_to_open(db, boss, registry, pack):
    questions = [live.open_question("Hvad tager I med?", pack_id="mini")]
    made = live.create_session(db, boss.id, SPEC, questions=questions, registry=registry)
    live.start(db, made.id, actor_id=boss.id)
    live.reveal(db, made.id, actor_id=boss.id, registry=registry)
    pack.manifest.discussion_prompts[:] = [PROMPT]
    with pytest.raises(live.LiveError, match="intet drøftelsesspørgsmål"):
        live.open_discussion(db, made.id, actor_id=boss.id, registry=registry)
    plain = live.create_session(db, boss.id, SPEC, registry=registry)
    pack.manifest.discussion_prompts[:] = []
    live.start(db, plain.id, actor_id=boss.id)
    live.reveal(db, plain.id, actor_id=boss.id, registry=registry)
    with pytest.raises(live.LiveError, match="intet drøftelsesspørgsmål"):
        live.open_discussion(db, plain.id, actor_id=boss.id, registry=registry)
    assert live.get_session(db, plain.id).state == live.State.REVEALED


def test_each_question_keeps_its_own_time_limit_twenty_seconds_then_none(db, boss, registry):
    drawn = draw_questions(SPEC, registry)
    first = dataclasses.replace(drawn[0], data={**drawn[0].data, live.SECONDS_KEY: 20})
    second = dataclasses.replace(drawn[1], data={**drawn[1].data, live.SECONDS_KEY: 0})
    made = live.create_session(
        db, boss.id, SPEC, questions=[first, second], allow_anonymous=True, timer_seconds=45, registry=registry
    )
    anna, _ = live.join(db, made.code, display_name="Anna", client_key="k")
    current = live.start(db, made.id, actor_id=boss.id, now=NOW)
    assert current.time_limit() == 20 and current.deadline() == NOW + timedelta(seconds=20)
    with pytest.raises(live.AnswerClosed):
        live.submit_answer(
            db, made.id, anna.id, 0, right_answer(first), registry=registry, now=NOW + timedelta(seconds=25)
        )
    live.reveal(db, made.id, actor_id=boss.id, registry=registry)
    current = live.next_question(db, made.id, actor_id=boss.id, now=NOW + timedelta(seconds=60))
    assert current.time_limit() is None and current.deadline() is None, "0: no limit, not the session's 45 s"
    late = NOW + timedelta(minutes=30)
    assert live.submit_answer(db, made.id, anna.id, 1, right_answer(second), registry=registry, now=late).correct
    with pytest.raises(live.LiveError, match="mellem 5"):
        bad = dataclasses.replace(drawn[0], data={live.SECONDS_KEY: 3})
        live.create_session(db, boss.id, SPEC, questions=[bad], registry=registry)
    off = live.create_session(db, boss.id, SPEC, registry=registry)
    assert off.time_limit(0) is None, "off by default"


def test_a_stored_danish_question_reads_in_english_with_the_same_keys_and_grade():
    danish, english_registry = get_registry("da"), get_registry("en")
    for kind in ("perspective", "role", "match", "odd_one_out", "chain", "values"):
        for seed in range(3):
            spec = QuizSpec(pack_id="hvidovrevejen", length=4, types=[kind], seed=seed)
            for question in draw_questions(spec, danish):
                shown = in_language(question, "en", english_registry)
                assert shown != question, f"{kind} is shown in English"
                assert [o.key for o in shown.options] == [o.key for o in question.options]
                assert shown.accepted == question.accepted and shown.statement_ids == question.statement_ids
                pack = english_registry.packs["hvidovrevejen"]
                for item in shown.items:
                    if item.statement_id:
                        assert item.text == pack.statement(item.statement_id).text
                answer = right_answer(question)
                assert grade(shown, answer, english_registry).score == grade(question, answer, danish).score == 1.0
                assert in_language(shown, "da", danish) == question, f"{kind}: and back, word for word"
    written = live.open_question("Hvad tager I med?", pack_id="hvidovrevejen")
    assert in_language(written, "en", english_registry) == written, "a facilitator's own words stay as written"


# --- the pages: the phone, the control page (AppTest) and the stage share progress.db ----------------


def test_the_control_page_opens_the_discussion_and_the_phone_answers_it_on_the_projector(live_people):
    from tests.lean import Stage
    from tests.test_live_defects import CONTROL_PAGE, PAST_PAGE, join_phone, make
    from tests.test_live_pages import click, open_page, texts

    db, users = live_people
    boss = users["facilitator"].id
    made = make(db, users["facilitator"], length=1)
    phone = join_phone(made.code, "Åse")
    live.start(db, made.id, actor_id=boss)
    control = open_page(CONTROL_PAGE, user_id=boss, query={"session": str(made.id)})
    click(control, "Vis svaret")
    click(control, "Saml svar på drøftelsen")
    opened = live.get_session(db, made.id)
    assert opened.state == live.State.DISCUSSION and opened.discussions[0] in texts(control)

    shown = phone.text()
    assert "Drøft det i salen, og skriv gerne kort" in shown and opened.discussions[0] in shown
    phone.write(0, "Vi tør sige fra", kind="discussion")
    shown = phone.text()
    assert "Modtaget – det vises på skærmen" in shown and "Vi tør sige fra" in shown

    stage = Stage(live.stage_key(db, made.id, actor_id=boss))
    assert stage.cloud() == ["Vi tør sige fra"], "the word cloud shows the phrase"
    assert "1 af 1 har skrevet" in control.run().get("progress")[0].proto.text
    click(control, "Skjul")
    assert stage.cloud() == [], "hidden from the projector"

    click(control, "Luk for svar")
    assert live.get_session(db, made.id).state == live.State.REVEALED
    assert "<textarea" not in phone.run().html, "closed: no text box on the phone"
    click(control, "Afslut og vis resultater")
    past = open_page(PAST_PAGE, user_id=boss)
    assert "Drøftelser" in [h.value for h in past.header]
    rows = past.table[-1].value.to_dict("records")
    assert rows == [{"Deltager": "Åse", "Svar": "Vi tør sige fra", "Skjult": "ja"}], "hidden, but in the results"


def test_a_phone_in_english_shows_the_danish_session_in_english(live_people):
    from quiz.people import auth, languages
    from tests.lean import Phone
    from tests.test_live_defects import make

    db, users = live_people
    learner = users["learner"].id
    languages.set_user_language(db, learner, "en")
    made = make(db, users["facilitator"], length=1)
    phone = Phone(sign_in=auth.create_session(db, learner)).open(made.code)
    assert "Join a live quiz" in phone.html, "her own language, before she joins"
    phone.join(made.code)
    question = live.start(db, made.id, actor_id=users["facilitator"].id).questions[0]
    english = get_registry("en").packs["hvidovrevejen"]
    statement = english.statement(question.statement_ids[0]).text

    shown = phone.text()
    assert statement in shown and question.items[0].text not in shown, "the statement in English"
    assert "Question 1 of 1" in shown and "Spørgsmål" not in shown
    labels = re.findall(r'<span class="sr">A\. </span>([^<]+)</span>', phone.html)
    assert labels and labels[0] not in [o.label for o in question.options], "the options in English"
    phone.answer(0, question.accepted[0][0])
    assert "Your answer is received" in phone.text()
    live.reveal(db, made.id, actor_id=users["facilitator"].id)
    shown = phone.text()
    assert "Right!" in shown or "Correct" in shown, shown
    for danish in ("Rigtigt", "Dit svar", "Vent på", "Udsagnet står"):
        assert danish not in shown, danish
    assert live.answer_of(db, live.participants(db, made.id)[0].id, 0).correct, "graded by the same keys"


def test_the_plan_page_gives_one_question_twenty_seconds_and_the_next_none(live_people):
    from tests.test_live_pages import FACILITATOR_PAGE, click, open_page

    db, users = live_people
    boss = users["facilitator"].id
    planner = open_page("quiz/ui/pages/live_plan.py", user_id=boss)
    for _ in range(2):
        planner.button(key="live_plan_add_0").click().run()
    first, second = [n for n in planner.number_input if n.key.startswith("live_plan_secs_")]
    assert first.value is None and second.value is None, "blank: the session's timer, off by default"
    first.set_value(20).run()
    planner.button(key="live_plan_down_0").click().run()  # the timed question moves; its time goes with it
    planner.text_input(key="live_plan_name").input("Tempo")
    click(planner, "Gem planen")
    [plan] = live.plans_of(db, boss)
    assert [q.data.get(live.SECONDS_KEY) for q in plan.questions] == [None, 20]

    facilitator = open_page(FACILITATOR_PAGE, user_id=boss)
    facilitator.selectbox(key="live_plan_choice").set_value(plan.id).run()
    click(facilitator, "Opret live-quiz")
    [made] = live.open_sessions(db, boss)
    assert made.timer_seconds is None
    current = live.start(db, made.id, actor_id=boss)
    assert current.deadline() is None, "the first question has no limit"
    live.reveal(db, made.id, actor_id=boss)
    assert live.next_question(db, made.id, actor_id=boss).time_limit() == 20
