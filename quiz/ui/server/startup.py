"""Refuse to start with a bad configuration: a clear message and a non-zero exit, never a half-working app.

Run by ``quiz.ui.server.asgi`` when the server builds the app (before the first page is served). Checks the
``QUIZ_*`` settings (:func:`quiz.settings.load`) and the sign-in secrets: an ``[auth]`` section in
``.streamlit/secrets.toml`` that lacks a key would otherwise silently fall back to local passwords
(quiz.ui.oidc.configured), and the example's placeholder cookie secret would sign everyone's
identity cookie with a value that is public in this repository.
"""

from __future__ import annotations

import importlib.util
import sys

import streamlit as st

from quiz import settings
from quiz.i18n import Msg, QuizError

AUTH_KEYS = ("redirect_uri", "cookie_secret")
PROVIDER_KEYS = ("client_id", "client_secret", "server_metadata_url")
EXAMPLE_SECRET = "change-me-to-a-long-random-string"


class StartupError(QuizError):
    """The deployment is configured so that the app cannot serve people correctly."""


def check_auth(auth: dict | None, *, provider: str = "microsoft") -> None:
    """Raise StartupError when ``[auth]`` is there but cannot work; nothing configured is fine (local passwords)."""
    if not auth:
        return
    missing = [key for key in AUTH_KEYS if not auth.get(key)]
    missing += [f"{provider}.{key}" for key in PROVIDER_KEYS if not (auth.get(provider) or {}).get(key)]
    if missing:
        raise StartupError("deploy.auth_missing", keys=", ".join(missing))
    if auth.get("cookie_secret") == EXAMPLE_SECRET or len(str(auth.get("cookie_secret"))) < 32:
        raise StartupError("deploy.auth_weak_secret")
    if importlib.util.find_spec("authlib") is None:
        raise StartupError("deploy.auth_no_authlib")


def _auth_section() -> dict | None:
    try:
        if not st.secrets.load_if_toml_exists():
            return None
        auth = st.secrets.get("auth")
    except Exception as exc:  # an unparsable secrets.toml
        raise StartupError("deploy.secrets_unreadable", problem=str(exc)[:300]) from None
    return None if auth is None else auth.to_dict() if hasattr(auth, "to_dict") else dict(auth)


def check() -> None:
    """Raise SettingsError or StartupError for a configuration the app must not start with."""
    settings.load()
    check_auth(_auth_section())


def check_or_exit() -> None:
    """:func:`check`, and on failure print the reason (Danish) and end the process with exit code 2."""
    try:
        check()
    except QuizError as exc:
        print(Msg("deploy.startup_failed", reason=str(exc)).render(), file=sys.stderr, flush=True)
        raise SystemExit(2) from None
