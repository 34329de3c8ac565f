"""Change my password: a section of the profile page, and the page shown first after HR set one."""

from __future__ import annotations

import streamlit as st

from quiz.i18n import QuizError, messages
from quiz.people import auth
from quiz.store import User
from quiz.ui import session

TXT = messages("account.password")


def render(user: User, *, forced: bool = False) -> None:
    """The form; ``forced``: the whole page, because HR set the password and it must be changed now."""
    if user.sso:
        return  # the organisation's identity provider keeps the password
    if forced:
        st.title(TXT["forced_title"])
        st.info(TXT["forced_lead"])
    else:
        st.header(TXT["title"], anchor=False)
    done = st.session_state.pop("password_changed", False)
    if done:
        st.success(TXT["changed"])
    with st.form("change_password", clear_on_submit=True):
        current = st.text_input(
            TXT["current"], type="password", key="password_current", autocomplete="current-password"
        )
        new = st.text_input(TXT["new"], type="password", key="password_new", autocomplete="new-password")
        again = st.text_input(TXT["again"], type="password", key="password_again", autocomplete="new-password")
        submitted = st.form_submit_button(TXT["save"], type="primary" if forced else "secondary", key="password_save")
    if forced and st.button(TXT["sign_out"], key="password_sign_out"):
        session.sign_out()
        st.stop()
    if not submitted:
        return
    if not current or not new:
        st.error(TXT["empty"])
        return
    if new != again:
        st.error(TXT["mismatch"])
        return
    try:
        auth.change_own_password(
            session.db(), user.id, current, new, session_token=st.session_state.get("session_token")
        )
    except QuizError as exc:
        st.error(str(exc))
        return
    if not forced:  # forced: the next run shows the app itself, which says enough
        st.session_state["password_changed"] = True
    st.rerun()
