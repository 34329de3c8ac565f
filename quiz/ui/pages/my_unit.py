"""My unit: a leader sees where the people of their own unit(s) stand in the onboarding programme.

Only the people placed in the units the leader leads (and the units under them): the page asks
``quiz.hr.units.visible_user_ids`` on every run, so a changed leadership takes effect at once. The
leader can remind the overdue ones (one mail a day each) and download the list as a CSV.
"""

from datetime import date
from io import StringIO

import pyarrow as pa
import streamlit as st

from quiz.hr import programme, units
from quiz.hr.exports import write_csv
from quiz.i18n import messages, t
from quiz.learning.timefmt import local_date
from quiz.people import collation
from quiz.ui import charts, downloads, session
from quiz.ui.hr.reminders import leader_reminder

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
# The leader's own people, not the leader: a leader placed in the unit they lead is not their own report.
people = units.visible_user_ids(db, user.id) - {user.id}
rows = programme.statuses(db, pack, current, today=date.today(), user_ids=people)
counts = programme.counts(rows)
st.html(charts.figures_html(charts.status_figures(counts)))
if not rows:
    st.info(TXT["nobody"])
    st.stop()
ordered = sorted(rows, key=lambda r: (ORDER[r.status], collation.sort_key(r.display_name)))
# Status, deadline and requirements before the unit, so a phone shows what matters without scrolling.
table = [
    {
        TXT["name"]: r.display_name,
        TXT["status"]: programme.status_name(r.status),
        TXT["deadline"]: r.deadline.strftime("%d-%m-%Y"),
        TXT["done"]: f"{r.done} / {len(r.met)}",
        TXT["unit"]: tree.path(r.unit_id),
    }
    for r in ordered
]
st.dataframe(
    pa.Table.from_pylist(table),
    hide_index=True,
    width="stretch",
    # Widths in pixels that add up to a phone's 343 px for the first four columns; the unit follows.
    column_config={
        TXT["name"]: st.column_config.TextColumn(width=106),
        TXT["status"]: st.column_config.TextColumn(width=92),
        TXT["deadline"]: st.column_config.TextColumn(width=82),
        # »Krav opfyldt« in full on hover; »Krav« fits the phone (the CSV download has the full heading).
        TXT["done"]: st.column_config.TextColumn(t("hrremind.col_done_short"), help=TXT["done"], width=60),
    },
    key="leader_table",
)
actions = st.container(horizontal=True)
with actions:
    leader_reminder(pack)
    out = StringIO()
    write_csv(table, list(table[0]), out)
    # The unit's people by name: served to this leader only (quiz.ui.downloads).
    downloads.private_download(
        t("hrremind.leader_export"),
        data=out.getvalue().encode("utf-8"),
        user_id=user.id,
        file_name="min-enhed.csv",
        mime="text/csv",
        icon=":material/download:",
        key="leader_export",
    )

# One person at a time: what the programme still asks of them, and when each part was done.
st.header(TXT["person_title"], anchor=False)
by_id = {r.user_id: r for r in ordered}
chosen = st.selectbox(
    TXT["person_pick"],
    list(by_id),
    index=None,
    format_func=lambda user_id: by_id[user_id].display_name,
    placeholder=t("common.choose_one"),
    key="leader_person",
)
if chosen is not None:
    person = by_id[chosen]
    by_kind = {r.kind: r for r in current.requirements}
    line = TXT["person_overdue" if person.status == "overdue" else "person_standing"].format(
        name=person.display_name,
        done=person.done,
        total=len(person.met),
        deadline=person.deadline.strftime("%d-%m-%Y"),
        unit=tree.path(person.unit_id) if person.unit_id is not None else "–",
    )
    (st.warning if person.status == "overdue" else st.info)(line, icon=":material/person:")
    st.markdown(
        "\n".join(
            "- "
            + (
                TXT["person_met"].format(requirement=by_kind[kind].describe(), day=local_date(when))
                if when is not None
                else TXT["person_not_met"].format(requirement=by_kind[kind].describe())
            )
            for kind, when in person.met
        )
    )
