"""A stale HR tab: the button was drawn while the person was an administrator; pressed after, it does nothing.

Played through AppTest, the way a browser tab runs the page: the tab is open on the accounts
section, meanwhile the person's admin role is removed (or their password reset), then they press
a button in the tab that is still on their screen.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from quiz.people import accounts
from quiz.store import create_user, get_user, open_db, set_password

APP = str(Path(__file__).resolve().parents[1] / "app.py")
ADMIN_PAGE = "quiz/ui/pages/admin.py"


@pytest.fixture
def org(db_path):
    db = open_db(db_path)
    hanne = create_user(db, "hanne", "Hanne HR", "hemmelig123", is_admin=True)
    boss = create_user(db, "boss", "Bo Chef", "hemmelig123", is_admin=True)
    lise = create_user(db, "lise", "Lise Læring", "hemmelig123")
    yield db, hanne, boss, lise
    db.close()


def hr_tab_signed_in_as(username: str) -> AppTest:
    """Signed in through the sign-in form (so the tab holds a real session token), on the accounts section."""
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.text_input(key="signin_username").input(username)
    at.text_input(key="signin_password").input("hemmelig123")
    at.button(key="signin_submit").click().run()
    at.run()  # the signed-in menu
    at.switch_page(ADMIN_PAGE).run()
    at.segmented_control(key="admin_section").set_value("users").run()
    at.selectbox(key="admin_user").set_value("lise").run()
    assert not at.exception
    return at


def test_a_removed_administrator_pressing_grant_admin_in_an_open_tab_changes_nothing(org):
    db, hanne, boss, lise = org
    tab = hr_tab_signed_in_as("hanne")
    accounts.change_flags(db, boss.id, hanne.id, is_admin=False)  # meanwhile, in another office

    tab.button(key="admin_toggle_admin").click().run()

    assert not tab.exception
    assert not get_user(db, lise.id).is_admin, "the grant did not take effect"
    assert tab.title[0].value == "Ingen adgang", "the page itself is closed to her now"
    kind, message = tab.session_state["admin_flash"]
    assert kind == "error" and "ikke længere administrator" in message


def test_an_administrator_whose_password_was_reset_cannot_delete_from_an_open_tab(org):
    db, hanne, boss, lise = org
    tab = hr_tab_signed_in_as("hanne")
    tab.button(key="admin_delete").click().run()
    set_password(db, hanne.id, "nulstillet-af-it-1")  # her sign-ins end; she is still an admin

    tab.button(key="admin_delete_confirm").click().run()

    assert not tab.exception
    assert get_user(db, lise.id) is not None, "nobody was deleted"
    kind, message = tab.session_state["admin_flash"]
    assert kind == "error" and "logget ud" in message
