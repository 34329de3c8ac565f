"""My profile: name, role, my own records and deleting my account, sign out."""

import streamlit as st

from quiz.i18n import messages
from quiz.people import auth
from quiz.store import set_display_name, set_user_role_key
from quiz.ui import session
from quiz.ui.fmt import local_time
from quiz.ui.profile import data as profile_data
from quiz.ui.profile import language as profile_language
from quiz.ui.profile import password as profile_password
from quiz.ui.profile import reminders as profile_reminders

TXT = messages("profil")

user = session.require_user()
pack = session.current_pack()
db = session.db()
st.title(TXT["title"])
rights = [TXT["learner"]] + [TXT[k] for k, on in (("facilitator", user.is_facilitator), ("admin", user.is_admin)) if on]
st.markdown(TXT["username"].format(username=user.username, created=local_time(user.created_at)))
st.write(TXT["rights"].format(rights=", ".join(rights)))

with st.form("profile", enter_to_submit=False):
    name = st.text_input(TXT["name"], value=user.display_name, max_chars=60, key="profile_name")
    roles = pack.chain_roles
    role = st.selectbox(
        TXT["role"],
        roles,
        index=roles.index(user.role_key) if user.role_key in roles else None,
        format_func=lambda k: pack.roles[k].name,
        placeholder=TXT["pick_role"],
        key="profile_role",
    )
    if st.form_submit_button(TXT["save"], key="profile_save"):
        try:
            if name != user.display_name:
                set_display_name(db, user.id, name)
            if role and role != user.role_key:
                set_user_role_key(db, user.id, role)
        except auth.InvalidInput as exc:
            st.error(str(exc))
        else:
            st.success(TXT["saved"])

profile_language.render(user)
profile_reminders.render(user, pack)
profile_password.render(user)
profile_data.render(user)

st.divider()
if st.button(TXT["sign_out"], key="sign_out"):
    session.sign_out()
    st.success(TXT["signed_out"])
    st.stop()
