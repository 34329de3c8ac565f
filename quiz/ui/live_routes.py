"""The participant cookie: how a phone is recognised when its person scans the QR code again.

A Streamlit script cannot set cookies, so the join page asks the browser to fetch
``/live/browser?code=…`` (an invisible image) with a short-lived, single-use code that stands for
a random browser id (kept in this process's memory: the page and the route run in the same server
process); this route sets the id as an HttpOnly cookie. An existing cookie is never replaced, so
a link cannot give a phone somebody else's id. Streamlit reads cookies when a page connects: from
the next visit on, the join page knows the phone (``quiz.ui.live_browser``).
"""

from __future__ import annotations

import secrets
import threading
import time

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

LIVE_BROWSER_COOKIE = "quiz_live_browser"
MAX_AGE = 30 * 24 * 3600
# The smallest transparent GIF: the route answers an <img>.
PIXEL = bytes.fromhex("47494638396101000100800000000000ffffff21f90401000000002c00000000010001000002024401003b")


CODE_TTL_SECONDS = 120
_codes: dict[str, tuple[str, float]] = {}
_lock = threading.Lock()


def issue(browser: str, *, now: float | None = None) -> str:
    """A single-use code for ``browser``, valid for two minutes."""
    now = time.monotonic() if now is None else now
    code = secrets.token_urlsafe(18)
    with _lock:
        for old, (_, expires) in list(_codes.items()):
            if expires < now:
                del _codes[old]
        _codes[code] = (browser, now + CODE_TTL_SECONDS)
    return code


def redeem(code: str, *, now: float | None = None) -> str | None:
    """The browser id of ``code`` once; None when unknown, used or expired."""
    now = time.monotonic() if now is None else now
    with _lock:
        entry = _codes.pop(code, None)
    return entry[0] if entry is not None and entry[1] >= now else None


def is_browser_id(value: object) -> bool:
    return isinstance(value, str) and 20 <= len(value) <= 64 and all(c.isalnum() or c in "-_" for c in value)


async def browser_cookie(request: Request) -> Response:
    browser = redeem(request.query_params.get("code", ""))
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
