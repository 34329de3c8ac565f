"""Who is asking, on the lean pages: the participant cookie, the sign-in cookie, CSRF and the language.

* The participant cookie (:data:`PARTICIPANT_COOKIE`, HttpOnly) holds the participant's token and
  is set only by the join POST: no GET link can give a phone somebody else's participant.
* Every POST must come from this origin (``Origin``, else ``Referer``, else ``Sec-Fetch-Site``) and,
  after joining, carry the participant's CSRF token (:func:`csrf_token`, derived from the token in
  the cookie, so a page from elsewhere can neither read nor guess it).
* A signed-in person is recognised by the app's own sign-in cookie (``hv_session``), so their live
  answers keep counting in their progress.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from urllib.parse import urlsplit

import sqlite_utils
from starlette.requests import Request
from starlette.responses import Response

from quiz import i18n, live, settings
from quiz.people import auth, languages
from quiz.people.cookies import LANGUAGE_COOKIE, SESSION_COOKIE
from quiz.store.users import User
from quiz.ui.server.client import cookie_secure, request_client_ip

PARTICIPANT_COOKIE = "hv_live"
BROWSER_COOKIE = "quiz_live_browser"  # the phone's random id, kept from before: a second scan finds its place
MAX_AGE = 30 * 24 * 3600
COOKIE_PATH = "/"


def is_browser_id(value: object) -> bool:
    return isinstance(value, str) and 20 <= len(value) <= 64 and all(c.isalnum() or c in "-_" for c in value)


def language(request: Request, user: User | None = None, db: sqlite_utils.Database | None = None) -> str:
    """The phone's language: the signed-in person's own, else the ``hv_lang`` cookie, else the browser's."""
    known = i18n.tables()
    if user is not None and db is not None:
        own = languages.user_language(db, user.id)
        if own in known:
            return own
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    if chosen in known:
        return chosen
    for part in request.headers.get("accept-language", "").split(","):
        tag = part.split(";")[0].strip()
        if tag and (best := i18n.best_language(tag)) != i18n.SOURCE_LANGUAGE:
            return best
        if tag and tag.lower().startswith(i18n.SOURCE_LANGUAGE):
            return i18n.SOURCE_LANGUAGE
    fallback = settings.current().language
    return fallback if fallback in known else i18n.SOURCE_LANGUAGE


def signed_in(db: sqlite_utils.Database, request: Request) -> User | None:
    """The account of the app's own sign-in cookie, or None."""
    token = request.cookies.get(SESSION_COOKIE)
    return auth.user_for_session(db, token) if token and len(token) <= 128 else None


def participant(
    db: sqlite_utils.Database, request: Request, user: User | None, *, code: str | None = None
) -> live.Participant | None:
    """This phone's place: by its participant cookie, else the signed-in account, else its browser id.

    A participant of an account is only that account's. With ``code`` (the join link's ``?kode=``)
    only a place in that session counts.
    """
    wanted = live.normalize_code(code)
    target = live.session_by_code(db, wanted) if live.is_well_formed(wanted) else None
    found = live.participant_for_token(db, request.cookies.get(PARTICIPANT_COOKIE))
    if found is not None and found.user_id is not None and (user is None or found.user_id != user.id):
        found = None
    if found is not None and target is not None and found.session_id != target.id:
        found = None
    if found is None and user is not None:
        found = live.participant_for_user(db, target.id, user.id) if target else live.active_participation(db, user.id)
    if found is None and user is None and target is not None:
        browser = request.cookies.get(BROWSER_COOKIE)
        by_browser = live.participant_for_browser(db, target.id, browser if is_browser_id(browser) else None)
        found = by_browser if by_browser is not None and by_browser.user_id is None else None
    return found


def csrf_token(request: Request, user: User | None) -> str:
    """The token every POST of this phone carries: bound to its participant cookie (or its sign-in)."""
    secret = request.cookies.get(PARTICIPANT_COOKIE) or request.cookies.get(SESSION_COOKIE) or ""
    if not secret:
        return ""
    return hmac.new(secret.encode(), b"hv-live-csrf", hashlib.sha256).hexdigest()[:32]


def csrf_ok(request: Request, user: User | None, sent: str | None) -> bool:
    expected = csrf_token(request, user)
    return bool(expected) and isinstance(sent, str) and hmac.compare_digest(expected, sent)


def same_origin(request: Request) -> bool:
    """Whether a POST comes from a page of this origin (the host the browser used)."""
    host = request.headers.get("host", "")
    origin = request.headers.get("origin")
    if origin and origin != "null":
        return urlsplit(origin).netloc == host
    referer = request.headers.get("referer")
    if referer:
        return urlsplit(referer).netloc == host
    # Neither (a few privacy tools strip both): the browser's own word, where it gives one.
    return request.headers.get("sec-fetch-site") in ("same-origin", None) and origin != "null"


def client_keys(request: Request, browser: str | None) -> list[str]:
    """The brake keys of a join: this browser and this address (when the address is known)."""
    keys = []
    if browser:
        keys.append("browser:" + auth.token_hash(browser)[:32])
    ip = request_client_ip(request)
    if ip:
        keys.append(f"ip:{ip}")
    return keys


def client_key(request: Request) -> str:
    return request_client_ip(request) or "ukendt"


def new_browser_id() -> str:
    return secrets.token_urlsafe(24)


def set_cookie(response: Response, request: Request, name: str, value: str) -> None:
    response.set_cookie(
        name, value, max_age=MAX_AGE, path=COOKIE_PATH, httponly=True, samesite="lax", secure=cookie_secure(request)
    )
