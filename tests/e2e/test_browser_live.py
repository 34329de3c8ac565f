"""A live quiz in two real browsers: the facilitator's projector and a participant's phone.

The phone is never touched between joining and answering: the question, and later the right
answer, appear on it because the server pushes them (quiz.ui.push); the pages' own safety poll
is 30 s, far longer than the waits here. The facilitator's count moves the same way.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from quiz import live
from quiz.plugins import get_registry
from quiz.quizzes import QuizSpec, draw_questions
from quiz.store import create_user, open_db
from tests.e2e.test_browser_journey import DANISH, browser, server, settle, sign_in  # noqa: F401 - fixtures

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PUSHED_WITHIN_MS = 10_000  # well under the 30 s safety poll: only a push can make it


def test_phone_follows_the_facilitator_without_a_click(browser, server, tmp_path):  # noqa: F811
    db = open_db(server.db_path)
    registry = get_registry()
    pack = next(iter(registry.packs.values()))
    boss = create_user(db, "fie", "Fie Facilitator", "hemmelig-kode-1", is_facilitator=True)
    spec = QuizSpec(pack_id=pack.id, length=2, seed=4, types=["perspective"])
    made = live.create_session(db, boss.id, spec, allow_anonymous=True, registry=registry)
    db.close()

    projector = browser.new_context(viewport={"width": 1366, "height": 900}, locale=DANISH).new_page()
    projector.set_default_timeout(20_000)
    projector.goto(server.url)
    sign_in(projector, "fie", "hemmelig-kode-1")
    projector.get_by_role("link", name="Facilitator").click()  # the menu has it once she is signed in
    expect(projector.get_by_text("Ny live-quiz")).to_be_visible(timeout=20_000)  # signed in, cookie stored
    settle(projector)
    projector.goto(f"{server.url}/facilitator?session={made.id}")  # the join link's session
    expect(projector.get_by_text(made.code, exact=True)).to_be_visible()

    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale=DANISH).new_page()
    phone.set_default_timeout(20_000)
    phone.goto(f"{server.url}/deltag?kode={made.code}")
    phone.get_by_role("textbox", name="Dit navn").fill("Ib på telefonen")
    phone.get_by_role("button", name="Deltag").click()
    expect(phone.get_by_text("Vent på, at facilitatoren starter quizzen")).to_be_visible()
    expect(projector.get_by_text("Ib på telefonen")).to_be_visible(timeout=PUSHED_WITHIN_MS)

    projector.get_by_role("button", name="Start quizzen").click()
    expect(phone.get_by_text("Spørgsmål 1 af 2")).to_be_visible(timeout=PUSHED_WITHIN_MS)
    phone.screenshot(path=str(tmp_path / "live-phone-question.png"), full_page=True)

    form = phone.locator('[data-testid="stForm"]').first
    form.locator('[data-testid="stRadioOption"]').first.click()
    form.get_by_role("button", name="Svar").click()
    expect(phone.get_by_text("Dit svar er modtaget")).to_be_visible()
    expect(projector.get_by_text("1 af 1 har svaret")).to_be_visible(timeout=PUSHED_WITHIN_MS)
    projector.screenshot(path=str(tmp_path / "live-projector-question.png"), full_page=True)

    projector.get_by_role("button", name="Vis svaret").click()
    expect(phone.get_by_text(re.compile(r"^(Rigtigt!|Ikke rigtigt\.)$"))).to_be_visible(timeout=PUSHED_WITHIN_MS)
    expect(phone.get_by_text("Vent på næste spørgsmål")).to_be_visible()
    phone.screenshot(path=str(tmp_path / "live-phone-revealed.png"), full_page=True)
    projector.screenshot(path=str(tmp_path / "live-projector-revealed.png"), full_page=True)

    projector.get_by_role("button", name="Næste spørgsmål").click()
    expect(phone.get_by_text("Spørgsmål 2 af 2")).to_be_visible(timeout=PUSHED_WITHIN_MS)
    db = open_db(server.db_path, migrate=False)
    try:
        assert db.execute("SELECT COUNT(*) FROM live_answers WHERE session_id = ?", [made.id]).fetchone()[0] == 1
    finally:
        db.close()


def test_a_room_on_a_1920_projector_and_phones_shows_what_the_field_test_missed(browser, server, tmp_path):  # noqa: F811
    """Rejoining by cookie, names that stay text, letters and the confirmation on the phone, the timer,
    and the reveal of a five-statement question within one 1920×1080 screen."""
    db = open_db(server.db_path)
    registry = get_registry()
    pack = next(iter(registry.packs.values()))
    boss = create_user(db, "fie", "Fie Facilitator", "hemmelig-kode-1", is_facilitator=True)
    first = draw_questions(QuizSpec(pack_id=pack.id, length=1, seed=2, types=["perspective"]), registry)
    chain = draw_questions(QuizSpec(pack_id=pack.id, length=1, seed=2, types=["chain"]), registry)
    spec = QuizSpec(pack_id=pack.id, length=2, title="Lederdag")
    made = live.create_session(
        db, boss.id, spec, questions=first + chain, allow_anonymous=True, points=True, timer_seconds=120,
        registry=registry,
    )  # fmt: skip
    db.close()

    projector = browser.new_context(viewport={"width": 1920, "height": 1080}, locale=DANISH).new_page()
    projector.set_default_timeout(20_000)
    projector.goto(server.url)
    sign_in(projector, "fie", "hemmelig-kode-1")
    projector.get_by_role("link", name="Facilitator").click()
    expect(projector.get_by_text("Ny live-quiz")).to_be_visible(timeout=20_000)  # signed in, cookie stored
    settle(projector)
    projector.goto(f"{server.url}/facilitator?session={made.id}")
    expect(projector.get_by_text(made.code, exact=True)).to_be_visible()

    phones = {}
    for name in ("www.example.dk", "Bo Berg"):
        context = browser.new_context(viewport={"width": 375, "height": 740}, locale=DANISH)
        page = context.new_page()
        page.set_default_timeout(20_000)
        page.goto(f"{server.url}/deltag?kode={made.code}")
        page.get_by_role("textbox", name="Dit navn").fill(name)
        page.get_by_role("button", name="Deltag").click()
        expect(page.get_by_text("Vent på, at facilitatoren starter quizzen")).to_be_visible()
        phones[name] = (context, page)
    expect(projector.get_by_text("Bo Berg")).to_be_visible(timeout=PUSHED_WITHIN_MS)
    assert projector.locator("a", has_text="example").count() == 0, "a nickname is no link"

    # The tab is lost; the same phone scans the QR code again and is the same participant.
    context, lost = phones["www.example.dk"]
    lost.close()
    again = context.new_page()
    again.set_default_timeout(20_000)
    again.goto(f"{server.url}/deltag?kode={made.code}")
    expect(again.get_by_text("du deltager som")).to_be_visible()
    phones["www.example.dk"] = (context, again)
    assert again.locator("a", has_text="example").count() == 0

    projector.get_by_role("button", name="Start quizzen").click()
    phone = phones["Bo Berg"][1]
    expect(phone.get_by_text("Spørgsmål 1 af 2")).to_be_visible(timeout=PUSHED_WITHIN_MS)
    expect(phone.get_by_text("Svartid: 120 sekunder")).to_be_visible()
    expect(projector.get_by_text("Svartid: 120 sekunder")).to_be_visible()
    options = phone.locator('[data-testid="stRadioOption"]')
    assert options.first.inner_text().startswith("A. "), "the phones letter the options as the projector does"
    options.nth(1).click()
    phone.get_by_role("button", name="Svar").click()
    received = phone.get_by_text("Dit svar er modtaget")
    expect(received).to_be_visible()
    box = received.bounding_box()
    assert box is not None and box["y"] + box["height"] <= 740, "the confirmation is above the fold"
    phone.screenshot(path=str(tmp_path / "live-phone-answered-375.png"))
    expect(projector.get_by_text("1 af 2 har svaret")).to_be_visible(timeout=PUSHED_WITHIN_MS)

    projector.get_by_role("button", name="Vis svaret").click()
    expect(phone.get_by_text("Vent på næste spørgsmål")).to_be_visible(timeout=PUSHED_WITHIN_MS)
    projector.get_by_role("button", name="Næste spørgsmål").click()
    expect(phone.get_by_text("Spørgsmål 2 af 2")).to_be_visible(timeout=PUSHED_WITHIN_MS)
    db = open_db(server.db_path, migrate=False)
    try:
        question = live.get_session(db, made.id).questions[1]
        for person in live.participants(db, made.id):
            live.submit_answer(db, made.id, person.id, 1, [acc[0] for acc in question.accepted], registry=registry)
    finally:
        db.close()
    expect(projector.get_by_text("2 af 2 har svaret")).to_be_visible(timeout=PUSHED_WITHIN_MS)
    projector.get_by_role("button", name="Vis svaret").click()
    expect(projector.get_by_text("Til drøftelse")).to_be_visible()
    settle(projector)
    projector.wait_for_timeout(1000)  # the charts draw
    projector.screenshot(path=str(tmp_path / "live-projector-chain-revealed-1920.png"))
    for part in (projector.get_by_text("Rigtigt svar:"), projector.get_by_text("Til drøftelse"),
                 projector.get_by_text("Topliste")):  # fmt: skip
        box = part.first.bounding_box()
        assert box is not None and box["y"] + box["height"] <= 1080, "the reveal fits the projector's screen"
    charts = projector.locator('[data-testid="stVegaLiteChart"]')
    assert charts.count() == len(question.items)
    last = max(
        charts.nth(i).bounding_box()["y"] + charts.nth(i).bounding_box()["height"] for i in range(charts.count())
    )
    assert last <= 1080, "every statement's chart, the fifth too, is on the screen"

    projector.get_by_role("button", name="Afslut og vis resultater").click()
    for _, page in phones.values():
        expect(page.get_by_text("Live-quizzen er slut. Tak, fordi du var med!")).to_be_visible(timeout=PUSHED_WITHIN_MS)
    db = open_db(server.db_path, migrate=False)
    try:
        assert db.execute("SELECT COUNT(*) FROM live_participants WHERE session_id = ?", [made.id]).fetchone()[0] == 2
    finally:
        db.close()
