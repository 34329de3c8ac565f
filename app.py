"""Hvidovrevejen e-læring: the router.

``streamlit run app.py`` imports this file once to find ``app`` (an ASGI app: the Streamlit script
plus the sign-in cookie routes), and then runs it as the Streamlit script for every page view. The
script part only decides which pages exist for the person and runs one; every protected page
checks the person's role again itself.
"""

from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

if get_script_run_ctx() is None:
    import streamlit as st

    from quiz.ui.routes import ROUTES
    from quiz.ui.server_tuning import coalesce_flush_wakeups, enable_tcp_nodelay

    enable_tcp_nodelay()
    coalesce_flush_wakeups()
    app = st.App(__file__, routes=ROUTES)
else:
    import streamlit as st

    from quiz.i18n import t
    from quiz.ui import a11y, not_found, session

    st.set_page_config(page_title="Hvidovrevejen", page_icon=":material/explore:")
    a11y.inject()
    # Larger tap targets for radio options on phones (WCAG 2.5.8 asks for at least 24 px).
    st.html(
        "<style>[data-testid='stRadioOption']{min-height:2.5rem;align-items:center}"
        "[data-testid='stRadioOption'] p{line-height:1.35}</style>"
    )

    def page(file: str, title: str, icon: str, *, visible: bool = True, default: bool = False) -> st.Page:
        return st.Page(
            f"quiz/ui/pages/{file}.py",
            title=title,
            icon=icon,
            url_path=file,
            default=default,
            visibility="visible" if visible else "hidden",
        )

    def menu(kind: tuple[bool, bool] | None):
        """The pages for a signed-out person (None) or one who is (facilitator, admin)."""
        join = page("deltag", "Deltag i live-quiz", ":material/smartphone:")
        statement = page("tilgaengelighed", t("tilgaengelighed.menu"), ":material/accessibility_new:")
        if kind is None:
            return [page("log_ind", "Log ind", ":material/login:", default=True), join, statement]
        facilitator, admin = kind
        pages = {
            "Hvidovrevejen": [
                page("forside", "Forside", ":material/home:", default=True),
                page("intro", "Introduktion", ":material/explore:"),
                page("quiz", "Quiz", ":material/quiz:"),
                page("fremskridt", "Mine fremskridt", ":material/trending_up:"),
                join,
                page("profil", "Min profil", ":material/person:"),
                statement,
            ],
            # Registered for everyone so a direct link gives "Ingen adgang" instead of a silent
            # redirect; shown in the menu only to those who may use them.
            "Ledelse og HR": [
                page("facilitator", "Facilitator", ":material/co_present:", visible=facilitator),
                page("admin", "HR og administration", ":material/admin_panel_settings:", visible=admin),
            ],
        }
        return pages if facilitator or admin else pages["Hvidovrevejen"] + pages["Ledelse og HR"]

    user = session.check_user_for_run()
    try:
        # The menu is made once per browser session and kind of person, not on every run: making
        # the st.Page objects (each resolves its file on disk) cost ~2.5 ms of every run of every
        # page. A session's runs never overlap (runner.fastReruns = false), so reusing them is safe.
        kind = None if user is None else (session.is_facilitator(user), bool(user.is_admin))
        held = st.session_state.get("_menu")
        if held is None or held[0] != kind:
            held = st.session_state["_menu"] = (kind, menu(kind))
        # One flat menu (a11y.flat_menu): Streamlit's menu sections break its list markup (10 serious axe findings).
        pages = a11y.flat_menu(not_found.with_not_found(held[1], signed_in=user is not None))
        current = st.navigation(pages, position="sidebar")
        # The projector and HR tables use the whole screen; reading and answering stay narrow.
        st.set_page_config(layout="wide" if current.url_path in ("facilitator", "admin") else "centered")
        current.run()
    finally:
        session.end_run()
