"""Facilitator: run a live quiz for a room, on a projector.

Create a session (a random draw or a saved plan, optionally with a timer and points), or resume an
open one; show the join code and QR code while people join, then per question the live
distribution of answers, the reveal with a discussion prompt, and the next question; at the end
the results and a CSV download. Everything is read from progress.db, so a reload (or another tab,
or another server process) shows the same session. The room's own screen is the lean stage
(``/storskaerm/<key>``, its link made on the stage page ``praesentation`` or the control page), and
the session can also be run from the control page (``styring``).
"""

import streamlit as st

from quiz import live
from quiz.i18n import messages, t
from quiz.learning.quizzes import QuizSpec
from quiz.plugins import UnknownPack, UnknownQuestionType
from quiz.ui import a11y, session
from quiz.ui.fmt import local_time
from quiz.ui.live import control as live_control
from quiz.ui.live import projector as live_projector
from quiz.ui.question_widget import escape_md

TXT = messages("facilitator")

user = session.require_facilitator()
db = session.db()
registry = session.registry()


def chosen_id() -> int | None:
    raw = st.session_state.get("live_facilitating") or st.query_params.get("session")
    try:
        return int(raw) if raw is not None else None
    except ValueError:
        return None


def choose(session_id: int | None) -> None:
    """Remember the session being run, also in the URL so that a reload comes back to it."""
    for key in ("live_facilitating", "live_people", "live_dist", "live_room_people"):
        st.session_state.pop(key, None)
    if session_id is None:
        st.query_params.pop("session", None)
    else:
        st.session_state["live_facilitating"] = session_id
        st.query_params["session"] = str(session_id)


# --- choosing a session ------------------------------------------------------------------------


def resume_list() -> None:
    sessions = live.open_sessions(db, user.id)
    if not sessions:
        return
    st.header(TXT["resume_head"], anchor=False)
    for s in sessions:
        left, right = st.columns([5, 1], vertical_alignment="center")
        left.markdown(
            TXT["resume_row"].format(
                code=s.code,
                title=escape_md(s.title),
                state=live.state_name(s.state),
                created=local_time(s.created_at),
                people=live.pulse(db, s.id).participants,
            )
        )
        if right.button(TXT["resume"], key=f"live_resume_{s.id}"):
            choose(s.id)
            st.rerun()


def new_session_form() -> None:
    st.header(TXT["new_head"], anchor=False)
    packs = registry.packs
    if not packs:
        st.error(TXT["no_packs"])
        return
    pack_id = st.selectbox(
        TXT["pack"],
        list(packs),
        format_func=lambda k: packs[k].title,
        placeholder=t("common.choose_one"),
        key="live_pack",
    )
    pack = packs[pack_id]
    plans = [p for p in live.plans_of(db, user.id) if p.pack_id == pack_id]
    plan_id = st.selectbox(
        TXT["source"],
        [None, *(p.id for p in plans)],
        format_func=lambda k: TXT["random"] if k is None else next(p.title for p in plans if p.id == k),
        help=TXT["source_help"],
        placeholder=t("common.choose_one"),
        key="live_plan_choice",
    )
    st.page_link("quiz/ui/pages/live_plan.py", label=TXT["plan_link"], icon=":material/edit_note:")
    with st.form("live_new"):
        title = st.text_input(TXT["name"], max_chars=80, help=TXT["name_help"], key="live_title")
        if plan_id is None:
            perspectives = st.multiselect(
                TXT["perspectives"],
                list(pack.perspectives),
                format_func=lambda k: f"{pack.perspectives[k].danish_name} ({pack.perspectives[k].name})",
                placeholder=TXT["all"],
                key="live_perspectives",
            )
            roles = st.multiselect(
                TXT["roles"],
                list(pack.roles),
                format_func=lambda k: pack.roles[k].name,
                placeholder=TXT["all"],
                key="live_roles",
            )
            types = st.multiselect(
                TXT["types"],
                list(registry.question_types),
                format_func=lambda k: registry.question_types[k].label,
                placeholder=TXT["all"],
                key="live_types",
            )
            length = st.number_input(TXT["length"], min_value=1, max_value=40, value=10, step=1, key="live_length")
        timed = st.toggle(TXT["timer"], help=TXT["timer_help"], key="live_timed")
        seconds = st.number_input(
            TXT["seconds"], min_value=5, max_value=live.MAX_TIMER_SECONDS, value=30, step=5, key="live_seconds"
        )
        auto = st.toggle(TXT["auto"], help=TXT["auto_help"], key="live_auto")
        anonymous = st.toggle(TXT["anonymous"], help=TXT["anonymous_help"], key="live_anonymous")
        points = st.toggle(TXT["points"], help=TXT["points_help"], key="live_points")
        submitted = st.form_submit_button(TXT["create"], type="primary")
    if not submitted:
        return
    clean_title = " ".join(title.split()) or None
    try:
        if plan_id is not None:
            plan = live.get_plan(db, plan_id)
            if plan is None:  # deleted in another tab meanwhile
                raise live.LiveError("live.plan_missing")
            spec = QuizSpec(pack_id=pack_id, length=len(plan.questions), title=clean_title or plan.title)
            questions = plan.questions
        else:
            spec = QuizSpec(
                pack_id=pack_id, perspectives=perspectives, roles=roles, types=types, length=int(length),
                title=clean_title,
            )  # fmt: skip
            questions = None
        created = live.create_session(
            db,
            user.id,
            spec,
            questions=questions,
            allow_anonymous=anonymous,
            points=points,
            timer_seconds=int(seconds) if timed else None,
            auto_reveal=auto,
            registry=registry,
        )
    except (live.LiveError, UnknownPack, UnknownQuestionType, ValueError) as exc:
        st.error(str(exc))
        return
    choose(created.id)
    st.rerun()


