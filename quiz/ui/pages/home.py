"""Home: a greeting, the one next step that matters, where the person is, then the four perspectives.

The next step comes before the perspective tiles: on a phone the four tiles fill more than a
screen, and the way on must be on the first one.
"""

import streamlit as st

from quiz.hr import programme
from quiz.i18n import messages, t
from quiz.learning import attempts
from quiz.learning.intro import get_intro_step, intro_completed_at
from quiz.learning.mastery import role_goal, user_mastery
from quiz.learning.refresh import due_count
from quiz.store import utcnow
from quiz.ui import session
from quiz.ui.diagram import perspectives_html
from quiz.ui.question_widget import escape_md
from quiz.ui.role_picker import ensure_role

TXT = messages("forside")

user = ensure_role(session.require_user())
pack = session.current_pack()
db = session.db()

st.title(TXT["hello"].format(name=escape_md(user.display_name)))
st.markdown(TXT["lead"].format(title=pack.title))

st.header(TXT["next"], anchor=False)
unfinished = attempts.open_attempt(db, user.id, kind=("quiz", "refresh"))
intro_done = intro_completed_at(db, user.id, pack.id) is not None
due = due_count(db, user.id, pack, now=utcnow())
history = attempts.attempt_history(db, user.id, limit=1)

if unfinished is not None:
    st.page_link("quiz/ui/pages/quiz.py", label=TXT["continue_quiz"], icon=":material/quiz:")
elif not intro_done:
    label = TXT["continue_intro"] if get_intro_step(db, user.id, pack.id) else TXT["start_intro"]
    st.page_link("quiz/ui/pages/intro.py", label=label, icon=":material/explore:")
elif due:
    st.page_link("quiz/ui/pages/quiz.py", label=TXT["refresh"].format(n=due), icon=":material/autorenew:")
else:
    st.page_link(
        "quiz/ui/pages/quiz.py", label=TXT["new_quiz"] if history else TXT["first_quiz"], icon=":material/quiz:"
    )

# The programme's deadline beside the next step: an imported person should not have to find it on the profile.
standing = programme.standing(db, pack, user.id, today=programme.local_day(utcnow()))
if standing is not None and standing.status != "completed":
    deadline = standing.deadline.strftime("%d-%m-%Y")
    if standing.status == "overdue":
        st.warning(
            t("home.overdue", deadline=deadline, done=standing.done, total=len(standing.met)), icon=":material/flag:"
        )
    else:
        st.caption(t("home.deadline", deadline=deadline, done=standing.done, total=len(standing.met)))

if history:
    goal = user_mastery(db, user.id, pack).mean(role_goal(pack, user.role_key))
    st.progress(goal, text=TXT["mastery"].format(pct=round(goal * 100)))
    st.page_link("quiz/ui/pages/progress.py", label=TXT["progress"], icon=":material/trending_up:")

st.header(TXT["perspectives"], anchor=False)
st.html(perspectives_html(pack, highlight=None))
