"""The participant cookie: how a phone is recognised when its person scans the QR code again.

A Streamlit script cannot set cookies, so the join page asks the browser to fetch
``/live/browser?code=…`` (an invisible image) with a short-lived, single-use code that stands for
a random browser id (kept in progress.db, so any server process can redeem it:
:mod:`quiz.live.browser_codes`); this route sets the id as an HttpOnly cookie. An existing cookie is never replaced, so
a link cannot give a phone somebody else's id. Streamlit reads cookies when a page connects: from
the next visit on, the join page knows the phone (``quiz.ui.live.browser``).
"""

from __future__ import annotations

from typing import TypeGuard

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from quiz.live import browser_codes
from quiz.store import open_db
from quiz.ui.server.client import cookie_secure

LIVE_BROWSER_COOKIE = "quiz_live_browser"
MAX_AGE = 30 * 24 * 3600
# The smallest transparent GIF: the route answers an <img>.
PIXEL = bytes.fromhex("47494638396101000100800000000000ffffff21f90401000000002c00000000010001000002024401003b")


def is_browser_id(value: object) -> TypeGuard[str]:
    return isinstance(value, str) and 20 <= len(value) <= 64 and all(c.isalnum() or c in "-_" for c in value)


def _redeem(code: str) -> str | None:
    db = open_db(migrate=False)
    try:
        return browser_codes.redeem(db, code)
    finally:
        db.close()


async def browser_cookie(request: Request) -> Response:
    browser = await run_in_threadpool(_redeem, request.query_params.get("code", ""))
    response = Response(PIXEL, media_type="image/gif", headers={"Cache-Control": "no-store"})
    if is_browser_id(browser) and not is_browser_id(request.cookies.get(LIVE_BROWSER_COOKIE)):
        response.set_cookie(
            LIVE_BROWSER_COOKIE,
            browser,
            max_age=MAX_AGE,
            path="/",
            httponly=True,
            samesite="lax",
            secure=cookie_secure(request),
        )
    return response


ROUTES = [Route("/live/browser", browser_cookie, methods=["GET"])]
