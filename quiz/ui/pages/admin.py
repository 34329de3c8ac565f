"""HR og administration: completion and mastery across the organisation, exports, and accounts.

The figures come from ``quiz.hr.reports`` (one query each, whatever the number of people); the
account changes go through ``quiz.people.accounts``, which refuses what would lock the organisation out.
Names people typed are shown escaped, or in tables, never as Markdown.
"""

from datetime import datetime, timedelta
from io import StringIO

import pyarrow as pa
import streamlit as st

from quiz.hr import exports, reports, xapi
from quiz.hr.exports import result_fields, result_rows, write_csv
from quiz.i18n import Msg, messages, t
from quiz.people import accounts, collation
from quiz.store import get_user, open_db
from quiz.ui import charts, downloads, language, session
from quiz.ui.fmt import local_time, thousands
from quiz.ui.hr import cache as hr_cache
from quiz.ui.hr import columns as hr_columns
from quiz.ui.hr import onboarding as admin_onboarding
from quiz.ui.hr import reminders as admin_reminders
from quiz.ui.question_widget import escape_md

TXT = messages("admin")
USERS_SHOWN = 200
PAGE_SIZE = 50
SECTIONS = ("people", "programme", "mastery", "missed", "units", "import", "reminders", "export", "users")


# Red, for the one button that cannot be undone (Streamlit's button types are all blue or grey).
DANGER_CSS = """<style>
.st-key-admin_delete_confirm button {background:#b3261e;border-color:#b3261e;color:#fff}
.st-key-admin_delete_confirm button:hover {background:#8c1d18;border-color:#8c1d18;color:#fff}
</style>"""

admin = session.require_admin()
pack = session.current_pack()
db = session.db()
roles = {r.key: r.name for r in pack.manifest.roles}


def role_name(key: str | None) -> str:
    return roles.get(key, TXT["no_role"]) if key else TXT["no_role"]


def unit_name(unit_id: int | None) -> str:
    return tree.path(unit_id) if unit_id is not None else TXT["no_unit"]


def share(count: int, total: int) -> str:
    return f"{round(100 * count / total) if total else 0} %"


st.title(TXT["title"])

# --- filters -----------------------------------------------------------------------------------

# Horizontal containers rather than columns for the filters and the figures: seven elements fewer on
# every run. The filters are drawn in the order they stand in.
filters_row = st.container(horizontal=True)
role_choice = filters_row.selectbox(
    TXT["role"],
    [None, *pack.chain_roles],
    format_func=lambda k: TXT["all_roles"] if k is None else role_name(k),
    placeholder=t("common.choose_one"),
    key="admin_role",
)
tree = hr_cache.tree()
unit_choice = filters_row.selectbox(
    TXT["unit"],
    [None, *(u.id for _, u in tree.ordered())],
    format_func=lambda k: TXT["all_units"] if k is None else tree.path(k),
    placeholder=t("common.choose_one"),
    key="admin_unit",
)
today = datetime.now(reports.LOCAL).date()
chosen = filters_row.date_input(
    TXT["period"],
    value=(today - timedelta(days=90), today),
    max_value=today,
    format="DD-MM-YYYY",
    help=TXT["period_help"],
    key="admin_period",
)
dates = list(chosen) if isinstance(chosen, tuple | list) else [chosen]
period = reports.Period.from_dates(dates[0] if dates else None, dates[1] if len(dates) > 1 else None)
active_only = st.checkbox(TXT["active_only"], key="admin_active_only")

overview = hr_cache.overview(pack, role=role_choice, period=period, active_only=active_only, unit=unit_choice)
onboarding = hr_cache.onboarding(pack, today=today)
count = overview.count
# One HTML block for the four figures (charts.figures_html): four elements fewer on every run.
st.html(
    charts.figures_html(
        [
            (TXT["people"], thousands(count), None),
            (TXT["intro_done"], share(overview.intro_done, count), TXT["intro_done_help"]),
            (TXT["with_quiz"], share(overview.with_quiz, count), TXT["with_quiz_help"]),
            (TXT["mastery"], f"{round(100 * overview.mastery)} %", TXT["mastery_help"]),
        ]
    )
)

# A keyed control rather than st.tabs: the chosen section survives the rerun after a button in it,
# so the result of an action (and a one-time password) stays on screen.
section = st.segmented_control(
    TXT["section"],
    SECTIONS,
    format_func=lambda k: TXT[f"sections.{k}"],
    default=SECTIONS[0],
    required=True,
    label_visibility="collapsed",
    key="admin_section",
)

# --- people ------------------------------------------------------------------------------------


