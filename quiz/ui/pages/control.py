"""Styring: the control page of a live session, for the facilitator's laptop or phone.

Start, next, reveal and end; the counts, the timer and »Tiden er gået«; the right answer and the
distribution after a reveal; lock the room, rename or remove a participant; the answers from the
room, which update by themselves, to approve, hide or restore; reset the question's answers; the
link to the lean stage (``/storskaerm/<key>``) for the projector, which follows every click.
"""

import streamlit as st

from quiz import live
from quiz.i18n import messages
from quiz.ui import a11y, session
from quiz.ui.live import control as live_control
from quiz.ui.live.pick import session_from_url
from quiz.ui.live.stage_link import stage_link
from quiz.ui.question_widget import escape_md

TXT = messages("styring")

user = session.require_facilitator()
current = session_from_url(user)
if current is not None:
    a11y.small_title(escape_md(current.title))
    live_control.flash()
    if current.state == live.State.ENDED:
        st.success(TXT["ended"], icon=":material/flag:")
        note = live.ending_note(current)
        if note is not None:
            st.warning(str(note))
        live_control.results_tables(current)
    else:
        live_control.control_row(current)
        question = current.current_question
        if question is not None:
            st.markdown(f"**{escape_md(question.prompt)}**")
        live_control.reveal_summary(current)
        live_control.discussion_line(current)
        live_control.counts(current)
        live_control.moderation(current)
        live_control.reset(current)
        with st.expander(TXT["room"], expanded=current.state == live.State.LOBBY):
            live_control.room(current)
        # The room's screen is the lean stage: open while the session has no link yet, so the
        # facilitator makes one before the room arrives.
        with st.expander(TXT["presenter"], expanded=not live.has_stage_key(session.db(), current.id)):
            stage_link(current)
