"""Sign in, or create an account (when the deployment allows it). The very first account becomes the administrator."""

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from quiz import settings
from quiz.i18n import QuizError, messages, t, wait_time
from quiz.people import auth
from quiz.ui import oidc, session
from quiz.ui.server.routes import CODE_FAILED

TXT = messages("log_ind")

st.title(TXT["title"])
st.write(TXT["lead"])

# The nonce cookie first (quiz.ui.server.routes): sign-in codes are bound to it and the brake counts per browser.
if not session.ensure_browser_nonce():
    st.warning(TXT["cookies_blocked"])
if st.query_params.get(CODE_FAILED):
    st.error(TXT["code_failed"])

signup_open = settings.current().self_signup
first_account = session.db()["users"].count == 0
if oidc.configured():
    # The organisation's own sign-in replaces local accounts; only administrators made with
    # `python -m quiz users add` keep a local password, tucked away.
    st.button(TXT["oidc"], type="primary", key="oidc_login", on_click=oidc.login)
    tab_in: DeltaGenerator = st.expander(TXT["local"])
    tab_new = None
elif signup_open:
    tab_in, tab_new = st.tabs([TXT["tab_in"], TXT["tab_new"]])
else:
    tab_in, tab_new = st.container(), None

with tab_in:
    with st.form("sign_in"):
        username = st.text_input(TXT["username"], key="signin_username", autocomplete="username", max_chars=64)
        password = st.text_input(
            TXT["password"], type="password", key="signin_password", autocomplete="current-password"
        )
        submitted = st.form_submit_button(TXT["sign_in"], type="primary", key="signin_submit")
    if submitted:
        if not (username or "").strip() or not password:
            st.error(TXT["empty"])
        else:
            result = auth.verify_login(
                session.db(), username, password, browser=session.browser(), ip=session.client_ip()
            )
            if isinstance(result, auth.Locked) and result.another_way:
                st.error(TXT["locked_account"])
            elif isinstance(result, auth.Locked):
                st.error(t("log_ind.locked", wait=wait_time(result.retry_after)))
            elif result is None:
                st.error(TXT["failed"])
            else:
                session.sign_in(result)
                st.success(TXT["signing_in"])
                st.stop()
    if not signup_open and not oidc.configured():
        st.caption(TXT["signup_closed"])


def sign_up_form() -> None:
    if first_account:
        st.info(TXT["first"])
    with st.form("sign_up"):
        new_name = st.text_input(TXT["display_name"], key="signup_display_name", max_chars=60)
        new_username = st.text_input(TXT["username"], key="signup_username", max_chars=32, autocomplete="username")
        new_password = st.text_input(
            TXT["password"], type="password", key="signup_password", autocomplete="new-password"
        )
        new_password2 = st.text_input(
            TXT["password2"], type="password", key="signup_password2", autocomplete="new-password"
        )
        created = st.form_submit_button(TXT["create"], type="primary", key="signup_submit")
    if not created:
        return
    if new_password != new_password2:
        st.error(TXT["mismatch"])
        return
    try:
        user = auth.sign_up(
            session.db(), new_username, new_name, new_password, browser=session.browser(), ip=session.client_ip()
        )
    except QuizError as exc:
        st.error(str(exc))
        return
    session.sign_in(user)
    st.success(TXT["created"])
    st.stop()


if tab_new is not None:
    with tab_new:
        sign_up_form()

st.divider()
st.page_link("quiz/ui/pages/join.py", label=TXT["join"], icon=":material/smartphone:")
