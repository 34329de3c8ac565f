"""HR's and a leader's first day in Chromium at PC and phone sizes: Streamlit's own words in Danish, the
phone's side menu closes after choosing a page, »Min enhed« shows status, deadline and requirements on a
phone, and the sign-in page's join button fits. Screenshots of the HR page and »Min enhed« go to
``QUIZ_SHOTS`` when it is set (the reviewer looks at them)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from quiz.hr import programme, units
from quiz.plugins import get_registry
from quiz.store import create_user, get_user_by_name, open_db, set_password, set_user_role_key
from tests.e2e.server import Server
from tests.e2e.widgets import choose_option
from tests.onboarding_helpers import organisation

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage"]
PASSWORD = "hemmeligt-123"
PEOPLE = [
    f"{name};{user}@hvidovre.dk;{user};Medarbejder;{unit};01-09-2020"
    for name, user, unit in (
        ("Åse Østergaard-Rasmussen", "aase", "Hjemmeplejen Nord"),
        ("Ærtebjerg Jensen", "aert", "Hjemmeplejen Nord"),
        ("Bo Berg", "bo", "Hjemmeplejen Nord"),
        ("Aage Aagaard", "aage", "Hjemmeplejen Nord"),
        ("Lene Leder", "lene", "Center for Sundhed"),
    )
]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("first_day")
    db = open_db(folder / "progress.db")
    pack = next(iter(get_registry().packs.values()))
    admin = organisation(db, pack, *PEOPLE)
    set_password(db, admin.id, PASSWORD)
    set_user_role_key(db, admin.id, "medarbejder")
    lene = get_user_by_name(db, "lene")
    set_password(db, lene.id, PASSWORD)
    db["users"].update(lene.id, {"role_key": "leder_af_medarbejdere"})
    units.set_leader_units(db, lene.id, [units.tree(db).find("Center for Sundhed").id])
    programme.set_programme(db, programme.default_programme(pack.id), actor=admin.id)
    create_user(db, "ingen", "Ingen Rolle", PASSWORD)
    db.close()
    app = Server(folder / "progress.db").start()
    yield app
    app.stop()


@pytest.fixture(scope="module")
def browser():
    playwright = pytest.importorskip("playwright.sync_api")
    if not os.path.exists(CHROMIUM):
        pytest.skip("Chromium is not installed")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


def settle(page) -> None:
    page.wait_for_timeout(400)
    page.locator('[data-testid="stStatusWidget"]').wait_for(state="hidden")
    page.wait_for_timeout(300)


def sign_in(browser, server, username: str, *, width: int, height: int):
    context = browser.new_context(viewport={"width": width, "height": height}, locale="da-DK")
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(server.url)
    page.get_by_role("heading", level=1).first.wait_for()
    settle(page)
    page.get_by_role("tab", name="Log ind").click()
    page.get_by_role("textbox", name="Brugernavn", exact=True).first.fill(username)
    page.get_by_role("textbox", name="Adgangskode", exact=True).first.fill(PASSWORD)
    page.get_by_role("button", name="Log ind").click()
    page.get_by_role("heading", level=1).filter(has_text="Hej,").wait_for()
    settle(page)
    return context, page


def shot(page, name: str) -> None:
    folder = os.environ.get("QUIZ_SHOTS")
    if folder:
        page.wait_for_timeout(1500)  # the tables draw on a canvas a moment after the run
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def test_streamlits_own_words_are_danish_and_the_join_button_fits_a_phone(browser, server):
    context = browser.new_context(viewport={"width": 375, "height": 740}, locale="da-DK")
    page = context.new_page()
    page.goto(server.url)
    page.get_by_role("heading", level=1).first.wait_for()
    settle(page)
    skip = page.locator('[data-testid="stSkipToContent"]')
    assert skip.inner_text() == "Gå til hovedindhold"
    join = page.locator('[data-testid="stPageLink"]').filter(has_text="Deltag med kode")
    box = join.first.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 375, box
    clipped = join.first.evaluate(
        """el => [el, ...el.querySelectorAll('*')]
            .filter(e => e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflow !== 'visible')
            .map(e => e.tagName + ' ' + e.className + ' ' + e.scrollWidth + '>' + e.clientWidth)"""
    )
    assert clipped == [], f"the join link's text is cut off: {clipped}"
    assert "Deltag med koden fra storskærmen" in join.first.inner_text()
    scroll = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert scroll[0] <= scroll[1], f"the sign-in page scrolls sideways on a phone: {scroll}"
    shot(page, "log-ind-375")
    context.close()


def test_on_a_phone_the_menu_closes_after_choosing_a_page(browser, server):
    context, page = sign_in(browser, server, "hr", width=375, height=740)
    page.locator('[data-testid="stExpandSidebarButton"]').first.click()
    sidebar = page.locator('[data-testid="stSidebar"]')
    page.wait_for_function("() => document.querySelector('[data-testid=\"stSidebar\"]').dataset.collapsed === 'false'")
    sidebar.get_by_role("link", name="Min profil").click()
    page.wait_for_function("() => document.querySelector('[data-testid=\"stSidebar\"]').dataset.collapsed === 'true'")
    page.get_by_role("heading", level=1).filter(has_text="Min profil").wait_for()
    context.close()


@pytest.mark.parametrize("width,height", [(1366, 800), (375, 740)])
def test_hr_page_and_min_enhed_at_pc_and_phone_sizes(browser, server, width, height):
    context, page = sign_in(browser, server, "hr", width=width, height=height)
    page.goto(f"{server.url}/admin")
    page.get_by_role("heading", level=1).filter(has_text="HR og administration").wait_for()
    settle(page)
    shot(page, f"hr-{width}")
    page.get_by_role("radio", name="Påmindelser").or_(page.get_by_role("button", name="Påmindelser")).first.click()
    settle(page)
    page.get_by_role("heading", name="Næste kørsel").wait_for()
    shot(page, f"hr-paamindelser-{width}")
    context.close()

    context, page = sign_in(browser, server, "lene", width=width, height=height)
    page.goto(f"{server.url}/min_enhed")
    page.get_by_role("heading", level=1).filter(has_text="Min enhed").wait_for()
    settle(page)
    shot(page, f"min-enhed-{width}")
    table = page.locator('[data-testid="stDataFrame"]').first
    box = table.bounding_box()
    assert box is not None and box["x"] + box["width"] <= width + 1, box
    headers = page.locator('[data-testid="stDataFrame"] [role="columnheader"]').all_inner_texts()
    visible = [h for h in headers if h.strip()]
    assert {"Status", "Frist", "Krav"} <= set(visible), visible
    context.close()


def test_the_multiselects_select_all_is_danish(browser, server):
    context, page = sign_in(browser, server, "hr", width=1366, height=800)
    page.goto(f"{server.url}/admin")
    page.get_by_role("heading", level=1).filter(has_text="HR og administration").wait_for()
    settle(page)
    page.get_by_role("radio", name="Brugere").or_(page.get_by_role("button", name="Brugere")).first.click()
    settle(page)
    if not page.locator(".st-key-hr_person_leads").count():
        choose_option(page, page.locator(".st-key-admin_user"), 1)
        settle(page)
    leads = page.locator(".st-key-hr_person_leads")
    leads.scroll_into_view_if_needed()
    leads.locator("input").first.click()
    page.wait_for_timeout(800)
    assert page.get_by_text("Vælg alle", exact=True).count() == 1
    assert page.get_by_text("Select all", exact=True).count() == 0
    context.close()
