"""Quizzes: choose one, answer one question at a time with immediate feedback, then a summary.

Every answer is stored before the feedback is shown, so a closed tab (or a restart) loses nothing:
the unfinished attempt resumes at the question where it stopped, with the same questions. A person
who leaves a quiz on purpose ("Forlad quizzen") is not pulled back into it; nor into one untouched
for days (``attempts.STALE_AFTER``).
"""

import random
import time

import streamlit as st

from quiz.i18n import messages, t
from quiz.learning import attempts
from quiz.learning.presets import PRESETS, build_spec, preset, shown_title
from quiz.learning.quizzes import QuizSpec, draw_questions
from quiz.learning.refresh import explanation, todays_refresh
from quiz.store import utcnow
from quiz.ui import language, session
from quiz.ui.question_widget import escape_md, render_feedback, render_question, show_statements
from quiz.ui.role_picker import ensure_role

TXT = messages("quiz")

user = ensure_role(session.require_user())
pack = session.current_pack()
db = session.db()
registry = session.registry()
st.title(TXT["title"])


def start(spec: QuizSpec, *, kind: str = "quiz") -> None:
    questions = draw_questions(spec, registry)
    if not questions:
        st.warning(TXT["none_drawn"])
        return
    st.session_state["quiz_attempt_id"] = attempts.start_attempt(db, user.id, spec, questions, kind=kind)
    st.session_state.pop("feedback", None)
    st.session_state.pop("quiz_resumed", None)
    st.rerun()


def to_menu() -> None:
    language.restore()
    st.session_state.pop("quiz_attempt_id", None)
    st.session_state.pop("feedback", None)
    st.session_state.pop("quiz_resumed", None)
    st.session_state["quiz_menu"] = True


def leave(attempt_id: int) -> None:
    """The person leaves the quiz on purpose: their answers stay, the quiz is no longer offered."""
    language.restore()
    attempts.abandon_attempt(db, user.id, attempt_id)
    to_menu()
    st.session_state["quiz_left"] = True


def resume(attempt_id: int) -> None:
    language.restore()
    st.session_state["quiz_attempt_id"] = attempt_id
    st.session_state["quiz_resumed"] = attempt_id
    st.session_state.pop("quiz_menu", None)


def menu() -> None:
    if st.session_state.pop("quiz_left", False):
        st.info(TXT["left"], icon=":material/logout:")
    unfinished = attempts.open_attempt(db, user.id, kind=("quiz", "refresh"))
    if unfinished is not None:
        title = shown_title(unfinished.spec["title"]) if unfinished.spec.get("title") else TXT["title"]
        st.button(
            TXT["resume_button"].format(title=title, n=unfinished.position + 1, total=len(unfinished.questions)),
            key="quiz_resume",
            icon=":material/play_arrow:",
            on_click=resume,
            args=(unfinished.id,),
        )
    due = todays_refresh(db, user.id, pack, now=utcnow())
    with st.container(border=True):
        st.header(f":material/autorenew: {TXT['refresh']}", anchor=False)
        if due:
            st.write(TXT["refresh_lead"].format(n=len(due)))
            if st.button(TXT["refresh_start"].format(n=min(len(due), 10)), key="refresh_start", type="primary"):
                spec = QuizSpec(
                    pack_id=pack.id,
                    statement_ids=due[:10],
                    length=min(len(due), 10),
                    types=["perspective", "role"],
                    seed=random.randrange(2**31),
                    title=TXT["refresh"],
                )
                start(spec, kind="refresh")
        else:
            st.write(TXT["refresh_none"])
        st.write(str(explanation()))

    st.header(TXT["choose"], anchor=False)
    key = st.radio(
        TXT["choose"],
        [p.key for p in PRESETS],
        format_func=lambda k: preset(k).title,
        captions=[p.description for p in PRESETS],
        key="preset",
        label_visibility="collapsed",
    )
    chosen = preset(key)
    choice = None
    if chosen.needs == "perspective":
        choice = st.selectbox(
            TXT["perspective"],
            list(pack.perspectives),
            format_func=lambda k: f"{pack.perspectives[k].danish_name} ({pack.perspectives[k].name})",
            placeholder=t("common.choose_one"),
            key="preset_perspective",
        )
    elif chosen.needs == "role":
        choice = st.selectbox(
            TXT["role"],
            list(pack.roles),
            format_func=lambda k: pack.roles[k].name,
            placeholder=t("common.choose_one"),
            key="preset_role",
        )
    length = st.segmented_control(TXT["length"], [5, 10, 20], default=10, key="preset_length") or 10
    if st.button(TXT["start"], type="primary", key="start_quiz"):
        start(
            build_spec(chosen, pack, own_role=user.role_key, choice=choice, length=length, seed=random.randrange(2**31))
        )


