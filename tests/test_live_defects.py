"""The defects a real session found, each played through the pages in AppTest (a projector, phones,
one shared progress.db); the parts only a browser shows are in tests/e2e/test_browser_live.py."""

from __future__ import annotations

import re

import pytest

from quiz import i18n, live
from quiz.i18n import t
from quiz.learning.quizzes import QuizSpec
from quiz.people import auth, languages
from tests.lean import Phone, Stage
from tests.test_live_pages import (
    FACILITATOR_PAGE,
    bar_label,
    chart_counts,
    click,
    open_page,
    texts,
)

CONTROL_PAGE = "quiz/ui/pages/control.py"
PAST_PAGE = "quiz/ui/pages/past_sessions.py"


def make(db, boss, *, length=2, **kw) -> live.LiveSession:
    spec = QuizSpec(pack_id="hvidovrevejen", length=length, types=["perspective"], seed=5)
    return live.create_session(db, boss.id, spec, allow_anonymous=True, **kw)


def join_phone(code: str, name: str) -> Phone:
    return Phone().join(code, name)


def test_the_projector_counts_follow_a_changed_answer_also_after_the_reveal(live_people):
    db, users = live_people
    made = make(db, users["facilitator"])
    phone = join_phone(made.code, "Dorte")
    projector = open_page(FACILITATOR_PAGE, user_id=users["facilitator"].id, query={"session": str(made.id)})
    click(projector, "Start quizzen")
    question = live.get_session(db, made.id).questions[0]
    first, second = question.options[-1].key, question.options[1].key

    phone.run().answer(0, first)
    assert chart_counts(projector.run())[bar_label(question, first)] == 1
    phone.run().answer(0, second)  # D -> B
    on_screen = chart_counts(projector.run())
    assert on_screen[bar_label(question, second)] == 1 and on_screen[bar_label(question, first)] == 0
    click(projector, "Vis svaret")
    on_screen = chart_counts(projector)
    assert on_screen[bar_label(question, second)] == 1 and on_screen[bar_label(question, first)] == 0


def test_a_signed_in_qr_joiner_sees_her_final_result_and_win(live_people):
    db, users = live_people
    made = make(db, users["facilitator"], length=1, points=True)
    signed_in = auth.create_session(db, users["learner"].id)
    lene = Phone(sign_in=signed_in).join(made.code)
    # The same account on a second device takes a new token: the phone's own token is stale now.
    live.join(db, made.code, user_id=users["learner"].id, client_key="laptop")
    boss = users["facilitator"].id
    question = live.start(db, made.id, actor_id=boss).questions[0]
    lene.run().answer(0, question.accepted[0][0])
    live.reveal(db, made.id, actor_id=boss)
    live.end(db, made.id, actor_id=boss)

    for phone in (lene, Phone(sign_in=signed_in).open(made.code)):
        shown = phone.text()
        assert "Live-quizzen er slut. Tak, fordi du var med!" in shown
        assert "Du vandt!" in shown and "nr. 1 af 1" in shown
        assert 'name="kode"' not in phone.html, "no join form at the end"
    # Even opening »Deltag« from the menu, without the code, brings her result.
    assert "Du vandt!" in Phone(sign_in=signed_in).text()


def test_a_participant_who_joins_again_by_the_same_phone_is_one_participant(live_people):
    db, users = live_people
    made = make(db, users["facilitator"])
    anna = join_phone(made.code, "Anna")
    # The QR code again from the same phone, which forgot its participant cookie but kept its browser id.
    again = Phone()
    again.client.cookies.set("quiz_live_browser", anna.client.cookies.get("quiz_live_browser"))
    again.open(made.code)
    assert f"Kode {made.code} · Anna" in again.html
    again.join(made.code, "Anna")
    assert live.pulse(db, made.id).participants == 1


def test_ending_during_a_question_says_so_on_the_projector_and_the_phones(live_people):
    db, users = live_people
    made = make(db, users["facilitator"])
    phone = join_phone(made.code, "Bo")
    projector = open_page(FACILITATOR_PAGE, user_id=users["facilitator"].id, query={"session": str(made.id)})
    click(projector, "Start quizzen")
    click(projector, "Afslut")
    note = "Live-quizzen blev afsluttet under spørgsmål 1, før svaret blev vist"
    assert note in texts(projector)
    assert note in phone.text()


