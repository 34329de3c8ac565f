"""Hvidovrevejen e-læring: the router.

Streamlit runs this script for every page view (``streamlit run serve.py`` serves it, with the
app's own routes around it). It only decides which pages exist for the person and runs one; every
protected page checks the person's role again itself.
"""

import streamlit as st

from quiz.i18n import t
from quiz.ui import a11y, language, not_found, pages, session
from quiz.ui.profile import password

st.set_page_config(page_title="Hvidovrevejen", page_icon=a11y.FAVICON)  # bundled, a data: URL
a11y.inject()  # nothing where index.html links quiz/ui/assets/a11y.css (a changed Streamlit: a style block)



def page(address: str, title: str, icon: str, *, visible: bool = True, default: bool = False) -> st.Page:
    """The page at ``address`` (its Danish URL path; the file is named in English, ``pages.FILES``)."""
    return st.Page(
        pages.path(address),
        title=title,
        icon=icon,
        url_path=address,
        default=default,
        visibility="visible" if visible else "hidden",
    )

def live_pages(facilitator: bool) -> list[st.Page]:
    """The live session's other screens: the stage link, control page, past sessions, plans."""
    return [
        page("praesentation", t("live_menu.presenter"), ":material/cast:", visible=facilitator),
        page("styring", t("live_menu.control"), ":material/tune:", visible=facilitator),
        page("tidligere", t("live_menu.past"), ":material/history:", visible=facilitator),
        page("live_plan", t("live_menu.plan"), ":material/edit_note:", visible=facilitator),
    ]


def menu(kind: tuple[bool, bool, bool] | None):
    """The pages for a signed-out person (None) or one who is (facilitator, admin, leader of a unit)."""
    join = page("deltag", t("menu.deltag"), ":material/smartphone:")
    statement = page("tilgaengelighed", t("tilgaengelighed.menu"), ":material/accessibility_new:")
    invite = page("adgangskode", t("invite.menu"), ":material/password:", visible=False)
    if kind is None:
        return [page("log_ind", t("menu.log_ind"), ":material/login:", default=True), join, statement, invite]
    facilitator, admin, leader = kind
    main, lead = t("menu.section_main"), t("menu.section_lead")
    sections = {
        main: [
            page("forside", t("menu.forside"), ":material/home:", default=True),
            page("intro", t("menu.intro"), ":material/explore:"),
            page("quiz", t("menu.quiz"), ":material/quiz:"),
            page("fremskridt", t("menu.fremskridt"), ":material/trending_up:"),
            join,
            page("profil", t("menu.profil"), ":material/person:"),
            statement,
            invite,
        ],
        # Registered for everyone so a direct link gives "Ingen adgang" instead of a silent
        # redirect; shown in the menu only to those who may use them.
        lead: [
            page("facilitator", t("menu.facilitator"), ":material/co_present:", visible=facilitator),
            *live_pages(facilitator),
            page("admin", t("menu.admin"), ":material/admin_panel_settings:", visible=admin),
            page("min_enhed", t("leader.menu"), ":material/groups:", visible=leader),
        ],
    }
    return sections if facilitator or admin or leader else sections[main] + sections[lead]


user = session.check_user_for_run()
try:
    if user is not None and user.must_change_password:
        # A password set by HR: the person chooses their own before anything else.
        password.render(user, forced=True)
        st.stop()
    lang = language.apply(user)
    # The menu is made once per browser session, kind of person and language, not on every run:
    # making the st.Page objects (each resolves its file on disk) cost ~2.5 ms of every run of every
    # page. A session's runs never overlap (runner.fastReruns = false), so reusing them is safe.
    kind = None if user is None else (session.is_facilitator(user), bool(user.is_admin), session.is_leader(user))
    held = st.session_state.get("_menu")
    if held is None or held[0] != (kind, lang):
        held = st.session_state["_menu"] = ((kind, lang), menu(kind))
    # One flat menu (a11y.flat_menu): Streamlit's menu sections break its list markup (10 serious axe findings).
    offered = a11y.flat_menu(not_found.with_not_found(held[1], signed_in=user is not None))
    current = st.navigation(offered, position="sidebar")
    # The projector and HR tables use the whole screen; reading and answering stay narrow. Set
    # here only, not again by the pages (one call fewer on each of their runs). The browser tab
    # names the page (WCAG 2.4.2); the title before st.navigation keeps its icon from being shown.
    st.set_page_config(
        page_title=f"{current.title} · Hvidovrevejen",
        layout="wide"
        if current.url_path in ("facilitator", "admin", "tidligere", "live_plan")
        else "centered",
    )
    if user is None:
        language.switch()
    current.run()
finally:
    session.end_run()