def summary(attempt: attempts.Attempt) -> None:
    result = attempts.summary(attempt)
    st.header(TXT["result"].format(pct=round(result.score * 100)), anchor=False)
    st.write(TXT["result_detail"].format(correct=result.correct, total=result.total))
    st.progress(result.score)
    if result.missed_statement_ids:
        st.subheader(TXT["repeat"], anchor=False)
        for sid in result.missed_statement_ids:
            s = pack.statements_by_id.get(sid)
            if s is None:
                continue
            p, r = pack.perspectives[s.perspective], pack.roles[s.role]
            st.markdown(f"- »{escape_md(s.text)}«  \n  *{r.name} · {p.danish_name} ({p.name})*")
    # Questions on the values point to no statement: nothing to list, and still not all right.
    if result.perfect:
        st.success(TXT["perfect"])
    elif not result.missed_statement_ids:
        st.info(t("quiz.not_all_right"))
    st.button(TXT["again"], key="quiz_again", type="primary", on_click=to_menu)


def play(attempt: attempts.Attempt) -> None:
    total = len(attempt.questions)
    feedback = st.session_state.get("feedback")
    if feedback and feedback["attempt_id"] == attempt.id:
        index = feedback["index"]
        st.progress((index + 1) / total, text=TXT["progress"].format(n=index + 1, total=total))
        question, stored = attempt.questions[index], attempt.answers[index]
        st.header(escape_md(question.prompt), anchor=False)
        if question.kind == "choice":
            show_statements(question)
        render_feedback(stored.grade, question, stored.answer, pack=pack, focus_key=f"{attempt.id}-{index}")
        label = TXT["see_result"] if attempt.finished_at else TXT["next"]
        if st.button(label, key="quiz_next", type="primary"):
            st.session_state.pop("feedback", None)
            st.rerun()
        return
    if attempt.finished_at:
        summary(attempt)
        return
    index = attempt.position
    st.progress(index / total, text=TXT["progress"].format(n=index + 1, total=total))
    shown = st.session_state.setdefault("shown_at", {}).setdefault(f"{attempt.id}-{index}", time.monotonic())
    answer = render_question(attempt.questions[index], key=f"{attempt.id}-{index}")
    if answer is not None:
        try:
            attempts.submit_answer(
                db, attempt.id, index, answer, time_taken_ms=int((time.monotonic() - shown) * 1000), registry=registry
            )
        except attempts.AttemptError:
            st.error(TXT["error"])
            return
        st.session_state["feedback"] = {"attempt_id": attempt.id, "index": index}
        st.session_state.pop("quiz_resumed", None)
        st.rerun()
    st.button(TXT["leave"], key="quiz_leave", icon=":material/logout:", on_click=leave, args=(attempt.id,))


attempt_id = st.session_state.get("quiz_attempt_id")
if attempt_id is None and not st.session_state.get("quiz_menu"):
    unfinished = attempts.open_attempt(db, user.id, kind=("quiz", "refresh"))
    if unfinished is not None:
        attempt_id = st.session_state["quiz_attempt_id"] = st.session_state["quiz_resumed"] = unfinished.id

current = None
if attempt_id is not None:
    try:
        current = attempts.get_attempt(db, attempt_id)
    except attempts.AttemptError:
        current = None
    if current is None or current.user_id != user.id:  # a person sees only their own attempts
        to_menu()
        current = None

if current is None:
    menu()
else:
    # Only when the person comes back to a quiz (a new visit, or "Fortsæt"), not on every question.
    resumed = st.session_state.get("quiz_resumed") == current.id
    if resumed and not current.finished_at and current.position > 0 and "feedback" not in st.session_state:
        title = current.spec.get("title") or TXT["title"]
        st.info(TXT["resume"].format(title=escape_md(title), n=current.position + 1, total=len(current.questions)))
    play(current)
