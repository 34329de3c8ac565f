"""The profile's onboarding section: a weekly refresh e-mail (opt-in) and the certificate when earned."""

from __future__ import annotations

import streamlit as st

from quiz import certificate, reminders
from quiz.i18n import messages
from quiz.store import open_db
from quiz.ui import session

TXT = messages("profile_reminders")


def _toggle(user_id: int) -> None:
    reminders.set_refresh_opt_in(session.db(), user_id, bool(st.session_state.get("profile_refresh_mail")))


def render(user, pack) -> None:
    """Drawn by the profile page, under the person's name and role."""
    db = session.db()
    st.header(TXT["title"], anchor=False)
    st.toggle(
        TXT["refresh"],
        value=reminders.refresh_opt_in(db, user.id),
        help=TXT["refresh_help"],
        on_change=_toggle,
        args=(user.id,),
        key="profile_refresh_mail",
    )
    if certificate.completed(db, pack, user.id):
        path = session.db_path()

        def pdf() -> bytes:
            conn = open_db(path, migrate=False)
            try:
                return certificate.for_person(conn, pack, user.id, actor=user.id)
            finally:
                conn.close()

        st.success(TXT["completed"], icon=":material/workspace_premium:")
        st.download_button(
            TXT["certificate"],
            data=pdf,
            file_name=f"bevis-{user.username}.pdf",
            mime="application/pdf",
            key="profile_certificate",
        )
