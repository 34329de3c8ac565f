"""The facilitator's controls of a live session: the buttons, the room (lock, rename, remove), moderation, results.

Shared by the facilitator's page and the control page (a laptop or phone beside the projector).
Every click goes through :mod:`quiz.live`, which checks the acting person again inside the write
transaction; a refusal is shown on the next run. The parts that change while the room answers
(the counts, »Tiden er gået«, the list of answers from the room) are fragments that rerun by
themselves (``st.fragment(run_every=…)``) and read one small pulse per run, the texts only when it
moved.
"""

from __future__ import annotations

import streamlit as st

from quiz import live
from quiz.i18n import messages, t
from quiz.ui import downloads, language, session
from quiz.ui.fmt import pct
from quiz.ui.live import watch as live_watch
from quiz.ui.live.projector import auto_reveal_check
from quiz.ui.live.widgets import letter, plain, timer_bar

TXT = messages("control")
# How often the list of answers from the room looks for new ones: one pulse read (a few indexed
# counts) per look, the texts read again only when the pulse moved. Public API, no push needed.
MODERATION_EVERY = 2.0


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
    if current is None:  # deleted meanwhile: the page's own run says so
        return
    auto_reveal_check(current, now)
    if current.state == live.State.QUESTION:
        st.progress(
            now.answered / now.participants if now.participants else 0.0,
            text=TXT["answered"].format(answered=now.answered, participants=now.participants),
        )
        if live.is_time_up(current):
            # With automatic reveal the check above has revealed already; without, the room waits.
            st.warning(TXT["time_up"], icon=":material/timer_off:")
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
    deadline, limit = live_session.deadline(), live_session.time_limit()
    if deadline is not None and limit:  # (a deadline has a limit)
        timer_bar(deadline, limit)
    every = live_watch.poll_every(1)
    left = live.time_left(live_session)
    if left:  # a look at the moment the time is up, to say so (and for the automatic reveal)
        every = max(0.5, min(every, left + 0.3))
    live_watch.fragment(_pulse_line, every, live_session.id, live_session.version)


def time_up_note(live_session: live.LiveSession) -> None:
    """On the facilitator's one-screen page: »Tiden er gået« once the timer ran out (no automatic reveal)."""
    left = live.time_left(live_session)
    if left is None or live_session.auto_reveal:
        return
    live_watch.fragment(_time_up_line, max(0.5, left + 0.3), live_session.id, live_session.version)


def _time_up_line(session_id: int, version: int) -> None:
    language.restore()
    current = live.get_session(session.db(), session_id)
    if current is None or current.version != version:
        st.rerun()
    if live.is_time_up(current):
        st.warning(TXT["time_up_room"], icon=":material/timer_off:")  # the room reads this screen too


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


def reveal_summary(live_session: live.LiveSession) -> None:
    """After a reveal: the right answer, lettered as on the stage, and how the room answered."""
    question = live_session.current_question
    if live_session.state not in live.SHOWN_ANSWER or question is None or live.is_open_question(question):
        return
    registry = session.registry()
    shown = live.explain(question, registry=registry)
    keys = [o.key for o in question.options]
    if question.kind == "choice":
        first = question.accepted[0][0] if question.accepted and question.accepted[0] else None
        said = plain(shown.right_answer)
        if first in keys and "\n" not in shown.right_answer:
            said = f"{letter(keys.index(first))}. {said}"
    else:
        said = "  \n" + "  \n".join(
            f"**{i + 1}.** {plain(item.text)} → **{plain(question.option_label(acc[0]))}**"
            for i, (item, acc) in enumerate(zip(question.items, question.accepted, strict=False))
        )
    st.success(TXT["right_answer"].format(answer=said), icon=":material/check_circle:")
    dist = live.distribution(session.db(), live_session.id, live_session.current_index)
    lines = [TXT["distribution_head"].format(answered=dist.answered, participants=dist.participants)]

    def bars(counts: dict[str, int], right: set[str], lettered: bool) -> list[str]:
        out = []
        for i, option in enumerate(question.options):
            label = f"{letter(i)}. {plain(option.label)}" if lettered else plain(option.label)
            mark = f" ✓ {TXT['right_mark']}" if option.key in right else ""
            out.append(f"- {label}: **{counts.get(option.key, 0)}**{mark}")
        return out

    if question.kind == "choice":
        lines += bars(dist.counts, set(question.accepted[0]) if question.accepted else set(), True)
    else:
        for i, counts in enumerate(dist.per_item):
            text = question.items[i].text if i < len(question.items) else ""
            lines.append(TXT["distribution_item"].format(n=i + 1, text=plain(text)))
            lines += bars(counts, set(question.accepted[i]) if i < len(question.accepted) else set(), False)
    st.markdown("\n".join(lines))


