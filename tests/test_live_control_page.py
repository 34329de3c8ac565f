"""The facilitator's control page (»Styring«) in AppTest: moderation, the reveal, the clock, a bad link.

Phones act through the domain (``quiz.live``) on the same progress.db, as the lean phone pages do.
"""

from __future__ import annotations

from datetime import timedelta

from quiz import live
from quiz.learning.quizzes import QuizSpec
from quiz.store.db import utcnow
from quiz.ui.live.widgets import plain
from tests.test_live_pages import click, open_page, texts

CONTROL_PAGE = "quiz/ui/pages/control.py"


def make(db, boss, **kw) -> live.LiveSession:
    spec = QuizSpec(pack_id="hvidovrevejen", length=2, types=["perspective"], seed=5)
    return live.create_session(db, boss.id, spec, allow_anonymous=True, **kw)


def open_control(boss, made):
    return open_page(CONTROL_PAGE, user_id=boss.id, query={"session": str(made.id)})


def test_answers_from_the_room_wait_on_the_control_page_until_the_facilitator_approves_them(live_people):
    db, users = live_people
    boss = users["facilitator"]
    made = make(db, boss, questions=[live.open_question("Hvad betyder åbenhed for jer?", pack_id="hvidovrevejen")])
    anna, _ = live.join(db, made.code, display_name="Anna", client_key="k")
    bo, _ = live.join(db, made.code, display_name="Bo", client_key="k")
    live.start(db, made.id, actor_id=boss.id)
    control = open_control(boss, made)
    assert "Ingen svar endnu." in texts(control)
    assert control.toggle(key=f"live_approve_first_{live.get_session(db, made.id).version}").value is True

    kind = live.submit_text(db, made.id, anna.id, 0, "Ærlighed og åbenhed")
    rude = live.submit_text(db, made.id, bo.id, 0, "sikke noget pis")
    control.run()
    shown = texts(control)
    assert "Ærlighed og åbenhed · *venter på godkendelse*" in shown
    assert "stødende ord?" in shown and "2 venter på godkendelse" in shown
    assert live.word_counts(db, made.id, 0) == [], "nothing on the stage before approval"

    control.button(key=f"live_approve_{kind.id}").click().run()
    assert live.word_counts(db, made.id, 0) == [("Ærlighed og åbenhed", 1)]
    assert "1 venter på godkendelse" in texts(control)
    control.button(key=f"live_hide_{rude.id}").click().run()
    assert "~~sikke noget pis~~ · *skjult*" in texts(control)
    control.button(key=f"live_hide_{rude.id}").click().run()  # »Vis igen«: restored, and so approved
    assert [t.text for t in live.shown_texts(db, made.id, 0)] == ["Ærlighed og åbenhed", "sikke noget pis"]


def test_the_facilitator_turns_approval_off_for_the_question_and_answers_show_at_once(live_people):
    db, users = live_people
    boss = users["facilitator"]
    made = make(db, boss, questions=[live.open_question("Hvad tager I med?", pack_id="hvidovrevejen")])
    anna, _ = live.join(db, made.code, display_name="Anna", client_key="k")
    live.start(db, made.id, actor_id=boss.id)
    control = open_control(boss, made)
    control.toggle(key=f"live_approve_first_{live.get_session(db, made.id).version}").set_value(False).run()
    assert not live.approval_required(live.get_session(db, made.id), 0)
    live.submit_text(db, made.id, anna.id, 0, "Mod")
    assert [t.text for t in live.shown_texts(db, made.id, 0)] == ["Mod"]
    assert "venter" not in texts(control.run())


def test_the_facilitator_resets_the_answers_of_the_question_on_screen(live_people):
    db, users = live_people
    boss = users["facilitator"]
    made = make(db, boss)
    anna, _ = live.join(db, made.code, display_name="Anna", client_key="k")
    question = live.start(db, made.id, actor_id=boss.id).questions[0]
    live.submit_answer(db, made.id, anna.id, 0, question.options[0].key)
    control = open_control(boss, made)
    assert "1 af 1 har svaret" in str([p.proto.text for p in control.get("progress")])
    control.button(key="live_reset_go").click().run()
    assert not control.exception
    assert live.answer_of(db, anna.id, 0) is None
    assert "0 af 1 har svaret" in str([p.proto.text for p in control.get("progress")])


