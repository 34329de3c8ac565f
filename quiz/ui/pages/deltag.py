"""Deltag: take part in a live quiz on a phone, signed in or (when the session allows it) by name.

Open to everyone. The participant's token is kept in the URL (``?p=…``), so a reload or a lost
connection comes back to the same place with the answers kept; a signed-in person is also found by
their account. Everything after joining is one fragment: an answer reruns only it, and when the
facilitator moves the session on, the server pushes a rerun of it (:mod:`quiz.ui.live_watch`)
instead of every phone asking every few seconds. Without push (AppTest) the fragment polls.
"""

import streamlit as st

from quiz import live
from quiz.ui import live_watch, session
from quiz.ui.live_widgets import answer_text, prefill
from quiz.ui.question_widget import escape_md, quote, render_feedback, render_question

TXT = {
    "title": "Deltag i live-quiz",
    "lead": "Skriv koden, som facilitatoren viser på skærmen.",
    "code": "Kode",
    "code_help": "6 tegn, fx K7MPX3. Store og små bogstaver er lige gode.",
    "name": "Dit navn",
    "name_help": "Vises for facilitatoren og på en eventuel topliste.",
    "anonymous_hint": "Du er ikke logget ind. Skriv dit navn, eller log ind, så dine svar gemmes i dine fremskridt.",
    "as_user": "Du deltager som **{name}**.",
    "join": "Deltag",
    "header": "Kode **{code}** · du deltager som **{name}**",
    "position": "Spørgsmål {number} af {total}",
    "lobby": "Du er med! Vent på, at facilitatoren starter quizzen.",
    "received": "Dit svar er modtaget – du kan ændre det, indtil svaret vises.",
    "your_answer": "Dit svar: {answer}",
    "closed": "Der er lukket for svar på dette spørgsmål.",
    "no_answer": "Du nåede ikke at svare på dette spørgsmål.",
    "right_answer": "Rigtigt svar: {answer}",
    "wait_next": "Vent på næste spørgsmål …",
    "ended": "Live-quizzen er slut. Tak, fordi du var med!",
    "score": "Du havde {correct} af {total} spørgsmål helt rigtige.",
    "points": "Du fik {points} point og blev nr. {place} af {people}.",
    "saved": "Dine svar er gemt i dine fremskridt.",
    "leave": "Deltag med en anden kode",
}

user = session.current_user()
db = session.db()
registry = session.registry()


def forget() -> None:
    """Leave this session on this device (the answers stay stored)."""
    st.query_params.pop("p", None)
    st.query_params.pop("kode", None)
    st.session_state["live_left"] = True


def find_participant() -> live.Participant | None:
    """This browser's place in a session: by the token in the URL, else by the signed-in account."""
    found = live.participant_for_token(db, st.query_params.get("p"))
    # A token of somebody's account works only for that account (a shared link is no way in).
    if found is not None and found.user_id is not None and (user is None or found.user_id != user.id):
        found = None
    if found is None and user is not None and not st.session_state.get("live_left"):
        found = live.active_participation(db, user.id)
    wanted = live.normalize_code(st.query_params.get("kode"))
    if found is not None and wanted:
        joined = live.get_session(db, found.session_id)
        if joined is None or joined.code != wanted:  # the link is for another session: join that one
            return None
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
            st.caption(TXT["as_user"].format(name=escape_md(user.display_name)))
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


def answering(live_session: live.LiveSession, participant: live.Participant) -> None:
    question, index = live_session.current_question, live_session.current_index
    key = f"live-{live_session.id}-{index}"
    mine = live.answer_of(db, participant.id, index)
    prefill(question, key=key, answer=mine.answer if mine else None)
    answer = render_question(question, key=key)
    if answer is not None:
        try:
            mine = live.submit_answer(db, live_session.id, participant.id, index, answer, registry=registry)
            live_watch.changed()  # the facilitator's count
        except live.AnswerClosed:  # revealed meanwhile: the push shows the answer
            st.warning(TXT["closed"])
        except live.LiveError as exc:
            st.error(str(exc))
    if mine is not None:
        # One element, not two: every element is a message to each of up to 300 phones.
        your = TXT["your_answer"].format(answer=answer_text(question, mine.answer))
        st.success(f"{TXT['received']}  \n{your}", icon=":material/mark_email_read:")


def revealed(live_session: live.LiveSession, participant: live.Participant) -> None:
    """The right answer beside the person's own, in words: no greyed-out form to puzzle over."""
    question, index = live_session.current_question, live_session.current_index
    mine = live.answer_of(db, participant.id, index)
    st.markdown(f"#### {escape_md(question.prompt)}")
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
    results = live.participant_results(db, live_session.id)
    place = next((i for i, r in enumerate(results) if r.participant_id == participant.id), None)
    if place is not None and live_session.revealed_count:
        mine = results[place]
        st.write(TXT["score"].format(correct=mine.correct, total=live_session.revealed_count))
        if live_session.points_enabled:
            st.write(TXT["points"].format(points=mine.points, place=place + 1, people=len(results)))
    if participant.user_id is not None:
        st.caption(TXT["saved"])


def live_view(session_id: int, participant_id: int, drawn_state: str) -> None:
    """The session as it is now, for this participant: a fragment, rerun by an answer or a push."""
    current = live.get_session(db, session_id)
    participant = live.get_participant(db, participant_id)
    if current is None or participant is None or (current.state == "ended") != (drawn_state == "ended"):
        st.rerun(scope="app")  # gone, or ended: the whole page changes (and stops looking for news)
    header = TXT["header"].format(code=current.code, name=escape_md(participant.display_name))
    if current.state in ("question", "revealed"):
        position = TXT["position"].format(number=current.current_index + 1, total=len(current.questions))
        header += f"  \n:gray[{position}]"
    st.markdown(header)
    if current.state == "lobby":
        st.info(TXT["lobby"], icon=":material/hourglass_empty:")
    elif current.state == "question":
        answering(current, participant)
    elif current.state == "revealed":
        revealed(current, participant)
    else:
        ended(current, participant)
    if current.state != "ended":
        live_watch.follow("live", current.id, current.version)


st.title(TXT["title"])
participant = find_participant()
current = live.get_session(db, participant.session_id) if participant else None
if participant is None or current is None:
    join_form()
else:
    every = None
    if current.state != "ended":
        people = live.pulse(db, current.id).participants
        every = live_watch.poll_every(poll_seconds(people), people=people)
    st.fragment(live_view, run_every=every)(current.id, participant.id, current.state)
    st.button(TXT["leave"], key="live_leave", on_click=forget)
