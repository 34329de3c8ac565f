"""WCAG 2.1 AA in a real browser: axe-core on every page and state, keyboard only, reflow at 320 px.

One server and one Chromium for the module; each person signs in once in a browser context of
their own, and every state is checked at 1366×800 and, by resizing the same page, at 375×740.

The gate: no critical or serious axe finding in the app's own markup (anything outside Streamlit's
sidebar and header), and Streamlit's own findings no more than docs/accessibility.md lists, rule
by rule, so a regression in either shows.
"""

from __future__ import annotations

import os
import re
import shutil
import time
from collections import Counter
from pathlib import Path

import pytest
from playwright.sync_api import Error as PlaywrightError

from quiz import live
from quiz.hr import units
from quiz.learning.intro import set_intro_step
from quiz.learning.quizzes import QuizSpec
from quiz.people import invitations
from quiz.plugins import get_registry
from quiz.store import create_user, open_db, set_user_role_key
from tests.e2e.server import Server
from tests.e2e.widgets import choose_option

pytestmark = [pytest.mark.browser, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage"]
SIZES = ((1366, 800), (375, 740))
PASSWORD = "hemmeligt-123"
GATED = ("critical", "serious")
# The WCAG 2.0/2.1 A and AA rules (what the law asks), not axe's best-practice extras.
# Only the violations come back: the passes of every rule are most of axe's time on a big page.
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}
# Streamlit's own frontend, which the app cannot change (the sidebar menu, the header, the toolbar).
FRONTEND = (
    '[data-testid="stSidebar"],[data-testid="stHeader"],[data-testid="stToolbar"],'
    '[data-testid="stDecoration"],[data-testid="stSidebarCollapsedControl"],[data-testid="stMainMenu"]'
)
# Headings in the order a screen reader's heading list reads them: the visible h1…h6 of the page.
HEADINGS_JS = """() => Array.from(document.querySelectorAll('h1,h2,h3,h4,h5,h6'))
  .filter(el => el.getClientRects().length && !el.closest('[aria-hidden="true"]'))
  .map(el => [Number(el.tagName[1]), el.innerText.trim().slice(0, 50)])"""
# The height of the page's content: Streamlit scrolls its main area, not the document.
CONTENT_HEIGHT_JS = """() => Math.max(document.documentElement.scrollHeight,
  ...Array.from(document.querySelectorAll('[data-testid="stMain"],[data-testid="stAppViewContainer"]'))
    .map(el => el.scrollHeight))"""

# For each quiz in the menu: the gap from its title down to its description, and from the
# description down to the next quiz's title.
CAPTION_GAPS_JS = """() => Array.from(document.querySelectorAll('[data-testid="stRadioCaption"]'))
  .filter(c => c.parentElement.nextElementSibling)
  .map(c => [c.getBoundingClientRect().top - c.previousElementSibling.getBoundingClientRect().bottom,
             c.parentElement.nextElementSibling.getBoundingClientRect().top - c.getBoundingClientRect().bottom])"""


def heading_jumps(headings: list[list]) -> list[str]:
    """Where a page skips a heading level (axe's ``heading-order`` is only "moderate"): the first
    heading is the h1, and each next one goes at most one level deeper than the one before."""
    jumps, previous = [], 0
    for level, text in headings:
        if level > previous + 1:
            jumps.append(f"h{previous or '-'} → h{level} {text!r}")
        previous = level
    return jumps


def documented_frontend_findings() -> dict[str, int]:
    """Streamlit's findings as docs/accessibility.md lists them: rule -> most nodes on one page."""
    text = (REPO / "docs" / "accessibility.md").read_text(encoding="utf-8")
    section = text.split("<!-- axe-baseline -->")[1].split("<!-- /axe-baseline -->")[0]
    return {m[1]: int(m[2]) for m in re.finditer(r"^\| `([a-z0-9-]+)` \| \w+ \| (\d+) \|", section, re.M)}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("a11y")
    db = open_db(folder / "progress.db")
    for username, name, flags in (
        ("admin", "Åse Admin", {"is_admin": True}),
        ("facilitator", "Frede Facilitator", {"is_facilitator": True}),
        ("mette", "Mette Ørsted", {}),
        ("tastatur", "Tove Tastatur", {}),
        ("leder", "Lis Leder", {}),
    ):
        user = create_user(db, username, name, PASSWORD, **flags)
        set_user_role_key(db, user.id, "medarbejder")
    db.close()
    srv = Server(folder / "progress.db").start()
    yield srv
    srv.stop()
    if out := os.environ.get("E2E_SCREENSHOTS"):
        for png in folder.glob("*.png"):
            shutil.copy(png, out)


