"""The HR page's onboarding sections: the programme and its statuses, units, the people import.

Thin: the work is in ``quiz.hr.programme``, ``quiz.hr.units`` and ``quiz.hr.people_import``, each of which
checks the acting admin (``session.actor()``) again inside the transaction that makes a change. Names people typed are
shown in tables or escaped, never as Markdown.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

import pyarrow as pa
import streamlit as st

from quiz.hr import certificate, people_import, programme, units
from quiz.hr.programme import Programme, Requirement
from quiz.i18n import QuizError, messages, t
from quiz.people import collation
from quiz.store import open_db
from quiz.ui import charts, downloads, language, session
from quiz.ui.hr import cache as hr_cache
from quiz.ui.question_widget import escape_md

TXT = messages("hr")
LISTED = 200
UPLOAD_LIMIT_MB = 20  # the server's server.maxUploadSize; the import refuses over 5 MB itself
WEEKS = 12


def _flash(key: str, kind: str, text: str) -> None:
    st.session_state[key] = (kind, text)


def _show_flash(key: str) -> None:
    flash = st.session_state.pop(key, None)
    if flash:
        (st.success if flash[0] == "ok" else st.error)(flash[1])


def _day(day: date | None) -> str:
    return day.strftime("%d-%m-%Y") if day else ""


# --- programme ---------------------------------------------------------------------------------


def show_programme(admin, pack, tree: units.Tree, today: date, unit: int | None) -> None:
    current, _ = hr_cache.statuses(pack, today=today)
    view = hr_cache.programme_view(pack, today=today, unit=unit, weeks=WEEKS)
    _show_flash("hr_programme_flash")
    # One HTML block for the four figures (charts.figures_html): four elements fewer on every run.
    st.html(charts.figures_html(charts.status_figures(view.counts)))

    st.header(TXT["overdue_by_unit"], anchor=False)
    if not view.overdue:
        st.info(TXT["no_overdue"])
    else:
        # The tables are built once per unit filter for every admin (hr_cache.table), as the figures are.
        filters = (pack.id, today, unit)
        st.dataframe(
            hr_cache.table("overdue_units", filters, lambda: _overdue_units(view, tree)),
            hide_index=True,
            width="stretch",
            key="hr_overdue_units",
        )
        late = [r for _, group, _ in view.overdue for r in group][:LISTED]
        # Drawn only while open: a closed expander costs one element, not a table of 200 rows.
        listed = st.expander(TXT["overdue_people"].format(n=len(late)), key="hr_overdue_open", on_change="rerun")
        if listed.open:
            listed.dataframe(
                hr_cache.table("overdue_people", filters, lambda: _overdue_people(late, tree)),
                hide_index=True,
                width="stretch",
                key="hr_overdue_people",
            )

    # Heading and its explanation as one element (the explanation in small type, as a caption).
    st.markdown(f"## {escape_md(TXT['over_time'])}\n\n:small[{escape_md(TXT['over_time_help'])}]", anchors=False)
    # The centres when looking at everyone; the chosen unit's own units when one is chosen.
    if view.series:
        _completion_chart(view.series, tree, (pack.id, today, unit))

    # The form (some twenty elements) is drawn only when asked for: it is changed rarely, and the
    # section is looked at often. Its label says what it holds, so it needs no heading of its own.
    editing = st.expander(TXT["edit_programme"], key="hr_programme_open", on_change="rerun")
    if editing.open:
        with editing:
            _programme_form(admin, pack, current)


def _overdue_units(view: hr_cache.ProgrammeView, tree: units.Tree) -> pa.Table:
    return pa.Table.from_pylist(
        [
            {
                TXT["col_unit"]: tree.path(key) if key is not None else TXT["no_unit"],
                TXT["col_overdue"]: len(late),
                TXT["col_people"]: people,
                TXT["col_who"]: ", ".join(r.display_name for r in late[:10]) + (" …" if len(late) > 10 else ""),
            }
            for key, late, people in view.overdue
        ]
    )


def _overdue_people(late: list[programme.PersonStatus], tree: units.Tree) -> pa.Table:
    return pa.Table.from_pylist(
        [
            {
                TXT["col_name"]: r.display_name,
                TXT["col_unit"]: tree.path(r.unit_id),
                TXT["col_deadline"]: _day(r.deadline),
                TXT["col_done"]: f"{r.done} / {len(r.met)}",
            }
            for r in late
        ]
    )


def _completion_chart(series, tree: units.Tree, filters: tuple) -> None:
    """One line per unit, the weeks as "2026 uge 42" (a date axis would name the months in English).

    A Vega-Lite spec of our own rather than ``st.line_chart``: that builds and validates an Altair
    chart on every rerun, ~50 ms of the HR page's run, for the same picture.
    """
    data, spec, height = hr_cache.table("completion", filters, lambda: _completion_spec(series, tree))
    st.vega_lite_chart(data, spec, height=height, width="stretch", key="hr_completion_chart")


def _completion_spec(series, tree: units.Tree) -> tuple[pa.Table, dict, int]:
    """The chart's rows (Arrow), its Vega-Lite spec and its height; built once per unit filter."""
    weeks: dict[str, None] = {}  # the week labels, in order
    points = []
    for point in sorted(series, key=lambda p: p["week"]):
        year, week, _ = point["week"].isocalendar()
        label = TXT["week_label"].format(year=year, week=f"{week:02d}")
        weeks.setdefault(label, None)
        # The unit's own name (unique in the organisation): under a chosen centre, its full path
        # would start alike for every line and be cut off in the legend.
        unit_name = tree.by_id[point["unit"]].name if point["unit"] in tree.by_id else TXT["no_unit"]
        points.append({"week": label, "unit": unit_name, "share": round(point["share"] * 100)})
    spec = {
        # One description for the chart and no names on its marks: st.line_chart's hover points are
        # SVG groups without a name (axe svg-img-alt, serious).
        "description": TXT["over_time_help"],
        "mark": {"type": "line", "point": True, "aria": False},
        "encoding": {
            "x": {
                "field": "week",
                "type": "ordinal",
                "sort": list(weeks),
                "title": TXT["col_week"],
                "axis": {"labelAngle": 0},
            },
            "y": {"field": "share", "type": "quantitative", "title": TXT["col_share"], "scale": {"domain": [0, 100]}},
            "color": {
                "field": "unit",
                "type": "nominal",
                "title": TXT["col_unit"],
                # Below the chart: beside it, the legend takes half of a phone's width.
                "legend": {"orient": "bottom", "direction": "vertical", "labelLimit": 320},
            },
            "tooltip": [
                {"field": "unit", "title": TXT["col_unit"]},
                {"field": "week", "title": TXT["col_week"]},
                {"field": "share", "title": TXT["col_share"]},
            ],
        },
    }
    # The height holds the legend below the plot too: one line per unit.
    height = 300 + 26 * len({p["unit"] for p in points})
    return pa.Table.from_pylist(points), spec, height


