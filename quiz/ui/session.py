"""What every page needs: the store, the plugin registry, the signed-in person and access checks.

The store and registry are built once per server process and shared by all sessions; the person
is read again on every rerun with one primary-key lookup, so a changed role or a deleted account
takes effect at once.
"""

from __future__ import annotations

import threading
from html import escape
from urllib.parse import quote, urlsplit

import sqlite_utils
import streamlit as st

from quiz.content import Pack
from quiz.hr.units import is_leader as leads
from quiz.i18n import t
from quiz.people import accounts, auth, login_codes
from quiz.people.cookies import BROWSER_COOKIE
from quiz.plugins import Registry, get_registry
from quiz.store import (
    Store,
    User,
    default_db_path,
    get_user,
    open_db,
)
from quiz.ui import oidc
from quiz.ui.server import client
from quiz.ui.server.routes import COOKIE


@st.cache_resource(show_spinner=False)
def _store(path: str) -> Store:
    return Store(path)


def store() -> Store:
    """The progress database named by ``QUIZ_DB`` (one Store per path, shared by all sessions)."""
    return _store(str(default_db_path()))


def db() -> sqlite_utils.Database:
    """This browser session's connection to progress.db.

    A session's script runs never overlap, but Streamlit may start each run (and its callbacks) on
    a new thread, so the connection belongs to the session rather than to a thread.
    """
    # Asked several times a run: the path straight from the environment, and the cached store
    # (which migrated the file once per process) only when a connection is opened.
    path = str(default_db_path())
    held = st.session_state.get("_db")
    if held is None or held[0] != path:
        held = (path, open_db(store().path, migrate=False, check_same_thread=False))
        st.session_state["_db"] = held
    return held[1]


def db_path() -> str:
    """progress.db's path, for work on a connection of its own (cached reports, downloads)."""
    return str(default_db_path())


def registry() -> Registry:
    """Question types and content packs, loaded once per server process (and content folder).

    ``quiz.plugins`` already keeps the registry for the life of the process, and forgets it on
    ``reset_registry``; a Streamlit cache around it only added ~0.1 ms of key hashing per call.
    """
    return get_registry()


def current_pack() -> Pack:
    """The pack the person works in: their choice, else the first pack found."""
    packs = registry().packs
    if not packs:
        st.error(t("auth.no_packs"))
        st.stop()
    chosen = st.session_state.get("pack_id")
    return packs[chosen] if chosen in packs else next(iter(packs.values()))


class _RunCheck(threading.local):
    """The router's check of the person, for the rest of the same script run (one thread runs it).

    A thread-local rather than ``st.session_state``: each of Streamlit's session-state reads and
    writes takes its lock and looks through the widget states, four of them a run. Nothing is kept
    past the run (``end_run``), so it holds no state another process would lack.
    """

    checked: bool = False
    user: User | None = None


_run = _RunCheck()


def check_user_for_run() -> User | None:
    """The router's sign-in check at the start of every full run, handed on to the page it runs.

    The page's own check (``require_user`` and friends) then takes this result instead of reading
    the session and the account a second time in the same run; ``end_run`` drops it, so callbacks
    and fragment runs, which come without the router, check for themselves.
    """
    end_run()  # never a check left over from a run that stopped before its page
    user = current_user()
    _run.checked, _run.user = True, user
    return user


def end_run() -> None:
    """After the page has run (or stopped): the next check reads the database again."""
    _run.checked, _run.user = False, None


def current_user() -> User | None:
    """The signed-in person: this session's sign-in, else the sign-in cookie."""
    if _run.checked:  # checked by the router earlier in this same run
        user = _run.user
        end_run()
        return user
    user_id = st.session_state.get("user_id")
    if user_id is not None:
        token = st.session_state.get("session_token")
        # The token is checked on every run, so a password reset or "sign out everywhere" also ends
        # tabs that are already open; a deleted account is gone at once.
        user = auth.user_for_session(db(), token) if token else get_user(db(), user_id)
        if user is None or user.id != user_id:
            _forget()
            return None
        return user
    oidc_user = _oidc_user()
    if oidc_user is not None:
        st.session_state["user_id"] = oidc_user.id
        return oidc_user
    token = st.context.cookies.get(COOKIE)
    if isinstance(token, str) and token and token != st.session_state.get("ended_token"):
        user = auth.user_for_session(db(), token)
        if user is not None:
            st.session_state["user_id"] = user.id
            st.session_state["session_token"] = token
            return user
    return None


