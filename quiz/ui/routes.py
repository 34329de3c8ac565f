"""HTTP routes beside the Streamlit app: they set and clear the HttpOnly sign-in cookie.

A Streamlit script cannot set cookies, so after a successful sign-in the page sends the browser to
``/auth/session?code=…`` with a short-lived, single-use code; this route swaps the code for the
session cookie and sends the browser back. Streamlit reads cookies when the page connects, so from
then on every reload is signed in (``quiz.ui.session.current_user``).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from quiz import i18n, login_codes
from quiz.cookies import LANGUAGE_COOKIE, LANGUAGE_MAX_AGE
from quiz.cookies import SESSION_COOKIE as COOKIE
from quiz.cookies import SESSION_MAX_AGE as COOKIE_MAX_AGE


def _safe_next(value: str | None) -> str:
    """Only same-site relative paths, so the route can't be used to redirect elsewhere."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/"


async def session_start(request: Request) -> Response:
    token = login_codes.redeem(request.query_params.get("code", ""))
    response = RedirectResponse(_safe_next(request.query_params.get("next")), status_code=303)
    if token:
        response.set_cookie(
            COOKIE,
            token,
            max_age=COOKIE_MAX_AGE,
            path="/",
            httponly=True,
            samesite="lax",
            secure=request.url.scheme == "https",
        )
    return response


async def session_end(request: Request) -> Response:
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="lax")
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
    Route("/auth/session", session_start, methods=["GET"]),
    Route("/auth/signout", session_end, methods=["GET"]),
    Route("/healthz", health, methods=["GET"]),
    Route("/lang", language, methods=["GET"]),
]
