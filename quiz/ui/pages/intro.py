"""The guided intro: foreword, values, Den Nye Syntese, the four perspectives, how the roles read.

Where the person is, is saved on every step, so they continue there next time.
"""

import streamlit as st

from quiz.i18n import messages
from quiz.learning.intro import complete_intro, get_intro_step, intro_completed_at, set_intro_step
from quiz.ui import language, session
from quiz.ui.diagram import perspectives_html
from quiz.ui.question_widget import escape_md
from quiz.ui.role_picker import ensure_role

TXT = messages("intro")

user = ensure_role(session.require_user())
pack = session.current_pack()
db = session.db()
sections = pack.intro
total = len(sections)

st.title(TXT["title"])
if not sections:
    st.info(TXT["none"])
    st.page_link("quiz/ui/pages/quiz.py", label=TXT["to_quiz"], icon=":material/quiz:")
    st.stop()
step = min(get_intro_step(db, user.id, pack.id), total - 1)
done = intro_completed_at(db, user.id, pack.id) is not None


def go(to: int) -> None:
    language.restore()
    set_intro_step(db, user.id, pack.id, to)


def finish() -> None:
    language.restore()
    complete_intro(db, user.id, pack.id, step=total - 1)


section = sections[step]
st.progress((step + 1) / total, text=TXT["step"].format(n=step + 1, total=total))
st.header(section.title, anchor=False)
with st.container(key="hv_intro_body"):  # its tables become one card per row on a phone (quiz.ui.a11y)
    st.markdown(section.body)

if section.key == "de_fire_perspektiver":
    st.html(perspectives_html(pack))
if section.key == "rollerne" and user.role_key in pack.roles:
    role = pack.roles[user.role_key]
    st.info(TXT["your_role"].format(role=role.name, description=role.description))
    first = pack.manifest.perspectives[0]
    st.markdown(TXT["your_statements"].format(perspective=first.danish_name))
    for s in pack.statements:
        if s.role == user.role_key and s.perspective == first.key:
            st.markdown(f"- »{escape_md(s.text)}«")

left, right = st.columns(2)
with left:
    st.button(TXT["back"], key="intro_back", disabled=step == 0, on_click=go, args=(step - 1,), width="stretch")
with right:
    if step < total - 1:
        st.button(TXT["next"], key="intro_next", type="primary", on_click=go, args=(step + 1,), width="stretch")
    elif not done:
        st.button(TXT["finish"], key="intro_finish", type="primary", on_click=finish, width="stretch")

if done and step == total - 1:
    st.success(TXT["done"])
    st.page_link("quiz/ui/pages/quiz.py", label=TXT["to_quiz"], icon=":material/quiz:")
    st.button(TXT["restart"], key="intro_restart", on_click=go, args=(0,))
