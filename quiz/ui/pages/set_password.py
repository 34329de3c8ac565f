"""Set your password with the link from the invitation e-mail (single use, expiring)."""

import streamlit as st

from quiz.i18n import QuizError, messages
from quiz.people import auth, invitations
from quiz.ui import pages, session

TXT = messages("invite")


def onward() -> None:
    """A link on from here that the person's menu has: sign-in when signed out, else the front page."""
    if session.current_user() is None:
        st.page_link(pages.path("log_ind"), label=TXT["to_sign_in"], icon=":material/login:")
    else:
        st.page_link(pages.path("forside"), label=TXT["to_home"], icon=":material/home:")


st.title(TXT["title"])
token = st.query_params.get("token", "")
done = st.session_state.get("invite_done")
if done:
    st.success(TXT["done"].format(username=done))
    onward()
    st.stop()
try:
    person = invitations.check(session.db(), token)
except QuizError as exc:
    st.error(str(exc), icon=":material/link_off:")
    onward()
    st.stop()

st.write(TXT["lead"].format(username=person.username))
with st.form("invite_form"):
    first = st.text_input(TXT["password"], type="password", key="invite_password")
    second = st.text_input(TXT["password2"], type="password", key="invite_password2")
    if st.form_submit_button(TXT["save"], type="primary", key="invite_save"):
        if first != second:
            st.error(TXT["mismatch"])
        else:
            try:
                user = invitations.redeem(session.db(), token, first)
            except (QuizError, auth.InvalidInput) as exc:
                st.error(str(exc))
            else:
                st.session_state["invite_done"] = user.username
                st.rerun()