def _text_kind(live_session: live.LiveSession) -> str | None:
    """Which texts the room writes now: to the open question, to the discussion, or none."""
    question = live_session.current_question
    if question is None:
        return None
    if live.is_open_question(question):
        return live.OPEN_KIND
    if live_session.current_index in live_session.discussions:
        return live.DISCUSSION_KIND
    return None


def moderation(live_session: live.LiveSession) -> None:
    """»Svar fra salen«: approve first (per question), the texts with approve, hide and restore, and a reset.

    The list is a fragment that looks every :data:`MODERATION_EVERY` seconds, so a new answer shows
    here without a reload.
    """
    kind = _text_kind(live_session)
    if kind is None:
        return
    index = live_session.current_index
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
    required = live.approval_required(live_session, index)
    # The version in the key: a switch made on another screen shows here at the next change.
    wanted = st.toggle(
        TXT["approve_first"],
        value=required,
        help=TXT["approve_first_help"],
        key=f"live_approve_first_{live_session.version}",
    )
    if wanted != required:
        act(live.set_approval, live_session, index, required=wanted)
    live_watch.fragment(_answers_from_the_room, MODERATION_EVERY, live_session.id, live_session.version, index, kind)


def _room_texts(conn, session_id: int, index: int, kind: str, now: live.Pulse) -> list[live.TextAnswer]:
    """The texts of the room's people (not of those removed), read again only when the pulse moved."""
    key = (session_id, index, kind, now)
    cached = st.session_state.get("live_moderation")
    if cached is None or cached[0] != key:
        gone = {p.id for p in live.participants(conn, session_id, removed=True) if p.removed}
        texts = [t for t in live.texts_of(conn, session_id, index, kind=kind) if t.participant_id not in gone]
        st.session_state["live_moderation"] = cached = (key, texts)
    return cached[1]


def _answers_from_the_room(session_id: int, version: int, index: int, kind: str) -> None:
    language.restore()
    conn = session.db()
    now = live.pulse(conn, session_id)
    if now.version != version:
        st.rerun()  # the session moved on (or was reset): the whole page
    texts = _room_texts(conn, session_id, index, kind, now)
    current = live.get_session(conn, session_id)
    if current is None:
        return  # the session was deleted meanwhile: the page's own run says so
    st.markdown(f"**{TXT['texts']}**")
    waiting = sum(1 for t in texts if t.held and not t.hidden)
    if waiting:
        st.caption(TXT["waiting_count"].format(count=waiting))
    if not texts:
        st.caption(TXT["no_texts"])
    for text in reversed(texts):
        left, right = st.columns([4, 2], vertical_alignment="center")
        if text.hidden:
            left.markdown(f"~~{plain(text.text)}~~ · *{TXT['hidden_mark']}*")
        elif text.held:
            why = f" · :orange[{TXT['flagged']}]" if text.flagged else ""
            left.markdown(f"{plain(text.text)} · *{TXT['waiting']}*{why}")
        else:
            left.markdown(plain(text.text))
        buttons = right.container(horizontal=True)
        if text.held and not text.hidden and buttons.button(TXT["approve"], key=f"live_approve_{text.id}"):
            act(live.approve_text, current, text.id)
        if text.hidden:
            if buttons.button(TXT["show"], key=f"live_hide_{text.id}"):
                act(live.set_text_hidden, current, text.id, hidden=False)
        elif buttons.button(TXT["hide"], key=f"live_hide_{text.id}"):
            act(live.set_text_hidden, current, text.id, hidden=True)


