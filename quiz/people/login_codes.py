"""Short-lived, single-use codes that carry a new session token from the script to the cookie route.

The code, not the session token, is what appears in the browser's address bar and history. Codes
live in progress.db, so the cookie route may run in another server process than the page:

* only the code's SHA-256 is stored, with the session token sealed by a key derived from the code
  (SHAKE-256 of the code as a one-time pad), so the database alone yields no token;
* a code works once, within :data:`TTL_SECONDS`;
* a code is bound to the browser that signed in (the hash of its nonce cookie): a code sent to
  another browser is worthless there. That also closes login CSRF: nobody can make a victim's
  browser sign in to the attacker's account with a code of the attacker's.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

import sqlite_utils

from quiz.store.db import to_iso, transaction, utcnow

TTL_SECONDS = 60


def _hash(code: str) -> str:
    return hashlib.sha256(("login-code:" + code).encode("utf-8")).hexdigest()


def _pad(code: str, length: int) -> bytes:
    return hashlib.shake_256(("login-seal:" + code).encode("utf-8")).digest(length)


def _seal(code: str, token: str) -> str:
    data = token.encode("utf-8")
    return base64.urlsafe_b64encode(bytes(a ^ b for a, b in zip(data, _pad(code, len(data)), strict=True))).decode()


def _unseal(code: str, sealed: str) -> str:
    data = base64.urlsafe_b64decode(sealed.encode("ascii"))
    return bytes(a ^ b for a, b in zip(data, _pad(code, len(data)), strict=True)).decode("utf-8")


def issue(
    db: sqlite_utils.Database, session_token: str, *, user_id: int, browser: str, now: datetime | None = None
) -> str:
    """A new code for ``session_token``, for the browser whose nonce hash is ``browser``."""
    now = now or utcnow()
    code = secrets.token_urlsafe(24)
    with transaction(db):
        db.table("login_codes").delete_where("expires_at < ?", [to_iso(now)])
        db.table("login_codes").insert(
            {
                "code_hash": _hash(code),
                "user_id": user_id,
                "browser_hash": browser,
                "sealed_token": _seal(code, session_token),
                "expires_at": to_iso(now + timedelta(seconds=TTL_SECONDS)),
            }
        )
    return code


def redeem(db: sqlite_utils.Database, code: str, *, browser: str | None, now: datetime | None = None) -> str | None:
    """The session token for ``code`` once, in the browser it was issued to; else None.

    A code presented by another browser is used up all the same: whoever holds a leaked code gets
    nothing, and the rightful browser signs in again.
    """
    if not code or len(code) > 64:
        return None
    now = now or utcnow()
    with transaction(db):
        rows = list(db["login_codes"].rows_where("code_hash = ?", [_hash(code)]))
        if not rows:
            return None
        db.table("login_codes").delete_where("code_hash = ?", [rows[0]["code_hash"]])
    row = rows[0]
    expired = datetime.fromisoformat(row["expires_at"]) < now
    if expired or not browser or not hmac.compare_digest(row["browser_hash"], browser):
        return None
    return _unseal(code, row["sealed_token"])
