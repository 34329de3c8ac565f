"""The facilitator's control page in a real browser: the answers from the room appear by themselves.

The field test saw »Ingen svar endnu« for 45 s while the word cloud already showed three answers;
the list is now a fragment that looks every few seconds (``st.fragment(run_every=…)``). Here the
room writes through the domain, as the phones' own pages do, and the page is never reloaded.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from quiz import live
from quiz.learning.quizzes import QuizSpec
from quiz.plugins import get_registry
from quiz.store import create_user, open_db
from tests.e2e.test_browser_journey import DANISH, browser, server, settle, sign_in  # noqa: F401 - fixtures

pytestmark = [pytest.mark.browser, pytest.mark.slow]

BY_ITSELF_MS = 10_000  # a few looks of the list's fragment; no click, no reload


def test_answers_from_the_room_appear_on_the_control_page_without_a_reload(browser, server, tmp_path):  # noqa: F811
    db = open_db(server.db_path)
    registry = get_registry()
    pack = next(iter(registry.packs.values()))
    boss = create_user(db, "fie", "Fie Facilitator", "hemmelig-kode-1", is_facilitator=True)
    question = live.open_question("Hvad betyder åbenhed for jer?", pack_id=pack.id)
    made = live.create_session(
        db, boss.id, QuizSpec(pack_id=pack.id, length=1), questions=[question], allow_anonymous=True, registry=registry
    )
    people = [live.join(db, made.code, display_name=name, client_key="k")[0] for name in ("Anna", "Bo", "Cai")]
    live.start(db, made.id, actor_id=boss.id)

    control = browser.new_context(viewport={"width": 1280, "height": 900}, locale=DANISH).new_page()
    control.set_default_timeout(20_000)
    control.goto(server.url)
    sign_in(control, "fie", "hemmelig-kode-1")
    control.get_by_role("link", name="Facilitator").click()
    expect(control.get_by_text("Ny live-quiz")).to_be_visible(timeout=20_000)
    settle(control)
    control.goto(f"{server.url}/styring?session={made.id}")
    expect(control.get_by_text("Ingen svar endnu.")).to_be_visible()

    for person, text in zip(people, ("Ærlighed og åbenhed", "Vi lytter", "sikke noget lort"), strict=True):
        live.submit_text(db, made.id, person.id, 0, text)
    expect(control.get_by_text("3 venter på godkendelse")).to_be_visible(timeout=BY_ITSELF_MS)
    expect(control.get_by_text("Ærlighed og åbenhed")).to_be_visible()
    expect(control.get_by_text("stødende ord?")).to_be_visible()
    control.screenshot(path=str(tmp_path / "styring-svar-fra-salen.png"), full_page=True)

    control.get_by_role("button", name="Godkend", exact=True).last.click()  # the oldest is last: newest first
    expect(control.get_by_text("2 venter på godkendelse")).to_be_visible(timeout=BY_ITSELF_MS)
    assert [t.text for t in live.shown_texts(db, made.id, 0)] == ["Ærlighed og åbenhed"]
    assert live.word_counts(db, made.id, 0) == [("Ærlighed og åbenhed", 1)]
    db.close()
