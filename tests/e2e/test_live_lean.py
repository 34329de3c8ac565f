"""The lean phone and stage pages in a real browser: axe-core at phone size and at 1920x1080, the
keyboard alone, an answer acknowledged, »Tiden er gået« when the time is up, the stage's sizes for a
room, and the end on every screen. ``LIVE_SHOTS=DIR`` saves a screenshot of each state there."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from quiz import live
from quiz.learning.quizzes import QuizSpec
from quiz.store import create_user, open_db
from tests.e2e.server import Server

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage"]
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}
PHONE = {"width": 375, "height": 740}
STAGE = {"width": 1920, "height": 1080}
# What a participant must read on the stage, and the smallest size it may have there (px).
STAGE_SIZES_JS = """() => {
  const px = sel => Array.from(document.querySelectorAll(sel))
    .filter(el => el.getClientRects().length).map(el => parseFloat(getComputedStyle(el).fontSize));
  const all = Array.from(document.querySelectorAll('#live *'))
    .filter(el => el.getClientRects().length && el.childNodes.length
      && Array.from(el.childNodes).some(n => n.nodeType === 3 && n.textContent.trim()))
    .map(el => parseFloat(getComputedStyle(el).fontSize));
  return {prompt: px('.prompt'), options: px('ol.options .label'), counts: px('.answered'),
          smallest: Math.min(...all), bottom: document.querySelector('#live').getBoundingClientRect().bottom};
}"""


def english_phone(browser, url: str, code: str, name: str):
    """A phone whose browser speaks English, joined to the room under ``name``."""
    context = browser.new_context(viewport=PHONE, locale="en-GB", extra_http_headers={"Accept-Language": "en"})
    page = context.new_page()
    page.goto(f"{url}/deltag?kode={code}")
    page.get_by_role("textbox", name="Your name").fill(name)
    page.get_by_role("button", name="Join").click()
    page.get_by_text("You are in!").wait_for()
    return page


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    folder = tmp_path_factory.mktemp("lean")
    db_path = folder / "progress.db"
    db = open_db(db_path)
    boss = create_user(db, "fie", "Fie Facilitator", "hemmelig123", is_facilitator=True)
    spec = QuizSpec(pack_id="hvidovrevejen", length=2, types=["perspective", "match"], seed=3)
    room = live.create_session(db, boss.id, spec, allow_anonymous=True, points=True, timer_seconds=20)
    key = live.stage_key(db, room.id, actor_id=boss.id)
    db.close()
    server = Server(db_path).start()
    yield server, room, key, boss.id, db_path
    server.stop()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


def move(db_path: Path, action, session_id: int, actor_id: int) -> None:
    db = open_db(db_path, migrate=False)
    try:
        action(db, session_id, actor_id=actor_id)
    finally:
        db.close()


def serious(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    found = Axe().run(page, options=AXE_OPTIONS).response["violations"]
    return [
        f"{v['impact']} {v['id']}: {node['html'][:120]}"
        for v in found
        if v["impact"] in ("critical", "serious")
        for node in v["nodes"]
    ]


def shot(page, name: str) -> None:
    folder = os.environ.get("LIVE_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"))


def test_a_room_on_lean_phones_and_the_stage_reads_well_and_passes_axe(world, browser):
    server, room, key, boss, db_path = world
    problems: list[str] = []

    stage = browser.new_context(viewport=STAGE, locale="da-DK").new_page()
    stage.goto(f"{server.url}/storskaerm/{key}")
    phone = browser.new_context(viewport=PHONE, locale="da-DK").new_page()
    phone.goto(f"{server.url}/deltag?kode={room.code}")
    problems += [f"join: {p}" for p in serious(phone)]
    shot(phone, "phone-join")
    # The keyboard alone: the name typed, Enter sends the form.
    phone.get_by_role("textbox", name="Dit navn").fill("Søren")
    phone.get_by_role("textbox", name="Dit navn").press("Enter")
    phone.get_by_text("Du er med!").wait_for()
    problems += [f"lobby: {p}" for p in serious(phone)]
    bob = english_phone(browser, server.url, room.code, "Bob")
    stage.get_by_text("Søren").wait_for()
    problems += [f"stage lobby: {p}" for p in serious(stage)]
    shot(stage, "stage-lobby")

    move(db_path, live.start, room.id, boss)
    phone.locator("button.option").first.wait_for()
    assert phone.locator("#live[aria-live]").count() == 1, "a new question is announced to screen readers"
    problems += [f"question: {p}" for p in serious(phone)]
    shot(phone, "phone-question")
    # One tap: here the keyboard's Tab to the second option and Enter.
    phone.locator("button.option").first.focus()
    phone.keyboard.press("Tab")
    phone.keyboard.press("Enter")
    phone.get_by_text("Dit svar er modtaget").wait_for()
    assert phone.locator('button.option[aria-pressed="true"]').count() == 1
    problems += [f"answered: {p}" for p in serious(phone)]
    shot(phone, "phone-answered")
    bob.locator("button.option").nth(2).click()
    bob.get_by_text("Your answer is received").wait_for()
    shot(bob, "phone-english")
    stage.get_by_text("2 af 2 har svaret").wait_for()
    sizes = stage.evaluate(STAGE_SIZES_JS)
    assert min(sizes["prompt"]) >= 56 and min(sizes["options"]) >= 40 and min(sizes["counts"]) >= 40, sizes
    assert sizes["smallest"] >= 32, sizes
    assert stage.locator(".bar").count() == 0, "no bars before the reveal"
    problems += [f"stage question: {p}" for p in serious(stage)]
    shot(stage, "stage-question")
    # The time runs out (20 s) without an automatic reveal: the phones say so and take no more taps.
    phone.get_by_text("Tiden er gået").wait_for(timeout=30_000)
    assert phone.locator("button.option").first.is_disabled()
    shot(phone, "phone-time-up")

    move(db_path, live.reveal, room.id, boss)
    phone.locator("#me p").first.wait_for()
    assert "nr." in phone.locator("#me").inner_text(), "own place after the reveal"
    assert phone.locator("ol.options li.right .letter").count() == 1, "the right answer keeps its letter"
    problems += [f"revealed: {p}" for p in serious(phone)]
    shot(phone, "phone-revealed")
    stage.locator("ol.options .n").first.wait_for()
    problems += [f"stage revealed: {p}" for p in serious(stage)]
    shot(stage, "stage-revealed")

    move(db_path, live.next_question, room.id, boss)
    phone.locator("form.match").wait_for()
    assert phone.locator("select").count() == 0, "a match question without dropdowns"
    problems += [f"match: {p}" for p in serious(phone)]
    shot(phone, "phone-match")
    shot(stage, "stage-match")
    move(db_path, live.reveal, room.id, boss)
    stage.locator(".right-pick").first.wait_for()
    shot(stage, "stage-match-revealed")

    move(db_path, live.end, room.id, boss)
    phone.get_by_text("Live-quizzen er slut").wait_for()
    bob.get_by_text("The live quiz is over").wait_for()
    stage.locator(".podium").wait_for()
    problems += [f"ended: {p}" for p in serious(phone)]
    problems += [f"stage ended: {p}" for p in serious(stage)]
    shot(phone, "phone-ended")
    shot(stage, "stage-ended")
    assert not problems, "\n".join(problems)


def test_a_match_is_answered_by_tapping_a_statement_then_its_place_by_touch_keyboard_and_screen_reader(world, browser):
    """No dropdowns, no radio grid: tap a statement (selected: aria-pressed), tap where it belongs; the
    pairs show their letters, the answer is sent when every statement has a place and stays changeable."""
    server, _, _, boss, db_path = world
    db = open_db(db_path, migrate=False)
    spec = QuizSpec(pack_id="hvidovrevejen", length=1, types=["match"], seed=5)
    room = live.create_session(db, boss, spec, allow_anonymous=True)
    db.close()
    problems: list[str] = []
    phone = browser.new_context(viewport=PHONE, locale="da-DK").new_page()
    phone.goto(f"{server.url}/deltag?kode={room.code}")
    phone.get_by_role("textbox", name="Dit navn").fill("Maja")
    phone.get_by_role("button", name="Deltag").click()
    phone.get_by_text("Du er med!").wait_for()
    bob = english_phone(browser, server.url, room.code, "Bob")

    move(db_path, live.start, room.id, boss)
    statements = phone.locator("form.match button.stmt")
    statements.first.wait_for()
    targets = phone.locator("form.match button.target")
    count = statements.count()
    assert count >= 3 and targets.count() >= 2
    assert phone.locator("select").count() == 0 and phone.locator('input[type="radio"]').count() == 0
    assert statements.first.get_attribute("aria-pressed") == "true", "the first statement waits for its place"
    assert phone.get_by_text("Hvor hører udsagn 1 til?").is_visible()
    problems += [f"match: {p}" for p in serious(phone)]
    shot(phone, "match-start")

    # A tap on a place puts the selected statement there; the next statement without a place is selected.
    targets.nth(1).click()
    assert "B." in statements.first.inner_text(), "the placed pair shows its letter"
    assert statements.nth(1).get_attribute("aria-pressed") == "true"
    phone.locator('.tap [role="status"]', has_text="Udsagn 1: B.").wait_for(state="attached")
    assert phone.get_by_text("Dit svar er modtaget").count() == 0, "nothing is sent before every statement has a place"
    shot(phone, "match-one-placed")
    # The keyboard alone places the rest: the focus stays on the place just used; Tab, Shift+Tab, Enter.
    at, places = 1, targets.count()
    for n in range(1, count):
        wanted = (n + 1) % places
        while at != wanted:
            phone.keyboard.press("Tab" if wanted > at else "Shift+Tab")
            at += 1 if wanted > at else -1
        phone.keyboard.press("Enter")
        assert statements.nth(n).get_attribute("aria-pressed") == "false"
    phone.locator("#ack", has_text="Dit svar er modtaget").wait_for()
    assert "udsagn 1: B." in phone.locator("#ack").inner_text()
    assert phone.locator(".target-lead").inner_text().startswith("Tryk på et udsagn for at flytte det")
    assert phone.get_by_text("Dit svar er modtaget").count() == 1, "the phone says once that the answer came"
    assert phone.locator(".targets").is_hidden(), "the places step aside until a statement is tapped again"
    problems += [f"match placed: {p}" for p in serious(phone)]
    shot(phone, "match-sent")

    # Changeable until the reveal: tap a placed statement, tap another place; sent again, one answer.
    statements.first.click()
    assert statements.first.get_attribute("aria-pressed") == "true"
    assert targets.nth(1).get_attribute("aria-pressed") == "true", "its present place is marked"
    targets.first.click()
    phone.locator("#ack", has_text="udsagn 1: A.").wait_for()
    db = open_db(db_path, migrate=False)
    try:
        rows = db.execute("SELECT answer_json FROM live_answers WHERE session_id = ?", [room.id]).fetchall()
    finally:
        db.close()
    assert len(rows) == 1, "a changed answer counts once"
    first_key = phone.locator("form.match button.target").first.get_attribute("data-key")
    assert live_answer(rows[0][0])[0] == first_key

    # An English phone stays English.
    bob.locator("form.match button.stmt").first.wait_for()
    assert bob.get_by_text("Where does statement 1 belong?").is_visible()
    for _ in range(count):
        bob.locator("form.match button.target").first.click()
    bob.locator("#ack", has_text="Your answer is received").wait_for()
    assert "statement 1: A." in bob.locator("#ack").inner_text()
    shot(bob, "match-english")

    move(db_path, live.reveal, room.id, boss)
    phone.locator("ol.pairs li .letter").first.wait_for()
    assert phone.locator("ol.pairs li").count() == count, "every statement with its right place, lettered"
    problems += [f"match revealed: {p}" for p in serious(phone)]
    shot(phone, "match-revealed")
    assert not problems, "\n".join(problems)


def live_answer(stored: str) -> list[str]:
    import json

    return json.loads(stored)
