"""Nothing to third parties: every page, walked in a real browser, asks only the app's own origin.

A signed-out visitor opens the sign-in page and the join page; an HR administrator who is also a
facilitator signs in and opens every page of the menu, the projector of a live session, and the
phone view of it. Any request (or websocket) to another address fails the test (the test runs on
loopback without internet, so such a request could not leave anyway), and
so does any Content-Security-Policy violation: the policy the app sends (quiz.ui.server.middleware) must
let every page work as it is.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from quiz import live
from quiz.hr.units import add_unit, set_leader_units, set_person_unit
from quiz.learning.quizzes import QuizSpec
from quiz.plugins import get_registry
from quiz.store import create_user, open_db
from tests.e2e.test_browser_journey import browser, server, settle, sign_in  # noqa: F401 - fixtures

pytestmark = [pytest.mark.browser, pytest.mark.slow]

WATCH_CSP = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', e =>
  window.__csp.push(`${e.violatedDirective} blocked ${e.blockedURI} (${e.sourceFile}:${e.lineNumber})`));
"""
# Every page in the menu of an HR administrator who facilitates and leads a unit (app.py's menu).
MENU = ["Forside", "Introduktion", "Quiz", "Mine fremskridt", "Deltag i live-quiz", "Min profil", "Tilgængelighed"]
# »Storskærm« makes the link to the lean stage (the room's screen, /storskaerm/<key>, opened below).
MENU += ["Facilitator", "Storskærm", "Styring", "Tidligere live-quizzer", "Planlæg live-quiz"]
MENU += ["HR og administration", "Min enhed"]


class Watch:
    """Everything one browser context asks for, and what the pages' policy refused."""

    def __init__(self, context, origin: str) -> None:
        self.origin = urlsplit(origin)
        self.offsite: list[str] = []
        self.asked = 0
        self.violations: list[str] = []
        self.errors: list[str] = []
        context.add_init_script(WATCH_CSP)
        context.on("request", self._request)

    def own(self, url: str) -> bool:
        parts = urlsplit(url)
        if parts.scheme in ("data", "blob", "about"):
            return True
        return parts.scheme in ("http", "https", "ws", "wss") and parts.netloc == self.origin.netloc

    def _request(self, request) -> None:
        self.asked += 1
        if not self.own(request.url):
            self.offsite.append(request.url)

    def page(self, context):
        page = context.new_page()
        page.set_default_timeout(20_000)
        page.on("websocket", lambda ws: None if self.own(ws.url) else self.offsite.append(ws.url))
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        page.on(
            "console", lambda msg: self.violations.append(msg.text) if "Content Security Policy" in msg.text else None
        )
        return page

    def collect(self, page) -> None:
        self.violations += page.evaluate("window.__csp || []")


def open_page(page, url: str, watch: Watch) -> None:
    page.goto(url)
    page.locator('[data-testid="stApp"]').wait_for()
    settle(page)
    page.wait_for_load_state("networkidle")
    watch.collect(page)


def test_every_page_asks_only_the_apps_own_origin_and_keeps_to_its_security_policy(browser, server, tmp_path):  # noqa: F811
    db = open_db(server.db_path)
    registry = get_registry()
    pack = next(iter(registry.packs.values()))
    hr = create_user(db, "hanne", "Hanne HR", "hemmelig-kode-1", is_admin=True, is_facilitator=True)
    db["users"].update(hr.id, {"role_key": pack.chain_roles[-1]})
    unit = add_unit(db, "Center for Børn og Familie")
    set_person_unit(db, hr.id, unit.id)
    set_leader_units(db, hr.id, [unit.id])  # so "Min enhed" is in the menu too
    made = live.create_session(
        db, hr.id, QuizSpec(pack_id=pack.id, length=2, seed=3), allow_anonymous=True, registry=registry
    )
    db.close()

    # The phone: a visitor joining a session; nothing but the app's own origin, no policy refusal.
    phone = browser.new_context(viewport={"width": 375, "height": 740}, locale="da-DK")
    watch = Watch(phone, server.url)
    page = watch.page(phone)
    # The phone's page is the app's own lean page (quiz.ui.web.phone), not a Streamlit script.
    page.goto(f"{server.url}/deltag?kode={made.code}")
    expect(page.get_by_role("button", name="Deltag")).to_be_visible(timeout=30_000)
    page.wait_for_load_state("networkidle")
    watch.collect(page)
    assert page.evaluate("document.documentElement.lang") == "da"
    # The tab names the page (WCAG 2.4.2), and the favicon stays the bundled one.
    expect(page).to_have_title("Deltag i live-quiz · Hvidovrevejen")
    icons = page.evaluate("[...document.querySelectorAll('link[rel~=icon]')].map(l => l.href)")
    assert icons and all(watch.own(href) for href in icons), icons
    page.screenshot(path=str(tmp_path / "deltag-375.png"), full_page=True)
    phone.close()
    check(watch, least=3)  # the page, its script and its styles: a lean page asks for little

    # The desktop: signed out, then every page of an HR administrator who also facilitates.
    desk = browser.new_context(viewport={"width": 1366, "height": 800}, locale="da-DK")
    watch = Watch(desk, server.url)
    page = watch.page(desk)
    open_page(page, server.url, watch)  # the sign-in page
    assert page.evaluate("document.documentElement.lang") == "da"
    expect(page).to_have_title("Log ind · Hvidovrevejen")
    sign_in(page, "hanne", "hemmelig-kode-1")
    expect(page.get_by_role("link", name="HR og administration")).to_be_visible(timeout=20_000)
    for title in MENU:  # through the menu, as a person goes (no reload: each page's own requests)
        page.get_by_role("link", name=title, exact=True).click()
        if title == "Deltag i live-quiz":
            # The menu's »Deltag« leads on to the lean phone page (a page of its own, without the
            # menu): it must keep to the policy too; then back to the app.
            expect(page.get_by_role("button", name="Deltag")).to_be_visible(timeout=30_000)
            expect(page).to_have_title(f"{title} · Hvidovrevejen")
            watch.collect(page)
            page.goto(server.url)
            page.get_by_role("link", name="Min profil", exact=True).wait_for()
            continue
        settle(page)
        expect(page).to_have_title(f"{title} · Hvidovrevejen")
        page.wait_for_load_state("networkidle")
        watch.collect(page)
    for path in (f"praesentation?session={made.id}", f"styring?session={made.id}"):
        open_page(page, f"{server.url}/{path}", watch)  # the stage link and control views of a session
    page.get_by_role("button", name="Lav et link til storskærmen").click()
    stage = page.get_by_role("link", name="Åbn storskærmen")
    stage.wait_for()
    page.goto(stage.get_attribute("href"))  # the lean stage, as the projector opens it (its stream never idles)
    page.locator("#live .code").wait_for()
    watch.collect(page)
    open_page(page, f"{server.url}/facilitator?session={made.id}", watch)
    expect(page.get_by_text(made.code, exact=True).first).to_be_visible()  # the code stands on the projector twice
    page.screenshot(path=str(tmp_path / "facilitator-1366.png"), full_page=True)
    icons = page.evaluate("[...document.querySelectorAll('link[rel~=icon]')].map(l => l.href)")
    assert icons and all(watch.own(href) for href in icons), icons
    desk.close()
    check(watch)


def check(watch: Watch, *, least: int = 20) -> None:
    assert watch.asked >= least  # the walk really loaded the app
    assert watch.offsite == [], f"requests to other addresses: {watch.offsite}"
    assert watch.violations == [], f"the Content-Security-Policy blocked: {watch.violations}"
    assert watch.errors == [], watch.errors
