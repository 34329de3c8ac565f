"""Playing Streamlit's widgets in a real browser the way a person does, and checking it took."""

from __future__ import annotations


def choose_option(page, dropdown, n: int, *, tries: int = 3) -> str:
    """Pick option ``n`` of the selectbox ``dropdown`` (a ``stSelectbox`` locator); return its label.

    The app moves the focus to a question's first answer (quiz.ui.a11y), and a click on a dropdown
    that already has the focus may close the list it just opened; a list still closing from the
    previous dropdown may also take the click. So the pick is read back from the dropdown itself and
    made again until it shows, and a pick that never shows fails here, naming the dropdown, instead
    of as a missing button later.
    """
    box = dropdown.get_by_role("combobox")
    label = ""
    for _ in range(tries):
        page.get_by_role("listbox").wait_for(state="detached")
        box.click()
        option = page.get_by_role("option").nth(n)
        try:
            option.wait_for(timeout=2000)
        except Exception:  # the click closed the list it opened: the keyboard opens it either way
            box.press("ArrowDown")
            option.wait_for(timeout=5000)
        label = option.inner_text().strip()
        option.click()
        page.get_by_role("listbox").wait_for(state="detached")
        if label and box.input_value() == label:  # the dropdown is a text box showing the pick
            return label
    raise AssertionError(f"dropdown {dropdown.inner_text()!r} shows {box.input_value()!r}, not the pick {label!r}")


def create_live_from_plan(page, url: str, plan: str, *, seconds: int, points: bool = False, settle=None) -> None:
    """On the facilitator page: pick the saved ``plan``, a time limit of ``seconds`` per question,
    joins without an account (and ``points``), and make the live quiz; until »Start quizzen« shows.

    ``settle`` waits for Streamlit's run to finish (the journey's helper)."""
    rest = settle or (lambda _page: None)
    page.goto(f"{url}/facilitator")
    rest(page)
    page.locator(".st-key-live_plan_choice").get_by_role("combobox").click()
    page.get_by_role("option", name=plan).click()
    rest(page)
    page.get_by_text("Tidsgrænse pr. spørgsmål").click()
    page.get_by_text("Tillad deltagere, der ikke er logget ind").click()
    if points:
        page.get_by_text("Point og topliste").click()
    rest(page)
    page.locator(".st-key-live_seconds input").fill(str(seconds))
    page.get_by_role("button", name="Opret live-quiz").click()
    page.get_by_role("button", name="Start quizzen").wait_for()
