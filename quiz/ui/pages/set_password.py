"""Set your password with the link from the invitation e-mail (single use, expiring)."""

import streamlit as st

from quiz.i18n import QuizError, messages
from quiz.people import auth, invitations
from quiz.ui import session

TXT = messages("invite")

st.title(TXT["title"])
token = st.query_params.get("token", "")
done = st.session_state.get("invite_done")
if done:
    st.success(TXT["done"].format(username=done))
    st.page_link("quiz/ui/pages/sign_in.py", label=TXT["to_sign_in"], icon=":material/login:")
    st.stop()
try:
    person = invitations.check(session.db(), token)
except QuizError as exc:
    st.error(str(exc), icon=":material/link_off:")
    st.page_link("quiz/ui/pages/sign_in.py", label=TXT["to_sign_in"], icon=":material/login:")
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