@pytest.fixture(scope="module")
def browser():
    playwright = pytest.importorskip("playwright.sync_api")
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail("Chromium is missing in CI: scripts/test.sh should have installed it")
        pytest.skip("Chromium is not installed")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


def settle(page) -> None:
    """Until Streamlit has finished the current script run."""
    page.wait_for_timeout(400)
    page.locator('[data-testid="stStatusWidget"]').wait_for(state="hidden")
    page.wait_for_timeout(200)


def open_as(browser, server, username: str | None, *, width=1366, height=800):
    context = browser.new_context(viewport={"width": width, "height": height}, locale="da-DK")
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.goto(server.url)
    if username:
        page.get_by_role("tab", name="Log ind").click()
        page.get_by_role("textbox", name="Brugernavn", exact=True).first.fill(username)
        page.get_by_role("textbox", name="Adgangskode", exact=True).first.fill(PASSWORD)
        page.get_by_role("button", name="Log ind").click()
        page.get_by_role("heading", level=1).filter(has_text="Hej,").wait_for()
    else:
        page.get_by_role("heading", level=1).first.wait_for()
    settle(page)
    return context, page


def goto(page, server, path: str) -> None:
    page.goto(f"{server.url}/{path}")
    page.get_by_role("heading", level=1).first.wait_for()
    settle(page)


# The number of rules of the linked a11y.css, and the colour of the page's first caption (or null).
STYLES_JS = """() => {
  const sheet = [...document.styleSheets].find(s => (s.href || '').includes('/hv-assets/a11y.css'));
  const caption = document.querySelector("[data-testid='stMain'] [data-testid='stCaptionContainer']");
  return [sheet ? sheet.cssRules.length : 0, caption ? getComputedStyle(caption).color : null];
}"""
CAPTION_COLOUR = "rgb(61, 74, 87)"  # #3d4a57: Streamlit's faded caption grey fails 4.5:1


class Audit:
    """axe runs of many states; collects what fails the gate and what is Streamlit's."""

    def __init__(self, folder: Path):
        from axe_playwright_python.sync_playwright import Axe

        self.axe = Axe()
        self.folder = folder
        self.own: list[str] = []
        self.headings: list[str] = []
        self.frontend: dict[str, int] = {}
        self.seconds = 0.0
        self.samples: dict[str, str] = {}
        self.states = 0
        self.captions = 0

    def screenshot(self, page, state: str, width: int, height: int) -> None:
        """The whole page: the window is made as tall as the content for the picture (Streamlit
        scrolls its main area, so a full-page screenshot alone would stop at the window's edge)."""
        tall = min(int(page.evaluate(CONTENT_HEIGHT_JS)), 8000)
        if tall > height:
            page.set_viewport_size({"width": width, "height": tall})
            page.wait_for_timeout(300)
        page.screenshot(path=str(self.folder / f"{state}-{width}.png"), full_page=True)
        if tall > height:
            page.set_viewport_size({"width": width, "height": height})
            page.wait_for_timeout(200)

    def check_styles(self, page, state: str) -> None:
        """The app's own styles (quiz/ui/assets/a11y.css, linked from index.html) are loaded and win
        over Streamlit's: a caption in the full text colour, where the page has one. The live room's
        lean pages (quiz.ui.web) are not Streamlit pages and bring their own (live.css)."""
        if page.evaluate("() => ['phone', 'stage'].some(c => document.body.classList.contains(c))"):
            return
        rules, colour = page.evaluate(STYLES_JS)
        if rules < 10:
            self.own.append(f"{state}: the accessibility stylesheet is not loaded ({rules} rules)")
        if colour is not None:
            self.captions += 1
            if colour != CAPTION_COLOUR:
                self.own.append(f"{state}: a caption is {colour}, not {CAPTION_COLOUR} (a11y.css lost to Streamlit)")

    def run_axe(self, page) -> list[dict]:
        try:
            return self.axe.run(page, options=AXE_OPTIONS).response["violations"]
        except PlaywrightError as exc:
            if "context was destroyed" not in str(exc):
                raise
            # The first page of a browser may still be moving on (a sign-in cookie's redirect).
            page.get_by_role("heading", level=1).first.wait_for()
            settle(page)
            return self.axe.run(page, options=AXE_OPTIONS).response["violations"]

    def check(self, page, state: str) -> None:
        self.states += 1
        settle(page)
        self.check_styles(page, state)
        for width, height in SIZES:
            if page.viewport_size != {"width": width, "height": height}:
                # A new width redraws the page in the browser only (no script run): a short wait.
                page.set_viewport_size({"width": width, "height": height})
                page.wait_for_timeout(300)
            counts: Counter[str] = Counter()
            started = time.monotonic()
            found = self.run_axe(page)
            self.seconds += time.monotonic() - started
            for violation in found:
                if violation["impact"] not in GATED:
                    continue
                for node in violation["nodes"]:
                    target = node["target"][0] if isinstance(node["target"][0], str) else node["target"][0][0]
                    streamlit = page.evaluate(
                        "([sel, frontend]) => { const el = document.querySelector(sel); "
                        "return !!(el && el.closest(frontend)); }",
                        [target, FRONTEND],
                    )
                    if streamlit:
                        counts[violation["id"]] += 1
                        self.samples.setdefault(f"{violation['id']} ({state} @{width})", node["html"][:120])
                        continue
                    self.own.append(f"{state} @{width}: {violation['impact']} {violation['id']}: {node['html'][:160]}")
            for rule, n in counts.items():
                self.frontend[rule] = max(self.frontend.get(rule, 0), n)
            self.headings += [f"{state} @{width}: {jump}" for jump in heading_jumps(page.evaluate(HEADINGS_JS))]
            if os.environ.get("E2E_SCREENSHOTS"):
                self.screenshot(page, state, width, height)
        page.set_viewport_size({"width": SIZES[0][0], "height": SIZES[0][1]})

    def verdict(self) -> None:
        """The gate, after all states: own findings, heading jumps, Streamlit's beyond the baseline."""
        print(f"\n{self.states} states; Streamlit frontend findings (rule: most nodes on one page):", self.frontend)
        print(f"axe took {self.seconds:.1f} s in all; samples: {self.samples}")
        assert self.captions, "no page with a caption was checked for the app's caption colour"
        problems = self.own + [f"heading skips a level: {jump}" for jump in self.headings]
        assert not problems, "\n".join(problems)
        documented = documented_frontend_findings()
        worse = {rule: n for rule, n in self.frontend.items() if n > documented.get(rule, 0)}
        assert not worse, f"Streamlit findings beyond docs/accessibility.md: {worse}"


