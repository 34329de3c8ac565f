"""Private downloads: a file made for one signed-in person is served to that person only.

Streamlit serves every ``st.download_button`` file at ``/media/<hash>.<ext>`` to anyone who has
the address, while the session that made it lives, with no ``Cache-Control``. HR's exports, a
person's own data and certificates must not be: :func:`register` notes the SHA-256 of such a
file's bytes and the account it was made for (``quiz.ui.downloads.private_download`` does it when
the file is made), and :class:`quiz.ui.server.middleware.ServingMiddleware` answers a ``/media/``
request whose body is a registered file only when the request's sign-in cookie belongs to that
account (else 404, as for a file that is not there), always with ``Cache-Control: no-store``.

Kept in this process's memory, as Streamlit keeps the files themselves: the process that made a
file is the one that serves it (nginx's sticky routing, deploy/). Entries expire with
:data:`KEEP`, longer than Streamlit keeps a download's file.
"""

from __future__ import annotations

import hashlib
import threading
import time

KEEP = 6 * 3600.0
_LIMIT = 10_000

_owners: dict[str, dict[int, float]] = {}
_lock = threading.Lock()


def digest(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def register(body: bytes | str, user_id: int) -> None:
    """Note that ``body`` is a private file of account ``user_id`` (two people may get the same bytes)."""
    data = body.encode("utf-8") if isinstance(body, str) else body
    now = time.monotonic()
    with _lock:
        if len(_owners) >= _LIMIT:
            old = [k for k, people in _owners.items() if all(now - at > KEEP for at in people.values())]
            for key in old or list(_owners)[: _LIMIT // 10]:
                _owners.pop(key, None)
        _owners.setdefault(digest(data), {})[user_id] = now


def owners(body: bytes) -> frozenset[int] | None:
    """The accounts a registered private file was made for; None for a file that is not private."""
    now = time.monotonic()
    with _lock:
        found = _owners.get(digest(body))
        if found is None:
            return None
        return frozenset(user for user, at in found.items() if now - at <= KEEP)
