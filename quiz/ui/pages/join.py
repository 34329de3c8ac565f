"""Deltag: take part in a live quiz on a phone, signed in or (when the session allows it) by name.

Open to everyone. A phone finds its place again three ways: the participant token in the URL
(``?p=…``), the signed-in account, and the participant cookie (:mod:`quiz.ui.live.browser`), so a
reload, a lost tab or a second scan of the QR code comes back to the same participant with the
answers kept, also after the end. Everything after joining is one fragment: an answer reruns only
it, and when the facilitator moves the session on, the server pushes a rerun of it
(:mod:`quiz.ui.live.watch`) instead of every phone asking every few seconds. Without push
(AppTest) the fragment polls.
"""

import streamlit as st

from quiz import live
from quiz.i18n import messages
from quiz.ui import language, session
from quiz.ui.live import watch as live_watch
from quiz.ui.live.browser import browser_id, remember_browser
from quiz.ui.live.widgets import answer_text, lettered, plain, prefill, timer_bar
from quiz.ui.question_widget import escape_md, quote, render_feedback, render_question

TXT = messages("deltag")

user = session.current_user()
db = session.db()
registry = session.registry()


def forget() -> None:
    """Leave this session on this device (the answers stay stored)."""
    language.restore()
    st.query_params.pop("p", None)
    st.query_params.pop("kode", None)
    st.session_state["live_left"] = True


def find_participant() -> live.Participant | None:
    """This browser's place in a session: by the URL's token, the account, or the participant cookie."""
    wanted = live.normalize_code(st.query_params.get("kode"))
    target = live.session_by_code(db, wanted) if live.is_well_formed(wanted) else None
    found = live.participant_for_token(db, st.query_params.get("p"))
    # A token of somebody's account works only for that account (a shared link is no way in).
    if found is not None and found.user_id is not None and (user is None or found.user_id != user.id):
        found = None
    if found is not None and target is not None and found.session_id != target.id:
        found = None  # the link is for another session: that one counts
    if found is None and user is not None:
        if target is not None:
            found = live.participant_for_user(db, target.id, user.id)
        elif not st.session_state.get("live_left"):
            found = live.active_participation(db, user.id)
    if found is None and user is None and target is not None:
        by_browser = live.participant_for_browser(db, target.id, browser_id())
        found = by_browser if by_browser is not None and by_browser.user_id is None else None
    return found


def join_form() -> None:
    st.write(TXT["lead"])
    with st.form("live_join"):
        code = st.text_input(
            TXT["code"], value=st.query_params.get("kode", ""), max_chars=12, help=TXT["code_help"], key="live_code"
        )
        name = None
        if user is None:
            st.caption(TXT["anonymous_hint"])
            name = st.text_input(TXT["name"], max_chars=60, help=TXT["name_help"], key="live_name")
        else:
            st.caption(TXT["as_user"].format(name=plain(user.display_name)))
        submitted = st.form_submit_button(TXT["join"], type="primary")
    if not submitted:
        return
    try:
        participant, token = live.join(
            db,
            code,
            user_id=user.id if user else None,
            display_name=name,
            client_key=session.client_key(),
            browser=browser_id(),
            token=st.query_params.get("p"),
        )
    except (live.LiveError, live.InvalidInput) as exc:
        st.error(str(exc))
        return
    st.session_state.pop("live_left", None)
    st.query_params["kode"] = live.normalize_code(code)
    st.query_params["p"] = token
    st.rerun()


def poll_seconds(participants: int) -> float:
    """Without push: how often a phone looks for news, every 2 s, less often in big rooms.

    Every poll is a Streamlit fragment run, which costs the server 5–8 ms of CPU however little it
    does; about 60 polls a second is what one server process affords beside the answers
    (docs/performance.md). With push this is only the safety poll's fallback.
    """
    return min(6.0, max(2.0, participants / 60))


