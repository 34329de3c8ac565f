"""My progress: mastery overall, per perspective and role, the heat map, history and what is due."""

import html

import pyarrow as pa
import streamlit as st

from quiz.i18n import messages
from quiz.learning import attempts, presets
from quiz.learning.intro import get_intro_step, intro_completed_at
from quiz.learning.mastery import role_goal, user_mastery
from quiz.learning.refresh import due_count, explanation
from quiz.store import utcnow
from quiz.ui import charts, session
from quiz.ui.fmt import local_time, pct

TXT = messages("fremskridt")

user = session.require_user()
pack = session.current_pack()
db = session.db()
st.title(TXT["title"])

mastery = user_mastery(db, user.id, pack)
due = due_count(db, user.id, pack, now=utcnow())
done_at = intro_completed_at(db, user.id, pack.id)

# One HTML block for the three figures (charts.figures_html): three elements fewer on every run.
st.html(
    charts.figures_html(
        [
            (TXT["overall"], f"{round(mastery.overall * 100)} %", None),
            (TXT["own"], f"{round(mastery.mean(role_goal(pack, user.role_key)) * 100)} %", None),
            (TXT["due"], due, None),
        ]
    )
)

st.header(TXT["continue"], anchor=False)
unfinished = attempts.open_attempt_summary(db, user.id, kind=("quiz", "refresh"))
if unfinished is not None:
    label = TXT["continue_quiz"].format(
        title=presets.shown_title(unfinished.title) if unfinished.title else TXT["your_quiz"],
        n=unfinished.position + 1,
        total=unfinished.total,
    )
    st.page_link("quiz/ui/pages/quiz.py", label=label, icon=":material/quiz:")
elif done_at is None:
    step = get_intro_step(db, user.id, pack.id)
    st.page_link(
        "quiz/ui/pages/intro.py",
        label=f"{TXT['continue_intro']} ({TXT['intro_step'].format(n=step + 1, total=len(pack.intro))})",
        icon=":material/explore:",
    )
elif due:
    st.page_link("quiz/ui/pages/quiz.py", label=TXT["refresh"].format(n=due), icon=":material/autorenew:")
else:
    st.page_link("quiz/ui/pages/quiz.py", label=TXT["new_quiz"], icon=":material/quiz:")
st.write(str(explanation()))


# The labelled bars per perspective and per role, and the role × perspective grid, as one HTML block
# with their headings, rather than one st.progress per group in two columns, headers, the grid's help
# and legend as elements of their own: on every run ~17 elements fewer, read the same by a screen
# reader (each bar is a progressbar with its value, each heading an h2).
grid = (
    f"<p>{html.escape(TXT['grid_help'])}</p>"
    + charts.mastery_grid(mastery, pack)
    + f'<p style="font-size:.875rem">{charts.grid_legend_html(pack)}</p>'
)
st.html(
    charts.side_by_side(
        [
            (
                TXT["per_perspective"],
                charts.bars_html(mastery.by_perspective, {k: p.danish_name for k, p in pack.perspectives.items()}),
            ),
            (TXT["per_role"], charts.bars_html(mastery.by_role, {k: r.name for k, r in pack.roles.items()})),
        ]
    )
    + charts.side_by_side([(TXT["grid"], grid)], css=False)
)

st.header(TXT["history"], anchor=False)
history = attempts.attempt_history(db, user.id)
if not history:
    st.write(TXT["no_history"])
else:
    status = {"open": TXT["unfinished"], "abandoned": TXT["abandoned"]}
    rows = [
        {
            TXT["col_title"]: presets.shown_title(h.title),
            TXT["col_started_at"]: local_time(h.started_at),
            TXT["col_answered"]: TXT["answered"].format(answered=h.answered, total=h.total),
            # Text in every cell: a column mixing numbers and words can't be shown as one type.
            TXT["col_score"]: pct(h.score) if h.status == "finished" else status[h.status],
        }
        for h in history
    ]
    # A plain table (not the canvas grid): screen readers and phones read it as text. An Arrow
    # table goes to the browser as it is; a pandas frame cost a few ms to convert on every run.
    st.table(pa.Table.from_pylist(rows), hide_index=True, border="horizontal")
