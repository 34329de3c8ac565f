"""A new employee's first day, in a real browser against a real server.

Creates an account, picks a role, reads the whole intro, answers a whole quiz, reloads (still signed
in), then the server restarts and the person signs in again and finds their progress kept.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from tests.e2e.server import Server
from tests.e2e.widgets import choose_option

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage"]
# The app follows the browser's language (docs/i18n.md): these journeys are a Danish employee's.
DANISH = "da-DK"


@pytest.fixture
def browser():
    playwright = pytest.importorskip("playwright.sync_api")
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail("Chromium is missing in CI: scripts/test.sh should have installed it")
        pytest.skip("Chromium is not installed")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield DanishBrowser(browser)
        browser.close()


class DanishBrowser:
    """The browser, whose windows speak Danish unless a test asks for another ``locale``.

    The app follows the browser's language (docs/i18n.md), and Playwright's windows say en-US by
    default; these tests play Danish employees.
    """

    def __init__(self, browser):
        self._browser = browser

    def new_context(self, **options):
        return self._browser.new_context(**{"locale": DANISH, **options})

    def new_page(self, **options):
        return self._browser.new_page(**{"locale": DANISH, **options})

    def __getattr__(self, name):
        return getattr(self._browser, name)


@pytest.fixture
def server(tmp_path):
    srv = Server(tmp_path / "progress.db").start()
    yield srv
    srv.stop()
    if out := os.environ.get("E2E_SCREENSHOTS"):  # to look at what the person saw, pass or fail
        for png in tmp_path.glob("*.png"):
            shutil.copy(png, out)


def text_input(page, label: str):
    return page.get_by_role("textbox", name=label, exact=True)


def sign_in(page, username: str, password: str) -> None:
    page.get_by_role("tab", name="Log ind").click()
    text_input(page, "Brugernavn").first.fill(username)
    text_input(page, "Adgangskode").first.fill(password)
    page.get_by_role("button", name="Log ind").click()


def settle(page) -> None:
    """Wait until Streamlit has finished the current script run (elements are not being replaced)."""
    page.wait_for_timeout(300)
    page.locator('[data-testid="stStatusWidget"]').wait_for(state="hidden")


def answer_current_question(page) -> None:
    """Pick the first option of the question (dropdown i: option i, as a match uses each once), then submit."""
    settle(page)
    form = page.locator('[data-testid="stForm"]').first
    radios = form.locator('[data-testid="stRadio"]')
    for i in range(radios.count()):
        radios.nth(i).locator('[data-testid="stRadioOption"]').first.click()
    dropdowns = form.locator('[data-testid="stSelectbox"]')
    for i in range(dropdowns.count()):
        choose_option(page, dropdowns.nth(i), i)
    form.get_by_role("button", name="Svar").click()


# What the question says when the answer was not complete (learner.po question.pick / pick_all).
REFUSED = re.compile("Vælg et svar, før du svarer|Placér alle udsagn, før du svarer")


def answer_until_graded(page, onward, screenshot: Path, *, tries: int = 3) -> None:
    """Answer until the question is graded (``onward`` shows); a refused answer is made again.

    A rerun that replaces the form between a pick and »Svar« loses the pick, and the question then
    says what is missing instead of grading; a person simply picks again, and so does the test. A
    question that is never graded fails here, with a screenshot of what was on screen.
    """
    for _ in range(tries):
        answer_current_question(page)
        refused = page.locator('[data-testid="stAlert"]').filter(has_text=REFUSED)
        try:
            onward.or_(refused).first.wait_for(timeout=10_000)
        except Exception:
            continue
        if onward.count():
            return
    page.screenshot(path=str(screenshot))
    onward.wait_for(timeout=1000)


def test_new_employee_signs_up_reads_intro_takes_quiz_and_keeps_progress(browser, server, tmp_path):
    context = browser.new_context(viewport={"width": 420, "height": 900}, locale=DANISH)  # a phone-sized window
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.goto(server.url)
    # A first visit fetches the browser's nonce cookie (/auth/browser) and comes back marked ?hv_b=1;
    # a tab clicked before that reload would be reset by it.
    page.wait_for_url("**hv_b=1**")

    # Sign up: the first account (becomes the administrator).
    page.get_by_role("tab", name="Opret konto").click()
    text_input(page, "Dit navn (som andre ser det)").fill("Åse Æbelø")
    panel = page.get_by_role("tabpanel", name="Opret konto")
    panel.get_by_role("textbox", name="Brugernavn", exact=True).fill("aase")
    panel.get_by_role("textbox", name="Adgangskode", exact=True).fill("hemmeligt-123")
    text_input(page, "Gentag adgangskoden").fill("hemmeligt-123")
    page.get_by_role("button", name="Opret konto").click()

    # Pick a role.
    page.get_by_role("heading", name="Hvilken rolle har du?").wait_for()
    page.get_by_text("Medarbejder –").click()
    page.get_by_role("button", name="Gem min rolle").click()
    page.get_by_text("Hej, Åse Æbelø").wait_for()
    page.screenshot(path=str(tmp_path / "01-forside.png"))

    # The whole guided intro.
    page.goto(f"{server.url}/intro")
    page.get_by_text("Trin 1 af 5").wait_for()
    for step in range(2, 6):
        page.get_by_role("button", name="Næste →").click()
        page.get_by_text(f"Trin {step} af 5").wait_for()
    page.get_by_role("button", name="Afslut introduktionen").click()
    page.get_by_text("Du har gennemført introduktionen").wait_for()

    # A whole quiz: five questions on my role.
    page.goto(f"{server.url}/quiz")
    page.get_by_text("Min rolle", exact=True).first.click()
    page.locator('[data-testid="stButtonGroup"]').get_by_text("5", exact=True).click()
    page.get_by_role("button", name="Start quizzen").click()
    for n in range(1, 6):
        page.get_by_text(f"Spørgsmål {n} af 5").first.wait_for()
        onward = page.get_by_role("button", name="Se resultatet →" if n == 5 else "Næste spørgsmål →")
        answer_until_graded(page, onward, tmp_path / f"fejl-spørgsmål-{n}.png")
        page.locator('[data-testid="stAlert"]').first.wait_for()  # immediate feedback
        if n == 1:
            page.screenshot(path=str(tmp_path / "02-feedback.png"))
        onward.click()
    page.get_by_text("Resultat:").wait_for()
    page.screenshot(path=str(tmp_path / "03-resultat.png"))

    # A reload keeps the person signed in.
    page.reload()
    page.get_by_text("Resultat:").or_(page.get_by_role("heading", name="Quiz")).first.wait_for()
    assert page.get_by_role("tab", name="Log ind").count() == 0

    # The server restarts; the person signs out, signs in again and finds the progress kept.
    server.stop()
    server.start()
    page.goto(f"{server.url}/profil")
    page.get_by_role("button", name="Log ud").click()
    page.get_by_role("tab", name="Log ind").wait_for()
    sign_in(page, "aase", "hemmeligt-123")
    page.get_by_text("Hej, Åse Æbelø").wait_for()
    page.goto(f"{server.url}/fremskridt")
    page.get_by_role("cell", name="5 af 5").wait_for()  # the finished quiz in the history
    page.screenshot(path=str(tmp_path / "04-fremskridt.png"))
    page.get_by_role("heading", name="Perspektiv × rolle").scroll_into_view_if_needed()
    page.screenshot(path=str(tmp_path / "05-gitter.png"))
    context.close()
