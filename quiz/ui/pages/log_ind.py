"""Sign in, or create an account. The very first account becomes the administrator."""

import streamlit as st

from quiz import auth
from quiz.store import UsernameTaken, create_user
from quiz.ui import oidc, session

TXT = {
    "title": "Hvidovrevejen",
    "lead": "Lær Hvidovre Kommunes ledelses- og medarbejdergrundlag at kende – i dit eget tempo eller sammen "
    "med dit hold.",
    "tab_in": "Log ind",
    "tab_new": "Opret konto",
    "username": "Brugernavn",
    "password": "Adgangskode",
    "display_name": "Dit navn (som andre ser det)",
    "password2": "Gentag adgangskoden",
    "sign_in": "Log ind",
    "create": "Opret konto",
    "failed": "Brugernavn eller adgangskode er forkert.",
    "locked": "For mange forsøg. Vent {seconds} sekunder, og prøv igen.",
    "mismatch": "De to adgangskoder er ikke ens.",
    "first": "Der er endnu ingen konti. Den første konto, du opretter, bliver administrator.",
    "created": "Kontoen er oprettet. Du er logget ind.",
    "signing_in": "Du er logget ind. Et øjeblik ...",
    "oidc": "Log ind med din arbejdskonto",
    "local": "Log ind med en lokal konto (administratorer)",
    "join": "Skal du bare deltage i en live-quiz? Deltag med koden fra storskærmen",
}

st.title(TXT["title"])
st.write(TXT["lead"])

first_account = session.db()["users"].count == 0
if oidc.configured():
    # The organisation's own sign-in replaces local accounts; only administrators made with
    # `python -m quiz users add` keep a local password, tucked away.
    st.button(TXT["oidc"], type="primary", key="oidc_login", on_click=oidc.login)
    tab_in = st.expander(TXT["local"])
    tab_new = None
else:
    tab_in, tab_new = st.tabs([TXT["tab_in"], TXT["tab_new"]])

with tab_in:
    with st.form("sign_in"):
        username = st.text_input(TXT["username"], key="signin_username", autocomplete="username")
        password = st.text_input(
            TXT["password"], type="password", key="signin_password", autocomplete="current-password"
        )
        submitted = st.form_submit_button(TXT["sign_in"], type="primary", key="signin_submit")
    if submitted:
        result = auth.verify_login(session.db(), username, password, client_key=session.client_key())
        if isinstance(result, auth.Locked):
            st.error(TXT["locked"].format(seconds=result.retry_after))
        elif result is None:
            st.error(TXT["failed"])
        else:
            session.sign_in(result)
            st.success(TXT["signing_in"])
            st.stop()


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
        user = create_user(session.db(), new_username, new_name, new_password, is_admin=first_account)
    except (auth.InvalidInput, UsernameTaken) as exc:
        st.error(str(exc))
        return
    session.sign_in(user)
    st.success(TXT["created"])
    st.stop()


if tab_new is not None:
    with tab_new:
        sign_up_form()

st.divider()
st.page_link("quiz/ui/pages/deltag.py", label=TXT["join"], icon=":material/smartphone:")