def sums_rows(sums, heading: str, label) -> list[dict]:
    """The sums per role or per unit as the page shows them (``label`` names a summary's group)."""
    return [
        {
            heading: label(s),
            TXT["cols.people"]: s.people,
            TXT["cols.intro"]: s.intro_done,
            TXT["cols.quiz"]: s.with_quiz,
            TXT["cols.active"]: s.active,
            TXT["cols.mastery"]: round(s.mastery * 100),
        }
        for s in sums
    ]


def sums_table(sums, heading: str, label) -> pa.Table:
    # Arrow tables rather than pandas: Streamlit sends them as they are (a pandas frame of 50 rows
    # costs ~3 ms to convert on every rerun, the Arrow table 0.2 ms).
    return pa.Table.from_pylist(sums_rows(sums, heading, label))


def show_people() -> None:
    if not count:
        st.info(TXT["no_people"])
        return
    # Built once for every admin with the same filters (hr_cache.table), as the figures are. A few
    # rows (one per role): a plain table with its heading, one element (charts.table_html).
    filters = (pack.id, role_choice, period.start, period.end, active_only, unit_choice, today)
    st.html(
        hr_cache.table(
            "by_role",
            filters,
            lambda: charts.table_html(
                TXT["per_role"], sums_rows(overview.by_role, TXT["cols.role"], lambda s: role_name(s.role_key))
            ),
        )
    )
    # One page of the table at a time: thousands of rows on every rerun cost the server more than
    # the rest of the page, and the whole table is one click away as a spreadsheet (Eksport).
    st.header(TXT["people_table"], anchor=False)
    order = st.selectbox(
        TXT["order"],
        list(reports.PEOPLE_ORDERS),
        format_func=lambda k: TXT[f"orders.{k}"],
        placeholder=t("common.choose_one"),
        key="admin_order",
        width=320,
    )
    people = hr_cache.ordered_people(
        pack, role=role_choice, period=period, active_only=active_only, order=order, unit=unit_choice
    )
    if not people:  # sorted from a newer reading than the figures above, in which nobody matched
        st.info(TXT["no_people"])
        return
    pages = -(-len(people) // PAGE_SIZE)
    page = st.pagination(pages, key="admin_page") if pages > 1 else 1
    first = (page - 1) * PAGE_SIZE
    shown = people[first : first + PAGE_SIZE]
    last, total = thousands(first + len(shown)), thousands(len(people))
    st.caption(TXT["shown"].format(first=thousands(first + 1), last=last, total=total))
    st.dataframe(
        hr_cache.table(
            "people",
            (*filters, order, page),
            lambda: pa.Table.from_pylist(result_rows(shown, pack, spreadsheet=False, onboarding=onboarding)),
        ),
        hide_index=True,
        width="stretch",
        column_config=hr_columns.people_columns(),
        key="admin_table",
    )
    if tree.units:
        # Drawn only while open: one element on every run instead of a heading and a table of every unit.
        per_unit = st.expander(TXT["per_unit"], key="admin_units_open", on_change="rerun")
        if per_unit.open:
            per_unit.dataframe(
                hr_cache.table(
                    "by_unit",
                    filters,
                    lambda: sums_table(overview.by_unit, TXT["cols.unit"], lambda s: unit_name(s.unit_id)),
                ),
                hide_index=True,
                width="stretch",
                key="admin_units_table",
            )


# --- mastery -----------------------------------------------------------------------------------


def show_mastery() -> None:
    org = hr_cache.organisation_mastery(pack, role=role_choice, period=period)
    if not org.active_people:
        st.info(TXT["no_mastery"])
        return
    st.caption(TXT["mastery_lead"].format(active=org.active_people, people=org.people))
    # Labelled bars as one HTML block each (the progress page's): the same figures as the Altair
    # charts they replace, readable without hovering, ~30 ms less per run.
    a, b = st.columns(2)
    with a:
        st.header(TXT["per_perspective"], anchor=False)
        st.html(
            charts.bars_html(
                org.mastery.by_perspective,
                {k: p.danish_name for k, p in pack.perspectives.items()},
                {k: p.color for k, p in pack.perspectives.items()},
            )
        )
    with b:
        st.header(TXT["per_people_role"], anchor=False)
        st.html(
            charts.bars_html(
                {s.role_key: s.mastery for s in overview.by_role},
                {s.role_key: role_name(s.role_key) for s in overview.by_role},
            )
        )
    if tree.units:
        st.header(TXT["per_people_unit"], anchor=False)
        st.html(
            charts.bars_html(
                {s.unit_id: s.mastery for s in overview.by_unit},
                {s.unit_id: unit_name(s.unit_id) for s in overview.by_unit},
            )
        )
    st.header(TXT["grid"], anchor=False)
    st.html(charts.mastery_grid(org.mastery, pack))
    st.caption(charts.grid_legend(pack))


# --- most missed -------------------------------------------------------------------------------


def show_missed() -> None:
    missed = hr_cache.missed_statements(pack, role=role_choice, period=period, limit=15)
    st.caption(TXT["missed_lead"])
    if not missed:
        st.info(TXT["no_missed"])
        return
    # st.table wraps the long statements instead of cutting them (and the columns after them).
    st.table(
        pa.Table.from_pylist(
            [
                {
                    TXT["cols.statement"]: m.text,
                    TXT["cols.perspective"]: pack.perspectives[m.perspective].danish_name,
                    TXT["cols.role"]: role_name(m.role),
                    TXT["cols.wrong"]: m.wrong,
                    TXT["cols.results"]: m.results,
                    TXT["cols.rate"]: round(m.wrong_rate * 100),
                }
                for m in missed
            ]
        ),
        hide_index=True,
    )


# --- exports -----------------------------------------------------------------------------------


DB_PATH, PACKS, SINCE = session.db_path(), session.registry().packs, period.start
ACTOR = session.actor()


def refused_now() -> bytes | None:
    """A download is made when its button is pressed, maybe in a tab whose admin has since lost the
    role or been signed out: the acting person is re-checked then, and the file says why it is empty."""
    conn = open_db(DB_PATH, migrate=False)
    try:
        accounts.require_actor(conn, ACTOR, admin=True)
    except accounts.AccountRefused as exc:
        return str(exc).encode("utf-8")
    finally:
        conn.close()
    return None


def results_csv() -> bytes:
    if (refusal := refused_now()) is not None:
        return refusal
    out = StringIO()
    left_out: list[Msg] = []
    write_csv(result_rows(overview.people, pack, onboarding=onboarding, skipped=left_out), result_fields(), out)
    noted("results", left_out)
    return out.getvalue().encode("utf-8")


def noted(export: str, left_out: list[Msg], conn=None) -> None:
    """Keep what the export left out for the page's next run (the file is made in another thread)."""
    own = conn is None
    conn = open_db(DB_PATH, migrate=False) if own else conn
    try:
        exports.note_export(conn, admin.id, export, left_out)
    finally:
        if own:
            conn.close()


def xapi_json() -> bytes:
    """Made when the button is clicked, in another thread: so with a connection of its own."""
    if (refusal := refused_now()) is not None:
        return refusal
    conn = open_db(DB_PATH, migrate=False)
    try:
        out = StringIO()
        # A record that cannot be read is left out, logged with whose it is (quiz.hr.xapi.Skipped) and
        # named on the page's next run.
        skipped: list[xapi.Skipped] = []
        xapi.write_json(xapi.statements(conn, PACKS, since=SINCE, skipped=skipped), out)
        noted("xapi", [s.message() for s in skipped], conn)
    finally:
        conn.close()
    return out.getvalue().encode("utf-8")


def show_export() -> None:
    report = exports.last_export(session.db(), admin.id)
    if report is not None and report.left_out:
        st.warning(TXT["left_out"].format(when=local_time(report.made_at)))
        st.markdown("\n".join(f"- {escape_md(str(m))}" for m in report.left_out[:20]))
    downloads.private_download(
        TXT["csv"],
        data=results_csv,
        user_id=admin.id,
        file_name=f"hvidovrevejen-resultater-{today.isoformat()}.csv",
        mime="text/csv",
        help=TXT["csv_help"],
        key="admin_csv",
    )
    downloads.private_download(
        TXT["xapi"],
        data=xapi_json,
        user_id=admin.id,
        file_name=f"hvidovrevejen-xapi-{today.isoformat()}.json",
        mime="application/json",
        help=TXT["xapi_help"],
        key="admin_xapi",
    )


# --- accounts ----------------------------------------------------------------------------------


# Callbacks run at the start of the next run, possibly in another thread: so they ask for this
# thread's connection instead of using ``db`` from the run that drew the button.
def change(user_id: int, **flags: bool) -> None:
    language.restore()
    try:
        user = accounts.change_flags(session.db(), session.actor(), user_id, **flags)
    except accounts.AccountRefused as exc:
        st.session_state["admin_flash"] = ("error", str(exc))
        return
    hr_cache.clear()
    st.session_state["admin_flash"] = (
        "ok",
        TXT["granted"].format(name=escape_md(user.display_name), rights=rights(user)),
    )


def reset(user_id: int) -> None:
    language.restore()
    try:
        password = accounts.reset_password(session.db(), session.actor(), user_id)
        st.session_state["admin_new_password"] = (user_id, password)
        hr_cache.clear()
    except accounts.AccountRefused as exc:
        st.session_state["admin_flash"] = ("error", str(exc))


def ask_delete(user_id: int) -> None:
    language.restore()
    st.session_state["admin_confirm_delete"] = user_id


def cancel_delete() -> None:
    language.restore()
    st.session_state.pop("admin_confirm_delete", None)


def delete(user_id: int) -> None:
    language.restore()
    st.session_state.pop("admin_confirm_delete", None)
    user = get_user(session.db(), user_id)
    try:
        accounts.delete_person(session.db(), session.actor(), user_id)
    except accounts.AccountRefused as exc:
        st.session_state["admin_flash"] = ("error", str(exc))
        return
    hr_cache.clear()
    st.session_state.pop("admin_user", None)
    name = user.display_name if user else str(user_id)
    st.session_state["admin_flash"] = ("ok", TXT["deleted"].format(name=escape_md(name)))


def rights(user) -> str:
    flags = ((user.is_facilitator, "facilitator"), (user.is_admin, "admin"))
    return ", ".join([TXT["learner"], *(TXT[key] for on, key in flags if on)])


def show_users() -> None:
    flash = st.session_state.pop("admin_flash", None)
    if flash:
        kind, text = flash
        (st.success if kind == "ok" else st.error)(text)
    query = st.text_input(TXT["search"], key="admin_search").strip().casefold()
    # Searched in the shared list of accounts (a minute old at most); the chosen person is read
    # again, so the rights shown and changed are always the current ones.
    everyone = hr_cache.accounts()
    found = [u for u in everyone if query in u.username or query in u.display_name.casefold()] if query else everyone
    # The chooser lists people by name in Danish order (Æ, Ø, Å last; "Aa" as Å), as the tables do.
    found = sorted(found, key=lambda u: (collation.sort_key(u.display_name), u.username))
    if not found:
        st.info(TXT["nobody"])
        return
    if len(found) > USERS_SHOWN:
        st.caption(TXT["too_many"].format(n=USERS_SHOWN, total=thousands(len(found))))
    by_name = {u.username: u for u in found[:USERS_SHOWN]}
    chosen_name = st.selectbox(
        TXT["person"],
        list(by_name),
        format_func=lambda name: f"{by_name[name].display_name} ({name})",
        placeholder=t("common.choose_one"),
        key="admin_user",
    )
    person = get_user(db, by_name[chosen_name].id)
    if person is None:  # deleted by another admin within the last minute
        hr_cache.clear()
        st.info(TXT["nobody"])
        return
    st.markdown(
        TXT["person_line"].format(
            name=escape_md(person.display_name), username=person.username, role=role_name(person.role_key)
        )
    )
    st.caption(TXT["rights"].format(rights=rights(person)))
    admin_onboarding.person_panel(person, admin, pack, tree, onboarding)
    a, b, c, d = st.columns(4)
    a.button(
        TXT["revoke_facilitator" if person.is_facilitator else "grant_facilitator"],
        on_click=change,
        args=(person.id,),
        kwargs={"is_facilitator": not person.is_facilitator},
        key="admin_toggle_facilitator",
        width="stretch",
    )
    own = person.id == admin.id
    b.button(
        TXT["revoke_admin" if person.is_admin else "grant_admin"],
        on_click=change,
        args=(person.id,),
        kwargs={"is_admin": not person.is_admin},
        disabled=own and person.is_admin,
        help=TXT["own_admin"] if own else None,
        key="admin_toggle_admin",
        width="stretch",
    )
    c.button(TXT["reset"], on_click=reset, args=(person.id,), key="admin_reset_password", width="stretch")
    d.button(
        TXT["delete"],
        on_click=ask_delete,
        args=(person.id,),
        icon=":material/delete:",
        key="admin_delete",
        width="stretch",
    )

    new_password = st.session_state.pop("admin_new_password", None)
    if new_password and new_password[0] == person.id:
        st.warning(TXT["new_password"].format(name=escape_md(person.display_name)), icon=":material/key:")
        st.code(new_password[1], language=None)

    if st.session_state.get("admin_confirm_delete") == person.id:
        st.html(DANGER_CSS)
        with st.container(border=True):
            st.error(
                f"**{TXT['confirm_head']}**  \n"
                + TXT["confirm"].format(name=escape_md(person.display_name), username=person.username),
                icon=":material/warning:",
            )
            no, yes, _ = st.columns([1, 1, 2])
            no.button(TXT["confirm_no"], on_click=cancel_delete, key="admin_delete_cancel", width="stretch")
            yes.button(
                TXT["confirm_yes"],
                on_click=delete,
                args=(person.id,),
                icon=":material/delete_forever:",
                key="admin_delete_confirm",
                width="stretch",
            )


{
    "people": show_people,
    "programme": lambda: admin_onboarding.show_programme(admin, pack, tree, today, unit_choice),
    "mastery": show_mastery,
    "missed": show_missed,
    "units": lambda: admin_onboarding.show_units(admin, tree),
    "import": lambda: admin_onboarding.show_import(admin, pack),
    "reminders": lambda: admin_reminders.show_reminders(admin, pack),
    "export": show_export,
    "users": show_users,
}[section or SECTIONS[0]]()
