"""Issue #25's »done when«, played in one Chromium with a context per screen: a signed-in facilitator
runs a planned five-question session (a timer, points, an open question) from the Streamlit control
page for six phones, one of them English, and a signed-out projector PC that opens the stage link.

Every screen is asserted at every step: the phones follow without a click, one tap answers and is
acknowledged, the English phone stays English, »Tiden er gået« when a question's time ends, letters
on the options and on the right answer, each phone's place and score after each reveal, the open
question moderated (approve first: the stage shows a text only after approval; a profanity is held
back), the word cloud keeps phrases whole, the end reaches every screen without a reload, the podium
on the stage, and the control page's list of answers updates by itself.

``LIVE_SHOTS=DIR`` saves a screenshot of the phones (375×740) and the stage (1920×1080) at each step.
Only Playwright's waits bound the time: no timing is asserted.
"""

from __future__ import annotations

import dataclasses
import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from quiz import live
from quiz.learning.quizzes import QuizSpec, draw_questions
from quiz.plugins import get_registry
from quiz.store import create_user, open_db
from tests.e2e.test_browser_journey import (  # noqa: F401 - fixtures
    DANISH,
    browser,
    server,
    settle,
    sign_in,
)
from tests.e2e.widgets import create_live_from_plan

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PHONE = {"width": 375, "height": 740}
STAGE = {"width": 1920, "height": 1080}
PUSHED = 15_000  # a push to the lean pages, or the control page's next look (every 1-2 s), on a busy machine
NAMES = ["Anna", "Bo", "Cai", "Dorte", "Emil"]
ENGLISH_NAME = "Grace"
SHORT_TIMER = 12  # question 3's own time (the plan's »Tid (sekunder)«): the phones see it run out
# The open question's answers: three ways of writing one phrase, a second phrase, an English one, a swear word.
TEXTS = ["Ærlighed og åbenhed", "ærlighed og  åbenhed", "Ærlighed og åbenhed.", "Tillid", "Sikke noget lort"]
ENGLISH_TEXT = "Trust each other"
DIGITS = re.compile(r"^\d+$")


