"""The participant cookie: how a phone is recognised when its person scans the QR code again.

A Streamlit script cannot set cookies, so the join page asks the browser to fetch
``/live/browser?code=…`` (an invisible image) with a short-lived, single-use code
(:mod:`quiz.login_codes`) that stands for a random browser id; this route sets the id as an
HttpOnly cookie. An existing cookie is never replaced, so a link cannot give a phone somebody
else's id. Streamlit reads cookies when a page connects: from the next visit on, the join page
knows the phone (``quiz.ui.live_browser``).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from quiz import login_codes

LIVE_BROWSER_COOKIE = "quiz_live_browser"
MAX_AGE = 30 * 24 * 3600
# The smallest transparent GIF: the route answers an <img>.
PIXEL = bytes.fromhex("47494638396101000100800000000000ffffff21f90401000000002c00000000010001000002024401003b")


def is_browser_id(value: object) -> bool:
    return isinstance(value, str) and 20 <= len(value) <= 64 and all(c.isalnum() or c in "-_" for c in value)


async def browser_cookie(request: Request) -> Response:
    browser = login_codes.redeem(request.query_params.get("code", ""))
    response = Response(PIXEL, media_type="image/gif", headers={"Cache-Control": "no-store"})
    if is_browser_id(browser) and not is_browser_id(request.cookies.get(LIVE_BROWSER_COOKIE)):
        response.set_cookie(
            LIVE_BROWSER_COOKIE,
            browser,
            max_age=MAX_AGE,
            path="/",
            httponly=True,
            samesite="lax",
            secure=request.url.scheme == "https",
        )
    return response


ROUTES = [Route("/live/browser", browser_cookie, methods=["GET"])]
