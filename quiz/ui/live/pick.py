"""Which live session a facilitator's page shows: ``?session=`` in the URL, checked against who may run it."""

from __future__ import annotations

import streamlit as st

from quiz import live
from quiz.i18n import messages
from quiz.ui import session

TXT = messages("live_pick")


def session_from_url(user) -> live.LiveSession | None:
    """The session named in the URL that ``user`` may run; else a word why not and a way back, and None."""
    raw = st.query_params.get("session")
    try:
        session_id = int(raw) if raw is not None else None
    except ValueError:
        session_id = None
    found = live.get_session(session.db(), session_id) if session_id is not None else None
    if found is None:
        st.info(TXT["none"] if session_id is None else TXT["gone"], icon=":material/info:")
        st.page_link("quiz/ui/pages/facilitator.py", label=TXT["back"], icon=":material/co_present:")
        return None
    if not live.can_control(session.db(), found, user.id):
        st.error(TXT["not_yours"], icon=":material/block:")
        return None
    return found