def test_every_learner_page_and_state_has_no_serious_axe_finding_and_no_heading_jump(browser, server):
    audit = Audit(Path(server.db_path).parent)

    # Signed out.
    context, page = open_as(browser, server, None)
    audit.check(page, "log-ind")
    for path in ("deltag", "tilgaengelighed", "forside"):
        goto(page, server, path)
        audit.check(page, f"ude-{path}")  # /deltag: the lean phone's join form
    # Danish instead of Streamlit's "Page not found … Running the app's main page.": for /forside
    # signed out (the menu's own name of the home page) and for an address the app does not have.
    assert page.get_by_text("Siden kræver, at du er logget ind.").is_visible()
    goto(page, server, "findes-ikke")
    assert page.get_by_role("heading", name="Siden findes ikke").is_visible()
    assert "Page not found" not in page.content()
    audit.check(page, "ude-findes-ikke")
    context.close()

    # A learner: every page of theirs, and the quiz's states (menu, match question, feedback).
    # (Live and the statement are the same page signed in; they were checked signed out.)
    context, page = open_as(browser, server, "mette")
    audit.check(page, "forside")
    for path in ("intro", "fremskridt"):
        goto(page, server, path)
        audit.check(page, path)
    goto(page, server, "intro")
    for _ in range(3):
        page.get_by_role("button", name="Næste →").click()
        settle(page)
    audit.check(page, "intro-trin-4")
    goto(page, server, "profil")
    page.get_by_role("textbox", name="Dit navn").click()
    page.keyboard.type("x")
    settle(page)
    assert "Press Enter" not in page.locator('[data-testid="stMain"]').inner_text(), "enter_to_submit=False"
    page.get_by_text("Slet min konto og alle mine data").click()
    audit.check(page, "profil-slet")
    goto(page, server, "quiz")
    audit.check(page, "quiz-menu")
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        settle(page)
        gaps = page.evaluate(CAPTION_GAPS_JS)
        assert gaps and all(own < next_one for own, next_one in gaps), f"caption gaps at {width} px: {gaps}"
    page.get_by_text("Match", exact=True).first.click()
    page.locator('[data-testid="stButtonGroup"]').get_by_text("5", exact=True).click()
    page.get_by_role("button", name="Start quizzen").click()
    page.get_by_text("Spørgsmål 1 af 5").first.wait_for()
    audit.check(page, "quiz-match")
    form = page.locator('[data-testid="stForm"]').first
    dropdowns = form.locator('[data-testid="stSelectbox"]')
    for i in range(dropdowns.count()):
        choose_option(page, dropdowns.nth(i), i)
    form.get_by_role("button", name="Svar").click()
    page.locator('[data-testid="stAlert"]').first.wait_for()
    audit.check(page, "quiz-feedback")
    context.close()
    audit.verdict()


