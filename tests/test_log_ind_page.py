"""The sign-in page (AppTest): self-registration switched off, empty fields, a sign-in link that failed."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from quiz.store import create_user, open_db

APP = str(Path(__file__).resolve().parents[1] / "app.py")


def sign_in_page(**query: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in query.items():
        at.query_params[key] = value
    return at.run()


def test_with_self_registration_off_there_is_no_sign_up_only_a_pointer_to_hr(db_path, monkeypatch):
    monkeypatch.setenv("QUIZ_SELF_SIGNUP", "false")
    at = sign_in_page()
    assert not at.exception
    assert [t.label for t in at.tabs] == []
    assert not [b for b in at.button if b.key == "signup_submit"]
    assert any("Kontakt HR" in c.value for c in at.caption)


def test_empty_fields_get_a_clear_message_and_try_nothing(db_path):
    db = open_db(db_path)
    create_user(db, "lise", "Lise", "hemmelig123")
    at = sign_in_page()
    at.text_input(key="signin_username").input("lise")
    at.button(key="signin_submit").click().run()
    assert at.error[0].value == "Skriv både brugernavn og adgangskode."
    assert db["brake_events"].count == 0, "not even a braked try"
    db.close()


def test_a_sign_in_link_that_was_used_old_or_from_another_browser_says_to_sign_in_again(db_path):
    at = sign_in_page(hv_code="1")
    assert "Log ind igen" in at.error[0].value


def test_a_browser_that_refuses_cookies_is_told_so(db_path):
    at = sign_in_page(hv_b="1")  # back from /auth/browser, still without the nonce cookie
    assert "cookies" in at.warning[0].value
