"""Ask a new person which role they have; quizzes and the intro are shaped by it."""

from __future__ import annotations

import streamlit as st

from quiz.i18n import messages
from quiz.store import User, set_user_role_key
from quiz.ui import session

TXT = messages("role_picker")


def role_options(pack) -> list[str]:
    """The roles a person can have (the everyone-role is shared by all, not picked)."""
    return pack.chain_roles


def ensure_role(user: User) -> User:
    """Return ``user`` with a role, asking for it first (and stopping the page) when missing."""
    pack = session.current_pack()
    if user.role_key in pack.roles:
        return user
    st.header(TXT["title"], anchor=False)
    st.write(TXT["lead"])
    with st.form("pick_role", enter_to_submit=False):
        choice = st.radio(
            TXT["title"],
            role_options(pack),
            index=None,
            format_func=lambda key: f"**{pack.roles[key].name}** – {pack.roles[key].description}",
            key="role_choice",
            label_visibility="collapsed",
        )
        saved = st.form_submit_button(TXT["save"], type="primary", key="role_save")
    if saved:
        if choice is None:
            st.warning(TXT["pick"])
        else:
            set_user_role_key(session.db(), user.id, choice)
            st.rerun()
    st.stop()
