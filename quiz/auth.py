"""Passwords, sign-in with a brake on guessing, session tokens and signed cookie values.

Plain Python: the UI asks ``verify_login`` and keeps only the session token in a cookie.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlite_utils

from quiz.store.db import from_iso, to_iso, transaction, utcnow
from quiz.store.users import User, get_user, password_hash_for, touch_user

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
SESSION_DAYS = 30

# Guessing brake: after FAILURES_BEFORE_LOCK failures within FAILURE_WINDOW for one username (or
# CLIENT_FAILURES_BEFORE_LOCK from one client), refuse for LOCK_BASE_SECONDS, doubling per extra failure.
FAILURE_WINDOW = timedelta(minutes=15)
FAILURES_BEFORE_LOCK = 5
CLIENT_FAILURES_BEFORE_LOCK = 20
LOCK_BASE_SECONDS = 30
LOCK_MAX_SECONDS = 15 * 60

USERNAME_MIN, USERNAME_MAX = 2, 32
DISPLAY_NAME_MAX = 60
PASSWORD_MIN, PASSWORD_MAX = 8, 1024
USERNAME_PATTERN = re.compile(r"^[a-z0-9æøå][a-z0-9æøå._-]*$")


class InvalidInput(ValueError):
    """Input a person typed that cannot be used; the message is Danish and says what to do."""


# --- validation --------------------------------------------------------------------------------


def validate_username(username: str) -> str:
    """The username as stored (trimmed, lower case) or ``InvalidInput``."""
    name = unicodedata.normalize("NFC", username or "").strip().casefold()
    if not USERNAME_MIN <= len(name) <= USERNAME_MAX:
        raise InvalidInput(f"Brugernavnet skal være mellem {USERNAME_MIN} og {USERNAME_MAX} tegn.")
    if not USERNAME_PATTERN.match(name):
        raise InvalidInput(
            "Brugernavnet må kun indeholde bogstaver (a-z, æ, ø, å), tal, punktum, bindestreg og "
            "understregning, og det skal begynde med et bogstav eller et tal."
        )
    return name


def validate_display_name(display_name: str) -> str:
    """The display name as stored (trimmed, inner white space collapsed) or ``InvalidInput``."""
    name = " ".join(unicodedata.normalize("NFC", display_name or "").split())
    if not name:
        raise InvalidInput("Skriv dit navn, som andre skal se det.")
    if len(name) > DISPLAY_NAME_MAX:
        raise InvalidInput(f"Navnet må højst være {DISPLAY_NAME_MAX} tegn.")
    if any(unicodedata.category(ch).startswith("C") for ch in name):
        raise InvalidInput("Navnet indeholder usynlige styretegn; skriv det igen.")
    return name


def validate_password(password: str) -> None:
    if len(password or "") < PASSWORD_MIN:
        raise InvalidInput(f"Adgangskoden skal være mindst {PASSWORD_MIN} tegn.")
    if len(password) > PASSWORD_MAX:
        raise InvalidInput(f"Adgangskoden må højst være {PASSWORD_MAX} tegn.")


# --- password hashing --------------------------------------------------------------------------


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    maxmem = 2 * 128 * r * (n + p + 2)
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=maxmem, dklen=32)


def hash_password(password: str) -> str:
    """``scrypt$n$r$p$salt$hash`` with a fresh random 16-byte salt."""
    salt = secrets.token_bytes(16)
    digest = _scrypt(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, encoded: str) -> bool:
    """Constant-time check of ``password`` against a stored hash; False for a malformed hash."""
    try:
        scheme, n, r, p, salt, digest = encoded.split("$")
        if scheme != "scrypt":
            return False
        actual = _scrypt(password, _unb64(salt), int(n), int(r), int(p))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, _unb64(digest))


# A hash to check against when the username does not exist, so both cases take the same time.
_DUMMY_HASH = hash_password(secrets.token_urlsafe(16))


# --- sign-in -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Locked:
    """Sign-in refused for now; ``retry_after`` seconds to wait. Says nothing about the account."""

    retry_after: int


def _lock_seconds(failures: int, threshold: int) -> int:
    return min(LOCK_BASE_SECONDS * 2 ** (failures - threshold), LOCK_MAX_SECONDS)


def lock_remaining(db: sqlite_utils.Database, username: str, *, client_key: str, now: datetime) -> int:
    """Seconds until this username (or client) may try again; 0 when it may try now."""
    since = to_iso(now - FAILURE_WINDOW)
    remaining = 0
    for column, value, threshold in (
        ("username", username, FAILURES_BEFORE_LOCK),
        ("client_key", client_key, CLIENT_FAILURES_BEFORE_LOCK),
    ):
        count, last = db.execute(
            f"SELECT COUNT(*), MAX(failed_at) FROM login_failures WHERE {column} = ? AND failed_at >= ?",
            [value, since],
        ).fetchone()
        if count >= threshold:
            until = from_iso(last) + timedelta(seconds=_lock_seconds(count, threshold))
            remaining = max(remaining, int((until - now).total_seconds() + 0.999))
    return max(remaining, 0)


def verify_login(
    db: sqlite_utils.Database, username: str, password: str, *, client_key: str, now: datetime | None = None
) -> User | Locked | None:
    """The account when the password is right; ``Locked`` while guessing is braked; else None.

    ``client_key`` identifies the client (e.g. its IP address). Failures are counted per username
    whether or not it exists, and an unknown username costs as much time as a wrong password, so
    neither the answer nor its timing tells whether an account exists.
    """
    now = now or utcnow()
    key = " ".join(unicodedata.normalize("NFC", username or "").split()).casefold()
    wait = lock_remaining(db, key, client_key=client_key, now=now)
    if wait > 0:
        return Locked(retry_after=wait)
    found = password_hash_for(db, key) if key else None
    ok = verify_password(password or "", found[1] if found else _DUMMY_HASH)
    if found and ok:
        user = found[0]
        with transaction(db):
            db["login_failures"].delete_where("username = ?", [key])
        touch_user(db, user.id, now=now)
        return get_user(db, user.id)
    with transaction(db):
        db["login_failures"].insert({"username": key, "client_key": client_key, "failed_at": to_iso(now)})
        # Old failures no longer count; keep the table small.
        db["login_failures"].delete_where("failed_at < ?", [to_iso(now - 4 * FAILURE_WINDOW)])
    return None


# --- sessions ----------------------------------------------------------------------------------


def token_hash(token: str) -> str:
    """What is stored of a secret token: its SHA-256, never the token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_session(
    db: sqlite_utils.Database, user_id: int, *, now: datetime | None = None, days: int = SESSION_DAYS
) -> str:
    """A new sign-in token for the cookie; only its SHA-256 is stored."""
    now = now or utcnow()
    token = secrets.token_urlsafe(32)
    with transaction(db):
        db["sessions"].insert(
            {
                "token_hash": token_hash(token),
                "user_id": user_id,
                "created_at": to_iso(now),
                "expires_at": to_iso(now + timedelta(days=days)),
            }
        )
        db["sessions"].delete_where("expires_at < ?", [to_iso(now)])
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
            db["sessions"].delete_where("token_hash = ?", [token_hash(token)])


def end_user_sessions(db: sqlite_utils.Database, user_id: int) -> None:
    """Sign the person out everywhere."""
    with transaction(db):
        db["sessions"].delete_where("user_id = ?", [user_id])
