"""The presenter link on the control page: make a secret stage link for a signed-out projector PC, or close it.

Only the key's hash is stored (:func:`quiz.live.stage_key`), so the link is shown in full only in
the browser session that made it; a facilitator who lost it makes a new one, and »close« ends all
of them (:func:`quiz.live.revoke_stage_keys`).
"""

from __future__ import annotations

import streamlit as st

from quiz import live
from quiz.i18n import t
from quiz.ui import session
from quiz.ui.live.widgets import base_url


def stage_link(live_session: live.LiveSession) -> None:
    """The stage link of the session: make one, see it, close them all."""
    user = session.current_user()
    held = st.session_state.setdefault("live_stage_links", {})
    st.markdown(f"**{t('web.stage_link')}**")
    st.caption(t("web.stage_link_help"))
    key = held.get(live_session.id)
    if key is not None and live.session_for_stage_key(session.db(), key) == live_session.id:
        url = f"{base_url()}/storskaerm/{key}"
        st.code(url, language=None)
        st.link_button(t("web.stage_open"), url, icon=":material/cast:")
    row = st.container(horizontal=True)
    if row.button(t("web.stage_make"), key="live_stage_make"):
        try:
            held[live_session.id] = live.stage_key(session.db(), live_session.id, actor_id=user.id if user else -1)
        except live.LiveError as exc:
            st.warning(str(exc))
        st.rerun()
    if live.has_stage_key(session.db(), live_session.id) and row.button(t("web.stage_revoke"), key="live_stage_revoke"):
        try:
            live.revoke_stage_keys(session.db(), live_session.id, actor_id=user.id if user else -1)
        except live.LiveError as exc:
            st.warning(str(exc))
        else:
            held.pop(live_session.id, None)
            st.toast(t("web.stage_revoked"))
            st.rerun()
