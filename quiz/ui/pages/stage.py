"""Storskærm: the way to a live session's lean stage, at the old presenter view's address (``/praesentation``).

The room's screen is not a Streamlit page any more: it is the lean stage ``/storskaerm/<key>``
(``quiz.ui.web.stage``) behind a per-session secret link that a signed-out projector PC opens. So
that the menu and an old bookmark still lead somewhere useful, this page says where the stage is
now and makes, opens or closes that link for a session the facilitator may run
(:func:`quiz.ui.live.stage_link.stage_link`, the same as on the control page).
"""

import streamlit as st

from quiz import live
from quiz.i18n import messages
from quiz.ui import session
from quiz.ui.live.pick import session_from_url
from quiz.ui.live.stage_link import stage_link
from quiz.ui.question_widget import escape_md

TXT = messages("storskaerm")

user = session.require_facilitator()
st.title(TXT["title"])
st.write(TXT["lead"])
running = live.open_sessions(session.db(), user.id) if st.query_params.get("session") is None else []
current: live.LiveSession | None = None
if st.query_params.get("session") is not None:
    current = session_from_url(user)
elif len(running) == 1:
    current = running[0]  # the one running session: its link at once, one click fewer
elif not running:
    st.info(TXT["none"], icon=":material/info:")
    st.page_link("quiz/ui/pages/facilitator.py", label=TXT["to_facilitator"], icon=":material/co_present:")
else:
    for found in running:
        st.page_link(
            "quiz/ui/pages/stage.py",
            label=TXT["pick"].format(code=found.code, title=found.title),
            icon=":material/cast:",
            query_params={"session": str(found.id)},
        )
if current is not None:
    st.header(escape_md(current.title), anchor=False)  # an h2 under the page's h1 (no jump)
    if current.state == live.State.ENDED:
        st.info(TXT["ended"], icon=":material/flag:")
    else:
        stage_link(current)
    st.page_link(
        "quiz/ui/pages/control.py",
        label=TXT["to_control"],
        icon=":material/tune:",
        query_params={"session": str(current.id)},
    )
