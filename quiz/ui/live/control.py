"""The facilitator's controls of a live session: the buttons, the room (lock, rename, remove), moderation, results.

Shared by the facilitator's page and the control page (a laptop or phone beside the projector).
Every click goes through :mod:`quiz.live`, which checks the acting person again inside the write
transaction; a refusal is shown on the next run.
"""

from __future__ import annotations

import streamlit as st

from quiz import live
from quiz.i18n import messages, t
from quiz.store.db import utcnow
from quiz.ui import language, session
from quiz.ui.fmt import pct
from quiz.ui.live import watch as live_watch
from quiz.ui.live.projector import auto_reveal_check
from quiz.ui.live.widgets import plain, timer_bar

TXT = messages("control")


def act(action, live_session: live.LiveSession, *args, **kwargs) -> None:
    """Run a change as the signed-in person; a refusal is shown on the next run."""
    user = session.current_user()
    try:
        action(session.db(), live_session.id, *args, actor_id=user.id if user else None, **kwargs)
    except (live.LiveError, live.InvalidInput) as exc:
        st.session_state["live_flash"] = str(exc)
    st.rerun()


def flash() -> None:
    shown = st.session_state.pop("live_flash", None)
    if shown:
        st.warning(shown)


def control_row(live_session: live.LiveSession) -> None:
    """Where the room is, and the buttons that move it on, in one row: always in reach."""
    registry = session.registry()
    # One horizontal container rather than four columns: four elements fewer on every run.
    row = st.container(horizontal=True, vertical_alignment="center")
    if live_session.state == live.State.LOBBY:
        row.markdown(TXT["lobby"].format(code=live_session.code), width="stretch")
        if row.button(TXT["start"], type="primary", key="live_start"):
            act(live.start, live_session)
    else:
        row.markdown(
            TXT["position"].format(
                code=live_session.code, number=live_session.current_index + 1, total=len(live_session.questions)
            ),
            width="stretch",
        )
        last = live_session.state != live.State.QUESTION and live_session.is_last_question
        if live_session.state == live.State.QUESTION:
            if row.button(TXT["reveal"], type="primary", key="live_reveal"):
                act(live.reveal, live_session, registry=registry)
        elif last:
            if row.button(TXT["finish"], type="primary", key="live_finish"):
                act(live.end, live_session)
        elif row.button(TXT["next"], type="primary", key="live_next"):
            act(live.next_question, live_session)
        discussion(row, live_session, registry)
        if last:
            return
    if row.button(TXT["end"], key="live_end"):
        act(live.end, live_session)


def discussion(slot, live_session: live.LiveSession, registry) -> None:
    """After a reveal: open the discussion prompt for the room's texts, or close it again."""
    if live_session.state == live.State.DISCUSSION:
        if slot.button(TXT["close_discussion"], key="live_close_discussion"):
            act(live.close_discussion, live_session)
    elif live_session.state == live.State.REVEALED and live.prompt_for(
        live_session, live_session.current_index, registry
    ):
        if slot.button(TXT["discuss"], key="live_discuss", icon=":material/forum:"):
            act(live.open_discussion, live_session, registry=registry)


def _pulse_line(session_id: int, version: int) -> None:
    language.restore()
    conn = session.db()
    now = live.pulse(conn, session_id)
    if now.version != version:
        st.rerun()
    current = live.get_session(conn, session_id)
    auto_reveal_check(current, now)
    if current.state == live.State.QUESTION:
        st.progress(
            now.answered / now.participants if now.participants else 0.0,
            text=TXT["answered"].format(answered=now.answered, participants=now.participants),
        )
    elif current.state == live.State.DISCUSSION:
        written = live.writers(conn, session_id, current.current_index, kind=live.DISCUSSION_KIND)
        st.progress(
            written / now.participants if now.participants else 0.0,
            text=TXT["written"].format(answered=written, participants=now.participants),
        )
    else:
        st.metric(TXT["people"], now.participants)


def counts(live_session: live.LiveSession) -> None:
    """The room's numbers (people, answers), kept up to date by push; the timer when one runs."""
    deadline = live_session.deadline()
    if deadline is not None:
        timer_bar(deadline, live_session.time_limit())
    every = live_watch.poll_every(1)
    if deadline is not None:
        every = max(0.5, min(every, (deadline - utcnow()).total_seconds() + 0.3))
    live_watch.fragment(_pulse_line, every, live_session.id, live_session.version)


def _names(db, live_session: live.LiveSession) -> dict[int, str]:
    """Everyone in the room by id, read again only when someone joined or the session changed.

    A rename or a removal changes the session's version; a join changes the headcount.
    """
    now = live.pulse(db, live_session.id)
    key = (live_session.id, now.version, now.participants)
    cached = st.session_state.get("live_room_people")
    if cached is None or cached[0] != key:
        names = {p.id: p.display_name for p in live.participants(db, live_session.id)}
        st.session_state["live_room_people"] = cached = (key, names)
    return cached[1]


