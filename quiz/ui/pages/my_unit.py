"""My unit: a leader sees where the people of their own unit(s) stand in the onboarding programme.

Only the people placed in the units the leader leads (and the units under them): the page asks
``quiz.hr.units.visible_user_ids`` on every run, so a changed leadership takes effect at once.
"""

from datetime import date

import pyarrow as pa
import streamlit as st

from quiz.hr import programme, units
from quiz.i18n import messages
from quiz.ui import charts, session

TXT = messages("leader")
# Who needs the leader's attention first.
ORDER = {"overdue": 0, "not_started": 1, "in_progress": 2, "completed": 3}

user = session.require_user()
pack = session.current_pack()
db = session.db()
if not units.is_leader(db, user.id):
    st.title(TXT["no_access_title"])
    st.error(TXT["no_access"], icon=":material/block:")
    st.page_link("quiz/ui/pages/home.py", label=TXT["home"], icon=":material/home:")
    st.stop()

tree = units.tree(db)
st.title(TXT["title"])
st.caption(TXT["lead"].format(units=", ".join(tree.path(u) for u in units.led_units(db, user.id))))
current = programme.get_programme(db, pack.id) or programme.default_programme(pack.id)
rows = programme.statuses(db, pack, current, today=date.today(), user_ids=units.visible_user_ids(db, user.id))
counts = programme.counts(rows)
st.html(charts.figures_html(charts.status_figures(counts)))
if not rows:
    st.info(TXT["nobody"])
    st.stop()
st.dataframe(
    pa.Table.from_pylist(
        [
            {
                TXT["name"]: r.display_name,
                TXT["unit"]: tree.path(r.unit_id),
                TXT["status"]: programme.status_name(r.status),
                TXT["deadline"]: r.deadline.strftime("%d-%m-%Y"),
                TXT["done"]: f"{r.done} / {len(r.met)}",
            }
            for r in sorted(rows, key=lambda r: (ORDER[r.status], r.display_name.casefold()))
        ]
    ),
    hide_index=True,
    width="stretch",
    key="leader_table",
)
