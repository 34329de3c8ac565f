"""Planlæg live-quiz: compose a session plan — pick questions by hand, order them, preview, save, reuse.

Questions come from the pack through the question types (filtered by perspective, role and type,
searched by text); open questions are written here; a random draw can fill the rest. The plan
being edited lives in this browser session until it is saved to progress.db (``quiz.live.plans``);
a saved plan is chosen on the facilitator page when a session is made.
"""

import hashlib
import json
import random

import streamlit as st

from quiz import live
from quiz.i18n import messages, t
from quiz.learning.quizzes import QuizSpec
from quiz.questions.base import Question
from quiz.ui import language, session
from quiz.ui.live.widgets import lettered, show_question
from quiz.ui.question_widget import escape_md, render_question

TXT = messages("live_plan")
SHOWN = 25

user = session.require_facilitator()
db = session.db()
registry = session.registry()


def items() -> list[dict]:
    return st.session_state.setdefault("live_plan_items", [])


def key_of(question: Question) -> str:
    """What makes a question the same question, whatever time limit the plan gave it."""
    data = question.to_dict()
    data["data"] = {k: v for k, v in data["data"].items() if k not in (live.SECONDS_KEY, live.APPROVE_KEY)}
    return json.dumps(data, sort_keys=True, ensure_ascii=False)


def set_seconds(index: int, widget: str) -> None:
    """Keep the time limit typed for question ``index`` with it (blank: the session's own timer)."""
    language.restore()
    seconds = st.session_state.get(widget)
    data = items()[index].setdefault("data", {})
    if seconds is None:
        data.pop(live.SECONDS_KEY, None)
    else:
        data[live.SECONDS_KEY] = int(seconds)


def set_approve(index: int, widget: str) -> None:
    """Keep whether the room's texts to question ``index`` wait for approval before they show."""
    language.restore()
    items()[index].setdefault("data", {})[live.APPROVE_KEY] = bool(st.session_state.get(widget))


def load(plan_id: int | None) -> None:
    plan = live.get_plan(db, plan_id) if plan_id is not None else None
    st.session_state["live_plan_items"] = [q.to_dict() for q in plan.questions] if plan else []
    st.session_state["live_plan_id"] = plan.id if plan else None
    st.session_state["live_plan_title"] = plan.title if plan else ""


def move(index: int, step: int) -> None:
    language.restore()
    plan = items()
    target = index + step
    if 0 <= target < len(plan):
        plan[index], plan[target] = plan[target], plan[index]


def summary(question: Question) -> str:
    kind = TXT["open_kind"] if live.is_open_question(question) else registry.question_types.get(question.type)
    label = kind if isinstance(kind, str) else (kind.label if kind else question.type)
    first = question.items[0].text if question.items else ""
    extra = f" – »{escape_md(first[:90])}{'…' if len(first) > 90 else ''}«" if first else ""
    return f"**{escape_md(label)}:** {escape_md(question.prompt)}{extra}"


def preview(question: Question, key: str) -> None:
    """Exactly what the projector and a phone will show."""
    left, right = st.columns(2)
    with left:
        st.caption(TXT["projector"])
        show_question(question)
    with right:
        st.caption(TXT["phone"])
        if live.is_open_question(question):
            st.markdown(f"### {escape_md(question.prompt)}")
            st.text_input(TXT["phone_text"], disabled=True, key=f"pv-text-{key}")
        else:
            render_question(lettered(question), key=f"pv-{key}", disabled=True)


st.title(TXT["title"])
st.write(TXT["lead"])
packs = registry.packs
if not packs:
    st.error(TXT["no_packs"])
    st.stop()
saved = live.plans_of(db, user.id)
top_left, top_right = st.columns([3, 1], vertical_alignment="bottom")
editing = top_left.selectbox(
    TXT["edit"],
    [None, *(p.id for p in saved)],
    format_func=lambda k: TXT["new_plan"] if k is None else next(p.title for p in saved if p.id == k),
    placeholder=t("common.choose_one"),
    key="live_plan_pick",
)
if editing != st.session_state.get("live_plan_id", None) and st.session_state.get("live_plan_loaded") != editing:
    load(editing)
    st.session_state["live_plan_loaded"] = editing
pack_id = st.selectbox(
    TXT["pack"],
    list(packs),
    format_func=lambda k: packs[k].title,
    placeholder=t("common.choose_one"),
    key="live_plan_pack",
)
pack = packs[pack_id]

