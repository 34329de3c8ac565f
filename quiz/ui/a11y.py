"""What every page needs for WCAG 2.1 AA beyond Streamlit's defaults: contrast, focus, reflow.

``inject()`` is called once per run by the router. ``focus_once`` moves the keyboard focus to the
question (or to the feedback) the first time it is shown: Streamlit redraws the page after "Start"
and "Svar", and the focus would otherwise fall back to the top of the page (15 Tab presses to the
first answer on a PC). Streamlit has no focus API, so it is a small script, run once per question.
"""

from __future__ import annotations

import base64
import html
from pathlib import Path

import streamlit as st

# The bundled favicon as a data: URL, made once per process: Streamlit passes a data: URL through as
# it is, where a file path is read and encoded again on every run (~0.1 ms of each page's run).
FAVICON = "data:image/svg+xml;base64," + base64.b64encode(
    (Path(__file__).parent / "assets" / "favicon.svg").read_bytes()
).decode("ascii")

# The first answer control of the question's form (a radio or the first dropdown).
FIRST_ANSWER = '[data-testid="stMain"] [data-testid="stForm"] input'
# The verdict of the feedback (Rigtigt! / Delvist rigtigt / Ikke rigtigt).
FEEDBACK = '[data-testid="stMain"] [data-testid="stAlert"]'

# Captions in the text colour at full strength (Streamlit's faded caption grey fails 4.5:1 on
# the light backgrounds); a clear focus ring on radio options; markdown tables that wrap their
# text between words and, at worst, scroll inside themselves instead of the whole page at 320 px
# (WCAG 1.4.10); each radio caption right under its own title and well above the next option.
CSS = (
    "<style>"
    "[data-testid='stCaptionContainer'],[data-testid='stCaptionContainer'] p"
    "{color:#3d4a57 !important;opacity:1 !important}"
    "blockquote,blockquote p{color:#1b2a38 !important;opacity:1 !important}"
    "[data-testid='stRadio'] label:has(input:focus-visible){outline:3px solid #00558c;outline-offset:0;"
    "border-radius:4px}"
    # Larger tap targets for radio options on phones (WCAG 2.5.8 asks for at least 24 px).
    "[data-testid='stRadioOption']{min-height:2.5rem;align-items:center}"
    "[data-testid='stRadioOption'] p{line-height:1.35}"
    # An option's caption is a sibling of its label (stRadioCaption), so the label's 2.5rem tap
    # height (above) left a gap between title and caption: 24 px for options with a caption.
    "[data-testid='stRadioOption']:has(+ [data-testid='stRadioCaption']){min-height:1.5rem !important}"
    "[data-testid='stRadioCaption']{margin-top:0 !important;margin-bottom:.75rem !important}"
    "[data-testid='stMarkdownContainer'] table{display:block;max-width:100%;overflow-x:auto}"
    "[data-testid='stMarkdownContainer'] td,[data-testid='stMarkdownContainer'] th"
    "{overflow-wrap:break-word}"
    "[data-testid='stAlert']:focus{outline:3px solid #00558c;outline-offset:2px}"
    # A match question's statements are its dropdowns' labels: the text size, not the small label size.
    "[data-testid='stMain'] [data-testid='stForm'] [data-testid='stSelectbox'] [data-testid='stWidgetLabel'] p"
    "{font-size:1rem}"
    # Sections are h2 (no level skipped after the page's h1), in the size of Streamlit's h3; smaller
    # on a phone, where a question as a 2.25rem heading took half the first screen and a 2.75rem
    # title broke »live-quiz« over two lines.
    "h2{font-size:1.75rem !important}"
    "@media (max-width:640px){h1{font-size:2rem !important}h2{font-size:1.35rem !important}}"
    ".st-key-hv_small_title h1{font-size:1.25rem !important;padding:0 0 .25rem !important}"
    # The intro's tables on a phone: one card per row (the row's name first, in bold), the column
    # headings kept for screen readers only; in three columns of 343 px the words broke mid-word.
    "@media (max-width:640px){"
    ".st-key-hv_intro_body table,.st-key-hv_intro_body tbody,.st-key-hv_intro_body tr,"
    ".st-key-hv_intro_body td{display:block;width:auto;border:0}"
    ".st-key-hv_intro_body thead{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}"
    ".st-key-hv_intro_body tr{border:1px solid #c3ccd5;border-radius:.5rem;padding:.5rem .75rem;"
    "margin-bottom:.6rem}"
    ".st-key-hv_intro_body td{padding:.1rem 0;overflow-wrap:normal}"
    ".st-key-hv_intro_body td:nth-child(2){font-weight:600}}"
    "</style>"
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
    st.html(CSS)


def focus_once(marker: str, selector: str) -> None:
    """Move the focus to ``selector`` the first time ``marker`` is shown in this browser session."""
    done = st.session_state.setdefault("_focused", set())
    if marker in done:
        return
    done.add(marker)
    st.html(_SCRIPT % html.escape(selector, quote=True), unsafe_allow_javascript=True)
