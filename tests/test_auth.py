"""Passwords, the guessing brake, sign-in sessions and signed cookie values."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from quiz.people import auth, brakes
from quiz.store import create_user, get_user

NOW = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


def test_password_hash_is_salted_argon2id_with_owasp_parameters_and_verifies():
    encoded = auth.hash_password("Æbleskiver!")
    assert encoded.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert auth.hash_password("Æbleskiver!") != encoded, "a fresh salt every time"
    assert auth.verify_password("Æbleskiver!", encoded)
    assert not auth.verify_password("æbleskiver!", encoded)
    assert not auth.verify_password("Æbleskiver!", "not-a-hash")
    assert not auth.verify_password("Æbleskiver!", None), "an SSO account has no password"


@pytest.mark.parametrize(
    "username, message",
    [("a", "mellem 2 og 32 tegn"), ("x" * 33, "mellem 2 og 32 tegn"), ("per hansen", "må kun"), ("-per", "begynde")],
)
def test_bad_usernames_are_refused_in_danish(username, message):
    with pytest.raises(auth.InvalidInput, match=message):
        auth.validate_username(username)


def test_display_names_take_any_letters_but_are_trimmed_and_limited():
    assert auth.validate_display_name("  Åse   Ødegård-Ærø ") == "Åse Ødegård-Ærø"
    with pytest.raises(auth.InvalidInput, match="højst være 60 tegn"):
        auth.validate_display_name("x" * 61)
    with pytest.raises(auth.InvalidInput, match="Skriv dit navn"):
        auth.validate_display_name("   ")
    with pytest.raises(auth.InvalidInput, match="mindst 8 tegn"):
        auth.validate_password("kort")


def test_person_signs_in_with_the_right_password_only(db):
    user = create_user(db, "lise", "Lise", "hemmelig123")
    assert auth.verify_login(db, "wrong", "hemmelig123", client_key="ip", now=NOW) is None
    assert auth.verify_login(db, "lise", "forkert-kode", client_key="ip", now=NOW) is None
    signed_in = auth.verify_login(db, " LISE ", "hemmelig123", client_key="ip", now=NOW)
    assert signed_in.id == user.id
    assert get_user(db, user.id).last_seen_at == NOW


def _fail(db, username, times, now, client_key="ip"):
    for _ in range(times):
        assert auth.verify_login(db, username, "forkert-kode", client_key=client_key, now=now) is None


def test_repeated_wrong_passwords_slow_the_username_down_for_a_growing_while(db):
    create_user(db, "lise", "Lise", "hemmelig123")
    _fail(db, "lise", auth.FAILURES_BEFORE_LOCK, NOW)

    locked = auth.verify_login(db, "lise", "hemmelig123", client_key="ip", now=NOW)
    assert locked == auth.Locked(retry_after=1), "from a browser the account never used, even the right one waits"

    later = NOW + timedelta(seconds=1)
    _fail(db, "lise", 1, later)
    again = auth.verify_login(db, "lise", "hemmelig123", client_key="ip", now=later)
    assert again == auth.Locked(retry_after=2), "the wait doubles"

    free = later + timedelta(seconds=2)
    assert auth.verify_login(db, "lise", "hemmelig123", client_key="ip", now=free).username == "lise"
    assert db["brake_events"].count_where("key = ?", ["account:lise"]) == 0, "success clears the account's count"


def test_locking_does_not_reveal_whether_a_username_exists(db):
    create_user(db, "lise", "Lise", "hemmelig123")
    _fail(db, "lise", auth.FAILURES_BEFORE_LOCK, NOW)
    _fail(db, "nobody", auth.FAILURES_BEFORE_LOCK, NOW)
    soon = NOW + timedelta(seconds=5)
    assert auth.verify_login(db, "lise", "x", client_key="ip2", now=soon) == auth.verify_login(
        db, "nobody", "x", client_key="ip2", now=soon
    )


def test_failures_older_than_the_window_do_not_count(db):
    window = brakes.SCOPES["signin"].limits["account"].window
    create_user(db, "lise", "Lise", "hemmelig123")
    _fail(db, "lise", auth.FAILURES_BEFORE_LOCK - 1, NOW)
    _fail(db, "lise", 1, NOW + window + timedelta(seconds=1))
    user = auth.verify_login(db, "lise", "hemmelig123", client_key="ip", now=NOW + window * 1.1)
    assert not isinstance(user, auth.Locked)


def test_one_browser_guessing_many_usernames_is_slowed_down_but_no_other_browser(db):
    free = brakes.SCOPES["signin"].limits["browser"].free
    for i in range(free):
        assert auth.verify_login(db, f"user{i}", "forkert-kode", browser="bad", now=NOW) is None
    assert isinstance(auth.verify_login(db, "someone", "x", browser="bad", now=NOW), auth.Locked)
    assert auth.verify_login(db, "someone", "x", browser="good", now=NOW) is None


def test_session_token_signs_in_until_it_expires_or_ends(db):
    user = create_user(db, "lise", "Lise", "hemmelig123")
    token = auth.create_session(db, user.id, now=NOW)
    assert db["sessions"].count_where("token_hash = ?", [token]) == 0, "only the hash is stored"
    assert auth.user_for_session(db, token, now=NOW + timedelta(days=29)).id == user.id
    assert auth.user_for_session(db, token, now=NOW + timedelta(days=30, seconds=1)) is None
    assert auth.user_for_session(db, "made-up", now=NOW) is None
    auth.end_session(db, token)
    assert auth.user_for_session(db, token, now=NOW) is None
