"""My profile: name, role, my own records as JSON, sign out."""

import json

import streamlit as st

from quiz import auth
from quiz.exports import user_records
from quiz.store import open_db, set_display_name, set_user_role_key
from quiz.ui import profile_password, session
from quiz.ui.fmt import local_time

TXT = {
    "title": "Min profil",
    "username": "Brugernavn: **{username}** · oprettet {created}",
    "rights": "Roller i appen: {rights}",
    "learner": "deltager",
    "facilitator": "facilitator",
    "admin": "administrator",
    "name": "Dit navn",
    "role": "Din rolle i organisationen",
    "save": "Gem",
    "saved": "Gemt.",
    "records": "Mine data",
    "records_lead": "Hent alt, hvad appen har gemt om dig: konto, introduktion, quizforsøg, svar og "
    "genopfriskningsplan.",
    "download": "Hent mine data (JSON)",
    "sign_out": "Log ud",
}

user = session.require_user()
pack = session.current_pack()
db = session.db()
st.title(TXT["title"])
rights = [TXT["learner"]] + [TXT[k] for k, on in (("facilitator", user.is_facilitator), ("admin", user.is_admin)) if on]
st.markdown(TXT["username"].format(username=user.username, created=local_time(user.created_at)))
st.caption(TXT["rights"].format(rights=", ".join(rights)))

with st.form("profile"):
    name = st.text_input(TXT["name"], value=user.display_name, max_chars=60, key="profile_name")
    roles = pack.chain_roles
    role = st.selectbox(
        TXT["role"],
        roles,
        index=roles.index(user.role_key) if user.role_key in roles else None,
        format_func=lambda k: pack.roles[k].name,
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


def my_records_json(user_id: int) -> str:
    # Built when the button is pressed, on a server thread of its own: so with a connection of its own.
    records_db = open_db(session.store().path, migrate=False)
    try:
        return json.dumps(user_records(records_db, user_id), ensure_ascii=False, indent=2, default=str)
    finally:
        records_db.close()


profile_password.render(user)

st.subheader(TXT["records"])
st.write(TXT["records_lead"])
st.download_button(
    TXT["download"],
    data=lambda: my_records_json(user.id),
    file_name=f"mine-data-{user.username}.json",
    mime="application/json",
    key="download_records",
)

st.divider()
if st.button(TXT["sign_out"], key="sign_out"):
    session.sign_out()
    st.success("Du er logget ud.")
    st.stop()