plan_col, pick_col = st.columns([1, 1], gap="large")
with pick_col:
    st.header(TXT["pick_head"], anchor=False)
    a, b, c = st.columns(3)
    perspectives = a.multiselect(
        TXT["perspectives"], list(pack.perspectives),
        format_func=lambda k: pack.perspectives[k].danish_name, placeholder=TXT["all"], key="live_plan_persp",
    )  # fmt: skip
    roles = b.multiselect(
        TXT["roles"], list(pack.roles), format_func=lambda k: pack.roles[k].name,
        placeholder=TXT["all"], key="live_plan_roles",
    )  # fmt: skip
    types = c.multiselect(
        TXT["types"], list(registry.question_types), format_func=lambda k: registry.question_types[k].label,
        placeholder=TXT["all"], key="live_plan_types",
    )  # fmt: skip
    search = st.text_input(TXT["search"], key="live_plan_search", placeholder=TXT["search_hint"])
    spec = QuizSpec(pack_id=pack_id, perspectives=perspectives, roles=roles, types=types, length=40, seed=1)
    try:
        found = live.candidates(spec, registry, search=search)
    except ValueError as exc:
        found = []
        st.error(str(exc))
    taken = {key_of(Question.from_dict(d)) for d in items()}
    free = [q for q in found if key_of(q) not in taken]
    st.caption(TXT["found"].format(n=len(free)))
    for i, question in enumerate(free[:SHOWN]):
        left, right = st.columns([6, 1], vertical_alignment="center")
        left.markdown(summary(question))
        if right.button(TXT["add"], key=f"live_plan_add_{i}"):
            items().append(question.to_dict())
            st.rerun()
    with st.form("live_plan_fill", border=False):
        count = st.number_input(TXT["fill_count"], min_value=1, max_value=20, value=3, key="live_plan_fill_n")
        if st.form_submit_button(TXT["fill"]):
            for question in random.Random().sample(free, min(int(count), len(free))):
                items().append(question.to_dict())
            st.rerun()
    st.header(TXT["open_head"], anchor=False)
    with st.form("live_plan_open", clear_on_submit=True):
        prompt = st.text_input(TXT["open_prompt"], max_chars=300, key="live_plan_open_prompt")
        shape = st.radio(
            TXT["open_shape"], ["cloud", "list"], format_func=lambda k: TXT[f"open_{k}"], horizontal=True,
            key="live_plan_open_shape",
        )  # fmt: skip
        if st.form_submit_button(TXT["open_add"]):
            try:
                items().append(live.open_question(prompt, pack_id=pack_id, cloud=shape == "cloud").to_dict())
                st.rerun()
            except live.LiveError as exc:
                st.error(str(exc))

with plan_col:
    st.header(TXT["plan_head"].format(n=len(items())), anchor=False)
    if not items():
        st.caption(TXT["empty"])
    for i, data in enumerate(list(items())):
        question = Question.from_dict(data)
        with st.container(border=True):
            line, up, down, out = st.columns([8, 1, 1, 1], vertical_alignment="center")
            line.markdown(f"**{i + 1}.** {summary(question)}")
            up.button("↑", key=f"live_plan_up_{i}", on_click=move, args=(i, -1), help=TXT["up"], disabled=i == 0)
            down.button(
                "↓", key=f"live_plan_down_{i}", on_click=move, args=(i, 1), help=TXT["down"],
                disabled=i == len(items()) - 1,
            )  # fmt: skip
            if out.button("✕", key=f"live_plan_out_{i}", help=TXT["remove"]):
                items().pop(i)
                st.rerun()
            # Keyed by the question, not its place: moving it up or down keeps its time with it.
            widget = "live_plan_secs_" + hashlib.sha1(key_of(question).encode()).hexdigest()[:12]
            st.number_input(
                TXT["seconds"],
                min_value=0,
                max_value=live.MAX_TIMER_SECONDS,
                value=data.get("data", {}).get(live.SECONDS_KEY),
                step=5,
                help=TXT["seconds_help"],
                key=widget,
                on_change=set_seconds,
                args=(i, widget),
            )
            approve = "live_plan_approve_" + hashlib.sha1(key_of(question).encode()).hexdigest()[:12]
            st.toggle(
                TXT["approve"],
                value=bool(data.get("data", {}).get(live.APPROVE_KEY, live.is_open_question(question))),
                help=TXT["approve_help"],
                key=approve,
                on_change=set_approve,
                args=(i, approve),
            )
            with st.expander(TXT["preview"]):
                preview(question, f"{i}")
    with st.form("live_plan_save"):
        title = st.text_input(
            TXT["plan_title"], value=st.session_state.get("live_plan_title", ""), max_chars=80, key="live_plan_name"
        )
        if st.form_submit_button(TXT["save"], type="primary"):
            try:
                plan = live.save_plan(
                    db, user.id, pack_id, title, [Question.from_dict(d) for d in items()],
                    plan_id=st.session_state.get("live_plan_id"),
                )  # fmt: skip
            except live.LiveError as exc:
                st.error(str(exc))
            else:
                st.session_state["live_plan_id"] = plan.id
                st.session_state["live_plan_title"] = plan.title
                st.success(TXT["saved"].format(title=escape_md(plan.title)), icon=":material/check_circle:")
