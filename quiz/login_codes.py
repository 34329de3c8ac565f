"""Short-lived, single-use codes that carry a new session token from the script to the cookie route.

The code, not the session token, is what appears in the browser's address bar and history, and it
is worthless after one use or a minute. Codes live in this process's memory: the script and the
route run in the same server process.
"""

from __future__ import annotations

import secrets
import threading
import time

TTL_SECONDS = 60
_codes: dict[str, tuple[str, float]] = {}
_lock = threading.Lock()


def issue(session_token: str, *, now: float | None = None) -> str:
    """A new code for ``session_token``, valid for one use within a minute."""
    now = time.monotonic() if now is None else now
    code = secrets.token_urlsafe(24)
    with _lock:
        for old, (_, expires) in list(_codes.items()):
            if expires < now:
                del _codes[old]
        _codes[code] = (session_token, now + TTL_SECONDS)
    return code


def redeem(code: str, *, now: float | None = None) -> str | None:
    """The session token for ``code`` once; None when unknown, used or expired."""
    now = time.monotonic() if now is None else now
    with _lock:
        entry = _codes.pop(code, None)
    if entry is None or entry[1] < now:
        return None
    return entry[0]
