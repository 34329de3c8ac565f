"""Facilitator: run a live quiz for a room, on a projector.

Create a session (or resume an open one), show the join code and QR code while people join, then
per question: the live distribution of answers, the reveal with explanation and a discussion
prompt, and the next question; at the end the results and a CSV download. Everything is read from
progress.db, so a reload (or another tab, or another server process) shows the same session.

The changing parts are fragments that read three numbers (:func:`quiz.live.pulse`) and fetch the
names or the distribution only when one of them changed; a changed version means the session moved
on elsewhere, and the whole page reruns. The server pushes a rerun of these fragments when the
numbers change (:mod:`quiz.ui.live_watch`, at most twice a second); without push they poll.
"""

import streamlit as st

from quiz import live
from quiz.plugins import UnknownPack, UnknownQuestionType
from quiz.quizzes import QuizSpec
from quiz.ui import live_watch, session
from quiz.ui.fmt import local_time, pct
from quiz.ui.live_widgets import (
    big_code,
    discussion_prompt,
    distribution_charts,
    join_link,
    qr_png,
    show_question,
)
from quiz.ui.question_widget import escape_md

TXT = {
    "title": "Facilitator: live-quiz",
    "lead": "Kør en live-quiz for et hold: deltagerne svarer på telefonen, og du viser fordelingen på skærmen.",
    "resume_head": "Dine åbne live-quizzer",
    "resume_row": "**{code}** · {title} · {state} · oprettet {created} · {people} deltagere",
    "resume": "Genoptag",
    "new_head": "Ny live-quiz",
    "pack": "Indholdspakke",
    "name": "Titel (valgfri)",
    "name_help": "Vises for deltagerne, fx »Lederdag 12. juni«.",
    "perspectives": "Perspektiver",
    "roles": "Roller",
    "types": "Spørgsmålstyper",
    "all": "Tom = alle",
    "length": "Antal spørgsmål",
    "anonymous": "Tillad deltagere, der ikke er logget ind",
    "anonymous_help": "De skriver blot et navn. Kun svar fra deltagere, der er logget ind, gemmes i deres fremskridt.",
    "points": "Point og topliste",
    "create": "Opret live-quiz",
    "join_at": "Scan QR-koden, eller gå til **{link}** og skriv koden ovenfor.",
    "qr": "QR-kode til at deltage",
    "joined": "Deltagere",
    "waiting": "Venter på deltagere …",
    "more": "… og {n} flere",
    "start": "Start quizzen",
    "reveal": "Vis svaret",
    "next": "Næste spørgsmål",
    "finish": "Afslut og vis resultater",
    "end": "Afslut",
    "answered": "{answered} af {participants} har svaret",
    "position": "Kode **{code}** · spørgsmål {number} af {total}",
    "right_answer": "**Rigtigt svar:** {answer}",
    "discuss": ":material/forum: **Til drøftelse:** {prompt}",
    "top": "Topliste",
    "points_unit": "{points} point",
    "ended": "Live-quizzen er slut.",
    "by_question": "Resultat pr. spørgsmål",
    "by_person": "Resultat pr. deltager",
    "download": "Hent resultater (CSV)",
    "new": "Start en ny live-quiz",
    "not_yours": "Du kan kun styre dine egne live-quizzer.",
    "gone": "Live-quizzen findes ikke længere.",
    "col_no": "Nr.",
    "col_question": "Spørgsmål",
    "col_answered": "Svar",
    "col_correct": "Helt rigtige",
    "col_mean": "Gennemsnit",
    "col_name": "Deltager",
    "col_signed_in": "Logget ind",
    "col_points": "Point",
    "yes": "ja",
    "no": "nej",
}
NAMES_SHOWN = 120
# The chart's hover toolbar (table view, download, full screen) only gets in the way on a projector.
PROJECTOR_CSS = '<style>.st-key-live_chart [data-testid="stElementToolbar"] {display:none}</style>'

st.set_page_config(layout="wide")

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
    for key in ("live_facilitating", "live_people", "live_dist"):
        st.session_state.pop(key, None)
    if session_id is None:
        st.query_params.pop("session", None)
    else:
        st.session_state["live_facilitating"] = session_id
        st.query_params["session"] = str(session_id)


def act(action, live_session: live.LiveSession, **kwargs) -> None:
    """Run a state change as this user; a refusal is shown on the next run."""
    try:
        action(db, live_session.id, actor_id=user.id, **kwargs)
    except live.LiveError as exc:
        st.session_state["live_flash"] = str(exc)
    else:
        live_watch.changed()  # the phones: push now, not at the watcher's next look
    st.rerun()