def received(slot, question, mine: live.LiveAnswer) -> None:
    # One element, not two: every element is a message to each of up to 300 phones.
    your = TXT["your_answer"].format(answer=answer_text(question, mine.answer))
    slot.success(f"{TXT['received']}  \n{your}", icon=":material/mark_email_read:")


def answering(live_session: live.LiveSession, participant: live.Participant) -> None:
    # In the phone's own language (the projector keeps the facilitator's); graded by the same keys.
    question, index = lettered(live.shown_question(live_session)), live_session.current_index
    deadline, limit = live_session.deadline(), live_session.time_limit()
    if deadline is not None and limit:  # (a deadline has a limit)
        timer_bar(deadline, limit)
    if live.is_open_question(question):
        return writing(live_session, participant, question)
    key = f"live-{live_session.id}-{index}"
    # The confirmation goes above the question, where a phone shows it without scrolling.
    slot = st.empty()
    mine = live.answer_of(db, participant.id, index)
    prefill(question, key=key, answer=mine.answer if mine else None)
    answer = render_question(question, key=key)
    if answer is not None:
        try:
            mine = live.submit_answer(db, live_session.id, participant.id, index, answer, registry=registry)
            live_watch.changed()  # the facilitator's count
        except live.AnswerClosed:  # revealed (or time up) meanwhile: the push shows the answer
            slot.warning(TXT["closed"])
            return
        except live.LiveError as exc:
            slot.error(str(exc))
            return
    if mine is not None:
        received(slot, question, mine)


def writing(
    live_session: live.LiveSession, participant: live.Participant, question, *, kind: str = live.OPEN_KIND
) -> None:
    """A short text (up to three), shown on the projector unless the facilitator hides it.

    For an open question, or (``kind="discussion"``) for the discussion of a revealed one.
    """
    index = live_session.current_index
    slot = st.empty()
    if kind == live.OPEN_KIND:
        st.markdown(f"## {escape_md(question.prompt)}")
        submit, key = live.submit_text, f"live-{live_session.id}-{index}"
    else:
        prompt = live.prompt_for(live_session, index, registry) or live_session.discussions.get(index, "")
        st.markdown(f"{TXT['discuss_lead']}\n\n## {escape_md(prompt)}")
        submit, key = live.submit_discussion_text, f"talk-{live_session.id}-{index}"
    mine = live.my_texts(db, participant.id, index, kind=kind)
    if len(mine) < live.TEXTS_PER_PERSON:
        with st.form(f"form-{key}", clear_on_submit=True, border=False):
            text = st.text_input(TXT["text"], max_chars=live.TEXT_MAX, key=f"text-{key}")
            sent = st.form_submit_button(TXT["send"], type="primary", key=f"submit-{key}")
        if sent:
            try:
                submit(db, live_session.id, participant.id, index, text)
                live_watch.changed()
                mine = live.my_texts(db, participant.id, index, kind=kind)
            except live.AnswerClosed:
                slot.warning(TXT["closed"])
                return
            except live.LiveError as exc:
                slot.error(str(exc))
                return
    if mine:
        lines = "  \n".join(f"»{plain(t.text)}«" for t in mine)
        slot.success(f"{TXT['text_received']}  \n{lines}", icon=":material/mark_email_read:")


def my_standing(live_session: live.LiveSession, participant: live.Participant) -> None:
    """Own points and place after a reveal, when points are on."""
    if not live_session.points_enabled:
        return
    results = live.participant_results(db, live_session.id)
    place = live.place_of(results, participant.id)
    mine = next((r for r in results if r.participant_id == participant.id), None)
    if mine is not None and place is not None:
        st.markdown(TXT["standing"].format(points=mine.points or 0, place=place, people=len(results)))