def _programme_form(admin, pack, current: Programme) -> None:
    have = {r.kind: r for r in current.requirements}
    with st.form("hr_programme"):
        chosen = []
        for kind in programme.KINDS:
            req = have.get(kind, Requirement(kind))
            a, b = st.columns([3, 1])
            on = a.checkbox(
                str(Requirement(kind, req.min_score).describe()) if kind == "intro" else TXT[f"req_{kind}"],
                value=kind in have,
                key=f"hr_req_{kind}",
            )
            percent = (
                b.number_input(
                    TXT["min_percent"], 10, 100, round(req.min_score * 100), step=5, key=f"hr_req_{kind}_score"
                )
                if kind != "intro"
                else 80
            )
            if on:
                chosen.append(Requirement(kind, percent / 100))
        days = st.number_input(TXT["days"], 1, 730, current.days, key="hr_programme_days", width=240)
        go_live = st.date_input(
            t("golive.label"),
            value=current.go_live,
            format="DD-MM-YYYY",
            help=t("golive.help"),
            key="hr_programme_go_live",
            width=240,
        )
        if st.form_submit_button(TXT["save_programme"], key="hr_programme_save"):
            try:
                programme.set_programme(
                    session.db(),
                    Programme(pack.id, tuple(chosen), int(days), go_live if isinstance(go_live, date) else None),
                    actor=session.actor(),
                )
            except QuizError as exc:
                st.error(str(exc))
            else:
                hr_cache.clear()
                _flash("hr_programme_flash", "ok", TXT["programme_saved"])
                st.rerun()


