"""A Danish page for an address the app does not have, instead of Streamlit's English dialog.

Streamlit answers an unknown page path with "Page not found … Running the app's main page." (in
English, also for ``/forside`` when signed out, where the home page is not in the menu). When the
requested path is not one of this run's pages, the router adds one hidden page at exactly that
path, so Streamlit finds it and shows this page instead.
"""

from __future__ import annotations

import re

import streamlit as st
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

from quiz.i18n import messages

TXT = messages("ikke_fundet")
# The learner's pages, which exist only for a signed-in person: a signed-out visit is asked to sign in.
SIGNED_IN_PAGES = {"forside", "intro", "quiz", "fremskridt", "profil", "facilitator", "admin"}
# The old presenter view's address: a projector PC's bookmark, often signed out. The room's screen is
# the lean stage now, behind a link the facilitator makes; this says so instead of »Siden findes ikke«.
MOVED_PAGES = {"praesentation": "moved_presenter"}
_SAFE_PATH = re.compile(r"^[\w.-]{1,80}$")


def requested_path() -> str:
    """The page path the browser asked for in this run ("" for the main page or a page chosen by hash)."""
    ctx = get_script_run_ctx()
    manager = getattr(ctx, "pages_manager", None)
    if manager is None or manager.intended_page_script_hash:
        return ""
    return (manager.intended_page_name or "").strip("/")


def _paths(pages) -> set[str]:
    found = pages.values() if isinstance(pages, dict) else [pages]
    # The default page answers at "/", but its own path is taken too (``_url_path``: no public name).
    return {getattr(p, "_url_path", p.url_path) for group in found for p in group}


def with_not_found(pages, *, signed_in: bool):
    """``pages`` plus a hidden page at the requested path when no page of ``pages`` has it."""
    path = requested_path()
    if not path or path in _paths(pages) or not _SAFE_PATH.match(path):
        return pages

    def show() -> None:
        if path in MOVED_PAGES:
            st.title(TXT[f"{MOVED_PAGES[path]}_title"])
            st.info(TXT[MOVED_PAGES[path]], icon=":material/cast:")
            st.page_link("quiz/ui/pages/sign_in.py", label=TXT["to_sign_in"], icon=":material/login:")
            return
        if not signed_in and path in SIGNED_IN_PAGES:
            st.title(TXT["to_sign_in"])
            st.warning(TXT["sign_in"], icon=":material/login:")
            st.page_link("quiz/ui/pages/sign_in.py", label=TXT["to_sign_in"], icon=":material/login:")
            return
        st.title(TXT["title"])
        st.write(TXT["body"].format(path=f"/{path}"))
        home = "quiz/ui/pages/home.py" if signed_in else "quiz/ui/pages/sign_in.py"
        st.page_link(home, label=TXT["home"], icon=":material/home:")

    extra = st.Page(show, title=TXT["title"], url_path=path, visibility="hidden")
    if isinstance(pages, dict):
        return {**pages, next(iter(pages)): [*next(iter(pages.values())), extra]}
    return [*pages, extra]