def test_ended_sessions_are_found_again_with_results_and_csv(live_people):
    db, users = live_people
    made = make(db, users["facilitator"], length=1)
    boss = users["facilitator"].id
    live.start(db, made.id, actor_id=boss)
    live.reveal(db, made.id, actor_id=boss)
    live.end(db, made.id, actor_id=boss)
    past = open_page(PAST_PAGE, user_id=boss)
    assert not past.exception
    assert made.code in texts(past)
    assert past.get("download_button"), "the CSV again"
    learner = open_page(PAST_PAGE, user_id=users["learner"].id)
    assert any("Ingen adgang" in e.value for e in learner.error)


def test_nicknames_are_shown_as_typed_never_as_links(live_people):
    db, users = live_people
    made = make(db, users["facilitator"])
    join_phone(made.code, "www.example.dk")
    projector = open_page(FACILITATOR_PAGE, user_id=users["facilitator"].id, query={"session": str(made.id)})
    assert "www\u2060.example\u2060.dk" in texts(projector), "a word joiner before each dot: no link"


def test_phones_letter_the_options_and_confirm_what_they_got(live_people):
    db, users = live_people
    made = make(db, users["facilitator"])
    phone = join_phone(made.code, "Ib")
    question = live.start(db, made.id, actor_id=users["facilitator"].id).questions[0]
    phone.run()
    letters = re.findall(r'<span class="letter" aria-hidden="true">(.)</span>', phone.html)
    assert letters == [chr(65 + i) for i in range(len(question.options))]
    got = phone.answer(0, question.options[0].key)
    assert "Dit svar er modtaget" in got["html"] and "Dit svar: A. " in got["html"]


def test_the_stage_follows_the_control_page_without_a_sign_in(live_people):
    db, users = live_people
    made = make(db, users["facilitator"], points=True)
    boss = users["facilitator"].id
    phone = join_phone(made.code, "Ulla")
    stage = Stage(live.stage_key(db, made.id, actor_id=boss))
    assert made.code in stage.text() and "Ulla" in stage.text()
    control = open_page(CONTROL_PAGE, user_id=boss, query={"session": str(made.id)})
    click(control, "Start quizzen")
    assert "Spørgsmål 1 af 2" in phone.text()
    assert "Spørgsmål 1 af 2" in stage.text() and "<button" not in stage.html, "the room's screen has no controls"
    click(control, "Vis svaret")
    assert "Rigtigt svar" in stage.text()
    # The control page renames a participant; the room sees the new name.
    control.selectbox(key="live_person").set_value(live.participants(db, made.id)[0].id).run()
    control.text_input(key="live_new_name").input("Ulla Ulriksen")
    click(control, "Omdøb")
    assert live.participants(db, made.id)[0].display_name == "Ulla Ulriksen"
    assert "Ulla Ulriksen" in phone.text()


def test_an_open_question_collects_texts_that_the_facilitator_can_hide(live_people):
    db, users = live_people
    boss = users["facilitator"]
    questions = [live.open_question("Hvad betyder åbenhed for jer?", pack_id="hvidovrevejen")]
    made = make(db, boss, questions=questions)
    phone = join_phone(made.code, "Åse")
    live.start(db, made.id, actor_id=boss.id)
    phone.run().write(0, "Vi tør sige fra")
    assert "Vi tør sige fra" in phone.text()
    stage = Stage(live.stage_key(db, made.id, actor_id=boss.id))
    assert stage.cloud() == [], "an open question's texts wait"
    control = open_page(CONTROL_PAGE, user_id=boss.id, query={"session": str(made.id)})
    click(control, "Godkend")
    assert stage.cloud() == ["Vi tør sige fra"], "the word cloud shows the phrase"
    click(control, "Skjul")
    assert stage.cloud() == [], "hidden from the projector"


