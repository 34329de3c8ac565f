"""The profile's onboarding section: where the person stands in the programme (what is left, by when),
a weekly refresh e-mail (opt-in) and the certificate when earned."""

from __future__ import annotations

import streamlit as st

from quiz.hr import certificate, programme, reminders
from quiz.i18n import messages
from quiz.store import open_db
from quiz.store.db import utcnow
from quiz.ui import downloads, language, session

TXT = messages("profile_reminders")


def _toggle(user_id: int) -> None:
    language.restore()
    reminders.set_refresh_opt_in(session.db(), user_id, bool(st.session_state.get("profile_refresh_mail")))


def render(user, pack) -> None:
    """Drawn by the profile page, under the person's name and role."""
    db = session.db()
    st.header(TXT["title"], anchor=False)
    st.toggle(
        TXT["refresh"],
        value=reminders.refresh_opt_in(db, user.id),
        help=TXT["refresh_help"],
        on_change=_toggle,
        args=(user.id,),
        key="profile_refresh_mail",
    )
    if certificate.completed(db, pack, user.id):
        _certificate(user, pack)
    else:
        _standing(db, user, pack)


def _standing(db, user, pack) -> None:
    """For a person HR knows (imported, or placed in a unit): what the programme still asks, and by when."""
    # The programme in force, as on the HR page and the certificate (the default until HR sets one).
    current = programme.get_programme(db, pack.id) or programme.default_programme(pack.id)
    if not db.execute("SELECT 1 FROM people WHERE user_id = ?", [user.id]).fetchone():
        return
    today = programme.local_day(utcnow())
    rows = programme.statuses(db, pack, current, today=today, user_ids=[user.id])
    if not rows:
        return
    me = rows[0]
    by_kind = {r.kind: r for r in current.requirements}
    deadline = me.deadline.strftime("%d-%m-%Y")
    line = TXT["overdue" if me.status == "overdue" else "standing"].format(
        done=me.done, total=len(me.met), deadline=deadline
    )
    (st.warning if me.status == "overdue" else st.info)(line, icon=":material/flag:")
    st.markdown(
        "\n".join(
            f"- {TXT['met' if when else 'not_met'].format(requirement=by_kind[kind].describe())}"
            for kind, when in me.met
        )
    )


def _certificate(user, pack) -> None:
    path = session.db_path()

    def pdf() -> bytes:
        conn = open_db(path, migrate=False)
        try:
            return certificate.for_person(conn, pack, user.id, actor=user.id)
        finally:
            conn.close()

    st.success(TXT["completed"], icon=":material/workspace_premium:")
    downloads.private_download(
        TXT["certificate"],
        data=pdf,
        user_id=user.id,
        file_name=f"bevis-{user.username}.pdf",
        mime="application/pdf",
        key="profile_certificate",
    )