def waiting_note(live_session: live.LiveSession) -> None:
    """On the facilitator's one-screen page: how many answers wait for approval in the closed panel."""
    kind = _text_kind(live_session)
    if kind is not None:
        live_watch.fragment(
            _waiting_line, MODERATION_EVERY, live_session.id, live_session.version, live_session.current_index, kind
        )


def _waiting_line(session_id: int, version: int, index: int, kind: str) -> None:
    language.restore()
    conn = session.db()
    now = live.pulse(conn, session_id)
    if now.version != version:
        st.rerun()
    waiting = sum(1 for t in _room_texts(conn, session_id, index, kind, now) if t.held and not t.hidden)
    if waiting:
        st.caption(TXT["waiting_note"].format(count=waiting))


def reset(live_session: live.LiveSession) -> None:
    """Delete the answers to the question on screen, after a second click that says what it does."""
    if live_session.current_question is None:
        return
    with st.popover(TXT["reset"], icon=":material/restart_alt:"):
        st.warning(TXT["reset_warning"])
        if st.button(TXT["reset_go"], type="primary", key="live_reset_go"):
            act(live.reset_question, live_session, live_session.current_index)


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
    people = live.participant_results(db, live_session.id, removed=True)
    if not people:  # an empty table would say "empty" in English
        st.caption(t("a11y.no_participants"))
    else:
        anyone_removed = any(r.removed for r in people)
        st.dataframe(
            [
                {
                    # Text throughout: a removed participant has no place.
                    TXT["col_place"]: "–" if r.place is None else str(r.place),
                    TXT["col_name"]: r.display_name,
                    TXT["col_signed_in"]: TXT["yes"] if r.signed_in else TXT["no"],
                    TXT["col_answered"]: r.answered,
                    TXT["col_correct"]: r.correct,
                    **({TXT["col_points"]: r.points} if live_session.points_enabled else {}),
                    **({TXT["col_removed"]: TXT["yes"] if r.removed else TXT["no"]} if anyone_removed else {}),
                }
                for r in people
            ],
            hide_index=True,
            width="stretch",
        )
    discussions(live_session)
    viewer = session.current_user()
    if viewer is None:
        return  # signed out meanwhile: the page's own run says so
    # The room's answers under their names: served to the facilitator who made the file, no one else.
    downloads.private_download(
        TXT["download"],
        data=live.results_csv(db, live_session.id).encode("utf-8"),  # the text starts with a byte-order mark
        user_id=viewer.id,
        file_name=f"live-quiz-{live_session.code}.csv",
        mime="text/csv",
        key=f"live_download_{live_session.id}",
    )


def discussions(live_session: live.LiveSession) -> None:
    """What the room wrote to the discussions, per question (texts never shown marked; removed people's left out)."""
    db = session.db()
    names = {p.id: p.display_name for p in live.participants(db, live_session.id)}
    found = [
        (index, prompt, kept)
        for index, prompt, texts in live.discussion_results(db, live_session.id)
        if (kept := [text for text in texts if text.participant_id in names])
    ]
    if not found:
        return
    st.header(TXT["discussion_head"], anchor=False)
    for index, prompt, texts in found:
        st.markdown(f"**{index + 1}.** {plain(prompt)}")
        st.table(
            [
                {
                    TXT["col_name"]: names.get(text.participant_id, ""),
                    TXT["col_text"]: text.text,
                    TXT["col_hidden"]: TXT["no"] if text.shown else TXT["yes"],
                }
                for text in texts
            ],
            hide_index=True,
        )


def top_list(live_session: live.LiveSession, *, limit: int) -> None:
    """The leaderboard with shared places (1, 1, 3 …) and points."""
    st.markdown(f"**{TXT['top']}**")
    lines = [
        f"**{r.place}.** {plain(r.display_name)} – {TXT['points_unit'].format(points=r.points)}"
        for r in live.leaderboard(session.db(), live_session.id, limit=limit)
    ]
    st.markdown("  \n".join(lines) or TXT["nobody"])
