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
    from quiz.ui.server_tuning import enable_tcp_nodelay

    enable_tcp_nodelay()
    app = st.App(__file__, routes=ROUTES)
else:
    import streamlit as st

    from quiz.ui import session

    st.set_page_config(page_title="Hvidovrevejen", page_icon=":material/explore:")
    # Larger tap targets for radio options on phones (WCAG 2.5.8 asks for at least 24 px).
    st.html(
        "<style>[data-testid='stRadioOption']{min-height:2.5rem;align-items:center}"
        "[data-testid='stRadioOption'] p{line-height:1.35}</style>"
    )
    user = session.current_user()

    def page(file: str, title: str, icon: str, *, visible: bool = True, default: bool = False) -> st.Page:
        return st.Page(
            f"quiz/ui/pages/{file}.py",
            title=title,
            icon=icon,
            url_path=file,
            default=default,
            visibility="visible" if visible else "hidden",
        )

    join = page("deltag", "Deltag i live-quiz", ":material/smartphone:")
    if user is None:
        pages = [page("log_ind", "Log ind", ":material/login:", default=True), join]
    else:
        facilitator, admin = session.is_facilitator(user), bool(user.is_admin)
        pages = {
            "Hvidovrevejen": [
                page("forside", "Forside", ":material/home:", default=True),
                page("intro", "Introduktion", ":material/explore:"),
                page("quiz", "Quiz", ":material/quiz:"),
                page("fremskridt", "Mine fremskridt", ":material/trending_up:"),
                join,
                page("profil", "Min profil", ":material/person:"),
            ],
            # Registered for everyone so a direct link gives "Ingen adgang" instead of a silent
            # redirect; shown in the menu only to those who may use them.
            "Ledelse og HR": [
                page("facilitator", "Facilitator", ":material/co_present:", visible=facilitator),
                page("admin", "HR og administration", ":material/admin_panel_settings:", visible=admin),
            ],
        }
        if not (facilitator or admin):
            pages = pages["Hvidovrevejen"] + pages["Ledelse og HR"]
    current = st.navigation(pages, position="sidebar")
    # The projector and HR tables use the whole screen; reading and answering stay narrow.
    st.set_page_config(layout="wide" if current.url_path in ("facilitator", "admin") else "centered")
    current.run()