def test_the_results_of_a_session_with_an_open_question_show_without_error(live_people):
    db, users = live_people
    boss = users["facilitator"]
    questions = [live.open_question("Hvad tager I med?", pack_id="hvidovrevejen")]
    made = make(db, boss, questions=questions)
    phone = join_phone(made.code, "Åse")
    live.start(db, made.id, actor_id=boss.id)
    live.submit_text(db, made.id, live.participants(db, made.id)[0].id, 0, "Mod")
    live.reveal(db, made.id, actor_id=boss.id)
    live.end(db, made.id, actor_id=boss.id)
    for page in (FACILITATOR_PAGE, CONTROL_PAGE, PAST_PAGE):
        at = open_page(page, user_id=boss.id, query={"session": str(made.id)})
        assert not at.exception, page
    assert "Live-quizzen er slut" in phone.text()


def test_a_facilitator_plans_a_session_by_hand_and_runs_it_from_the_plan(live_people):
    db, users = live_people
    boss = users["facilitator"].id
    planner = open_page("quiz/ui/pages/live_plan.py", user_id=boss)
    assert not planner.exception
    planner.text_input(key="live_plan_search").input("perspektiv").run()
    for _ in range(4):
        planner.button(key="live_plan_add_0").click().run()
    planner.text_input(key="live_plan_open_prompt").input("Hvad tager I med fra i dag?")
    click(planner, "Tilføj åbent spørgsmål")
    planner.button(key="live_plan_up_4").click().run()  # the open question becomes the fourth
    planner.text_input(key="live_plan_name").input("Lederdag juni")
    click(planner, "Gem planen")
    assert not planner.exception
    [plan] = live.plans_of(db, boss)
    assert len(plan.questions) == 5 and live.is_open_question(plan.questions[3])

    facilitator = open_page(FACILITATOR_PAGE, user_id=boss)
    facilitator.selectbox(key="live_plan_choice").set_value(plan.id).run()
    facilitator.toggle(key="live_timed").set_value(True)
    facilitator.toggle(key="live_anonymous").set_value(True)
    click(facilitator, "Opret live-quiz")
    [made] = live.open_sessions(db, boss)
    assert [q.prompt for q in made.questions] == [q.prompt for q in plan.questions]
    assert made.timer_seconds == 30 and made.title == "Lederdag juni"


def _names_on(at) -> set[str]:
    """Every heading, widget label and menu title a person can find on the page."""
    names = {str(e.value) for kind in ("title", "header", "subheader") for e in at.get(kind)}
    for kind in ("button", "selectbox", "multiselect", "toggle", "number_input", "text_input", "radio"):
        names |= {str(w.label) for w in at.get(kind)}
    names |= {page.title for section in at.session_state["_menu"][1].values() for page in section}
    return names


def _named(hint: str) -> set[str]:
    return set(re.findall(r"»([^«]+)«", hint))


@pytest.mark.parametrize("lang", ["da", "en"])
def test_the_plan_pages_hints_name_controls_the_facilitator_finds(live_people, lang):
    """The empty plan, the time of a question and the saved plan point to »names« that are on the pages."""
    db, users = live_people
    boss = users["facilitator"].id
    languages.set_user_language(db, boss, lang)
    # AppTest formats a widget's options with the page's format_func in the test's thread:
    # in the reader's language too, or an English radio's value is looked up in Danish.
    with i18n.use_language(lang):
        planner = open_page("quiz/ui/pages/live_plan.py", user_id=boss)
        here = _names_on(planner)
        [empty] = [c.value for c in planner.caption if c.value == t("live_plan.empty", lang=lang)]
        assert _named(empty) and _named(empty) <= here, (_named(empty), here)
        planner.button(key="live_plan_add_0").click().run()
        [seconds] = [n for n in planner.number_input if n.key.startswith("live_plan_secs_")]
        planner.text_input(key="live_plan_name").input("Lederdag")
        click(planner, t("live_plan.save", lang=lang))
        [saved] = [s.value for s in planner.success]
        assert not planner.exception

        facilitator = open_page(FACILITATOR_PAGE, user_id=boss)
        there = _names_on(facilitator)
        for hint in (seconds.help, saved):
            named = _named(hint) - {"Lederdag"}
            assert named and named <= there, (named, there)
        assert "Lederdag" in facilitator.selectbox(key="live_plan_choice").options, "the plan is where the hint says"