def shot(page, name: str) -> None:
    folder = os.environ.get("LIVE_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"story-{name}.png"))


def planned_questions(pack_id: str) -> list:
    """Five questions as a plan holds them: three one-tap questions, a match, an open question.

    The third has a short time of its own (the plan's ``live_seconds``); the open one none (0).
    """
    registry = get_registry()
    taps = draw_questions(QuizSpec(pack_id=pack_id, length=3, types=["perspective"], seed=11), registry)
    [match] = draw_questions(QuizSpec(pack_id=pack_id, length=1, types=["match"], seed=5), registry)
    short = dataclasses.replace(taps[1], data={**taps[1].data, live.SECONDS_KEY: SHORT_TIMER})
    words = live.open_question("Hvad betyder åbenhed for jer?", pack_id=pack_id)
    words = dataclasses.replace(words, data={**words.data, live.SECONDS_KEY: 0})
    return [taps[0], match, short, words, taps[2]]


def received(page, english) -> str:
    return "Your answer is received" if page is english else "Dit svar er modtaget"


def phones_show(phones, text: str) -> None:
    for page in phones:
        expect(page.locator("#live")).to_contain_text(text, timeout=PUSHED)


def test_a_facilitator_runs_a_planned_session_for_six_phones_and_a_signed_out_stage(browser, server):  # noqa: F811
    db = open_db(server.db_path)
    boss = create_user(db, "fie", "Fie Facilitator", "hemmelig-kode-1", is_facilitator=True)
    pack_id = next(iter(get_registry().packs))
    plan = live.save_plan(db, boss.id, pack_id, "Lederdag september", planned_questions(pack_id))
    db.close()

    # --- the facilitator, signed in: the session from the plan, with a timer, points and anonymous joins
    control = browser.new_context(viewport={"width": 1366, "height": 900}, locale=DANISH).new_page()
    control.set_default_timeout(40_000)
    control.goto(server.url)
    sign_in(control, "fie", "hemmelig-kode-1")
    expect(control.get_by_role("link", name="Facilitator")).to_be_visible(timeout=20_000)
    settle(control)
    create_live_from_plan(control, server.url, "Lederdag september", seconds=90, points=True, settle=settle)
    db = open_db(server.db_path, migrate=False)
    try:
        [made] = live.open_sessions(db, boss.id)
    finally:
        db.close()
    assert [q.prompt for q in made.questions] == [q.prompt for q in plan.questions]
    assert made.timer_seconds == 90 and made.points_enabled and made.allow_anonymous

    # The control page; the stage link is made there (its box is open while the session has none).
    control.goto(f"{server.url}/styring?session={made.id}")
    settle(control)
    control.get_by_role("button", name="Lav et link til storskærmen").click()
    stage_link = control.get_by_role("link", name="Åbn storskærmen")
    expect(stage_link).to_be_visible()
    href = stage_link.get_attribute("href")
    assert href and "/storskaerm/" in href

    # --- the projector PC, signed out: its old bookmark says where the stage is now; the link opens it
    stage = browser.new_context(viewport=STAGE, locale=DANISH).new_page()
    stage.set_default_timeout(20_000)
    stage.goto(f"{server.url}/praesentation")
    expect(stage.get_by_text("Præsentationen er flyttet til storskærmen")).to_be_visible(timeout=30_000)
    assert stage.get_by_text("Siden findes ikke").count() == 0
    stage.goto(href)
    expect(stage.locator("#live .code")).to_have_text(made.code)

    # --- six phones join by the code: five Danish, one English
    phones = []
    for name in NAMES:
        page = browser.new_context(viewport=PHONE, locale=DANISH).new_page()
        page.set_default_timeout(20_000)
        page.goto(f"{server.url}/deltag?kode={made.code}")
        page.get_by_role("textbox", name="Dit navn").fill(name)
        page.get_by_role("button", name="Deltag").click()
        expect(page.get_by_text("Du er med!")).to_be_visible()
        phones.append(page)
    english = browser.new_context(
        viewport=PHONE, locale="en-GB", extra_http_headers={"Accept-Language": "en"}
    ).new_page()
    english.set_default_timeout(20_000)
    english.goto(f"{server.url}/deltag?kode={made.code}")
    english.get_by_role("textbox", name="Your name").fill(ENGLISH_NAME)
    english.get_by_role("button", name="Join").click()
    expect(english.get_by_text("You are in!")).to_be_visible()
    room = [*phones, english]
    for name in [*NAMES, ENGLISH_NAME]:
        expect(stage.locator(".names li", has_text=name)).to_be_visible(timeout=PUSHED)
    shot(stage, "stage-lobby")
    shot(phones[0], "phone-lobby")

    def revealed(number: int) -> None:
        """»Vis svaret« on the control page; every phone its place and score, the stage the right answer."""
        control.get_by_role("button", name="Vis svaret").click()
        for page in phones:
            expect(page.locator("#me")).to_contain_text(" af 6.", timeout=PUSHED)
            expect(page.locator("#me")).to_contain_text("point og er nr. ")
        expect(english.locator("#me")).to_contain_text("points and are number ", timeout=PUSHED)
        shot(phones[0], f"phone-{number}-revealed")
        shot(english, f"phone-{number}-revealed-english")
        shot(stage, f"stage-{number}-revealed")

    # --- question 1: one tap on each phone, without a click to see the question
    control.get_by_role("button", name="Start quizzen").click()
    phones_show(phones, "Spørgsmål 1 af 5")
    expect(english.locator("#live")).to_contain_text("Question 1 of 5", timeout=PUSHED)
    shown_en = live.shown_question(made, 0, lang="en")
    expect(english.locator("#live .prompt")).to_have_text(shown_en.prompt)
    assert english.locator("button.option .label").first.inner_text().endswith(shown_en.options[0].label)
    expect(stage.locator("#live .prompt")).to_have_text(made.questions[0].prompt, timeout=PUSHED)
    expect(stage.locator(".timer .secs")).to_have_text(DIGITS, timeout=PUSHED)
    letters = [chr(65 + i) for i in range(len(made.questions[0].options))]
    for page in room:
        assert page.locator("button.option .letter").all_inner_texts() == letters, "letters on every option"
    shot(phones[0], "phone-1-question")
    shot(stage, "stage-1-question")
    for i, page in enumerate(room):
        page.locator("button.option").nth(i % len(letters)).click()  # one tap
        expect(page.locator("#ack")).to_contain_text(received(page, english))
        expect(page.locator('button.option[aria-pressed="true"]')).to_have_count(1)
    shot(phones[0], "phone-1-answered")
    shot(english, "phone-1-answered-english")
    expect(stage.locator(".answered")).to_have_text("6 af 6 har svaret", timeout=PUSHED)
    assert stage.locator(".bar").count() == 0, "no bars on the stage before the reveal"
    revealed(1)
    right = made.questions[0].accepted[0][0]
    right_letter = letters[[o.key for o in made.questions[0].options].index(right)]
    for page in room:
        expect(page.locator("ol.options li.right .letter")).to_have_text(right_letter)
    expect(stage.locator("ol.options li.right .letter")).to_have_text(right_letter, timeout=PUSHED)
    # The control page's reveal: the right answer lettered as on the stage, and the room's answers.
    expect(control.get_by_text(f"Rigtigt svar: {right_letter}. ")).to_be_visible(timeout=PUSHED)
    expect(control.get_by_text("✓ rigtigt")).to_have_count(1)

    # --- question 2: the match, by tapping a statement, then its place
    control.get_by_role("button", name="Næste spørgsmål").click()
    phones_show(phones, "Spørgsmål 2 af 5")
    for page in room:
        statements = page.locator("form.match button.stmt")
        expect(statements.first).to_be_visible(timeout=PUSHED)
        places = page.locator("form.match button.target")
        for n in range(statements.count()):
            places.nth(n % places.count()).click()
        expect(page.locator("#ack")).to_contain_text(received(page, english))
    shot(phones[0], "phone-2-match-answered")
    expect(stage.locator(".answered")).to_have_text("6 af 6 har svaret", timeout=PUSHED)
    shot(stage, "stage-2-question")
    revealed(2)
    expect(stage.locator(".right-pick").first).to_contain_text(". ", timeout=PUSHED)  # »D. Sammen …«
    for page in room:
        expect(page.locator("ol.pairs li .letter").first).to_be_visible()

    # --- question 3: a short time of its own runs out; the phones say so and take no more taps
    control.get_by_role("button", name="Næste spørgsmål").click()
    phones_show(phones, "Spørgsmål 3 af 5")
    expect(english.locator("#live")).to_contain_text("Question 3 of 5", timeout=PUSHED)
    for page in phones[:3]:
        page.locator("button.option").first.click()
        expect(page.locator("#ack")).to_contain_text("Dit svar er modtaget")
    for page in phones:
        expect(page.locator(".timer .up")).to_be_visible(timeout=SHORT_TIMER * 1000 + PUSHED)
        expect(page.locator(".timer .up")).to_have_text("Tiden er gået")
    expect(english.locator(".timer .up")).to_be_visible(timeout=PUSHED)
    expect(english.locator(".timer .up")).to_have_text("Time is up")
    expect(phones[4].locator("button.option").first).to_be_disabled()
    expect(stage.locator(".timer .up")).to_be_visible(timeout=PUSHED)
    expect(stage.locator(".timer .up")).to_have_text("Tiden er gået")
    expect(control.get_by_text("Tiden er gået. Vis svaret, når I er klar.")).to_be_visible(timeout=PUSHED)
    shot(phones[4], "phone-3-time-up")
    shot(stage, "stage-3-time-up")
    revealed(3)
    expect(phones[4].locator("#me")).to_contain_text("Du nåede ikke at svare på dette spørgsmål.")

    # --- question 4: the open question, moderated before the stage shows anything
    control.get_by_role("button", name="Næste spørgsmål").click()
    phones_show(phones, "Spørgsmål 4 af 5")
    expect(stage.locator("#live")).to_contain_text("Ingen svar endnu.", timeout=PUSHED)
    for page, text in zip(phones, TEXTS, strict=True):
        box = page.get_by_role("textbox", name="Dit svar (kort)")
        box.fill(text)
        expect(page.locator("form.text .count")).to_have_text(f"{len(text)} af 140 tegn")
        page.get_by_role("button", name="Send", exact=True).click()
        expect(page.locator("#ack")).to_contain_text("det vises på skærmen, når det er godkendt")
    english.get_by_role("textbox", name="Your answer (short)").fill(ENGLISH_TEXT)
    english.get_by_role("button", name="Send", exact=True).click()
    expect(english.locator("#ack")).to_contain_text(ENGLISH_TEXT)
    shot(phones[0], "phone-4-written")
    # The control page's »Svar fra salen« shows them by itself (no reload), the swear word marked.
    expect(control.get_by_text("6 venter på godkendelse")).to_be_visible(timeout=PUSHED)
    expect(control.get_by_text("stødende ord?")).to_have_count(1)
    assert stage.locator(".cloud li").count() == 0, "nothing on the stage before approval"
    db = open_db(server.db_path, migrate=False)
    try:
        held = live.texts_of(db, made.id, 3)
    finally:
        db.close()
    assert len(held) == 6 and [t.text for t in held if t.flagged] == ["Sikke noget lort"]
    for text in held:
        if not text.flagged:
            control.locator(f".st-key-live_approve_{text.id} button").click()
            expect(control.locator(f".st-key-live_approve_{text.id}")).to_have_count(0, timeout=PUSHED)
    expect(control.get_by_text("1 venter på godkendelse")).to_be_visible(timeout=PUSHED)
    cloud = stage.locator(".cloud li")
    expect(cloud).to_have_count(3, timeout=PUSHED)
    phrases = [c.replace("\u00d73", "").strip() for c in cloud.all_inner_texts()]
    assert phrases[0] == "Ærlighed og åbenhed", "the phrase stays whole, counted once per person"
    assert sorted(phrases[1:]) == sorted(["Tillid", ENGLISH_TEXT])
    assert "lort" not in stage.locator("#live").inner_text(), "the swear word is held back"
    shot(stage, "stage-4-cloud")
    shot(control, "control-4-moderated")
    control.get_by_role("button", name="Vis svaret").click()
    for page in phones:
        expect(page.locator("#me")).to_contain_text("nr. ", timeout=PUSHED)

    # --- question 5 and the end: »Afslut og vis resultater« reaches every screen without a reload
    control.get_by_role("button", name="Næste spørgsmål").click()
    phones_show(phones, "Spørgsmål 5 af 5")
    for i, page in enumerate(room):
        page.locator("button.option").nth(i % 2).click()
        expect(page.locator("#ack")).not_to_be_empty()
    revealed(5)
    for page in [*room, stage]:
        page.evaluate("window.__same_page = true")
    control.get_by_role("button", name="Afslut og vis resultater").click()
    phones_show(phones, "Live-quizzen er slut")
    expect(english.locator("#live")).to_contain_text("The live quiz is over", timeout=PUSHED)
    expect(stage.locator(".podium .step")).to_have_count(3, timeout=PUSHED)
    for page in [*room, stage]:
        assert page.evaluate("window.__same_page === true"), "the end came by push, not by a reload"
    podium_names = stage.locator(".podium .name").all_inner_texts()
    assert set(podium_names) <= {*NAMES, ENGLISH_NAME} and len(podium_names) == 3
    for page in phones:  # the own part of the end: place and points, no longer the last answer
        expect(page.locator("#me")).not_to_contain_text("Dit svar", timeout=PUSHED)
        expect(page.locator("#me")).to_contain_text("af 6.")
    expect(english.locator("#me")).to_contain_text("of 6.", timeout=PUSHED)
    shot(phones[0], "phone-ended")
    shot(english, "phone-ended-english")
    shot(stage, "stage-ended")