def test_the_reveal_on_the_control_page_shows_the_right_answer_and_the_distribution(live_people):
    db, users = live_people
    boss = users["facilitator"]
    made = make(db, boss)
    people = [live.join(db, made.code, display_name=n, client_key="k")[0] for n in ("Anna", "Bo", "Cai")]
    question = live.start(db, made.id, actor_id=boss.id).questions[0]
    right = question.accepted[0][0]
    wrong = next(o.key for o in question.options if o.key != right)
    for person, key in zip(people, (right, right, wrong), strict=True):
        live.submit_answer(db, made.id, person.id, 0, key)
    control = open_control(boss, made)
    click(control, "Vis svaret")
    shown = texts(control)
    keys = [o.key for o in question.options]
    letter = "ABCDEFGH"[keys.index(right)]
    assert f"**Rigtigt svar:** {letter}." in shown
    assert "**Sådan svarede salen** (3 af 3)" in shown
    right_label = plain(question.option_label(right))
    assert f"- {letter}. {right_label}: **2** ✓ rigtigt" in shown
    assert f"- {'ABCDEFGH'[keys.index(wrong)]}. {plain(question.option_label(wrong))}: **1**" in shown


def test_with_a_timer_and_no_automatic_reveal_the_control_page_says_time_is_up(live_people):
    db, users = live_people
    boss = users["facilitator"]
    made = make(db, boss, timer_seconds=5)
    live.join(db, made.code, display_name="Anna", client_key="k")
    live.start(db, made.id, actor_id=boss.id, now=utcnow() - timedelta(seconds=30))
    control = open_control(boss, made)
    assert "Tiden er gået. Vis svaret, når I er klar." in texts(control)
    assert live.get_session(db, made.id).state == live.State.QUESTION, "no automatic reveal"
    fresh = make(db, boss, timer_seconds=600)
    live.start(db, fresh.id, actor_id=boss.id)
    assert "Tiden er gået" not in texts(open_control(boss, fresh))


def test_ties_share_a_place_in_the_results_and_a_removed_participant_is_marked(live_people):
    db, users = live_people
    boss = users["facilitator"]
    made = make(db, boss)
    people = [live.join(db, made.code, display_name=n, client_key="k")[0] for n in ("Anna", "Bo", "Cai")]
    question = live.start(db, made.id, actor_id=boss.id).questions[0]
    right = question.accepted[0][0]
    for person in people[:2]:
        live.submit_answer(db, made.id, person.id, 0, right)
    live.reveal(db, made.id, actor_id=boss.id)
    live.remove_participant(db, made.id, people[2].id, actor_id=boss.id)
    live.end(db, made.id, actor_id=boss.id)
    control = open_control(boss, made)
    [table] = control.dataframe
    frame = table.value
    assert list(frame["Plads"]) == ["1", "1", "–"]
    assert list(frame["Deltager"]) == ["Anna", "Bo", "Cai"] and list(frame["Fjernet"]) == ["nej", "nej", "ja"]


def test_a_control_link_with_an_impossible_session_number_says_it_is_not_found(live_people):
    _db, users = live_people
    for number in ("9" * 23, "-5", "0"):
        control = open_page(CONTROL_PAGE, user_id=users["facilitator"].id, query={"session": number})
        assert not control.exception, "no OverflowError"
        assert "Live-quizzen findes ikke længere." in texts(control)
    for page in ("quiz/ui/pages/facilitator.py", "quiz/ui/pages/stage.py"):
        at = open_page(page, user_id=users["facilitator"].id, query={"session": "9" * 23})
        assert not at.exception, page


def test_the_plan_page_sets_approve_first_per_question_and_the_session_follows_it(live_people):
    db, users = live_people
    boss = users["facilitator"]
    planner = open_page("quiz/ui/pages/live_plan.py", user_id=boss.id)
    planner.button(key="live_plan_add_0").click().run()
    planner.text_input(key="live_plan_open_prompt").input("Hvad tager I med fra i dag?")
    click(planner, "Tilføj åbent spørgsmål")
    choice, open_one = [w for w in planner.toggle if w.key.startswith("live_plan_approve_")]
    assert (choice.value, open_one.value) == (False, True), "on by default for the open question only"
    open_one.set_value(False).run()
    [w for w in planner.toggle if w.key == choice.key][0].set_value(True).run()
    planner.text_input(key="live_plan_name").input("Godkendelse")
    click(planner, "Gem planen")
    [plan] = live.plans_of(db, boss.id)
    assert [q.data.get(live.APPROVE_KEY) for q in plan.questions] == [True, False]
    made = make(db, boss, questions=plan.questions)
    assert [live.approval_required(made, i) for i in range(2)] == [True, False]