# --- choosing a session ------------------------------------------------------------------------


def resume_list() -> None:
    sessions = live.open_sessions(db, user.id)
    if not sessions:
        return
    st.subheader(TXT["resume_head"])
    for s in sessions:
        left, right = st.columns([5, 1], vertical_alignment="center")
        left.markdown(
            TXT["resume_row"].format(
                code=s.code,
                title=escape_md(s.title),
                state=live.STATE_NAMES[s.state],
                created=local_time(s.created_at),
                people=live.pulse(db, s.id).participants,
            )
        )
        if right.button(TXT["resume"], key=f"live_resume_{s.id}"):
            choose(s.id)
            st.rerun()


def new_session_form() -> None:
    st.subheader(TXT["new_head"])
    packs = registry.packs
    if not packs:
        st.error("Der er ingen gyldige indholdspakker. Kør `python -m quiz validate` for at se hvorfor.")
        return
    pack_id = st.selectbox(TXT["pack"], list(packs), format_func=lambda k: packs[k].title, key="live_pack")
    pack = packs[pack_id]
    with st.form("live_new"):
        title = st.text_input(TXT["name"], max_chars=80, help=TXT["name_help"], key="live_title")
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
        anonymous = st.toggle(TXT["anonymous"], help=TXT["anonymous_help"], key="live_anonymous")
        points = st.toggle(TXT["points"], key="live_points")
        submitted = st.form_submit_button(TXT["create"], type="primary")
    if not submitted:
        return
    spec = QuizSpec(
        pack_id=pack_id,
        perspectives=perspectives,
        roles=roles,
        types=types,
        length=int(length),
        title=" ".join(title.split()) or None,
    )
    try:
        created = live.create_session(db, user.id, spec, allow_anonymous=anonymous, points=points, registry=registry)
    except (live.LiveError, UnknownPack, UnknownQuestionType, ValueError) as exc:
        st.error(str(exc))
        return
    choose(created.id)
    st.rerun()


# --- running a session -------------------------------------------------------------------------


def lobby_people(session_id: int, version: int) -> None:
    conn = session.db()  # a fragment rerun may run in another thread than the run that defined it
    now = live.pulse(conn, session_id)
    if now.version != version:
        st.rerun()
    live_watch.follow("live-pulse", session_id, now)
    cached = st.session_state.get("live_people")
    if cached is None or cached[0] != (session_id, now.participants):
        names = [p.display_name for p in live.participants(conn, session_id)]
        st.session_state["live_people"] = cached = ((session_id, now.participants), names)
    names = cached[1]
    st.metric(TXT["joined"], len(names))
    if not names:
        st.caption(TXT["waiting"])
        return
    shown = " · ".join(escape_md(n) for n in names[-NAMES_SHOWN:])
    if len(names) > NAMES_SHOWN:
        shown += " " + TXT["more"].format(n=len(names) - NAMES_SHOWN)
    st.markdown(shown)


def answers_panel(live_session: live.LiveSession, question, *, revealed: bool) -> None:
    """The distribution so far; fetched again only when the number of answers changed."""
    conn = session.db()  # also runs inside a fragment: this thread's connection
    now = live.pulse(conn, live_session.id)
    if now.version != live_session.version:
        st.rerun()
    live_watch.follow("live-pulse", live_session.id, now)  # a no-op outside a fragment
    key = (live_session.id, live_session.current_index, now.answered, now.participants)
    cached = st.session_state.get("live_dist")
    if cached is None or cached[0] != key:
        cached = (key, live.distribution(conn, live_session.id, live_session.current_index))
        st.session_state["live_dist"] = cached
    dist = cached[1]
    st.progress(
        dist.answered / dist.participants if dist.participants else 0.0,
        text=TXT["answered"].format(answered=dist.answered, participants=dist.participants),
    )
    with st.container(key="live_chart"):
        for chart in distribution_charts(question, dist, revealed=revealed):
            st.vega_lite_chart(spec=chart, width="stretch")


def live_answers(live_session: live.LiveSession) -> None:
    # The session object may be stale on later fragment runs; answers_panel reruns the page if so.
    answers_panel(live_session, live_session.current_question, revealed=False)


def watch(session_id: int, version: int) -> None:
    """Another tab (or a co-facilitator) may move the session on."""
    now = live.session_version(session.db(), session_id)
    if now != version:
        st.rerun()
    live_watch.follow("live", session_id, now)


