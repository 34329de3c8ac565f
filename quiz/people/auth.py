"""Sign-in with a brake on guessing, and session tokens.

Plain Python: the UI asks :func:`verify_login` and keeps only the session token in a cookie.
Password rules and hashing are in ``quiz.people.passwords`` (re-exported here for older callers).

The brake (``quiz.people.brakes``, scope ``signin``) counts each try against these keys:

* ``browser:<hash of the nonce cookie>`` and ``ip:<client address>`` when known (an unknown
  address gives no key, so it is never one key shared by everybody);
* for the account: ``device:<user id>:<browser>`` when this browser signed in to the account
  before (``known_browsers``), else ``account:<username>``. A stranger's wrong guesses therefore
  never slow down the person's own usual browser, and a shared client address is not counted for a
  known browser at all. On a browser the account has not used (a new phone, a shared PC) they
  cost the owner at most a few seconds (the ``account`` limit's short cap), until the account's
  ceiling of 100 failures a day: then ``Locked(another_way=True)``, and only a known browser or a
  new password (an HR invitation) signs in. Any successful sign-in clears the account's count.

The reservation is made before the password hash is checked, so parallel tries cannot check more
passwords than the brake allows.
"""

from __future__ import annotations

import hashlib
import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlite_utils

from quiz import i18n, settings
from quiz.i18n import QuizError
from quiz.people import brakes, passwords
from quiz.people.passwords import (  # noqa: F401  (re-exported: callers and tests use quiz.people.auth's names)
    DISPLAY_NAME_MAX,
    PASSWORD_MAX,
    PASSWORD_MIN,
    USERNAME_MAX,
    USERNAME_MIN,
    InvalidInput,
    hash_password,
    validate_display_name,
    validate_password,
    validate_username,
)
from quiz.people.passwords import verify as verify_password
from quiz.store.db import to_iso, transaction, utcnow
from quiz.store.users import (
    User,
    create_user,
    get_user,
    password_hash_for,
    set_password,
    store_password_hash,
    touch_user,
)

SESSION_DAYS = 30
FAILURES_BEFORE_LOCK = brakes.SCOPES["signin"].limits["account"].free

__all__ = [
    "InvalidInput",
    "Locked",
    "browser_hash",
    "create_session",
    "end_session",
    "end_user_sessions",
    "hash_password",
    "password_hash_for",
    "token_hash",
    "user_for_session",
    "validate_display_name",
    "validate_password",
    "validate_username",
    "verify_login",
    "verify_password",
]


@dataclass(frozen=True)
class Locked:
    """Sign-in slowed down for now; ``retry_after`` seconds to wait. Says nothing about the account.

    ``another_way``: the account's ceiling of failures is reached; waiting a moment does not help.
    """

    retry_after: int
    another_way: bool = False


def token_hash(token: str) -> str:
    """What is stored of a secret token: its SHA-256, never the token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def browser_hash(nonce: str | None) -> str | None:
    """What is stored of a browser's nonce cookie (None without one)."""
    return token_hash("browser:" + nonce) if nonce else None


def _known_browser(db: sqlite_utils.Database, user_id: int, browser: str) -> bool:
    return db["known_browsers"].count_where("user_id = ? AND browser_hash = ?", [user_id, browser]) > 0


def signin_keys(db: sqlite_utils.Database, username: str, user: User | None, *, browser: str | None, ip: str | None):
    """The brake keys of one sign-in try (see the module docstring)."""
    if user is not None and browser and _known_browser(db, user.id, browser):
        return [f"device:{user.id}:{browser}", f"browser:{browser}"]
    keys = [f"account:{username}"]
    if browser:
        keys.append(f"browser:{browser}")
    if ip:
        keys.append(f"ip:{ip}")
    return keys


def verify_login(
    db: sqlite_utils.Database,
    username: str,
    password: str,
    *,
    browser: str | None = None,
    ip: str | None = None,
    client_key: str | None = None,
    now: datetime | None = None,
) -> User | Locked | None:
    """The account when the password is right; ``Locked`` while guessing is slowed down; else None.

    ``browser`` is the hash of the browser's nonce cookie (:func:`browser_hash`), ``ip`` the client
    address; either may be None (``client_key`` is the older name of ``ip``). An unknown username
    costs as much time as a wrong password, and both are braked alike, so neither the answer nor
    its timing tells whether an account exists.
    """
    now = now or utcnow()
    ip = ip or client_key
    key = passwords.normalize_username(username)
    if len(key) > passwords.USERNAME_MAX * 4 or len(password or "") > passwords.PASSWORD_MAX:
        return None  # nothing stored can match; not worth a hash
    found = password_hash_for(db, key) if key else None
    user, stored = found if found else (None, None)
    reservation = brakes.reserve(db, scope="signin", keys=signin_keys(db, key, user, browser=browser, ip=ip), now=now)
    if not reservation.allowed:
        return Locked(retry_after=max(1, math.ceil(reservation.retry_after_seconds)), another_way=reservation.refused)
    ok = passwords.verify(password or "", stored or passwords.DUMMY_HASH) and user is not None and stored is not None
    brakes.settle(db, reservation, success=ok)
    if not ok or user is None or stored is None:  # (ok: both are there)
        return None
    # The run of failures on the account ends, also when the owner signed in from a known browser.
    brakes.clear(db, scope="signin", keys=[f"account:{key}"])
    if passwords.needs_rehash(stored):
        store_password_hash(db, user.id, passwords.hash_password(password))
    if browser:
        with transaction(db):
            db.table("known_browsers").upsert(
                {"user_id": user.id, "browser_hash": browser, "last_signed_in_at": to_iso(now)},
                pk=("user_id", "browser_hash"),
            )
    touch_user(db, user.id, now=now)
    return get_user(db, user.id)


