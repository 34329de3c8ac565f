"""The profile's "Mine data" section: a readable download of one's records, and deleting one's account."""

from __future__ import annotations

import streamlit as st

from quiz.hr.own_data import delete_own_account, readable_records_json
from quiz.i18n import QuizError, messages
from quiz.store import User, open_db
from quiz.ui import downloads, session

TXT = messages("profile_data")


def _records_json(user_id: int) -> str:
    # Built when the button is pressed, on a server thread of its own: so with a connection of its own.
    records_db = open_db(session.store().path, migrate=False)
    try:
        return readable_records_json(records_db, user_id, session.registry().packs)
    finally:
        records_db.close()


def render(user: User) -> None:
    st.header(TXT["records"], anchor=False)
    st.write(TXT["records_lead"])
    downloads.private_download(
        TXT["download"],
        data=lambda: _records_json(user.id),
        user_id=user.id,
        file_name=f"mine-data-{user.username}.json",
        mime="application/json",
        key="download_records",
    )

    st.header(TXT["delete_title"], anchor=False)
    with st.expander(TXT["delete_open"], icon=":material/delete:"):
        st.warning(TXT["delete_lead"], icon=":material/warning:")
        with st.form("delete_account", enter_to_submit=False, border=False):
            typed = st.text_input(TXT["delete_confirm"].format(username=user.username), key="delete_username")
            if st.form_submit_button(TXT["delete_button"], type="primary", key="delete_account_submit"):
                try:
                    delete_own_account(session.db(), user.id, confirm_username=typed)
                except QuizError as exc:
                    st.error(str(exc))
                else:
                    # The account and its sign-ins are gone; the browser drops its cookie too.
                    session.sign_out()
                    st.success(TXT["deleted"])
                    st.stop()
