"""HTTP routes beside the Streamlit app: they set and clear the HttpOnly sign-in cookies.

A Streamlit script cannot set cookies, so:

* before sign-in, the sign-in page sends a browser without one to ``/auth/browser``, which gives
  it a random nonce cookie (``hv_browser``) and sends it back;
* after a successful sign-in the page sends the browser to ``/auth/session?code=…`` with a
  short-lived, single-use code bound to that nonce (quiz.people.login_codes, kept in progress.db so any
  server process can redeem it); this route swaps the code for the session cookie and sends the
  browser back. Streamlit reads cookies when the page connects, so from then on every reload is
  signed in (``quiz.ui.session.current_user``).

Signing out is ``POST /auth/signout`` (a form the profile page submits): it ends the session of
the cookie on the server, so the token stops working everywhere, and clears the cookie. A GET
changes nothing (405), and a POST from another site (its ``Origin`` not this host) is refused, so a
link or a foreign page cannot sign anybody out.
"""

from __future__ import annotations

import secrets
from urllib.parse import urlencode, urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from quiz import i18n
from quiz.people import auth, login_codes
from quiz.people.cookies import BROWSER_COOKIE, BROWSER_MAX_AGE, LANGUAGE_COOKIE, LANGUAGE_MAX_AGE
from quiz.people.cookies import SESSION_COOKIE as COOKIE
from quiz.people.cookies import SESSION_MAX_AGE as COOKIE_MAX_AGE
from quiz.store import open_db
from quiz.ui.server.client import cookie_secure

BROWSER_MARK = "hv_b"  # appended by /auth/browser, so the page can tell "cookies blocked" from "not yet"
CODE_FAILED = "hv_code"  # appended by /auth/session when the code was not good for this browser


def _safe_next(value: str | None) -> str:
    """Only same-site relative paths, so the route can't be used to redirect elsewhere."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/"


def _with(path: str, **params: str) -> str:
    return f"{path}{'&' if '?' in path else '?'}{urlencode(params)}"


def _redeem(code: str, browser: str | None) -> str | None:
    db = open_db(migrate=False)
    try:
        return login_codes.redeem(db, code, browser=browser)
    finally:
        db.close()


async def browser_start(request: Request) -> Response:
    """Give the browser its nonce cookie (a browser that has one keeps it) and send it back."""
    response = RedirectResponse(_with(_safe_next(request.query_params.get("next")), **{BROWSER_MARK: "1"}), 303)
    nonce = request.cookies.get(BROWSER_COOKIE)
    if not nonce or not 16 <= len(nonce) <= 64:
        response.set_cookie(
            BROWSER_COOKIE,
            secrets.token_urlsafe(24),
            max_age=BROWSER_MAX_AGE,
            path="/",
            httponly=True,
            samesite="lax",
            secure=cookie_secure(request),
        )
    return response


async def session_start(request: Request) -> Response:
    browser = auth.browser_hash(request.cookies.get(BROWSER_COOKIE))
    token = await run_in_threadpool(_redeem, request.query_params.get("code", ""), browser)
    target = _safe_next(request.query_params.get("next"))
    if not token:
        return RedirectResponse(_with(target, **{CODE_FAILED: "1"}), status_code=303)
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        COOKIE,
        token,
        max_age=COOKIE_MAX_AGE,
        path="/",
        httponly=True,
        samesite="lax",
        secure=cookie_secure(request),
    )
    return response


def _end(token: str | None) -> None:
    db = open_db(migrate=False)
    try:
        auth.end_session(db, token)
    finally:
        db.close()


def _same_origin(request: Request) -> bool:
    """False for a request another site's page made (its ``Origin`` names another host)."""
    origin = request.headers.get("origin")
    if origin is None:
        return True  # not sent by every browser on a same-origin form; SameSite=Lax keeps the cookie home
    return urlsplit(origin).netloc.lower() == (request.headers.get("host") or "").lower()


async def session_end(request: Request) -> Response:
    """Sign out: the session ends on the server (any process), and the browser drops the cookie."""
    if not _same_origin(request):
        return PlainTextResponse("Forbidden", status_code=403)
    await run_in_threadpool(_end, request.cookies.get(COOKIE))
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="lax", secure=cookie_secure(request))
    response.headers["Cache-Control"] = "no-store"
    return response


async def language(request: Request) -> Response:
    """``/lang?set=en&next=/deltag``: keep the chosen language in the ``hv_lang`` cookie (empty: forget it)."""
    lang = request.query_params.get("set", "")
    response = RedirectResponse(_safe_next(request.query_params.get("next")), status_code=303)
    if lang in i18n.tables():
        response.set_cookie(LANGUAGE_COOKIE, lang, max_age=LANGUAGE_MAX_AGE, path="/", samesite="lax")
    elif not lang:
        response.delete_cookie(LANGUAGE_COOKIE, path="/", samesite="lax")
    return response


async def health(request: Request) -> Response:
    return PlainTextResponse("ok")


# Not /auth/login or /auth/logout: Streamlit's own st.login routes live there.
ROUTES = [
    Route("/auth/browser", browser_start, methods=["GET"]),
    Route("/auth/session", session_start, methods=["GET"]),
    Route("/auth/signout", session_end, methods=["POST"]),
    Route("/healthz", health, methods=["GET"]),
    Route("/lang", language, methods=["GET"]),
]