def live_room(db_path: Path) -> tuple[live.LiveSession, live.LiveSession, int]:
    """A session in the lobby (anonymous phones may join) and an ended one, run by the facilitator."""
    db = open_db(db_path)
    registry = get_registry()
    pack = next(iter(registry.packs.values()))
    boss = next(db["users"].rows_where("username = ?", ["facilitator"]))["id"]
    spec = QuizSpec(pack_id=pack.id, length=2, seed=7, types=["perspective"], title="Personalemøde i december")
    lobby = live.create_session(db, boss, spec, allow_anonymous=True, registry=registry)
    ended = live.create_session(db, boss, spec.model_copy(update={"seed": 8}), allow_anonymous=True, registry=registry)
    live.start(db, ended.id, actor_id=boss)
    live.reveal(db, ended.id, actor_id=boss, registry=registry)
    live.end(db, ended.id, actor_id=boss, registry=registry)
    db.close()
    return lobby, ended, boss


def move(db_path: Path, step, session_id: int, boss: int) -> None:
    db = open_db(db_path)
    try:
        step(db, session_id, actor_id=boss, **({"registry": get_registry()} if step is not live.start else {}))
    finally:
        db.close()


def assert_qr_code_says_what_it_is(page, code: str) -> None:
    """The QR code's text alternative names it and gives the join code and link in words."""
    qr = page.locator('[data-testid="stMain"] img[alt*="QR"]')
    qr.first.wait_for()
    alt = qr.first.get_attribute("alt")
    assert code in alt and f"deltag?kode={code}" in alt, alt


def test_every_facilitator_phone_and_hr_page_has_no_serious_axe_finding_and_no_heading_jump(browser, server):
    audit = Audit(Path(server.db_path).parent)
    db_path = Path(server.db_path)
    room, _ended, boss = live_room(db_path)
    db = open_db(db_path)
    leader = next(db["users"].rows_where("username = ?", ["leder"]))["id"]
    unit = units.add_unit(db, "Center for Byliv")
    units.set_leader_units(db, leader, [unit.id])
    for username in ("mette", "tastatur"):
        units.set_person_unit(db, next(db["users"].rows_where("username = ?", [username]))["id"], unit.id)
    newcomer = create_user(db, "nyansat", "Nina Nyansat", "midlertidig-kode-1", must_change_password=True)
    token = invitations.invite(db, newcomer.id)
    db.close()

    # The facilitator: the start page, the plan page, the lobby with its QR code, on the projector too.
    context, page = open_as(browser, server, "facilitator")
    goto(page, server, "facilitator")
    audit.check(page, "facilitator")
    goto(page, server, "live_plan")
    audit.check(page, "live-plan")
    goto(page, server, f"facilitator?session={room.id}")
    assert_qr_code_says_what_it_is(page, room.code)
    audit.check(page, "facilitator-lobby")
    # The menu's »Storskærm« (the old presenter view's address) makes the lean stage's link; the
    # stage itself is audited at 1920x1080 in test_live_lean.py.
    goto(page, server, f"praesentation?session={room.id}")
    page.get_by_role("button", name="Lav et link til storskærmen").wait_for()
    audit.check(page, "storskaerm-link")

    # A phone joins by name, waits, answers; the control page shows the question.
    phone_context, phone = open_as(browser, server, None, width=375, height=740)
    # The phone is the lean page (quiz.ui.web): it follows the room over its own stream, no reload.
    phone.goto(f"{server.url}/deltag?kode={room.code}")
    phone.get_by_role("textbox", name="Dit navn").fill("Søren på telefonen")
    phone.get_by_role("button", name="Deltag").click()
    phone.get_by_text("Vent på, at facilitatoren starter quizzen").wait_for()
    audit.check(phone, "deltag-venter")
    move(db_path, live.start, room.id, boss)
    phone.get_by_text("Spørgsmål 1 af 2").first.wait_for()
    audit.check(phone, "deltag-spoergsmaal")
    phone.locator("button.option").first.click()
    phone.get_by_text("Dit svar er modtaget").wait_for()
    audit.check(phone, "deltag-svaret")
    goto(page, server, f"styring?session={room.id}")
    audit.check(page, "styring")
    move(db_path, live.reveal, room.id, boss)
    phone.get_by_text("Vent på næste spørgsmål").wait_for()
    audit.check(phone, "deltag-afsloeret")
    # Signed out, on the same phone: the invitation's link to choose a password.
    goto(phone, server, f"adgangskode?token={token}")
    audit.check(phone, "adgangskode")
    phone_context.close()
    goto(page, server, "tidligere")
    audit.check(page, "tidligere")
    context.close()

    # HR: the overview with its people, and the onboarding section; a unit leader's own unit.
    context, page = open_as(browser, server, "admin")
    goto(page, server, "admin")
    audit.check(page, "admin")
    page.locator('[data-testid="stButtonGroup"]').get_by_text("Introforløb", exact=True).click()
    settle(page)
    audit.check(page, "admin-introforloeb")
    context.close()
    context, page = open_as(browser, server, "leder")
    goto(page, server, "min_enhed")
    audit.check(page, "min-enhed")
    context.close()
    audit.verdict()