# --- running a session -------------------------------------------------------------------------


def screens_links(live_session: live.LiveSession) -> None:
    """The same session's stage screen (its link for the projector) or control page (laptop, phone)."""
    row = st.container(horizontal=True)
    row.page_link(
        "quiz/ui/pages/stage.py",
        label=TXT["presenter"],
        icon=":material/cast:",
        query_params={"session": str(live_session.id)},
    )
    row.page_link(
        "quiz/ui/pages/control.py",
        label=TXT["control"],
        icon=":material/tune:",
        query_params={"session": str(live_session.id)},
    )


def running(live_session: live.LiveSession) -> None:
    live_control.control_row(live_session)
    if live_session.state == live.State.LOBBY:
        live_projector.lobby_screen(live_session)
    elif live_session.state == live.State.QUESTION:
        live_control.time_up_note(live_session)
        live_projector.question_screen(live_session)
    else:
        live_projector.revealed_screen(live_session, db, registry)
    # Drawn only while open (its state is tracked, so a closed one costs one element, not ~15 and a
    # read of everyone in the room on every rerun of the projector).
    room = st.expander(TXT["room"], key="live_room_open", on_change="rerun")
    if not room.open:
        live_control.waiting_note(live_session)
    if room.open:
        with room:
            screens_links(live_session)
            live_control.room(live_session)
            live_control.moderation(live_session)
            live_control.reset(live_session)


def results(live_session: live.LiveSession) -> None:
    live_projector.ended_summary(db, live_session)
    if live_session.points_enabled:
        live_control.top_list(live_session, limit=10)
    live_control.results_tables(live_session)
    if st.button(TXT["new"], key="live_new_session"):
        choose(None)
        st.rerun()


live_projector.style()
session_id = chosen_id()
current = live.get_session(db, session_id) if session_id is not None else None
refusal = None
if session_id is not None and current is None:
    refusal = st.warning, TXT["gone"]
    choose(None)
if current is not None and not live.can_control(db, current, user.id):
    refusal = st.error, TXT["not_yours"]
    choose(None)
    current = None
# On the projector the session's own title heads the screen, small: the page title would only push
# the question and the buttons down.
if current is not None:
    a11y.small_title(escape_md(current.title))
else:
    st.title(TXT["title"])
live_control.flash()
if refusal:
    show, text = refusal
    show(text, icon=":material/block:")

if current is None:
    st.write(TXT["lead"])
    resume_list()
    new_session_form()
elif current.state == live.State.ENDED:
    results(current)
else:
    running(current)
