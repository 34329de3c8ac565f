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
from quiz.quizzes import QuizSpec
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