# --- units -------------------------------------------------------------------------------------


def show_units(admin, tree: units.Tree) -> None:
    _show_flash("hr_units_flash")
    db = session.db()
    people = Counter(r[0] for r in db.execute("SELECT unit_id FROM people WHERE unit_id IS NOT NULL"))
    leaders: dict[int, list[str]] = {}
    for unit_id, name in db.execute(
        "SELECT l.unit_id, u.display_name FROM unit_leaders l JOIN users u ON u.id = l.user_id"
    ):
        leaders.setdefault(unit_id, []).append(name)
    for names in leaders.values():
        names.sort(key=collation.sort_key)
    if tree.units:
        st.dataframe(
            pa.Table.from_pylist(
                [
                    {
                        TXT["col_unit"]: "\u2003" * depth + u.name,
                        TXT["col_people"]: people.get(u.id, 0),
                        TXT["col_leaders"]: ", ".join(leaders.get(u.id, [])),
                    }
                    for depth, u in tree.ordered()
                ]
            ),
            hide_index=True,
            width="stretch",
            key="hr_units_tree",
        )
    else:
        st.info(TXT["no_units"])
    st.header(TXT["add_unit"], anchor=False)
    with st.form("hr_add_unit", clear_on_submit=True):
        a, b = st.columns(2)
        name = a.text_input(TXT["unit_name"], max_chars=units.MAX_NAME, key="hr_unit_name")
        parent = b.selectbox(
            TXT["unit_parent"],
            [None, *(u.id for _, u in tree.ordered())],
            format_func=lambda k: TXT["top_level"] if k is None else tree.path(k),
            placeholder=t("common.choose_one"),
            key="hr_unit_parent",
        )
        if st.form_submit_button(TXT["add"], key="hr_unit_add"):
            try:
                unit = units.add_unit(
                    db, name, parent=tree.by_id[parent].name if parent else None, actor=session.actor()
                )
            except QuizError as exc:
                st.error(str(exc))
            else:
                hr_cache.clear()
                _flash("hr_units_flash", "ok", TXT["unit_added"].format(name=escape_md(unit.name)))
                st.rerun()
    _units_file(tree)


def _do_units_import(data: bytes) -> None:
    language.restore()
    try:
        made = people_import.import_units(session.db(), data, actor=session.actor())
    except QuizError as exc:
        _flash("hr_units_flash", "error", str(exc))
        return
    hr_cache.clear()
    st.session_state["hr_units_done"] = st.session_state.get("hr_units_done", 0) + 1
    _flash("hr_units_flash", "ok", t("hrunits.imported", made=made))


def _units_file(tree: units.Tree) -> None:
    """A whole unit tree from a CSV (enhed;overordnet), as ``python -m quiz units import`` reads it."""
    st.header(t("hrunits.title"), anchor=False)
    st.caption(t("hrunits.help"))
    upload = st.file_uploader(
        t("hrunits.file"), type=["csv", "txt"], key=f"hr_units_file_{st.session_state.get('hr_units_done', 0)}"
    )
    if upload is None:
        return
    data = upload.getvalue()
    try:
        rows = people_import.new_unit_rows(session.db(), data)
    except QuizError as exc:
        st.error(str(exc))
        return
    if not rows:
        st.info(t("hrunits.nothing_new"))
        return
    st.info(t("hrunits.dry_run", count=len(rows)))
    st.dataframe(
        pa.Table.from_pylist(
            [{TXT["col_unit"]: name, t("hrunits.col_parent"): parent or TXT["top_level"]} for name, parent in rows]
        ),
        hide_index=True,
        width="stretch",
        key="hr_units_plan",
    )
    st.button(
        t("hrunits.go", count=len(rows)),
        on_click=_do_units_import,
        args=(data,),
        type="primary",
        key="hr_units_import",
    )


# --- import ------------------------------------------------------------------------------------


