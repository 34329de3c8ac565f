"""The ASGI server believes no forwarded header: only the app's ``QUIZ_TRUSTED_PROXIES`` decides.

uvicorn (what ``streamlit run serve.py`` starts, through Streamlit's ``UvicornRunner``) wraps every
app in its own ``ProxyHeadersMiddleware`` by default (``proxy_headers=True``), trusting
``FORWARDED_ALLOW_IPS`` or, unset, loopback (``127.0.0.1,::1``). It then rewrites the request's
client address and scheme from ``X-Forwarded-For`` / ``X-Forwarded-Proto`` *before* the app sees
the request, and the connection's real peer is lost: with nginx, or any local process that passes
the headers through, on loopback, a client could pick its address for the brakes and make the app
send ``Secure`` cookies and HSTS over plain http, whatever ``QUIZ_TRUSTED_PROXIES`` says.

Streamlit offers no setting for uvicorn's ``Config``, and the config is built before ``serve.py``
is imported, so the app cannot pass ``proxy_headers=False`` itself. What it can do is what
``uvicorn.Config.load`` looks up *after* importing the app: the module-level name
``uvicorn.config.ProxyHeadersMiddleware``. :func:`ignore_server_proxy_headers` replaces it with a
wrapper that returns the app unchanged, so the app sees the connection's own peer and scheme and
reads the headers through :mod:`quiz.ui.server.proxy` alone. This reaches into uvicorn's module
(guarded: :func:`ignore_server_proxy_headers` says whether it took effect, and a missing name is
logged as an error); ``scripts/run.sh`` and deploy/systemd also set ``FORWARDED_ALLOW_IPS`` to
nothing, uvicorn's public switch, so the server trusts nobody even where the guard cannot apply.
"""

from __future__ import annotations

import logging
from typing import Any

log = logging.getLogger(__name__)


def _app_unchanged(app: Any, *args: Any, **kwargs: Any) -> Any:
    """What uvicorn calls instead of ``ProxyHeadersMiddleware(app, trusted_hosts=...)``: the app itself."""
    return app


def ignore_server_proxy_headers() -> bool:
    """Make uvicorn hand the app the connection's own client address and scheme; True when it took effect."""
    try:
        # Deferred: a guarded uvicorn internal (the module-level name Config.load wraps the app with).
        import uvicorn.config as uvicorn_config
    except ImportError:  # not served by uvicorn: nothing rewrites the headers before the app
        return False
    if not hasattr(uvicorn_config, "ProxyHeadersMiddleware"):
        log.error(
            "uvicorn.config.ProxyHeadersMiddleware is gone: set FORWARDED_ALLOW_IPS='' in the environment, "
            "or uvicorn believes X-Forwarded-* from loopback (docs/operations.md)"
        )
        return False
    setattr(uvicorn_config, "ProxyHeadersMiddleware", _app_unchanged)  # noqa: B010 - a guarded internal
    return True
