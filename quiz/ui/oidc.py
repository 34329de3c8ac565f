"""Sign-in through the organisation's identity provider (OIDC, e.g. Microsoft Entra ID).

Used instead of local passwords when ``.streamlit/secrets.toml`` has an ``[auth]`` section with a
provider (see docs/operations.md and ``.streamlit/secrets.example.toml``). The identity (issuer and
``sub``) is mapped to a local account by ``quiz.people.sso``, so progress, roles and exports work alike; a
first sign-in is linked to the account HR imported when the provider vouches for its e-mail.
"""

from __future__ import annotations

import importlib.util

import sqlite_utils
import streamlit as st

from quiz import settings
from quiz.people import sso
from quiz.store.users import OidcIdentity, User

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


def identity() -> tuple[OidcIdentity, str, str, str | None] | None:
    """(identity, username hint, display name, vouched e-mail) of the person signed in with OIDC, or None."""
    if not configured() or not getattr(st.user, "is_logged_in", False):
        return None
    issuer, subject = st.user.get("iss"), st.user.get("sub")
    if not issuer or not subject:
        return None
    tid, oid = st.user.get("tid"), st.user.get("oid")
    found = OidcIdentity(str(issuer), str(subject), str(tid) if tid else None, str(oid) if oid else None)
    hint = st.user.get("preferred_username") or st.user.get("email") or "bruger"
    name = st.user.get("name") or hint
    claims = {k: st.user.get(k) for k in ("email", "email_verified", "tid")}
    email = sso.vouched_email(claims, trusted_tenant=settings.current().sso_tenant)
    return found, str(hint), str(name), email


def account_for(db: sqlite_utils.Database, found: tuple[OidcIdentity, str, str, str | None]) -> User:
    ident, hint, name, email = found
    return sso.account_for(db, ident, hint=hint, display_name=name, email=email)
