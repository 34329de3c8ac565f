"""The app's ASGI factory: start-up checks, server tuning, and the routes and middleware around Streamlit.

``serve.py`` (what ``streamlit run serve.py`` starts) builds ``st.App(SCRIPT, **options())``.
Streamlit then runs ``app.py``, the page router, for every page view; this module is imported once
per server process and never by a page run.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from starlette.middleware import Middleware
from starlette.middleware.exceptions import ExceptionMiddleware
from starlette.routing import Router

from quiz.ui.server import forwarded, startup, tuning
from quiz.ui.server.middleware import ServingMiddleware
from quiz.ui.server.routes import ROUTES
from quiz.ui.web import phone, stage

SCRIPT = str(Path(__file__).resolve().parents[3] / "app.py")
"""The Streamlit script every page view runs: the router at the repository root."""


def options() -> dict[str, Any]:
    """Check the settings (a bad one ends the process with a clear message), tune, and name the routes."""
    startup.check_or_exit()  # a bad setting or secret: a clear message and exit 2, not a half-working app
    forwarded.ignore_server_proxy_headers()  # before uvicorn wraps the app (quiz.ui.server.forwarded)
    tuning.apply()
    return {"routes": ROUTES, "middleware": [Middleware(ServingMiddleware, **lean_pages())]}


def lean_pages() -> dict[str, Any]:
    """The live room's pages, answered by :class:`ServingMiddleware` through a router of their own.

    They skip Streamlit's middleware (quiz.ui.server.middleware); ``ExceptionMiddleware`` turns a
    wrong method or an ``HTTPException`` into its answer (405, 404), as inside Starlette.
    """
    lean = ExceptionMiddleware(Router(routes=phone.ROUTES + stage.ROUTES))
    return {"lean": lean, "lean_paths": (phone.PATH, phone.PATH + "/", stage.PATH + "/")}
