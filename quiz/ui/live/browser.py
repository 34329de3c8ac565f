"""This browser's participant id: from its cookie, else a new one that the cookie route will store."""

from __future__ import annotations

import secrets

import streamlit as st

from quiz.live import browser_codes
from quiz.ui import session
from quiz.ui.live.widgets import browser_cookie_pixel
from quiz.ui.server.live_routes import LIVE_BROWSER_COOKIE, is_browser_id

_KEY = "live_browser"


def browser_id() -> str:
    """The id the join page gives :func:`quiz.live.join` as ``browser``; stable for this browser."""
    cookie = st.context.cookies.get(LIVE_BROWSER_COOKIE) if st.context.cookies else None
    if is_browser_id(cookie):
        return cookie
    held = st.session_state.get(_KEY)
    if not is_browser_id(held):
        held = st.session_state[_KEY] = secrets.token_urlsafe(24)
    return held


def remember_browser() -> None:
    """Once per browser session without the cookie: have the browser store it (an invisible image)."""
    cookie = st.context.cookies.get(LIVE_BROWSER_COOKIE) if st.context.cookies else None
    if is_browser_id(cookie) or st.session_state.get("live_browser_sent"):
        return
    st.session_state["live_browser_sent"] = True
    browser_cookie_pixel(browser_codes.issue(session.db(), browser_id()))