def test_the_facilitators_one_screen_page_says_time_is_up_too(live_people):
    from tests.test_live_pages import FACILITATOR_PAGE

    db, users = live_people
    boss = users["facilitator"]
    made = make(db, boss, timer_seconds=5)
    live.start(db, made.id, actor_id=boss.id, now=utcnow() - timedelta(seconds=30))
    page = open_page(FACILITATOR_PAGE, user_id=boss.id, query={"session": str(made.id)})
    assert "Tiden er gået." in texts(page)


def test_the_podium_at_the_end_gives_tied_players_the_same_place(live_people):
    from tests.test_live_pages import FACILITATOR_PAGE

    db, users = live_people
    boss = users["facilitator"]
    made = make(db, boss, points=True)
    anna, bo = [live.join(db, made.code, display_name=n, client_key="k")[0] for n in ("Anna", "Bo")]
    cai, _ = live.join(db, made.code, display_name="Cai", client_key="k")
    moment = utcnow()
    question = live.start(db, made.id, actor_id=boss.id, now=moment).questions[0]
    right = question.accepted[0][0]
    wrong = next(o.key for o in question.options if o.key != right)
    for person, key in ((anna, right), (bo, right), (cai, wrong)):
        live.submit_answer(db, made.id, person.id, 0, key, now=moment + timedelta(seconds=1))
    live.reveal(db, made.id, actor_id=boss.id)
    live.end(db, made.id, actor_id=boss.id)
    page = open_page(FACILITATOR_PAGE, user_id=boss.id, query={"session": str(made.id)})
    [podium] = [h.proto.body for h in page.get("html") if 'role="list"' in h.proto.body]
    assert podium.count('justify-content:center">1</div>') == 2 and 'justify-content:center">3</div>' in podium
    assert "**1.** Anna" in texts(page) and "**1.** Bo" in texts(page) and "**3.** Cai" in texts(page)


STAGE_PAGE = "quiz/ui/pages/stage.py"


def test_the_menus_stage_screen_leads_the_facilitator_to_the_lean_stage_of_a_running_session(live_people):
    """»Storskærm« in the menu (the old presenter view's address, /praesentation) is no projector any
    more: it says where the room's screen is now and makes the secret stage link for the projector PC."""
    db, users = live_people
    boss = users["facilitator"]
    nothing = open_page(STAGE_PAGE, user_id=boss.id)
    assert not nothing.exception
    assert "Du har ingen åben live-quiz" in texts(nothing)
    made, other = make(db, boss), make(db, boss)
    listed = open_page(STAGE_PAGE, user_id=boss.id)
    assert "Den gamle præsentationsvisning findes ikke længere" in texts(listed)
    labels = [p.proto.label for p in listed.get("page_link")]
    assert {f"Storskærm for {s.code} · {s.title}" for s in (made, other)} <= set(labels), labels
    live.end(db, other.id, actor_id=boss.id)

    page = open_page(STAGE_PAGE, user_id=boss.id)  # one running session: its link at once
    assert made.title in [h.value for h in page.header]
    assert not live.has_stage_key(db, made.id)
    click(page, "Lav et link til storskærmen")
    assert live.has_stage_key(db, made.id)
    [shown] = [c.value for c in page.code]
    key = shown.rsplit("/storskaerm/", 1)[1]
    assert live.session_for_stage_key(db, key) == made.id, "the link shown opens this session's stage"
    click(page, "Luk alle links til storskærmen")
    assert live.session_for_stage_key(db, key) is None and not page.code


def test_the_control_page_offers_the_stage_link_until_the_session_has_one(live_people):
    db, users = live_people
    boss = users["facilitator"]
    made = make(db, boss)
    control = open_control(boss, made)
    [box] = [e for e in control.expander if e.label == "Storskærm (projektor)"]
    assert box.proto.expanded, "open while there is no link: made before the room arrives"
    assert not [p for p in control.get("page_link") if "praesentation" in p.proto.page], "no old presenter view"
    click(control, "Lav et link til storskærmen")
    assert "/storskaerm/" in control.code[0].value
    assert not [e for e in open_control(boss, made).expander if e.label == "Storskærm (projektor)"][0].proto.expanded