def revealed(live_session: live.LiveSession, participant: live.Participant) -> None:
    """The right answer beside the person's own, in words: no greyed-out form to puzzle over.

    While the facilitator has the discussion open, its prompt and a text box come first.
    """
    question, index = lettered(live.shown_question(live_session)), live_session.current_index
    if live_session.discussing:
        writing(live_session, participant, question, kind=live.DISCUSSION_KIND)
        st.divider()
    st.markdown(f"## {escape_md(question.prompt)}")
    if live.is_open_question(question):
        texts = live.my_texts(db, participant.id, index)
        if texts:
            st.markdown("  \n".join(f"»{plain(t.text)}«" for t in texts))
        st.caption(TXT["wait_next"])
        return
    mine = live.answer_of(db, participant.id, index)
    my_standing(live_session, participant)
    if question.kind == "choice" or mine is None:  # a placing question's feedback quotes each statement
        st.markdown("\n\n".join(quote(item.text) for item in question.items))
    if mine is not None:
        render_feedback(live.explain(question, mine.answer, registry=registry), question, mine.answer)
    else:
        shown = live.explain(question, registry=registry)
        st.warning(TXT["no_answer"])
        st.markdown(TXT["right_answer"].format(answer=escape_md(shown.right_answer)))
        st.info(shown.explanation)
    st.caption(TXT["wait_next"])


def ended(live_session: live.LiveSession, participant: live.Participant) -> None:
    st.success(TXT["ended"], icon=":material/flag:")
    note = live.ending_note(live_session)
    if note is not None:
        st.info(str(note), icon=":material/info:")
    results = live.participant_results(db, live_session.id)
    place = live.place_of(results, participant.id)
    mine = next((r for r in results if r.participant_id == participant.id), None)
    scored = sum(1 for q in live_session.questions[: live_session.revealed_count] if not live.is_open_question(q))
    if mine is not None and scored:
        st.write(TXT["score"].format(correct=mine.correct, total=scored))
        if live_session.points_enabled and place is not None:
            if place == 1:
                st.success(TXT["winner"], icon=":material/emoji_events:")
            st.write(TXT["points"].format(points=mine.points, place=place, people=len(results)))
    if participant.user_id is not None:
        st.caption(TXT["saved"])


def live_view(session_id: int, participant_id: int, drawn_state: str) -> None:
    """The session as it is now, for this participant: a fragment, rerun by an answer or a push."""
    language.restore()  # the phone's language: a fragment's own run starts on a new thread, in Danish
    current = live.get_session(db, session_id)
    participant = live.get_participant(db, participant_id)
    if (
        current is None
        or participant is None
        or participant.removed
        or (current.state == "ended") != (drawn_state == "ended")
    ):
        st.rerun(scope="app")  # gone, removed or ended: the whole page changes (and stops looking for news)
    header = TXT["header"].format(code=current.code, name=plain(participant.display_name))
    if current.state in ("question", "revealed", "discussion"):
        position = TXT["position"].format(number=current.current_index + 1, total=len(current.questions))
        header += f"  \n:gray[{position}]"
    st.markdown(header)
    if current.state == "lobby":
        st.info(TXT["lobby"], icon=":material/hourglass_empty:")
    elif current.state == "question":
        answering(current, participant)
    elif current.state in live.SHOWN_ANSWER:
        revealed(current, participant)
    else:
        ended(current, participant)
    if current.state != "ended":
        live_watch.follow("live", current.id, current.version)


st.title(TXT["title"])
remember_browser()
participant = find_participant()
current = live.get_session(db, participant.session_id) if participant else None
if participant is not None and participant.removed:
    st.warning(str(live.LiveError("live.removed")), icon=":material/block:")
    participant = None
if participant is None or current is None:
    join_form()
else:
    every = None
    if current.state != "ended":
        people = live.pulse(db, current.id).participants
        every = live_watch.poll_every(poll_seconds(people), people=people)
    live_watch.fragment(live_view, every, current.id, participant.id, current.state)
    st.button(TXT["leave"], key="live_leave", on_click=forget)
