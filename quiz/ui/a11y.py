"""What every page needs for WCAG 2.1 AA beyond Streamlit's defaults: contrast, focus, reflow.

``inject()`` is called once per run by the router; it sends nothing where index.html links the
styles (quiz/ui/assets/a11y.css), which is every Streamlit this was built on. ``focus_once`` moves
the keyboard focus to the question (or to the feedback) the first time it is shown: Streamlit
redraws the page after "Start" and "Svar", and the focus would otherwise fall back to the top of the
page (15 Tab presses to the first answer on a PC). Streamlit has no focus API, so it is a small
script, run once per question.
"""

from __future__ import annotations

import base64
import html
import re
from pathlib import Path

import streamlit as st

from quiz.ui.server import middleware

# The bundled favicon as a data: URL, made once per process: Streamlit passes a data: URL through as
# it is, where a file path is read and encoded again on every run (~0.1 ms of each page's run).
FAVICON = "data:image/svg+xml;base64," + base64.b64encode(
    (Path(__file__).parent / "assets" / "favicon.svg").read_bytes()
).decode("ascii")

# The first answer control of the question's form (a radio or the first dropdown).
FIRST_ANSWER = '[data-testid="stMain"] [data-testid="stForm"] input'
# The verdict of the feedback (Rigtigt! / Delvist rigtigt / Ikke rigtigt).
FEEDBACK = '[data-testid="stMain"] [data-testid="stAlert"]'

# The styles themselves are in quiz/ui/assets/a11y.css, which index.html links (quiz.ui.server.middleware):
# sent once per browser, not as a style element on every run of every page. Where Streamlit's
# index.html cannot take the link, ``inject`` sends them on each run as before.
CSS = (
    "<style>" + re.sub(r"/\*.*?\*/\s*", "", middleware.STYLESHEET.read_text(encoding="utf-8"), flags=re.S) + "</style>"
)

# A script file of the app's own (quiz/ui/assets/focus.js): the CSP refuses inline scripts.
_SCRIPT = '<script src="/hv-assets/focus.js" data-selector="%s"></script>'


def flat_menu(pages):
    """The menu's pages as one list: Streamlit draws sections as headings and links wrapped in
    ``<div>`` inside its ``<ul>`` (axe ``list`` and ``listitem``, serious, 10 nodes for facilitators
    and administrators); without sections the menu is a plain list. The order stays the same.
    """
    if isinstance(pages, dict):
        return [page for group in pages.values() for page in group]
    return pages


def small_title(text: str) -> None:
    """The page's h1 in a small size: on a projector the session's title heads the screen (so a
    screen reader's list of headings starts with it) without pushing the question down."""
    with st.container(key="hv_small_title"):
        st.title(text, anchor=False)


def inject() -> None:
    """The styles, on every run, only when index.html does not link them (a changed Streamlit)."""
    if not middleware.index_links_stylesheet():
        st.html(CSS)


def focus_once(marker: str, selector: str) -> None:
    """Move the focus to ``selector`` the first time ``marker`` is shown in this browser session."""
    done = st.session_state.setdefault("_focused", set())
    if marker in done:
        return
    done.add(marker)
    st.html(_SCRIPT % html.escape(selector, quote=True), unsafe_allow_javascript=True)