def _do_import(
    pack_id: str, data: bytes, go_live: date | None, new_units_under: str | None, skip_bad: bool = False
) -> None:
    language.restore()
    pack = session.registry().packs[pack_id]
    try:
        result = people_import.apply(
            session.db(),
            pack,
            data,
            actor=session.actor(),
            skip_bad=skip_bad,
            go_live=go_live,
            new_units_under=new_units_under,
        )
    except people_import.ImportRefused as refused:
        _flash("hr_import_flash", "error", str(refused))
        return
    except QuizError as exc:
        _flash("hr_import_flash", "error", str(exc))
        return
    hr_cache.clear()
    st.session_state["hr_import_done"] = st.session_state.get("hr_import_done", 0) + 1
    said = TXT["imported"].format(summary=str(result.summary(done=True)))
    if result.problems:
        left_out = "\n".join(f"- {escape_md(str(p))}" for p in result.problems[:LISTED])
        said += " " + t("people.skipped_rows", count=result.bad_rows) + "\n\n" + left_out
    _flash("hr_import_flash", "ok", said)


def _css_text(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3c ") + '"'


def uploader_in_own_words(box: str) -> None:
    """The file uploader in ``box`` says its words in the reader's language, not Streamlit's English.

    Streamlit 1.67 has no parameter for them (»Upload«, »Drag and drop a file here«, »20MB per file
    • CSV, TXT«): its own text is hidden (out of the accessibility tree too) and ours is shown in
    its place as generated content, which screen readers read.
    """
    scope = f".st-key-{box} [data-testid='stFileUploaderDropzone']"
    button = f"{scope} button [data-testid='stMarkdownContainer']"
    limits = f"{scope} [data-testid='stFileUploaderDropzoneInstructions'] > div"
    drop = f"{scope} > div:not([data-testid])"
    st.html(
        "<style>"
        f"{button} > p, {limits} > span, {drop} > span {{display: none}}"
        f"{button}::after {{content: {_css_text(TXT['upload_button'])}}}"
        f"{limits}::after {{content: {_css_text(TXT['upload_limits'])}; font-size: 0.875rem}}"
        f"{drop}::after {{content: {_css_text(TXT['upload_drop'])}}}"
        "</style>"
    )


def show_import(admin, pack) -> None:
    st.caption(TXT["import_help"])
    _show_flash("hr_import_flash")
    uploader_in_own_words("hr_import_box")
    # Streamlit refuses a file over its limit in English before this code sees it: its limit is
    # above ours (.streamlit/config.toml), so a file a little too big gets our Danish message.
    with st.container(key="hr_import_box"):
        upload = st.file_uploader(
            TXT["import_file"],
            type=["csv", "txt"],
            key=f"hr_import_file_{st.session_state.get('hr_import_done', 0)}",
            max_upload_size=UPLOAD_LIMIT_MB,
        )
    if upload is None:
        return
    data = upload.getvalue()
    db = session.db()
    try:
        missing = people_import.unknown_units(db, data)
    except QuizError as exc:
        st.error(str(exc))
        return
    under: str | None = None
    if missing:
        # Listed once each (not one »ukendt enhed« per row), with the offer to create them.
        st.warning(t("hrimport.unknown_units", count=len(missing), names=", ".join(f"»{n}«" for n in missing)))
        tree = units.tree(db)
        a, b = st.columns(2)
        parent = a.selectbox(
            t("hrimport.new_units_parent"),
            [None, *(u.id for _, u in tree.ordered())],
            format_func=lambda k: TXT["top_level"] if k is None else tree.path(k),
            placeholder=t("common.choose_one"),
            key="hr_import_units_parent",
        )
        if b.checkbox(t("hrimport.create_units", count=len(missing)), key="hr_import_create_units"):
            under = tree.by_id[parent].name if parent is not None else ""
    try:
        plan = people_import.plan(db, pack, data, create_units=under is not None)
    except QuizError as exc:
        st.error(str(exc))
        return
    if not plan.ok:
        st.error(TXT["import_refused"].format(count=len(plan.problems)))
        st.markdown("\n".join(f"- {escape_md(str(p))}" for p in plan.problems[:LISTED]))
        good = people_import.plan(session.db(), pack, data, skip_bad=True, create_units=under is not None)
        if good.changes:
            # Nothing is imported until HR chooses to: the rest of the file, with the rows above left out.
            st.button(
                TXT["import_skip_bad"].format(good=len(good.changes), bad=good.bad_rows),
                on_click=_do_import,
                args=(pack.id, data, None, under, True),
                key="hr_import_skip_bad",
            )
        return
    st.info(TXT["dry_run"].format(summary=str(plan.summary())))
    if plan.new_units:
        st.markdown(t("hrimport.new_units_listed", names=", ".join(f"»{n}«" for n in plan.new_units)))
    go_live = st.date_input(
        t("golive.label"),
        value=None,
        format="DD-MM-YYYY",
        help=t("golive.help"),
        key="hr_import_go_live",
        width=240,
    )
    changes = [c for c in plan.changes if c.action != "same"]
    if changes:
        st.dataframe(
            pa.Table.from_pylist(
                [
                    {
                        TXT["col_action"]: TXT[f"action_{c.action}"],
                        TXT["col_username"]: c.line.username,
                        TXT["col_name"]: c.line.name,
                        TXT["col_changes"]: ", ".join(TXT[f"field_{f}"] for f in c.fields),
                    }
                    for c in changes[:LISTED]
                ]
            ),
            hide_index=True,
            width="stretch",
            key="hr_import_plan",
        )
    st.button(
        TXT["import_go"],
        on_click=_do_import,
        args=(pack.id, data, go_live if isinstance(go_live, date) else None, under),
        disabled=not changes,
        type="primary",
        key="hr_import_go",
    )


# --- one person (in the users section) ---------------------------------------------------------


def _save_person(user_id: int, name: str) -> None:
    language.restore()
    db = session.db()
    unit = st.session_state.get("hr_person_unit")
    leads = st.session_state.get("hr_person_leads") or []
    try:
        units.place_person(db, user_id, unit, leads, actor=session.actor())
    except QuizError as exc:
        st.session_state["admin_flash"] = ("error", str(exc))
        return
    hr_cache.clear()
    st.session_state["admin_flash"] = ("ok", TXT["person_saved"].format(name=escape_md(name)))


def person_panel(person, admin, pack, tree: units.Tree, onboarding) -> None:
    """Unit, leadership and certificate of the person chosen in the users section."""
    status = onboarding.statuses.get(person.id)
    db = session.db()
    unit_id = units.person_unit(db, person.id)
    st.caption(
        TXT["person_line"].format(
            unit=tree.path(unit_id) if unit_id else TXT["no_unit"],
            status=programme.status_name(status.status) if status else "",
        )
    )
    if tree.units:
        options = [u.id for _, u in tree.ordered()]
        # Keyed by person, so choosing another person shows their own values.
        st.session_state.setdefault("hr_person_for", None)
        if st.session_state["hr_person_for"] != person.id:
            st.session_state["hr_person_for"] = person.id
            st.session_state["hr_person_unit"] = unit_id
            st.session_state["hr_person_leads"] = [u for u in units.led_units(db, person.id) if u in options]
        a, b = st.columns(2)
        a.selectbox(
            TXT["place_unit"],
            [None, *options],
            format_func=lambda k: TXT["no_unit"] if k is None else tree.path(k),
            placeholder=t("common.choose_one"),
            key="hr_person_unit",
        )
        b.multiselect(
            TXT["leads"],
            options,
            format_func=tree.path,
            help=TXT["leads_help"],
            placeholder=t("common.choose_many"),
            key="hr_person_leads",
        )
        st.button(
            TXT["save_person"],
            on_click=_save_person,
            args=(person.id, person.display_name),
            key="hr_person_save",
        )
    if status is not None and status.completed_at is not None:
        path, acting = session.db_path(), session.actor()

        def pdf() -> bytes:
            conn = open_db(path, migrate=False)
            try:
                return certificate.for_person(conn, pack, person.id, actor=acting)
            finally:
                conn.close()

        downloads.private_download(
            TXT["certificate"],
            data=pdf,
            user_id=acting.user_id,
            file_name=f"bevis-{person.username}.pdf",
            mime="application/pdf",
            icon=":material/workspace_premium:",
            key="hr_person_certificate",
        )