def _focused(page) -> str:
    return page.evaluate(
        "(() => { const el = document.activeElement; if (!el) return ''; "
        "const box = el.closest('[data-testid]'); "
        "return el.tagName + '|' + (el.getAttribute('role') || '') + '|' + (box ? box.dataset.testid : '') + '|' "
        "+ (el.getAttribute('aria-label') || el.innerText || el.value || '').slice(0, 60); })()"
    )


def _tab_until(page, predicate, *, limit: int = 40, key: str = "Tab") -> int:
    for presses in range(1, limit + 1):
        page.keyboard.press(key)
        if predicate(_focused(page)):
            return presses
    raise AssertionError(f"never reached after {limit} × {key}; focus on {_focused(page)}")


def test_a_match_quiz_works_with_the_keyboard_alone_and_focus_lands_on_the_question(browser, server):
    context, page = open_as(browser, server, "tastatur")
    goto(page, server, "quiz")
    # The quiz menu's radio group, then "Match" with the arrow keys, then Tab to "Start quizzen".
    _tab_until(page, lambda f: f.startswith("INPUT|") and "stRadio" in f)
    for _ in range(4):  # Min rolle, Et perspektiv, En rolle, Det hele, Match
        page.keyboard.press("ArrowDown")
    settle(page)
    assert (
        page.locator('[data-testid="stRadio"] input:checked')
        .first.evaluate("el => el.closest('label').innerText")
        .startswith("Match")
    )
    _tab_until(page, lambda f: f.startswith("BUTTON|") and "Start quizzen" in f)
    page.keyboard.press("Enter")
    for n in (1, 2):
        page.get_by_text(f"Spørgsmål {n} af 10").first.wait_for()
        settle(page)
        # Focus is on the question's first dropdown, not at the top of the page.
        page.wait_for_function(
            "() => document.activeElement && document.activeElement.closest('[data-testid=\"stSelectbox\"]')"
        )
        for i, name in enumerate(("Compliance", "Performance", "Emergens", "Resiliens")):
            if i:  # past the chosen value's clear button to the next statement's dropdown
                _tab_until(page, lambda f, n=i + 1: f"|Udsagn {n}:" in f, limit=4)
            page.keyboard.type(name, delay=20)  # the list opens and narrows to the one perspective
            page.wait_for_timeout(400)
            page.keyboard.press("ArrowDown")
            page.keyboard.press("Enter")
            page.wait_for_timeout(300)
        _tab_until(page, lambda f: f.startswith("BUTTON|") and "Svar" in f, limit=5)
        page.keyboard.press("Enter")
        page.locator('[data-testid="stAlert"]').first.wait_for()
        # Focus moves to the verdict, so a screen reader reads it; Tab goes on to "Næste spørgsmål".
        page.wait_for_function(
            "() => document.activeElement && document.activeElement.matches('[data-testid=\"stAlert\"]')"
        )
        presses = _tab_until(page, lambda f: f.startswith("BUTTON|") and "Næste spørgsmål" in f, limit=12)
        assert presses <= 12
        page.keyboard.press("Enter")
    page.get_by_text("Spørgsmål 3 af 10").first.wait_for()
    context.close()


def test_every_learner_page_reflows_at_320_css_pixels_without_scrolling_sideways(browser, server):
    db = open_db(server.db_path)
    user = next(db["users"].rows_where("username = ?", ["mette"]))
    set_intro_step(db, user["id"], "hvidovrevejen", 3)  # step 4: the table of the four perspectives
    db.close()
    context, page = open_as(browser, server, "mette", width=320, height=740)
    too_wide = {}
    for path in ("forside", "intro", "quiz", "fremskridt", "profil", "tilgaengelighed", "deltag"):
        goto(page, server, path)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 320:
            too_wide[path] = width
    assert not too_wide, f"pages wider than 320 px: {too_wide}"
    context.close()
