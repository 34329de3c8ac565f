"""Sign-in through the organisation's identity provider (OIDC, e.g. Microsoft Entra ID).

Used instead of local passwords when ``.streamlit/secrets.toml`` has an ``[auth]`` section with a
provider (see docs/operations.md and ``.streamlit/secrets.example.toml``). The identity is mapped to
a local account (same table, random unusable password) so progress, roles and exports work alike.
"""

from __future__ import annotations

import hashlib
import importlib.util
import secrets
import unicodedata

import streamlit as st

PROVIDER = "microsoft"


def configured(provider: str = PROVIDER) -> bool:
    """True when secrets.toml configures OIDC for ``provider`` and Authlib is installed."""
    if importlib.util.find_spec("authlib") is None:
        return False
    try:
        auth = st.secrets.get("auth")
    except Exception:  # no secrets.toml at all
        return False
    if not auth or "redirect_uri" not in auth or "cookie_secret" not in auth:
        return False
    settings = auth.get(provider) or {}
    return all(k in settings for k in ("client_id", "client_secret", "server_metadata_url"))


def login() -> None:
    st.login(PROVIDER)


def username_for(email: str) -> str:
    """A stable local username for an OIDC identity (fits the local username rules)."""
    allowed = "abcdefghijklmnopqrstuvwxyz0123456789æøå._-"
    plain = unicodedata.normalize("NFKD", email.split("@")[0].casefold())
    local = "".join(ch for ch in plain if ch in allowed).lstrip("._-")[:20] or "bruger"
    return f"{local}-{hashlib.sha256(email.casefold().encode()).hexdigest()[:8]}"


def identity() -> tuple[str, str] | None:
    """(username, display name) of the person signed in with OIDC, or None."""
    if not configured() or not getattr(st.user, "is_logged_in", False):
        return None
    email = st.user.get("email") or st.user.get("preferred_username") or st.user.get("sub")
    name = st.user.get("name") or email
    return username_for(str(email)), str(name)


def random_password() -> str:
    return secrets.token_urlsafe(32)
