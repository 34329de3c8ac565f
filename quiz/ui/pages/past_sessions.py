"""Tidligere live-quizzer: the facilitator's ended sessions, with their results and CSV, also after a restart."""

import streamlit as st

from quiz import live
from quiz.i18n import messages, t
from quiz.ui import session
from quiz.ui.fmt import local_time
from quiz.ui.live import control as live_control
from quiz.ui.question_widget import escape_md

TXT = messages("tidligere")

user = session.require_facilitator()
db = session.db()

st.title(TXT["title"])
past = live.ended_sessions(db, user.id)
if not past:
    st.info(TXT["none"], icon=":material/history:")
else:
    chosen = st.selectbox(
        TXT["pick"],
        [s.id for s in past],
        format_func=lambda k: next(
            TXT["row"].format(
                title=s.title, code=s.code, ended=local_time(s.ended_at), people=live.pulse(db, s.id).participants
            )
            for s in past
            if s.id == k
        ),
        placeholder=t("common.choose_one"),
        key="live_past",
    )
    found = next(s for s in past if s.id == chosen)
    st.header(escape_md(found.title), anchor=False)
    st.caption(TXT["when"].format(code=found.code, ended=local_time(found.ended_at)))
    note = live.ending_note(found)
    if note is not None:
        st.warning(str(note), icon=":material/info:")
    live_control.results_tables(found)
