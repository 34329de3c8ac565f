"""Changing one's password in the app (AppTest): on Min profil, and first thing after HR set one."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from quiz.people import accounts, auth
from quiz.store import create_user, get_user, open_db

APP = str(Path(__file__).resolve().parents[1] / "app.py")


@pytest.fixture
def people(db_path):
    db = open_db(db_path)
    hr = create_user(db, "hr", "Hanne HR", "hemmelig123", is_admin=True)
    lise = create_user(db, "lise", "Lise Ørsted", "hemmelig123")
    db["users"].update(lise.id, {"role_key": "medarbejder"})
    yield db, hr, lise
    db.close()


def signed_in(username: str, password: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.text_input(key="signin_username").input(username)
    at.text_input(key="signin_password").input(password)
    at.button(key="signin_submit").click().run()
    return at.run()


def change(at: AppTest, current: str, new: str, again: str | None = None) -> AppTest:
    at.text_input(key="password_current").input(current)
    at.text_input(key="password_new").input(new)
    at.text_input(key="password_again").input(again if again is not None else new)
    return at.button(key="password_save").click().run()


def test_a_password_set_by_hr_is_changed_before_anything_else(people):
    db, hr, lise = people
    temporary = accounts.reset_password(db, hr.id, lise.id)
    at = signed_in("lise", temporary)
    assert [t.value for t in at.title] == ["Vælg din egen adgangskode"]
    assert not at.sidebar.get("nav"), "no other page until it is done"

    change(at, temporary, "password1")
    assert "mest brugte" in at.error[0].value
    change(at, temporary, "mit-eget-kodeord-7")
    assert not at.exception
    assert not get_user(db, lise.id).must_change_password
    assert [t.value for t in at.title] == ["Hej, Lise Ørsted"]


def test_a_person_changes_their_password_on_the_profile_page_and_other_sign_ins_end(people):
    db, hr, lise = people
    elsewhere = auth.create_session(db, lise.id)
    at = signed_in("lise", "hemmelig123")
    at.switch_page("quiz/ui/pages/profile.py").run()
    assert any(s.value == "Skift adgangskode" for s in at.header)

    change(at, "hemmelig123", "nyt-kodeord-77", "noget-andet-77")
    assert at.error[0].value == "De to nye adgangskoder er ikke ens."
    change(at, "forkert-kode", "nyt-kodeord-77")
    assert at.error[0].value == "Den nuværende adgangskode er forkert."
    change(at, "hemmelig123", "nyt-kodeord-77")
    assert not at.exception
    assert at.success[0].value.startswith("Adgangskoden er skiftet")
    assert auth.user_for_session(db, elsewhere) is None, "the other sign-in ended"
    assert at.button(key="sign_out"), "this one stays signed in"
    assert auth.verify_login(db, "lise", "nyt-kodeord-77").id == lise.id