def lobby(live_session: live.LiveSession) -> None:
    link = join_link(live_session.code)
    big_code(live_session.code)
    left, right = st.columns([3, 2], vertical_alignment="center")
    with left:
        st.markdown(TXT["join_at"].format(link=escape_md(link)))
        st.fragment(lobby_people, run_every=live_watch.poll_every(2))(live_session.id, live_session.version)
    with right:
        st.image(qr_png(link), caption=TXT["qr"], width=340)
    a, b = st.columns(2)
    if a.button(TXT["start"], type="primary", key="live_start", width="stretch"):
        act(live.start, live_session)
    if b.button(TXT["end"], key="live_end", width="stretch"):
        act(live.end, live_session)


def controls(live_session: live.LiveSession) -> None:
    """Where the room is, and the facilitator's buttons, in one row above the question: always in reach."""
    info, first, second = st.columns([4, 2, 1], vertical_alignment="center")
    info.markdown(
        TXT["position"].format(
            code=live_session.code, number=live_session.current_index + 1, total=len(live_session.questions)
        )
    )
    if live_session.state == "question":
        if first.button(TXT["reveal"], type="primary", key="live_reveal", width="stretch"):
            act(live.reveal, live_session, registry=registry)
    elif live_session.is_last_question:
        if first.button(TXT["finish"], type="primary", key="live_finish", width="stretch"):
            act(live.end, live_session)
        return
    elif first.button(TXT["next"], type="primary", key="live_next", width="stretch"):
        act(live.next_question, live_session)
    if second.button(TXT["end"], key="live_end", width="stretch"):
        act(live.end, live_session)


def question_view(live_session: live.LiveSession) -> None:
    question = live_session.current_question
    index = live_session.current_index
    controls(live_session)
    left, right = st.columns(2, gap="large")
    with left:
        show_question(question)
    with right:
        if live_session.state == "question":
            st.fragment(live_answers, run_every=live_watch.poll_every(1))(live_session)
            return
        answers_panel(live_session, question, revealed=True)

    st.fragment(watch, run_every=live_watch.poll_every(3))(live_session.id, live_session.version)
    shown = live.explain(question, registry=registry)
    left, right = st.columns(2, gap="large")
    with left:
        st.success(TXT["right_answer"].format(answer=escape_md(shown.right_answer)), icon=":material/check_circle:")
        if shown.explanation:
            st.info(shown.explanation)
    with right:
        pack = registry.packs.get(question.pack_id)
        prompt = discussion_prompt(pack.manifest.discussion_prompts if pack else [], index, question)
        if prompt:
            st.markdown(TXT["discuss"].format(prompt=escape_md(prompt)))
        if live_session.points_enabled:
            top_list(live_session, limit=5)


def top_list(live_session: live.LiveSession, *, limit: int) -> None:
    st.markdown(f"**{TXT['top']}**")
    lines = [
        f"**{i + 1}.** {escape_md(r.display_name)} – {TXT['points_unit'].format(points=r.points)}"
        for i, r in enumerate(live.leaderboard(db, live_session.id, limit=limit))
    ]
    st.markdown("  \n".join(lines) or TXT["waiting"])


def results(live_session: live.LiveSession) -> None:
    st.success(TXT["ended"], icon=":material/flag:")
    if live_session.points_enabled:
        top_list(live_session, limit=10)
    st.subheader(TXT["by_question"])
    # A static table: the questions are long, and it wraps them instead of pushing columns off screen.
    st.table(
        [
            {
                TXT["col_no"]: r.question_index + 1,
                TXT["col_question"]: r.prompt,
                TXT["col_answered"]: r.answered,
                TXT["col_correct"]: r.correct,
                TXT["col_mean"]: pct(r.mean_score),
            }
            for r in live.question_results(db, live_session.id)
        ],
        hide_index=True,
    )
    st.subheader(TXT["by_person"])
    people = live.participant_results(db, live_session.id)
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
    st.download_button(
        TXT["download"],
        live.results_csv(db, live_session.id).encode("utf-8"),  # the text starts with a byte-order mark
        file_name=f"live-quiz-{live_session.code}.csv",
        mime="text/csv",
        key="live_download",
    )
    if st.button(TXT["new"], key="live_new_session"):
        choose(None)
        st.rerun()


st.html(PROJECTOR_CSS)
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
# On the projector the session's own title heads the screen; the page title would only push the
# question and the buttons down.
st.title(escape_md(current.title) if current is not None else TXT["title"])
flash = st.session_state.pop("live_flash", None)
if flash:
    st.warning(flash)
if refusal:
    show, text = refusal
    show(text, icon=":material/block:")

if current is None:
    st.write(TXT["lead"])
    resume_list()
    new_session_form()
elif current.state == "lobby":
    lobby(current)
elif current.state in ("question", "revealed"):
    question_view(current)
else:
    results(current)