def room(live_session: live.LiveSession) -> None:
    """Lock the room; rename or remove a participant."""
    db = session.db()
    locked = st.toggle(TXT["lock"], value=live_session.locked, help=TXT["lock_help"], key="live_lock")
    if locked != live_session.locked:
        act(live.set_locked, live_session, locked=locked)
    names = _names(db, live_session)
    if not names:
        st.caption(TXT["nobody"])
        return
    chosen = st.selectbox(
        TXT["participant"],
        list(names),
        format_func=names.__getitem__,
        index=None,
        placeholder=TXT["pick"],
        key="live_person",
    )
    if chosen is None:
        return
    with st.form("live_rename", border=False):
        name = st.text_input(TXT["new_name"], max_chars=60, key="live_new_name")
        if st.form_submit_button(TXT["rename"], key="live_rename_go"):
            act(live.rename_participant, live_session, chosen, name)
    if st.button(TXT["remove"], key="live_remove", icon=":material/person_remove:"):
        act(live.remove_participant, live_session, chosen)


def discussion_line(live_session: live.LiveSession) -> None:
    """After a reveal: the discussion prompt the room sees (and answers, while it is open)."""
    if live_session.state not in live.SHOWN_ANSWER:
        return
    index = live_session.current_index
    prompt = live_session.discussions.get(index) or live.prompt_for(live_session, index, session.registry())
    if prompt:
        st.markdown(TXT["discuss_prompt"].format(prompt=plain(prompt)))


def moderation(live_session: live.LiveSession) -> None:
    """The texts of an open question or a discussion, each with a button to hide it from the projector (or show it)."""
    question = live_session.current_question
    if question is None:
        return
    if live.is_open_question(question):
        kind = live.OPEN_KIND
    elif live_session.current_index in live_session.discussions:
        kind = live.DISCUSSION_KIND
    else:
        return
    if live_session.discussing:
        shapes = ["cloud", "list"]
        shape = st.radio(
            TXT["discussion_shape"],
            shapes,
            index=shapes.index(live_session.discussion_display),
            format_func=lambda k: TXT[f"shape_{k}"],
            horizontal=True,
            key=f"live_discussion_shape_{live_session.version}",
        )
        if shape != live_session.discussion_display:
            act(live.set_discussion_display, live_session, display=shape)
    texts = live.texts_of(session.db(), live_session.id, live_session.current_index, kind=kind)
    st.markdown(f"**{TXT['texts']}**")
    if not texts:
        st.caption(TXT["no_texts"])
    for text in reversed(texts):
        left, right = st.columns([5, 1], vertical_alignment="center")
        left.markdown(f"~~{plain(text.text)}~~" if text.hidden else plain(text.text))
        label = TXT["show"] if text.hidden else TXT["hide"]
        if right.button(label, key=f"live_hide_{text.id}"):
            act(live.set_text_hidden, live_session, text.id, hidden=not text.hidden)


def results_tables(live_session: live.LiveSession) -> None:
    """Results per question and per participant, and the CSV download."""
    db = session.db()
    st.header(TXT["by_question"], anchor=False)
    # A static table: the questions are long, and it wraps them instead of pushing columns off screen.
    st.table(
        [
            {
                TXT["col_no"]: r.question_index + 1,
                TXT["col_question"]: r.prompt,
                TXT["col_answered"]: r.answered,
                # Text throughout (an open question has no right answers): one type per column.
                TXT["col_correct"]: "–" if r.mean_score is None and r.correct == 0 else str(r.correct),
                TXT["col_mean"]: pct(r.mean_score),
            }
            for r in live.question_results(db, live_session.id)
        ],
        hide_index=True,
    )
    st.header(TXT["by_person"], anchor=False)
    people = live.participant_results(db, live_session.id)
    if not people:  # an empty table would say "empty" in English
        st.caption(t("a11y.no_participants"))
    else:
        st.dataframe(
            [
                {
                    TXT["col_name"]: r.display_name,
                    TXT["col_signed_in"]: TXT["yes"] if r.signed_in else TXT["no"],
                    TXT["col_answered"]: r.answered,
                    TXT["col_correct"]: r.correct,
                    **({TXT["col_points"]: r.points} if live_session.points_enabled else {}),
                }
                for r in people
            ],
            hide_index=True,
            width="stretch",
        )
    discussions(live_session)
    st.download_button(
        TXT["download"],
        live.results_csv(db, live_session.id).encode("utf-8"),  # the text starts with a byte-order mark
        file_name=f"live-quiz-{live_session.code}.csv",
        mime="text/csv",
        key=f"live_download_{live_session.id}",
    )


def discussions(live_session: live.LiveSession) -> None:
    """What the room wrote to the discussions, per question (hidden texts marked)."""
    db = session.db()
    found = [d for d in live.discussion_results(db, live_session.id) if d[2]]
    if not found:
        return
    names = {p.id: p.display_name for p in live.participants(db, live_session.id, removed=True)}
    st.header(TXT["discussion_head"], anchor=False)
    for index, prompt, texts in found:
        st.markdown(f"**{index + 1}.** {plain(prompt)}")
        st.table(
            [
                {
                    TXT["col_name"]: names.get(text.participant_id, ""),
                    TXT["col_text"]: text.text,
                    TXT["col_hidden"]: TXT["yes"] if text.hidden else TXT["no"],
                }
                for text in texts
            ],
            hide_index=True,
        )