# --- sessions ----------------------------------------------------------------------------------


def create_session(
    db: sqlite_utils.Database, user_id: int, *, now: datetime | None = None, days: int = SESSION_DAYS
) -> str:
    """A new sign-in token for the cookie; only its SHA-256 is stored."""
    now = now or utcnow()
    token = secrets.token_urlsafe(32)
    with transaction(db):
        db.table("sessions").insert(
            {
                "token_hash": token_hash(token),
                "user_id": user_id,
                "created_at": to_iso(now),
                "expires_at": to_iso(now + timedelta(days=days)),
            }
        )
        db.table("sessions").delete_where("expires_at < ?", [to_iso(now)])
    return token


def user_for_session(db: sqlite_utils.Database, token: str | None, *, now: datetime | None = None) -> User | None:
    """The signed-in account for a cookie token, or None when unknown or expired."""
    if not token:
        return None
    now = now or utcnow()
    rows = list(db["sessions"].rows_where("token_hash = ? AND expires_at > ?", [token_hash(token), to_iso(now)]))
    return get_user(db, rows[0]["user_id"]) if rows else None


def end_session(db: sqlite_utils.Database, token: str | None) -> None:
    """Sign out: the token stops working."""
    if token:
        with transaction(db):
            db.table("sessions").delete_where("token_hash = ?", [token_hash(token)])


def end_user_sessions(db: sqlite_utils.Database, user_id: int) -> None:
    """Sign the person out everywhere."""
    with transaction(db):
        db.table("sessions").delete_where("user_id = ?", [user_id])


# --- sign-up and the person's own password -------------------------------------------------------


def sign_up(
    db: sqlite_utils.Database,
    username: str,
    display_name: str,
    password: str,
    *,
    browser: str | None = None,
    ip: str | None = None,
    now: datetime | None = None,
) -> User:
    """Create one's own account (when the deployment allows it); the first account is the administrator.

    Braked like sign-in (scope ``signup``, per browser and client address; every try counts), and
    every other rule is checked before the username is looked up, so the one message that tells a
    username is taken costs a braked try with an otherwise valid form.
    Raises ``QuizError``/``InvalidInput``/``UsernameTaken``; changes nothing then.
    """
    if not settings.current().self_signup:
        raise QuizError("auth.signup_closed")
    name = passwords.validate_username(username)
    passwords.validate_display_name(display_name)
    passwords.validate_password(password, username=name)
    keys = [k for k in (f"browser:{browser}" if browser else None, f"ip:{ip}" if ip else None) if k]
    reservation = brakes.reserve(db, scope="signup", keys=keys, now=now)
    if not reservation.allowed:
        raise QuizError(
            "auth.signup_slow",
            seconds=max(1, math.ceil(reservation.retry_after_seconds)),
            wait=i18n.wait_time(reservation.retry_after_seconds),
        )
    try:
        return create_user(db, name, display_name, password, first_becomes_admin=True, now=now)
    finally:
        brakes.settle(db, reservation, success=False)  # an account made is what this brake counts


def change_own_password(
    db: sqlite_utils.Database,
    user_id: int,
    current: str,
    new: str,
    *,
    session_token: str | None,
    now: datetime | None = None,
) -> None:
    """The person sets their own password; every other sign-in of theirs ends, this one stays.

    The current password is asked (braked like a sign-in from a known browser), so an unattended
    open tab cannot be used to take the account over. Clears "must change at next sign-in".
    """
    found = get_user(db, user_id)
    if found is None:
        raise QuizError("account.actor_gone")
    account = password_hash_for(db, found.username)
    if account is None:
        raise QuizError("account.actor_gone")
    stored = account[1]
    if len(new or "") <= passwords.PASSWORD_MAX and (current or "") == (new or ""):
        raise InvalidInput("auth.password_same")
    passwords.validate_password(new, username=found.username)
    # Braked per person, not on the account's key: strangers guessing at the account from outside
    # (up to its ceiling) must not stop the signed-in owner from choosing a new password.
    reservation = brakes.reserve(db, scope="signin", keys=[f"device:{found.id}:own-password"], now=now)
    if not reservation.allowed:
        raise QuizError(
            "auth.locked",
            seconds=max(1, math.ceil(reservation.retry_after_seconds)),
            wait=i18n.wait_time(reservation.retry_after_seconds),
        )
    ok = len(current or "") <= passwords.PASSWORD_MAX and passwords.verify(current or "", stored)
    brakes.settle(db, reservation, success=ok)
    if not ok:
        raise QuizError("auth.current_password_wrong")
    set_password(db, user_id, new, keep_session_hash=token_hash(session_token) if session_token else None)
