"""Home: a greeting, where the person is, and the one next step that matters."""

import streamlit as st

from quiz import attempts
from quiz.mastery import role_goal, user_mastery
from quiz.refresh import due_count
from quiz.store import get_intro_step, intro_completed_at, utcnow
from quiz.ui import session
from quiz.ui.diagram import perspectives_html
from quiz.ui.question_widget import escape_md
from quiz.ui.role_picker import ensure_role

TXT = {
    "hello": "Hej, {name}",
    "lead": "Her lærer du **{title}** at kende: Hvidovre Kommunes ledelses- og medarbejdergrundlag og dets fire "
    "perspektiver. Vores værdier er dialog, åbenhed og engagement.",
    "next": "Dit næste skridt",
    "start_intro": "Start introduktionen",
    "continue_intro": "Fortsæt introduktionen",
    "continue_quiz": "Fortsæt din quiz",
    "refresh": "Genopfrisk {n} udsagn",
    "first_quiz": "Tag din første quiz",
    "new_quiz": "Tag en quiz",
    "mastery": "Du kender {pct} % af udsagnene for din rolle og for alle ansatte.",
    "progress": "Se dine fremskridt",
}

user = ensure_role(session.require_user())
pack = session.current_pack()
db = session.db()

st.title(TXT["hello"].format(name=escape_md(user.display_name)))
st.markdown(TXT["lead"].format(title=pack.title))
st.html(perspectives_html(pack, highlight=None))

st.subheader(TXT["next"])
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

if history:
    goal = user_mastery(db, user.id, pack).mean(role_goal(pack, user.role_key))
    st.progress(goal, text=TXT["mastery"].format(pct=round(goal * 100)))
    st.page_link("quiz/ui/pages/fremskridt.py", label=TXT["progress"], icon=":material/trending_up:")