def _oidc_user() -> User | None:
    """The local account of a person signed in through OIDC (found by issuer and subject)."""
    found = oidc.identity()
    return oidc.account_for(db(), found) if found is not None else None


def client_ip() -> str | None:
    """The client's address behind the trusted proxies; None when unknown (never a shared stand-in)."""
    return client.client_ip()


def client_key() -> str:
    """Who is knocking, for the live join brake: the client address, else one shared key."""
    return client_ip() or "ukendt"


def browser() -> str | None:
    """The hash of this browser's nonce cookie (quiz.people.auth.browser_hash), or None before it is set."""
    nonce = st.context.cookies.get(BROWSER_COOKIE)
    return auth.browser_hash(nonce) if isinstance(nonce, str) and 16 <= len(nonce) <= 64 else None


BROWSER_MARK = "hv_b"


def _current_path() -> str:
    url = st.context.url
    path = urlsplit(url).path if isinstance(url, str) else ""
    return path if path.startswith("/") else "/"


def ensure_browser_nonce() -> bool:
    """Have the browser fetch its nonce cookie (from ``/auth/browser``) before it signs in.

    Returns False when the browser was sent for it and came back without one (cookies blocked).
    Outside a real browser (AppTest) the redirect is drawn but never followed; sign-in then lasts
    for the session only.
    """
    if browser() is not None:
        return True
    if st.query_params.get(BROWSER_MARK):
        return False
    redirect(f"/auth/browser?next={quote(_current_path())}")
    return True


def actor() -> accounts.Actor:
    """The acting person for a privileged domain function: who this session signed in as, and how."""
    token = st.session_state.get("session_token")
    return accounts.Actor(st.session_state.get("user_id", -1), auth.token_hash(token) if token else None)


def sign_in(user: User) -> None:
    """Sign ``user`` in for this session now, and have the browser store the cookie for reloads."""
    token = auth.create_session(db(), user.id)
    st.session_state["user_id"] = user.id
    st.session_state["session_token"] = token
    nonce = browser()
    if nonce is not None:  # without one the sign-in lasts for this tab only
        code = login_codes.issue(db(), token, user_id=user.id, browser=nonce)
        redirect(f"/auth/session?code={code}")


def sign_out() -> None:
    """End the session server-side and have the browser drop the cookie."""
    auth.end_session(db(), st.session_state.get("session_token"))
    st.session_state["ended_token"] = st.session_state.get("session_token")
    _forget()
    if oidc.configured() and getattr(st.user, "is_logged_in", False):
        # Streamlit's own route clears its identity cookie and signs out at the provider; a second
        # navigation to /auth/signout would cancel it half-way and leave the person signed in.
        st.logout()
        return
    redirect("/auth/signout", post=True)


def _forget() -> None:
    for key in ("user_id", "session_token", "feedback"):
        st.session_state.pop(key, None)


def redirect(url: str, *, post: bool = False) -> None:
    """Send the browser (the top window) to a same-site URL; ``post``: by a form POST (a state change)."""
    # A script file of the app's own (quiz/ui/assets/redirect.js): the CSP refuses inline scripts.
    to = escape(url, quote=True)
    method = ' data-method="post"' if post else ""
    st.html(f'<script src="/hv-assets/redirect.js" data-to="{to}"{method}></script>', unsafe_allow_javascript=True)


def is_facilitator(user: User | None) -> bool:
    return bool(user and (user.is_facilitator or user.is_admin))


def is_leader(user: User | None) -> bool:
    """Leads at least one unit (the "Min enhed" page); one indexed look-up."""
    return bool(user and leads(db(), user.id))


def require_user() -> User:
    """The signed-in person, or a sign-in prompt and stop."""
    user = current_user()
    if user is None:
        st.warning(t("auth.sign_in_required"))
        st.page_link("quiz/ui/pages/sign_in.py", label=t("auth.go_to_sign_in"), icon=":material/login:")
        st.stop()
    return user


def require_facilitator() -> User:
    """Checked on every run of a facilitator page, not only in the menu."""
    user = require_user()
    if not is_facilitator(user):
        _no_access("facilitator")
    return user


def require_admin() -> User:
    """Checked on every run of an admin page, not only in the menu."""
    user = require_user()
    if not user.is_admin:
        _no_access("administrator")
    return user


def _no_access(role: str) -> None:
    """A page of its own (title, reason, a way back) rather than a lone error box."""
    st.title(t("auth.no_access_title"))
    st.error(t("auth.no_access", role=t(f"auth.role.{role}")), icon=":material/block:")
    st.page_link("quiz/ui/pages/home.py", label=t("auth.home"), icon=":material/home:")
    st.stop()
